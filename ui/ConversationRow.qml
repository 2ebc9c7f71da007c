// A sidebar row: the title; double-click (or F2) renames in place; hover shows the pin
// and delete buttons.
import QtQuick
import QtQuick.Controls

Rectangle {
    id: root

    required property var conversationId
    required property string title
    required property bool pinned
    property bool current: false
    property bool editing: false
    signal openRequested(var id)
    signal renameRequested(var id, string title)
    signal pinRequested(var id, bool pinned)
    signal deleteRequested(var id)

    implicitHeight: Theme.sp(9)
    color: root.current ? Theme.surface : (hover.hovered ? Theme.hover : "transparent")
    radius: Theme.radiusButton
    Accessible.role: Accessible.ListItem
    Accessible.name: root.title

    HoverHandler { id: hover }
    TapHandler {
        onTapped: root.openRequested(root.conversationId)
        onDoubleTapped: root.editing = true
    }

    Text {
        visible: !root.editing
        anchors.left: parent.left; anchors.leftMargin: Theme.sp(4)
        anchors.right: buttons.left; anchors.rightMargin: Theme.sp(1)
        anchors.verticalCenter: parent.verticalCenter
        text: root.title.length > 0 ? root.title : qsTr("New chat")
        elide: Text.ElideRight
        color: Theme.text
        font.pixelSize: Theme.fontSize
    }
    TextField {
        id: editor
        visible: root.editing
        anchors.fill: parent
        anchors.margins: 2
        text: root.title
        font.pixelSize: Theme.fontSize
        color: Theme.text
        Accessible.name: qsTr("Conversation title")
        onVisibleChanged: if (visible) { forceActiveFocus(); selectAll() }
        onAccepted: { root.renameRequested(root.conversationId, text); root.editing = false }
        Keys.onEscapePressed: root.editing = false
        onActiveFocusChanged: if (!activeFocus) root.editing = false
    }
    Row {
        id: buttons
        anchors.right: parent.right; anchors.rightMargin: Theme.sp(1)
        anchors.verticalCenter: parent.verticalCenter
        visible: !root.editing && (hover.hovered || root.pinned)
        HButton {
            flat: true
            iconName: root.pinned ? "pinned" : "pin"
            tip: root.pinned ? qsTr("Unpin") : qsTr("Pin")
            onClicked: root.pinRequested(root.conversationId, !root.pinned)
        }
        HButton {
            flat: true
            visible: hover.hovered
            iconName: "edit"
            tip: qsTr("Rename")
            onClicked: root.editing = true
        }
        HButton {
            flat: true
            danger: true
            visible: hover.hovered
            iconName: "delete"
            tip: qsTr("Delete")
            onClicked: root.deleteRequested(root.conversationId)
        }
    }
}
