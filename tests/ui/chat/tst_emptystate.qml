// The first-run empty state: with no model it offers the demo model (only when the
// packaged one exists) and the model library; with a model it offers neither.
import QtQuick
import QtTest
import Hearth.Ui

Item {
    id: root
    width: 800; height: 500

    EmptyState { id: empty; anchors.fill: parent }
    SignalSpy { id: demoSpy; target: empty; signalName: "demoRequested" }
    SignalSpy { id: librarySpy; target: empty; signalName: "libraryRequested" }

    TestCase {
        name: "EmptyState"
        when: windowShown

        function init() { demoSpy.clear(); librarySpy.clear() }

        function test_demoAndLibrary() {
            empty.hasModel = false
            empty.demoPath = "/models/SmolLM2-135M-Instruct.Q4_1.gguf"
            const demo = findChild(empty, "useDemoModel")
            const library = findChild(empty, "openLibrary")
            waitForRendering(empty)
            verify(demo.visible && library.visible)
            compare(demo.Accessible.name, "Use the demo model")
            mouseClick(demo)
            compare(demoSpy.count, 1)
            mouseClick(library)
            compare(librarySpy.count, 1)
        }

        function test_noDemoPackaged() {
            empty.hasModel = false
            empty.demoPath = ""
            verify(!findChild(empty, "useDemoModel").visible)
            verify(findChild(empty, "openLibrary").visible)
            verify(findChild(empty, "openLibrary").primary)
        }

        function test_modelLoadedOffersNothing() {
            empty.hasModel = true
            empty.demoPath = "/x.gguf"
            verify(!findChild(empty, "openLibrary").visible || !findChild(empty, "openLibrary").parent.visible)
        }
    }
}
