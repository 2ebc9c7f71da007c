// ‹ 2/3 › under a message that has siblings (edits or regenerations).
import QtQuick
import QtQuick.Controls

Row {
    id: root

    property int index: 0 // 0-based
    property int count: 1
    signal switchRequested(int delta)

    visible: root.count > 1
    spacing: Theme.sp(1)

    HButton {
        objectName: "branchPrevious"
        flat: true
        iconName: "chevron-left"
        tip: qsTr("Previous version")
        enabled: root.index > 0
        padding: Theme.sp(0.5); leftPadding: Theme.sp(1.5); rightPadding: Theme.sp(1.5)
        onClicked: root.switchRequested(-1)
    }
    Text {
        objectName: "branchLabel"
        anchors.verticalCenter: parent.verticalCenter
        text: (root.index + 1) + "/" + root.count
        color: Theme.muted
        font.pixelSize: Theme.fontSmall
        Accessible.name: qsTr("Version %1 of %2").arg(root.index + 1).arg(root.count)
    }
    HButton {
        objectName: "branchNext"
        flat: true
        iconName: "chevron-right"
        tip: qsTr("Next version")
        enabled: root.index < root.count - 1
        padding: Theme.sp(0.5); leftPadding: Theme.sp(1.5); rightPadding: Theme.sp(1.5)
        onClicked: root.switchRequested(1)
    }
}
