// One installed model with its GGUF facts and the actions Set default, Reveal, Delete.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Hearth.Ui
import "Format.js" as Format

Rectangle {
    id: root

    required property string fileName
    required property var fileSize
    required property bool valid
    required property string errorString
    required property string architecture
    required property string modelName
    required property var parameters
    required property string quant
    required property int contextLength
    required property bool supported
    required property bool isDefault

    signal setDefaultRequested(string fileName)
    signal revealRequested(string fileName)
    signal deleteRequested(string fileName)

    implicitHeight: row.implicitHeight + Theme.sp(6)
    radius: Theme.radiusCard
    color: Theme.surface
    border.color: root.isDefault || root.activeFocus ? Theme.accent : Theme.border
    border.width: root.activeFocus ? 2 : 1

    activeFocusOnTab: true
    Accessible.role: Accessible.ListItem
    Accessible.name: (root.modelName !== "" ? root.modelName + ", " : "")
                     + (root.isDefault ? qsTr("default model, ") : "") + details.text

    RowLayout {
        id: row
        anchors.fill: parent
        anchors.margins: Theme.sp(3)
        spacing: Theme.sp(2)

        ColumnLayout {
            Layout.fillWidth: true
            spacing: Theme.sp(1)
            Label {
                Layout.fillWidth: true
                objectName: "installedName"
                text: (root.modelName !== "" ? root.modelName : root.fileName)
                      + (root.isDefault ? qsTr("  (default)") : "")
                color: Theme.text
                font.bold: true
                elide: Text.ElideRight
            }
            Label {
                id: details
                Layout.fillWidth: true
                text: root.valid
                      ? [root.fileName, root.architecture, Format.parameters(root.parameters), root.quant,
                         Format.bytes(root.fileSize), qsTr("%1 context").arg(root.contextLength),
                         root.supported ? "" : qsTr("not supported yet")].filter(s => s !== "").join(" · ")
                      : qsTr("%1 · unreadable: %2").arg(root.fileName).arg(root.errorString)
                color: root.valid ? Theme.muted : Theme.danger
                font.pixelSize: Theme.fontSmall
                elide: Text.ElideRight
            }
        }
        HButton {
            objectName: "setDefaultButton"
            enabled: root.valid && root.supported && !root.isDefault
            text: qsTr("Set default")
            tip: qsTr("Use %1 for new chats").arg(root.fileName)
            onClicked: root.setDefaultRequested(root.fileName)
        }
        HButton {
            objectName: "revealButton"
            text: qsTr("Reveal")
            tip: qsTr("Show %1 in the file manager").arg(root.fileName)
            onClicked: root.revealRequested(root.fileName)
        }
        HButton {
            objectName: "deleteButton"
            danger: true
            text: qsTr("Delete")
            tip: qsTr("Delete %1").arg(root.fileName)
            onClicked: root.deleteRequested(root.fileName)
        }
    }
}
