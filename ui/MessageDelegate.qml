// One message of the chat column. User: a softly tinted block. Assistant: full-width
// Markdown with the Thinking section, a quiet stats line, an inline error card with
// Retry, and the branch switcher. Hover shows Copy / Edit / Regenerate.
import QtQuick
import QtQuick.Controls

Item {
    id: root

    required property int index
    required property var messageId
    required property string role
    required property string content
    required property string reasoning
    required property string state
    required property var stats
    required property int siblingIndex
    required property int siblingCount
    property bool isLast: false
    property bool highlighted: false // a search hit just opened

    signal copyRequested(string text)
    signal editRequested(var messageId, string text)
    signal regenerateRequested(var messageId)
    signal branchRequested(var messageId, int delta)

    readonly property bool isUser: root.role === "user"
    readonly property bool streaming: root.state === "streaming"
    readonly property string statsText: {
        const s = root.stats || {}
        const parts = []
        if (s.generationTokensPerSecond > 0) parts.push(Number(s.generationTokensPerSecond).toFixed(1) + " tok/s")
        if (s.generatedTokens !== undefined) parts.push(s.generatedTokens + " tokens")
        if (s.stopReason && s.stopReason !== "cancelled") parts.push(s.stopReason)
        if (root.state === "cancelled") parts.push(qsTr("stopped"))
        if (root.state === "interrupted") parts.push(qsTr("interrupted"))
        return parts.join(" · ")
    }

    implicitHeight: column.implicitHeight + Theme.sp(4)

    HoverHandler { id: hover }

    Rectangle {
        anchors.fill: parent
        anchors.bottomMargin: Theme.sp(2)
        radius: Theme.radiusCard
        color: root.isUser ? Theme.surface : "transparent"
    }
    Rectangle { // the search-hit highlight, fading out
        objectName: "hitHighlight"
        anchors.fill: parent
        anchors.bottomMargin: Theme.sp(2)
        radius: Theme.radiusCard
        color: Qt.rgba(Theme.accent.r, Theme.accent.g, Theme.accent.b, 0.12)
        border.color: Theme.accent
        opacity: root.highlighted ? 1 : 0
        visible: opacity > 0
        Behavior on opacity { NumberAnimation { duration: 600 } }
    }

    Column {
        id: column
        x: Theme.sp(4)
        y: Theme.sp(3)
        width: root.width - Theme.sp(8)
        spacing: Theme.sp(2)

        Text {
            text: root.isUser ? qsTr("You") : qsTr("Hearth")
            font.pixelSize: Theme.fontSmall
            font.bold: true
            color: root.isUser ? Theme.muted : Theme.accent
        }

        ThinkingSection {
            width: column.width
            reasoning: root.reasoning
            streaming: root.streaming && root.content.length === 0
            durationMs: (root.stats && root.stats.reasoningMs) || 0
        }

        Text {
            visible: root.isUser
            width: column.width
            text: root.content
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            color: Theme.text
            font.pixelSize: Theme.fontSize
            lineHeight: 1.3
        }

        MarkdownView {
            visible: !root.isUser && (root.content.length > 0 || root.streaming)
            width: column.width
            markdown: root.content
            streaming: root.streaming
            onCopyRequested: (t) => root.copyRequested(t)
        }

        ErrorCard {
            visible: root.state === "failed"
            width: column.width
            message: (root.stats && root.stats.error) || qsTr("The reply failed.")
            onRetryRequested: root.regenerateRequested(root.messageId)
        }

        Row {
            spacing: Theme.sp(2)
            height: Math.max(branches.implicitHeight, actions.implicitHeight)

            Text {
                objectName: "statsLine"
                anchors.verticalCenter: parent.verticalCenter
                visible: !root.isUser && text.length > 0
                text: root.statsText
                color: Theme.muted
                font.pixelSize: Theme.fontSmall
            }
            BranchSwitcher {
                id: branches
                anchors.verticalCenter: parent.verticalCenter
                index: root.siblingIndex
                count: root.siblingCount
                onSwitchRequested: (delta) => root.branchRequested(root.messageId, delta)
            }
            Row {
                id: actions
                anchors.verticalCenter: parent.verticalCenter
                spacing: Theme.sp(1)
                opacity: hover.hovered || root.isLast ? 1 : 0
                Behavior on opacity { NumberAnimation { duration: Theme.animation } }
                visible: !root.streaming
                HButton { flat: true; text: qsTr("Copy"); tip: qsTr("Copy the message"); onClicked: root.copyRequested(root.content) }
                HButton {
                    flat: true; visible: root.isUser; text: qsTr("Edit"); tip: qsTr("Edit the message (new branch)")
                    onClicked: root.editRequested(root.messageId, root.content)
                }
                HButton {
                    flat: true; visible: !root.isUser; text: qsTr("Regenerate"); tip: qsTr("Write another reply")
                    onClicked: root.regenerateRequested(root.messageId)
                }
            }
        }
    }
}
