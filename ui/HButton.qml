// A themed button: flat by default, filled with the accent when `primary`; an SVG icon
// (iconName, see Icon.qml) before the text or alone (then `tip` names it for screen
// readers and the tooltip).
import QtQuick
import QtQuick.Controls

Button {
    id: root
    property bool primary: false
    property bool danger: false
    property string tip: ""
    property string iconName: ""

    font.pixelSize: Theme.fontSmall + 1
    padding: Theme.sp(1.5)
    leftPadding: Theme.sp(3)
    rightPadding: Theme.sp(3)
    hoverEnabled: true
    Accessible.name: root.tip !== "" ? root.tip : root.text
    ToolTip.visible: root.tip !== "" && root.hovered
    ToolTip.text: root.tip
    ToolTip.delay: 600

    readonly property color foreground: root.primary ? Theme.accentText : (root.danger ? Theme.danger : Theme.text)
    contentItem: Item {
        implicitWidth: (glyph.visible ? glyph.width : 0) + (label.visible ? label.implicitWidth : 0)
                       + (glyph.visible && label.visible ? row.spacing : 0)
        implicitHeight: Math.max(label.implicitHeight, glyph.visible ? glyph.height : 0)
        Row {
            id: row
            anchors.centerIn: parent
            width: Math.min(implicitWidth, parent.width)
            spacing: Theme.sp(1.5)
            Icon {
                id: glyph
                anchors.verticalCenter: parent.verticalCenter
                visible: root.iconName.length > 0
                name: root.iconName
                color: root.foreground
            }
            Text {
                id: label
                anchors.verticalCenter: parent.verticalCenter
                visible: root.text.length > 0
                width: Math.min(implicitWidth, row.parent.width - (glyph.visible ? glyph.width + row.spacing : 0))
                text: root.text
                font: root.font
                color: root.foreground
                elide: Text.ElideRight
            }
        }
    }
    background: Rectangle {
        radius: Theme.radiusButton
        color: root.primary ? (root.down ? Qt.darker(Theme.accent, 1.15) : Theme.accent)
                            : (root.down || root.hovered || root.checked ? Theme.hover : "transparent")
        border.color: root.primary ? "transparent" : (root.flat ? "transparent" : Theme.border)
        Behavior on color { ColorAnimation { duration: Theme.animation } }
    }
}
