// The Models page: installed models, downloads, the curated catalog with fit badges,
// and Hugging Face search. Embed as  ModelsPage { library: theModelLibrary }.
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Hearth.Ui

Rectangle {
    id: root

    required property var library // ModelLibrary
    readonly property alias deleteDialog: confirmDelete
    property string lastError: ""

    color: Theme.background
    Accessible.role: Accessible.Pane
    Accessible.name: qsTr("Models")

    component SectionTitle: Label {
        Layout.topMargin: Theme.sp(4)
        color: Theme.text
        font.pixelSize: Theme.fontLarge
        font.bold: true
        Accessible.role: Accessible.Heading
        Accessible.name: text
    }

    Connections {
        target: root.library.installed
        function onImportFinished(fileName, error) {
            root.lastError = error !== "" ? qsTr("Import of %1 failed: %2").arg(fileName).arg(error) : ""
        }
    }

    ScrollView {
        id: scroll
        anchors.fill: parent
        contentWidth: availableWidth
        ColumnLayout {
            width: Math.min(scroll.availableWidth - Theme.sp(8), Theme.columnMaxWidth + 200)
            x: (scroll.availableWidth - width) / 2
            spacing: Theme.sp(2)

            RowLayout {
                Layout.fillWidth: true
                SectionTitle { text: qsTr("Installed"); Layout.fillWidth: true }
                ComboBox {
                    id: importMode
                    Layout.topMargin: Theme.sp(4)
                    model: [qsTr("Copy"), qsTr("Move"), qsTr("Link")]
                    Accessible.name: qsTr("Import mode")
                }
                HButton {
                    objectName: "importButton"
                    Layout.topMargin: Theme.sp(4)
                    text: qsTr("Import…")
                    tip: qsTr("Import a GGUF file")
                    onClicked: importDialog.open()
                }
            }
            Label {
                objectName: "pageError"
                Layout.fillWidth: true
                visible: root.lastError !== ""
                text: root.lastError
                color: Theme.danger
                wrapMode: Text.WordWrap
            }
            Label {
                visible: root.library.installed.count === 0
                text: qsTr("No models installed yet. Download one below or import a .gguf file.")
                color: Theme.muted
            }
            Repeater {
                id: installedList
                objectName: "installedList"
                model: root.library.installed
                delegate: InstalledRow {
                    Layout.fillWidth: true
                    onSetDefaultRequested: name => root.library.installed.defaultModel = name
                    onRevealRequested: name => root.library.installed.reveal(name)
                    onDeleteRequested: name => { confirmDelete.fileName = name; confirmDelete.open() }
                }
            }

            SectionTitle { text: qsTr("Downloads"); visible: root.library.downloads.count > 0 }
            Repeater {
                objectName: "downloadList"
                model: root.library.downloads
                delegate: DownloadRow {
                    Layout.fillWidth: true
                    onPauseRequested: row => root.library.downloads.pause(row)
                    onResumeRequested: row => root.library.downloads.resume(row)
                    onCancelRequested: row => root.library.downloads.cancel(row)
                }
            }

            SectionTitle { text: qsTr("Catalog") }
            GridLayout {
                Layout.fillWidth: true
                columns: width > 700 ? 2 : 1
                columnSpacing: Theme.sp(3)
                rowSpacing: Theme.sp(3)
                Repeater {
                    id: catalogList
                    objectName: "catalogList"
                    model: root.library.catalog
                    delegate: CatalogCard {
                        Layout.fillWidth: true
                        Layout.preferredWidth: 1
                        installed: root.library.installed.count >= 0 && root.library.isInstalled(file)
                        onDownloadRequested: row => root.library.downloadCatalogEntry(row)
                    }
                }
            }

            SectionTitle { text: qsTr("Search Hugging Face") }
            SearchPanel {
                Layout.fillWidth: true
                Layout.bottomMargin: Theme.sp(6)
                search: root.library.search
                downloads: root.library.downloads
            }
        }
    }

    Dialog {
        id: confirmDelete
        objectName: "confirmDeleteDialog"
        property string fileName: ""
        anchors.centerIn: parent
        width: Math.min(Theme.sp(120), root.width - Theme.sp(10))
        modal: true
        title: qsTr("Delete model")
        Label {
            width: parent.width
            text: qsTr("Delete %1 from this computer? This cannot be undone.").arg(confirmDelete.fileName)
            color: Theme.text
            wrapMode: Text.WordWrap
        }
        footer: DialogButtonBox {
            HButton {
                id: cancelDeleteButton
                objectName: "cancelDeleteButton"
                text: qsTr("Cancel")
                DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
            }
            HButton {
                objectName: "confirmDeleteButton"
                danger: true
                text: qsTr("Delete")
                tip: qsTr("Delete %1").arg(confirmDelete.fileName)
                DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole
            }
        }
        onOpened: cancelDeleteButton.forceActiveFocus()
        onAccepted: {
            const error = root.library.installed.remove(confirmDelete.fileName)
            root.lastError = error !== "" ? qsTr("Could not delete %1: %2").arg(confirmDelete.fileName).arg(error) : ""
        }
    }

    FileDialog {
        id: importDialog
        title: qsTr("Import a GGUF model")
        nameFilters: [qsTr("GGUF models (*.gguf)"), qsTr("All files (*)")]
        onAccepted: root.library.installed.importModel(importDialog.selectedFile, importMode.currentIndex)
    }
}
