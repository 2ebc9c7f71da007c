// Export (Ctrl+E): a format, this conversation or all, and a file (a path field that
// proposes ~/Documents/<title>.<ext>, or Browse… for the system's file dialog). Export
// writes through the store's exporters; an error stays in the dialog, success closes it
// and reports the path.
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts

Dialog {
    id: root

    property var chat // ChatController
    readonly property var formats: [
        { key: "md", label: qsTr("Markdown (.md)") },
        { key: "html", label: qsTr("Web page (.html)") },
        { key: "pdf", label: qsTr("PDF (.pdf)") },
        { key: "txt", label: qsTr("Plain text (.txt)") },
        { key: "json", label: qsTr("Hearth JSON, every branch (.json)") }
    ]
    property alias format: formatBox.currentIndex
    readonly property string formatKey: root.formats[formatBox.currentIndex].key
    property alias path: pathField.text
    property alias allConversations: allButton.checked
    property string error: ""
    property bool pathEdited: false
    signal exported(string path)

    // Writes the file; true on success (then the dialog closes).
    function save() {
        root.error = root.chat.exportTo(pathField.text, root.formatKey, allButton.checked)
        if (root.error.length > 0)
            return false
        root.exported(pathField.text)
        root.close()
        return true
    }
    function proposePath() {
        if (!root.pathEdited && root.chat)
            pathField.text = root.chat.defaultExportPath(root.formatKey, allButton.checked)
    }

    title: qsTr("Export")
    modal: true
    width: Math.min(parent ? parent.width - Theme.sp(10) : 560, Theme.sp(140))
    anchors.centerIn: parent
    palette.window: Theme.background
    palette.windowText: Theme.text
    palette.base: Theme.background
    palette.text: Theme.text
    palette.button: Theme.surface
    palette.buttonText: Theme.text

    onAboutToShow: {
        root.error = ""
        root.pathEdited = false
        thisButton.checked = root.chat.conversationId > 0
        allButton.checked = root.chat.conversationId <= 0
        root.proposePath()
    }

    GridLayout {
        width: parent.width
        columns: 2
        columnSpacing: Theme.sp(4)
        rowSpacing: Theme.sp(2)

        Text { text: qsTr("Format"); color: Theme.text; font.pixelSize: Theme.fontSize }
        ComboBox {
            id: formatBox
            objectName: "exportFormat"
            Layout.fillWidth: true
            model: root.formats.map(f => f.label)
            font.pixelSize: Theme.fontSize
            Accessible.name: qsTr("Export format")
            onActivated: {
                // Keep the user's file name but follow the format's extension.
                if (root.pathEdited)
                    pathField.text = pathField.text.replace(/\.[A-Za-z]+$/, "") + "." + root.formatKey
                else
                    root.proposePath()
            }
        }
        Text { text: qsTr("Export"); color: Theme.text; font.pixelSize: Theme.fontSize }
        Row {
            spacing: Theme.sp(4)
            RadioButton {
                id: thisButton
                objectName: "exportThis"
                text: qsTr("This conversation")
                enabled: root.chat && root.chat.conversationId > 0
                font.pixelSize: Theme.fontSize
                Accessible.name: text
                onToggled: root.proposePath()
            }
            RadioButton {
                id: allButton
                objectName: "exportAll"
                text: qsTr("All conversations")
                font.pixelSize: Theme.fontSize
                Accessible.name: text
                onToggled: root.proposePath()
            }
        }
        Text { text: qsTr("File"); color: Theme.text; font.pixelSize: Theme.fontSize }
        RowLayout {
            Layout.fillWidth: true
            TextField {
                id: pathField
                objectName: "exportPath"
                Layout.fillWidth: true
                color: Theme.text
                font.pixelSize: Theme.fontSize
                selectByMouse: true
                Accessible.name: qsTr("Export file")
                onTextEdited: root.pathEdited = true
                onAccepted: root.save()
            }
            HButton {
                text: qsTr("Browse…")
                tip: qsTr("Choose the file to export to")
                onClicked: fileDialog.open()
            }
        }
        Text {
            Layout.columnSpan: 2
            Layout.fillWidth: true
            visible: root.error.length > 0
            text: root.error
            color: Theme.danger
            wrapMode: Text.Wrap
            font.pixelSize: Theme.fontSmall
        }
    }

    footer: DialogButtonBox {
        background: Rectangle { color: Theme.background }
        HButton { text: qsTr("Cancel"); DialogButtonBox.buttonRole: DialogButtonBox.RejectRole }
        HButton {
            objectName: "exportSave"
            primary: true
            text: qsTr("Export")
            tip: qsTr("Write the export file")
            onClicked: root.save()
        }
        onRejected: root.close()
    }

    FileDialog {
        id: fileDialog
        title: qsTr("Export to")
        fileMode: FileDialog.SaveFile
        currentFolder: "file://" + pathField.text.substring(0, pathField.text.lastIndexOf("/"))
        selectedFile: "file://" + pathField.text
        onAccepted: {
            const url = selectedFile.toString()
            pathField.text = decodeURIComponent(url.replace(/^file:\/\//, ""))
            root.pathEdited = true
        }
    }
}
