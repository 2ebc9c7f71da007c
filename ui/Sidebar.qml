// The conversations: New chat, a full-text search box (results with highlighted
// snippets replace the list while a query is typed), then the list: pinned first, then
// grouped by date. Each row: click opens, double-click renames, hover shows pin/delete.
import QtQuick
import QtQuick.Controls

Rectangle {
    id: root

    property var chat // ChatController
    property alias searchField: search
    signal newChatRequested()

    function focusSearch() { search.forceActiveFocus(); search.selectAll() }

    color: Theme.sidebar

    Column {
        id: top
        x: Theme.sp(3); y: Theme.sp(3)
        width: parent.width - Theme.sp(6)
        spacing: Theme.sp(2)

        HButton {
            width: parent.width
            iconName: "plus"
            text: qsTr("New chat")
            tip: qsTr("New chat (Ctrl+N)")
            onClicked: root.newChatRequested()
        }
        TextField {
            id: search
            objectName: "searchField"
            width: parent.width
            placeholderText: qsTr("Search…")
            placeholderTextColor: Theme.muted
            color: Theme.text
            font.pixelSize: Theme.fontSize
            Accessible.name: qsTr("Search conversations")
            background: Rectangle {
                radius: Theme.radiusButton
                color: Theme.background
                border.color: search.activeFocus ? Theme.accent : Theme.border
            }
            onTextChanged: results.model = root.chat ? root.chat.search(text) : []
            Keys.onEscapePressed: text = ""
        }
    }

    ListView {
        id: results
        objectName: "searchResults"
        anchors.top: top.bottom; anchors.topMargin: Theme.sp(2)
        anchors.left: parent.left; anchors.right: parent.right; anchors.bottom: undo.top
        visible: search.text.length > 0
        clip: true
        model: []
        delegate: SearchResult {
            width: results.width
            onOpenRequested: (conversationId, messageId) => root.chat.openMessage(conversationId, messageId)
        }
        Text {
            visible: results.count === 0
            x: Theme.sp(4)
            text: qsTr("No matches")
            color: Theme.muted
            font.pixelSize: Theme.fontSmall
        }
    }

    ListView {
        id: list
        objectName: "conversationList"
        anchors.fill: results
        visible: !results.visible
        clip: true
        model: root.chat ? root.chat.conversations : null
        Accessible.name: qsTr("Conversations")
        ScrollBar.vertical: ScrollBar { }
        section.property: "section"
        section.delegate: Text {
            required property string section
            leftPadding: Theme.sp(4); topPadding: Theme.sp(3); bottomPadding: Theme.sp(1)
            text: section
            color: Theme.muted
            font.pixelSize: Theme.fontSmall
            font.bold: true
        }
        delegate: ConversationRow {
            width: list.width
            current: root.chat && conversationId === root.chat.conversationId
            onOpenRequested: (id) => root.chat.openConversation(id)
            onRenameRequested: (id, title) => root.chat.rename(id, title)
            onPinRequested: (id, pinned) => root.chat.setPinned(id, pinned)
            onDeleteRequested: (id) => root.chat.remove(id)
        }
    }

    Rectangle {
        id: undo
        anchors.bottom: parent.bottom
        width: parent.width
        height: visible ? Theme.sp(11) : 0
        visible: root.chat && root.chat.canUndoDelete
        color: Theme.surface
        Text {
            anchors.left: parent.left; anchors.leftMargin: Theme.sp(4)
            anchors.verticalCenter: parent.verticalCenter
            text: qsTr("Conversation deleted")
            color: Theme.muted
            font.pixelSize: Theme.fontSmall
        }
        HButton {
            anchors.right: parent.right; anchors.rightMargin: Theme.sp(2)
            anchors.verticalCenter: parent.verticalCenter
            flat: true
            text: qsTr("Undo")
            onClicked: root.chat.undoDelete()
        }
    }
}
