// The message box: multi-line, Enter sends, Shift+Enter adds a line, Esc (or the Stop
// button) stops a reply, Up in an empty box asks to edit the last message. It grows to
// about eight lines, then scrolls.
import QtQuick
import QtQuick.Controls

Rectangle {
    id: root

    property bool generating: false
    property bool enabledForInput: true
    property alias text: input.text
    property alias input: input
    signal sendRequested(string text)
    signal stopRequested()
    signal editLastRequested()

    function send() {
        if (root.generating || input.text.trim().length === 0)
            return
        const t = input.text
        input.text = ""
        root.sendRequested(t)
    }
    function focusInput() { input.forceActiveFocus() }

    implicitHeight: Math.min(scroll.contentHeight, Theme.fontSize * Theme.lineHeight * 8) + Theme.sp(6)
    radius: Theme.radiusCard
    color: Theme.background
    border.color: input.activeFocus ? Theme.accent : Theme.border
    border.width: 1

    ScrollView {
        id: scroll
        anchors.left: parent.left
        anchors.right: action.left
        anchors.top: parent.top
        anchors.bottom: parent.bottom
        anchors.margins: Theme.sp(1)

        TextArea {
            id: input
            objectName: "composerInput"
            placeholderText: qsTr("Message Hearth…")
            placeholderTextColor: Theme.muted
            color: Theme.text
            selectionColor: Theme.accent
            font.pixelSize: Theme.fontSize
            wrapMode: TextEdit.Wrap
            background: null
            enabled: root.enabledForInput
            Accessible.name: qsTr("Message")
            Accessible.description: qsTr("Enter sends, Shift+Enter adds a new line")

            Keys.onPressed: (event) => {
                if (event.key === Qt.Key_Return || event.key === Qt.Key_Enter) {
                    if (event.modifiers & Qt.ShiftModifier) {
                        input.insert(input.cursorPosition, "\n")
                    } else {
                        root.send()
                    }
                    event.accepted = true
                } else if (event.key === Qt.Key_Escape) {
                    if (root.generating)
                        root.stopRequested()
                    event.accepted = true
                } else if (event.key === Qt.Key_Up && input.text.length === 0) {
                    root.editLastRequested()
                    event.accepted = true
                }
            }
        }
    }

    HButton {
        id: action
        objectName: "composerAction"
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        anchors.margins: Theme.sp(2)
        primary: !root.generating
        danger: root.generating
        iconName: root.generating ? "stop" : "send"
        text: root.generating ? qsTr("Stop") : qsTr("Send")
        tip: root.generating ? qsTr("Stop the reply (Esc)") : qsTr("Send the message (Enter)")
        enabled: root.generating || input.text.trim().length > 0
        opacity: enabled ? 1 : 0.5
        onClicked: root.generating ? root.stopRequested() : root.send()
    }
}
