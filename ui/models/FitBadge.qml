// "Fits" / "Tight" / "Won't fit" for a catalog model on this machine (CatalogModel's
// fit role: unknown, fits, tight, wontFit).
import QtQuick
import Hearth.Ui

Rectangle {
    id: root

    property string fit: "unknown"
    readonly property string label: {
        switch (root.fit) {
        case "fits": return qsTr("Fits")
        case "tight": return qsTr("Tight")
        case "wontFit": return qsTr("Won't fit")
        }
        return qsTr("Unknown fit")
    }
    readonly property color tint: root.fit === "fits" ? "#3C8D5A"
                                : root.fit === "tight" ? "#B7791F"
                                : root.fit === "wontFit" ? Theme.danger : Theme.muted

    implicitWidth: badgeText.implicitWidth + Theme.sp(4)
    implicitHeight: badgeText.implicitHeight + Theme.sp(1)
    radius: height / 2
    color: Qt.rgba(root.tint.r, root.tint.g, root.tint.b, 0.14)
    border.color: root.tint

    Accessible.role: Accessible.StaticText
    Accessible.name: qsTr("Memory fit: %1").arg(root.label)

    Text {
        id: badgeText
        anchors.centerIn: parent
        text: root.label
        color: root.tint
        font.pixelSize: Theme.fontSmall
        font.bold: true
    }
}
