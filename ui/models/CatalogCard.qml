// One curated model: name, facts, description, fit badge and a Download button
// (disabled when the file is installed or its architecture is not supported yet).
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
    property bool installed: false
    property bool downloading: false

    signal downloadRequested(int row)

    implicitHeight: column.implicitHeight + Theme.sp(8)
    radius: Theme.radiusCard
    color: Theme.surface
    border.color: root.activeFocus ? Theme.accent : Theme.border

    Accessible.role: Accessible.ListItem
    Accessible.name: qsTr("%1, %2, %3").arg(root.name).arg(Format.bytes(root.sizeBytes)).arg(badge.label)

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
            FitBadge {
                id: badge
                objectName: "fitBadge"
                fit: root.fit
            }
        }
        Label {
            Layout.fillWidth: true
            text: [Format.parameters(root.parameters), root.quant, Format.bytes(root.sizeBytes),
                   qsTr("needs %1").arg(Format.bytes(root.memoryNeeded)),
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
        RowLayout {
            Layout.fillWidth: true
            Label {
                Layout.fillWidth: true
                text: root.supported ? root.repo
                                     : qsTr("%1 is not supported by Hearth's engine yet").arg(root.architecture)
                color: Theme.muted
                font.pixelSize: Theme.fontSmall
                elide: Text.ElideMiddle
            }
            HButton {
                objectName: "downloadButton"
                primary: enabled
                enabled: root.supported && !root.installed && !root.downloading
                text: root.installed ? qsTr("Installed")
                                     : root.downloading ? qsTr("Downloading") : qsTr("Download")
                tip: qsTr("Download %1").arg(root.name)
                onClicked: root.downloadRequested(root.index)
            }
        }
    }
}
