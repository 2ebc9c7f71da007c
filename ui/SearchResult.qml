// One full-text search hit: the conversation's title and the snippet, matches in bold.
// A click opens the conversation at the message.
import QtQuick

Rectangle {
    id: root
    required property var modelData
    signal openRequested(var conversationId, var messageId)

    implicitHeight: col.implicitHeight + Theme.sp(3)
    color: mouse.containsMouse ? Theme.hover : "transparent"
    Accessible.role: Accessible.ListItem
    Accessible.name: root.modelData.title

    Column {
        id: col
        x: Theme.sp(4); y: Theme.sp(1.5)
        width: parent.width - Theme.sp(8)
        Text {
            width: parent.width
            text: root.modelData.title
            elide: Text.ElideRight
            color: Theme.text
            font.pixelSize: Theme.fontSize
        }
        Text {
            objectName: "snippet"
            width: parent.width
            text: root.modelData.snippet
            textFormat: Text.StyledText
            wrapMode: Text.Wrap
            maximumLineCount: 3
            elide: Text.ElideRight
            color: Theme.muted
            font.pixelSize: Theme.fontSmall
        }
    }
    MouseArea {
        id: mouse
        anchors.fill: parent
        hoverEnabled: true
        onClicked: root.openRequested(root.modelData.conversationId, root.modelData.messageId)
    }
}
