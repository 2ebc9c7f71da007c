import QtQuick
import QtTest
import Hearth.Ui

Item {
    id: root
    width: 600; height: 300

    Composer { id: composer; width: 500 }
    SignalSpy { id: sendSpy; target: composer; signalName: "sendRequested" }
    SignalSpy { id: stopSpy; target: composer; signalName: "stopRequested" }
    SignalSpy { id: editSpy; target: composer; signalName: "editLastRequested" }

    TestCase {
        name: "Composer"
        when: windowShown

        function init() {
            composer.text = ""
            composer.generating = false
            sendSpy.clear(); stopSpy.clear(); editSpy.clear()
            composer.focusInput()
            verify(composer.input.activeFocus)
        }

        function test_enterSends() {
            keyClick(Qt.Key_H); keyClick(Qt.Key_I)
            keyClick(Qt.Key_Return)
            compare(sendSpy.count, 1)
            compare(sendSpy.signalArguments[0][0], "hi")
            compare(composer.text, "")
        }

        function test_shiftEnterAddsLine() {
            keyClick(Qt.Key_A)
            keyClick(Qt.Key_Return, Qt.ShiftModifier)
            keyClick(Qt.Key_B)
            compare(sendSpy.count, 0)
            compare(composer.text, "a\nb")
            keyClick(Qt.Key_Enter) // keypad Enter sends too
            compare(sendSpy.count, 1)
            compare(sendSpy.signalArguments[0][0], "a\nb")
        }

        function test_emptyDoesNotSend() {
            keyClick(Qt.Key_Space)
            keyClick(Qt.Key_Return)
            compare(sendSpy.count, 0)
        }

        function test_escStopsWhileGenerating() {
            keyClick(Qt.Key_Escape)
            compare(stopSpy.count, 0)
            composer.generating = true
            keyClick(Qt.Key_Escape)
            compare(stopSpy.count, 1)
            // No sending while a reply streams; the text stays.
            keyClick(Qt.Key_X)
            keyClick(Qt.Key_Return)
            compare(sendSpy.count, 0)
            compare(composer.text, "x")
        }

        function test_stopButton() {
            composer.generating = true
            const button = findChild(composer, "composerAction")
            verify(button)
            compare(button.text, "Stop")
            mouseClick(button)
            compare(stopSpy.count, 1)
        }

        function test_upOnEmptyEditsLast() {
            keyClick(Qt.Key_Up)
            compare(editSpy.count, 1)
            keyClick(Qt.Key_Z)
            keyClick(Qt.Key_Up)
            compare(editSpy.count, 1)
        }
    }
}
