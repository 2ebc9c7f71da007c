import QtQuick
import QtTest
import Hearth.Ui

Item {
    id: root
    width: 600; height: 400

    MarkdownView { id: view; width: 560 }
    SignalSpy { id: copySpy; target: view; signalName: "copyRequested" }

    TestCase {
        name: "MarkdownView"
        when: windowShown

        function test_segments() {
            const segs = view.segments("Intro **bold**\n```cpp\nint x = 1;\n```\nAfter")
            compare(segs.length, 3)
            compare(segs[0].code, false)
            compare(segs[1].code, true)
            compare(segs[1].lang, "cpp")
            compare(segs[1].text, "int x = 1;")
            compare(segs[2].text, "After")
        }

        function test_unclosedFenceIsCode() {
            const segs = view.segments("See:\n```\npartial")
            compare(segs.length, 2)
            verify(segs[1].code)
            compare(segs[1].text, "partial")
        }

        function test_codeBlockCopy() {
            view.markdown = "Run this:\n```sh\necho hi\n```\n"
            wait(50)
            const copy = findChild(view, "codeCopy")
            verify(copy)
            compare(findChild(view, "codeText").text, "echo hi")
            mouseClick(copy)
            compare(copySpy.count, 1)
            compare(copySpy.signalArguments[0][0], "echo hi")
            compare(copy.text, "Copied")
        }
    }
}
