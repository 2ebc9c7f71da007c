// The conversation: a centred column (at most 760 px) of MessageDelegates. It follows
// the streaming reply only while the view is at the bottom; scrolling up stays put. A
// search hit opened from the sidebar is scrolled into the middle and lit up briefly.
import QtQuick
import QtQuick.Controls

ListView {
    id: root

    property var chat // ChatController
    property bool stickToBottom: true
    signal editRequested(var messageId, string text)

    property var highlightedId: null // the message lit up after a search hit
    function scrollToEnd() { root.positionViewAtEnd(); root.stickToBottom = true }
    function reveal(messageId) {
        const row = root.model ? root.model.rowOfMessage(messageId) : -1
        if (row < 0)
            return
        root.stickToBottom = false
        root.positionViewAtIndex(row, ListView.Center)
        root.highlightedId = messageId
        highlightTimer.restart()
    }

    Connections {
        target: root.chat
        // After the model has been reset for the opened conversation and laid out.
        function onMessageRevealRequested(messageId) { Qt.callLater(root.reveal, messageId) }
    }
    Timer { id: highlightTimer; interval: 2000; onTriggered: root.highlightedId = null }

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
    // Checked when it runs: a reveal queued in the same turn wins over following the end.
    function followEnd() { if (root.stickToBottom) root.positionViewAtEnd() }
    onContentHeightChanged: if (root.stickToBottom) Qt.callLater(root.followEnd)
    onCountChanged: if (root.stickToBottom) Qt.callLater(root.followEnd)

    delegate: MessageDelegate {
        x: Math.max(0, (root.width - width) / 2)
        width: Math.min(root.width - Theme.sp(8), Theme.columnMaxWidth)
        isLast: index === root.count - 1
        highlighted: root.highlightedId !== null && messageId === root.highlightedId
        onCopyRequested: (t) => root.chat.copyToClipboard(t)
        onEditRequested: (id, t) => root.editRequested(id, t)
        onRegenerateRequested: (id) => { root.stickToBottom = true; root.chat.regenerate(id) }
        onBranchRequested: (id, delta) => root.chat.switchBranch(id, delta)
    }
}
