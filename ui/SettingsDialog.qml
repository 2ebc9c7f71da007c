// Settings (Ctrl+,). "Defaults": the system prompt, generation settings, context length,
// theme and font size, in Main's persisted Settings (`prefs`). "This conversation": its
// own system prompt and, when ticked, its own generation settings, saved on the
// conversation in the store; its model is the one chosen in the header while it is open.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

Dialog {
    id: root

    property var prefs // Main's Settings object
    property var chat  // ChatController
    property alias currentTab: tabs.currentIndex
    readonly property var defaults: ({
        temperature: prefs.temperature, topP: prefs.topP, topK: prefs.topK, minP: prefs.minP,
        repeatPenalty: prefs.repeatPenalty, maxTokens: prefs.maxTokens, seed: prefs.seed })

    title: qsTr("Settings")
    modal: true
    standardButtons: Dialog.Close
    width: Math.min(parent ? parent.width - Theme.sp(10) : 560, Theme.sp(150))
    height: Math.min(parent ? parent.height - Theme.sp(10) : 700, implicitHeight)
    anchors.centerIn: parent
    palette.window: Theme.background
    palette.windowText: Theme.text
    palette.base: Theme.background
    palette.text: Theme.text
    palette.button: Theme.surface
    palette.buttonText: Theme.text

    component Label2: Text { color: Theme.text; font.pixelSize: Theme.fontSize }

    header: TabBar {
        id: tabs
        TabButton { text: qsTr("Defaults"); Accessible.name: qsTr("Default settings") }
        TabButton {
            objectName: "conversationTab"
            text: qsTr("This conversation")
            enabled: root.chat && root.chat.conversationId > 0
            Accessible.name: qsTr("This conversation's settings")
        }
    }

    ScrollView {
        id: scroll
        anchors.fill: parent
        contentWidth: availableWidth
        clip: true

        StackLayout {
            width: scroll.availableWidth
            currentIndex: tabs.currentIndex

            ColumnLayout { // Defaults
                spacing: Theme.sp(3)
                Label2 { text: qsTr("System prompt") }
                TextArea {
                    Layout.fillWidth: true
                    Layout.preferredHeight: Theme.sp(20)
                    wrapMode: TextEdit.Wrap
                    text: root.prefs.systemPrompt
                    placeholderText: qsTr("You are a helpful assistant.")
                    font.pixelSize: Theme.fontSize
                    Accessible.name: qsTr("Default system prompt")
                    onTextChanged: root.prefs.systemPrompt = text
                }
                GenerationForm {
                    objectName: "defaultsForm"
                    Layout.fillWidth: true
                    values: root.defaults
                    onEdited: (key, value) => root.prefs[key] = value
                }
                GridLayout {
                    Layout.fillWidth: true
                    columns: 2
                    columnSpacing: Theme.sp(4)
                    rowSpacing: Theme.sp(2)
                    Label2 { text: qsTr("Context length") }
                    SpinBox {
                        objectName: "contextLength"
                        Layout.fillWidth: true
                        editable: true
                        from: 256; to: 131072; stepSize: 1024
                        value: root.prefs.contextLength
                        font.pixelSize: Theme.fontSize
                        Accessible.name: qsTr("Context length in tokens")
                        onValueModified: root.prefs.contextLength = value
                    }
                    Label2 { text: qsTr("Theme") }
                    ComboBox {
                        Layout.fillWidth: true
                        model: ["system", "light", "dark"]
                        currentIndex: Math.max(0, model.indexOf(root.prefs.theme))
                        Accessible.name: qsTr("Theme")
                        onActivated: (i) => root.prefs.theme = model[i]
                    }
                    Label2 { text: qsTr("Font size") }
                    SpinBox {
                        Layout.fillWidth: true
                        editable: true
                        from: 75; to: 200; stepSize: 5
                        value: Math.round(root.prefs.fontScale * 100)
                        textFromValue: (v) => v + " %"
                        valueFromText: (t) => parseInt(t)
                        font.pixelSize: Theme.fontSize
                        Accessible.name: qsTr("Font size")
                        onValueModified: root.prefs.fontScale = value / 100
                    }
                }
                Text {
                    Layout.fillWidth: true
                    wrapMode: Text.Wrap
                    text: qsTr("A new context length reloads the model when this dialog closes.")
                    color: Theme.muted
                    font.pixelSize: Theme.fontSmall
                }
            }

            ColumnLayout { // This conversation
                spacing: Theme.sp(3)
                Text {
                    Layout.fillWidth: true
                    wrapMode: Text.Wrap
                    color: Theme.muted
                    font.pixelSize: Theme.fontSmall
                    text: root.chat && root.chat.conversationModel.length > 0
                          ? qsTr("Model: %1 (change it with the model picker in the header)").arg(root.chat.conversationModel)
                          : qsTr("Model: the one loaded when it first replies")
                }
                Label2 { text: qsTr("System prompt for this conversation") }
                TextArea {
                    id: convPrompt
                    objectName: "conversationPrompt"
                    Layout.fillWidth: true
                    Layout.preferredHeight: Theme.sp(20)
                    wrapMode: TextEdit.Wrap
                    text: root.chat ? root.chat.conversationSystemPrompt : ""
                    placeholderText: root.prefs.systemPrompt.length > 0
                                     ? qsTr("Default: %1").arg(root.prefs.systemPrompt)
                                     : qsTr("The default (none)")
                    font.pixelSize: Theme.fontSize
                    Accessible.name: qsTr("System prompt for this conversation")
                    onTextChanged: if (root.chat && text !== root.chat.conversationSystemPrompt)
                                       root.chat.setConversationOverrides(text, root.chat.conversationSettings)
                }
                CheckBox {
                    id: own
                    objectName: "ownSettings"
                    text: qsTr("Own generation settings")
                    checked: root.chat && Object.keys(root.chat.conversationSettings).length > 0
                    font.pixelSize: Theme.fontSize
                    Accessible.name: text
                    onToggled: root.chat.setConversationOverrides(root.chat.conversationSystemPrompt,
                                                                  checked ? root.defaults : ({}))
                }
                GenerationForm {
                    objectName: "conversationForm"
                    Layout.fillWidth: true
                    visible: own.checked
                    values: root.chat ? Object.assign({}, root.defaults, root.chat.conversationSettings) : root.defaults
                    onEdited: (key, value) => {
                        const s = Object.assign({}, root.defaults, root.chat.conversationSettings)
                        s[key] = value
                        root.chat.setConversationOverrides(root.chat.conversationSystemPrompt, s)
                    }
                }
            }
        }
    }
}
