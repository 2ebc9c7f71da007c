import QtQuick
import QtTest
import Hearth.Ui

Item {
    id: root
    width: 300; height: 100

    BranchSwitcher { id: switcher; index: 1; count: 3 }
    SignalSpy { id: spy; target: switcher; signalName: "switchRequested" }

    TestCase {
        name: "BranchSwitcher"
        when: windowShown

        function init() { switcher.index = 1; switcher.count = 3; spy.clear() }

        function test_label() {
            compare(findChild(switcher, "branchLabel").text, "2/3")
            verify(switcher.visible)
        }

        function test_nextAndPrevious() {
            mouseClick(findChild(switcher, "branchNext"))
            compare(spy.count, 1)
            compare(spy.signalArguments[0][0], 1)
            mouseClick(findChild(switcher, "branchPrevious"))
            compare(spy.count, 2)
            compare(spy.signalArguments[1][0], -1)
        }

        function test_edgesDisabled() {
            switcher.index = 0
            verify(!findChild(switcher, "branchPrevious").enabled)
            mouseClick(findChild(switcher, "branchPrevious"))
            compare(spy.count, 0)
            switcher.index = 2
            verify(!findChild(switcher, "branchNext").enabled)
            compare(findChild(switcher, "branchLabel").text, "3/3")
        }

        function test_hiddenWithoutSiblings() {
            switcher.count = 1
            verify(!switcher.visible)
        }
    }
}
