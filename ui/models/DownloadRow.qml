// One download: name, progress bar, bytes, speed and ETA, with pause/resume/cancel.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Hearth.Ui
import "Format.js" as Format

Rectangle {
    id: root

    required property int index
    required property string name
    required property string repo
    required property string state
    required property var receivedBytes
    required property var totalBytes
    required property real progress
    required property var bytesPerSecond
    required property var etaSeconds
    required property string errorString

    readonly property bool running: ["queued", "checking", "downloading", "verifying"].includes(root.state)
    readonly property bool finished: ["completed", "failed", "cancelled"].includes(root.state)

    signal pauseRequested(int row)
    signal resumeRequested(int row)
    signal cancelRequested(int row)

    implicitHeight: column.implicitHeight + Theme.sp(6)
    radius: Theme.radiusCard
    color: Theme.surface
    border.color: root.activeFocus ? Theme.accent : Theme.border
    border.width: root.activeFocus ? 2 : 1
    activeFocusOnTab: true

    Accessible.role: Accessible.ListItem
    Accessible.name: qsTr("%1, %2, %3 percent").arg(root.name).arg(root.state).arg(Math.round(root.progress * 100))

    ColumnLayout {
        id: column
        anchors.fill: parent
        anchors.margins: Theme.sp(3)
        spacing: Theme.sp(1.5)

        RowLayout {
            Layout.fillWidth: true
            Label {
                Layout.fillWidth: true
                text: root.name
                color: Theme.text
                font.bold: true
                elide: Text.ElideMiddle
            }
            HButton {
                objectName: "pauseButton"
                visible: root.running
                text: qsTr("Pause")
                tip: qsTr("Pause downloading %1").arg(root.name)
                onClicked: root.pauseRequested(root.index)
            }
            HButton {
                objectName: "resumeButton"
                visible: root.state === "paused" || root.state === "failed"
                text: root.state === "failed" ? qsTr("Retry") : qsTr("Resume")
                tip: qsTr("Resume downloading %1").arg(root.name)
                onClicked: root.resumeRequested(root.index)
            }
            HButton {
                objectName: "cancelButton"
                visible: !root.finished || root.state === "failed"
                danger: true
                text: qsTr("Cancel")
                tip: qsTr("Cancel downloading %1").arg(root.name)
                onClicked: root.cancelRequested(root.index)
            }
        }
        ProgressBar {
            id: bar
            Layout.fillWidth: true
            from: 0
            to: 1
            value: root.progress
            indeterminate: root.state === "checking" || (root.running && root.totalBytes <= 0)
            Accessible.name: qsTr("Progress of %1").arg(root.name)
            background: Rectangle {
                implicitHeight: 6
                radius: 3
                color: Theme.border
            }
            contentItem: Item {
                implicitHeight: 6
                Rectangle {
                    width: bar.visualPosition * parent.width
                    height: parent.height
                    radius: 3
                    color: root.state === "failed" ? Theme.danger : Theme.accent
                }
            }
        }
        Label {
            Layout.fillWidth: true
            objectName: "downloadStatus"
            text: {
                const sizes = Format.bytes(root.receivedBytes) + " / " + Format.bytes(root.totalBytes)
                if (root.state === "downloading")
                    return qsTr("%1 · %2/s · %3 left").arg(sizes).arg(Format.bytes(root.bytesPerSecond))
                                                      .arg(Format.duration(root.etaSeconds))
                if (root.state === "failed")
                    return qsTr("Failed: %1").arg(root.errorString)
                return sizes + " · " + root.state
            }
            color: root.state === "failed" ? Theme.danger : Theme.muted
            font.pixelSize: Theme.fontSmall
            wrapMode: Text.WordWrap
        }
    }
}
