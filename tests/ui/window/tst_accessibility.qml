// Every visible control of the window's parts (sidebar with a conversation row and
// search, header, chat view with messages, composer, settings and export dialogs) has
// an accessible name.
import QtQuick
import QtTest
import Hearth.Ui

Item {
    id: root
    width: 1200; height: 800

    QtObject {
        id: prefs
        property string systemPrompt: ""
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
    Sidebar { id: sidebar; width: 280; height: parent.height; chat: chatController }
    Header { id: header; x: 281; width: 919 }
    ChatView { id: view; x: 281; y: 50; width: 919; height: 600; chat: chatController }
    Composer { id: composer; x: 300; y: 700; width: 800 }
    SettingsDialog { id: settings; prefs: prefs; chat: chatController }
    ExportDialog { id: exporter; chat: chatController }

    TestCase {
        name: "Accessibility"
        when: windowShown

        function interactive(item) {
            return typeof item.clicked === "function" || typeof item.valueModified === "function"
                || "cursorPosition" in item || (typeof item.activated === "function" && "displayText" in item)
        }
        // Visible interactive items without a name, as "objectName/text" strings.
        function unnamed(item, out) {
            if (!item || !item.visible)
                return out
            if ("standardButtons" in item) { // a dialog's button box: its buttons
                for (let i = 0; i < item.contentChildren.length; ++i)
                    unnamed(item.contentChildren[i], out)
                return out
            }
            if (interactive(item)) { // its inner parts (a combo box's text field) are its own
                if (!(item.Accessible.name && item.Accessible.name.length > 0))
                    out.push((item.objectName || "?") + "/" + (item.text || "") + "/" + item)
                return out
            }
            for (let i = 0; i < item.children.length; ++i)
                unnamed(item.children[i], out)
            return out
        }

        function test_everyControlNamed() {
            chatController.openConversation(fixture.otherId)
            waitForRendering(view)
            let missing = unnamed(root, [])
            compare(missing.join(", "), "")
            settings.open()
            tryCompare(settings, "opened", true)
            for (const tab of [0, 1]) {
                settings.currentTab = tab
                waitForRendering(settings.contentItem)
                missing = unnamed(settings.contentItem, []).concat(unnamed(settings.header, []))
                compare(missing.join(", "), "")
            }
            settings.close()
            exporter.open()
            tryCompare(exporter, "opened", true)
            missing = unnamed(exporter.contentItem, []).concat(unnamed(exporter.footer, []))
            compare(missing.join(", "), "")
            exporter.close()
        }
    }
}
