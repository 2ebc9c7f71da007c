// The model's reasoning: "> Thinking (4.2 s)" (a chevron icon), open while it streams, collapsed when
// done; a click toggles it.
import QtQuick
import QtQuick.Controls

Column {
    id: root

    property string reasoning: ""
    property bool streaming: false   // reasoning still arriving
    property real durationMs: 0
    property bool expanded: root.streaming
    readonly property string title: root.streaming
        ? qsTr("Thinking…")
        : (root.durationMs > 0 ? qsTr("Thinking (%1 s)").arg((root.durationMs / 1000).toFixed(1)) : qsTr("Thinking"))

    visible: root.reasoning.length > 0
    spacing: Theme.sp(1)
    onStreamingChanged: root.expanded = root.streaming

    AbstractButton {
        id: toggle
        objectName: "thinkingToggle"
        Accessible.name: root.expanded ? qsTr("Hide thinking") : qsTr("Show thinking")
        Accessible.role: Accessible.Button
        hoverEnabled: true
        onClicked: root.expanded = !root.expanded
        contentItem: Row {
            spacing: Theme.sp(1)
            Icon {
                anchors.verticalCenter: parent.verticalCenter
                name: root.expanded ? "chevron-down" : "chevron-right"
                color: title.color
            }
            Text {
                id: title
                objectName: "thinkingTitle"
                text: root.title
                color: toggle.hovered ? Theme.text : Theme.muted
                font.pixelSize: Theme.fontSmall + 1
            }
        }
        background: null
    }

    Rectangle {
        width: root.width
        height: body.implicitHeight + Theme.sp(4)
        visible: root.expanded
        radius: Theme.radiusCard
        color: "transparent"
        border.color: Theme.border
        Text {
            id: body
            objectName: "thinkingText"
            x: Theme.sp(3); y: Theme.sp(2)
            width: parent.width - Theme.sp(6)
            text: root.reasoning
            color: Theme.muted
            wrapMode: Text.Wrap
            font.pixelSize: Theme.fontSmall + 1
            lineHeight: 1.4
            textFormat: Text.PlainText
        }
    }
}
