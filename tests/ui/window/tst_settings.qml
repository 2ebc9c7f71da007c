// Settings on the real controller: the defaults feed what a reply uses; a conversation's
// own system prompt and generation settings win over them, are saved on the conversation
// (still there after opening another one and coming back) and can be cleared.
import QtQuick
import QtTest
import Hearth.Ui

Item {
    id: root
    width: 1000; height: 800

    QtObject {
        id: prefs
        property string systemPrompt: "Be brief."
        property real temperature: 0.7
        property real topP: 0.95
        property int topK: 40
        property real minP: 0.05
        property real repeatPenalty: 1.1
        property int maxTokens: 1024
        property int seed: -1
        property int contextLength: 4096
        property string theme: "light"
        property real fontScale: 1.0
    }
    SettingsDialog { id: dialog; prefs: prefs; chat: chatController }
    Binding {
        target: chatController; property: "settings"
        value: ({ temperature: prefs.temperature, topP: prefs.topP, topK: prefs.topK, minP: prefs.minP,
                  repeatPenalty: prefs.repeatPenalty, maxTokens: prefs.maxTokens, seed: prefs.seed })
    }

    TestCase {
        name: "Settings"
        when: windowShown

        function spin(form, key) { return findChild(findChild(dialog.contentItem, form), key) }
        function bump(box, key) { box.forceActiveFocus(); keyClick(key) }

        function test_defaultsThenConversationOverrides() {
            chatController.openConversation(fixture.otherId)
            dialog.currentTab = 0
            dialog.open()
            tryCompare(dialog, "opened", true)
            // Defaults: min-p and repeat penalty are there and reach the reply settings.
            bump(spin("defaultsForm", "minP"), Qt.Key_Up)
            compare(prefs.minP, 0.06)
            bump(spin("defaultsForm", "repeatPenalty"), Qt.Key_Up)
            compare(prefs.repeatPenalty, 1.15)
            compare(chatController.effectiveSettings().minP, 0.06)
            compare(chatController.effectiveSettings().repeatPenalty, 1.15)
            for (const key of ["temperature", "topP", "topK", "maxTokens", "seed"])
                verify(spin("defaultsForm", key) !== null, key)
            verify(findChild(dialog.contentItem, "contextLength") !== null)

            // This conversation: own prompt and own temperature.
            dialog.currentTab = 1
            const prompt = findChild(dialog.contentItem, "conversationPrompt")
            prompt.text = "Answer like a pirate."
            compare(chatController.conversationSystemPrompt, "Answer like a pirate.")
            const own = findChild(dialog.contentItem, "ownSettings")
            verify(!own.checked)
            mouseClick(own)
            verify(own.checked)
            bump(spin("conversationForm", "temperature"), Qt.Key_Down)
            compare(chatController.conversationSettings.temperature, 0.65)
            compare(chatController.effectiveSettings().temperature, 0.65)
            compare(chatController.effectiveSettings().minP, 0.06) // copied from the defaults
            dialog.close()

            // Saved on the conversation: another one has none, coming back restores them.
            chatController.openConversation(fixture.longId)
            compare(chatController.conversationSystemPrompt, "")
            compare(chatController.effectiveSettings().temperature, 0.7)
            chatController.openConversation(fixture.otherId)
            compare(chatController.conversationSystemPrompt, "Answer like a pirate.")
            compare(chatController.effectiveSettings().temperature, 0.65)

            // Unticking goes back to the defaults.
            dialog.currentTab = 1
            dialog.open()
            tryCompare(dialog, "opened", true)
            mouseClick(findChild(dialog.contentItem, "ownSettings"))
            compare(Object.keys(chatController.conversationSettings).length, 0)
            compare(chatController.effectiveSettings().temperature, 0.7)
            dialog.close()
        }
    }
}
