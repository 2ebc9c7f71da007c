// The conversation: a centred column (at most 760 px) of MessageDelegates. It follows
// the streaming reply only while the view is at the bottom; scrolling up stays put.
import QtQuick
import QtQuick.Controls

ListView {
    id: root

    property var chat // ChatController
    property bool stickToBottom: true
    signal editRequested(var messageId, string text)

    function scrollToEnd() { root.positionViewAtEnd(); root.stickToBottom = true }

    clip: true
    spacing: Theme.sp(1)
    cacheBuffer: 2000
    boundsBehavior: Flickable.StopAtBounds
    topMargin: Theme.sp(6)
    bottomMargin: Theme.sp(6)
    model: root.chat ? root.chat.messages : null
    Accessible.name: qsTr("Conversation")
    ScrollBar.vertical: ScrollBar { }

    onMovementEnded: root.stickToBottom = root.atYEnd
    onContentHeightChanged: if (root.stickToBottom) Qt.callLater(root.positionViewAtEnd)
    onCountChanged: if (root.stickToBottom) Qt.callLater(root.positionViewAtEnd)

    delegate: MessageDelegate {
        x: Math.max(0, (root.width - width) / 2)
        width: Math.min(root.width - Theme.sp(8), Theme.columnMaxWidth)
        isLast: index === root.count - 1
        onCopyRequested: (t) => root.chat.copyToClipboard(t)
        onEditRequested: (id, t) => root.editRequested(id, t)
        onRegenerateRequested: (id) => { root.stickToBottom = true; root.chat.regenerate(id) }
        onBranchRequested: (id, delta) => root.chat.switchBranch(id, delta)
    }
}
