// A themed button: flat by default, filled with the accent when `primary`.
import QtQuick
import QtQuick.Controls

Button {
    id: root
    property bool primary: false
    property bool danger: false
    property string tip: ""

    font.pixelSize: Theme.fontSmall + 1
    padding: Theme.sp(1.5)
    leftPadding: Theme.sp(3)
    rightPadding: Theme.sp(3)
    hoverEnabled: true
    Accessible.name: root.tip !== "" ? root.tip : root.text
    ToolTip.visible: root.tip !== "" && root.hovered
    ToolTip.text: root.tip
    ToolTip.delay: 600

    contentItem: Text {
        text: root.text
        font: root.font
        color: root.primary ? Theme.accentText : (root.danger ? Theme.danger : Theme.text)
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        elide: Text.ElideRight
    }
    background: Rectangle {
        radius: Theme.radiusButton
        color: root.primary ? (root.down ? Qt.darker(Theme.accent, 1.15) : Theme.accent)
                            : (root.down || root.hovered || root.checked ? Theme.hover : "transparent")
        border.color: root.primary ? "transparent" : (root.flat ? "transparent" : Theme.border)
        Behavior on color { ColorAnimation { duration: Theme.animation } }
    }
}
