// An inline error with an action (Retry).
import QtQuick
import QtQuick.Controls

Rectangle {
    id: root
    property string message: ""
    property string actionText: qsTr("Retry")
    signal retryRequested()

    implicitHeight: Math.max(label.implicitHeight, retry.implicitHeight) + Theme.sp(4)
    radius: Theme.radiusCard
    color: "transparent"
    border.color: Theme.danger
    Accessible.role: Accessible.AlertMessage
    Accessible.name: root.message

    Text {
        id: label
        anchors.left: parent.left
        anchors.right: retry.left
        anchors.margins: Theme.sp(3)
        anchors.verticalCenter: parent.verticalCenter
        text: root.message
        color: Theme.danger
        wrapMode: Text.Wrap
        font.pixelSize: Theme.fontSize
    }
    HButton {
        id: retry
        objectName: "errorRetry"
        anchors.right: parent.right
        anchors.rightMargin: Theme.sp(2)
        anchors.verticalCenter: parent.verticalCenter
        text: root.actionText
        onClicked: root.retryRequested()
    }
}
