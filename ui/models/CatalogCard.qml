// One curated model: name, facts, description, fit badge with the memory figure
// ("needs 1.2 GB of 15.8 GB"), and the state of its file with the actions that state
// allows: Download (not downloaded), Pause and Cancel (downloading), Resume and Cancel
// (paused or failed), Use (installed). Download is off for unsupported architectures.
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
    required property string file
    required property string quant
    required property var sizeBytes
    required property var parameters
    required property int maxContext
    required property string licence
    required property string architecture
    required property string description
    required property bool supported
    required property var memoryNeeded
    required property string fit
    required property string fileState      // none, downloading, paused, failed, installed
    required property int downloadRow
    required property real downloadProgress
    required property string downloadError
    required property string installedPath
    property var budget: 0                  // bytes the fit compares with; 0 = unknown
    readonly property bool installed: root.fileState === "installed"
    readonly property string fitText: root.budget > 0
        ? qsTr("needs %1 of %2").arg(Format.bytes(root.memoryNeeded)).arg(Format.bytes(root.budget))
        : qsTr("needs %1").arg(Format.bytes(root.memoryNeeded))
    readonly property string statusText: {
        const percent = Math.floor(root.downloadProgress * 100)
        switch (root.fileState) {
        case "downloading": return qsTr("Downloading %1%").arg(percent)
        case "paused": return qsTr("Paused at %1%").arg(percent)
        case "failed": return qsTr("Download failed: %1").arg(root.downloadError)
        case "installed": return qsTr("Installed")
        }
        return root.supported ? qsTr("Not downloaded")
                              : qsTr("%1 is not supported by Hearth's engine yet").arg(root.architecture)
    }

    signal downloadRequested(int row)      // catalog row
    signal pauseRequested(int row)         // downloads row
    signal resumeRequested(int row)
    signal cancelRequested(int row)
    signal useRequested(string path)

    implicitHeight: column.implicitHeight + Theme.sp(8)
    radius: Theme.radiusCard
    color: Theme.surface
    border.color: root.activeFocus ? Theme.accent : Theme.border
    border.width: root.activeFocus ? 2 : 1

    // A tab stop of its own, so a screen reader reads the card's facts before its buttons.
    activeFocusOnTab: true
    Accessible.role: Accessible.ListItem
    Accessible.name: root.supported
                     ? qsTr("%1, %2, %3, %4, %5").arg(root.name).arg(Format.bytes(root.sizeBytes))
                         .arg(badge.label).arg(root.fitText).arg(root.statusText)
                     : qsTr("%1, %2, %3").arg(root.name).arg(Format.bytes(root.sizeBytes)).arg(root.statusText)

    ColumnLayout {
        id: column
        anchors.fill: parent
        anchors.margins: Theme.sp(4)
        spacing: Theme.sp(2)

        RowLayout {
            Layout.fillWidth: true
            Label {
                Layout.fillWidth: true
                text: root.name
                color: Theme.text
                font.pixelSize: Theme.fontSize + 1
                font.bold: true
                elide: Text.ElideRight
            }
            Label {
                objectName: "fitText"
                visible: root.supported // a model the engine cannot run fits nothing
                text: root.fitText
                color: Theme.muted
                font.pixelSize: Theme.fontSmall
            }
            FitBadge {
                id: badge
                objectName: "fitBadge"
                visible: root.supported
                fit: root.fit
            }
        }
        Label {
            Layout.fillWidth: true
            text: [Format.parameters(root.parameters), root.quant, Format.bytes(root.sizeBytes),
                   qsTr("%1k context").arg(Math.round(root.maxContext / 1024)), root.licence]
                  .filter(s => s !== "").join(" · ")
            color: Theme.muted
            font.pixelSize: Theme.fontSmall
            elide: Text.ElideRight
        }
        Label {
            Layout.fillWidth: true
            text: root.description
            color: Theme.text
            font.pixelSize: Theme.fontSmall + 1
            wrapMode: Text.WordWrap
            maximumLineCount: 2
            elide: Text.ElideRight
        }
        Label {
            Layout.fillWidth: true
            text: root.repo
            color: Theme.muted
            font.pixelSize: Theme.fontSmall
            elide: Text.ElideMiddle
        }
        ProgressBar {
            id: bar
            Layout.fillWidth: true
            visible: ["downloading", "paused", "failed"].includes(root.fileState)
            from: 0
            to: 1
            value: root.downloadProgress
            Accessible.name: qsTr("Download progress of %1").arg(root.name)
            background: Rectangle { implicitHeight: 4; radius: 2; color: Theme.border }
            contentItem: Item {
                implicitHeight: 4
                Rectangle {
                    width: bar.visualPosition * parent.width
                    height: parent.height
                    radius: 2
                    color: root.fileState === "failed" ? Theme.danger : Theme.accent
                }
            }
        }
        RowLayout {
            Layout.fillWidth: true
            Label {
                objectName: "fileStatus"
                Layout.fillWidth: true
                text: root.statusText
                color: root.fileState === "failed" || !root.supported ? Theme.danger : Theme.muted
                font.pixelSize: Theme.fontSmall
                elide: Text.ElideRight
                Accessible.role: Accessible.StaticText
                Accessible.name: text
            }
            HButton {
                objectName: "downloadButton"
                visible: root.fileState === "none"
                primary: enabled
                enabled: root.supported
                text: qsTr("Download")
                tip: qsTr("Download %1").arg(root.name)
                onClicked: root.downloadRequested(root.index)
            }
            HButton {
                objectName: "pauseButton"
                visible: root.fileState === "downloading"
                text: qsTr("Pause")
                tip: qsTr("Pause downloading %1").arg(root.name)
                onClicked: root.pauseRequested(root.downloadRow)
            }
            HButton {
                objectName: "resumeButton"
                visible: root.fileState === "paused" || root.fileState === "failed"
                text: root.fileState === "failed" ? qsTr("Retry") : qsTr("Resume")
                tip: qsTr("Resume downloading %1").arg(root.name)
                onClicked: root.resumeRequested(root.downloadRow)
            }
            HButton {
                objectName: "cancelButton"
                visible: ["downloading", "paused", "failed"].includes(root.fileState)
                danger: true
                text: qsTr("Cancel")
                tip: qsTr("Cancel downloading %1 and delete the partial file").arg(root.name)
                onClicked: root.cancelRequested(root.downloadRow)
            }
            HButton {
                objectName: "useButton"
                visible: root.installed
                primary: true
                text: qsTr("Use")
                tip: qsTr("Load %1 for chatting").arg(root.name)
                onClicked: root.useRequested(root.installedPath)
            }
        }
    }
}
