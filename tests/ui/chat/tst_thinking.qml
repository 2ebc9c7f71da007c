import QtQuick
import QtTest
import Hearth.Ui

Item {
    id: root
    width: 400; height: 300

    ThinkingSection { id: thinking; width: 380 }

    TestCase {
        name: "ThinkingSection"
        when: windowShown

        function test_hiddenWithoutReasoning() {
            thinking.reasoning = ""
            verify(!thinking.visible)
        }

        function test_openWhileStreamingCollapsedWhenDone() {
            thinking.reasoning = "Let me think"
            thinking.durationMs = 0
            thinking.streaming = true
            verify(thinking.visible)
            verify(thinking.expanded)
            compare(thinking.title, "Thinking…")
            const body = findChild(thinking, "thinkingText")
            compare(body.text, "Let me think")
            thinking.durationMs = 4200
            thinking.streaming = false
            verify(!thinking.expanded)
            compare(thinking.title, "Thinking (4.2 s)")
        }

        function test_clickToggles() {
            thinking.reasoning = "steps"
            thinking.streaming = false
            verify(!thinking.expanded)
            const toggle = findChild(thinking, "thinkingToggle")
            mouseClick(toggle)
            verify(thinking.expanded)
            mouseClick(toggle)
            verify(!thinking.expanded)
        }
    }
}
