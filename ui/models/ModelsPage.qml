// The Models page: installed models, downloads, the curated catalog with fit badges,
// and Hugging Face search. Embed as  ModelsPage { library: theModelLibrary }.
// A .gguf dropped anywhere on the page, or picked with Import…, goes through
// importFiles(urls): the user picks copy, move or link, then InstalledModels validates
// the file with the GGUF reader; a refusal shows the reader's error.
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Hearth
import Hearth.Ui

Rectangle {
    id: root

    required property var library // ModelLibrary
    // Use on an installed catalog model: the window loads `path` (EngineController.load).
    signal useRequested(string path)
    readonly property alias deleteDialog: confirmDelete
    readonly property alias importModeDialog: importChoice
    property string lastError: ""
    property string lastNotice: ""

    // Asks copy / move / link for `urls` (file URLs or paths), then imports each.
    function importFiles(urls) {
        const files = []
        for (let i = 0; i < urls.length; ++i)
            files.push(String(urls[i]))
        if (files.length === 0)
            return
        importChoice.files = files
        importChoice.open()
    }

    color: Theme.background
    // Free RAM changes while the app runs: measure again each time the page opens.
    Component.onCompleted: root.library.refreshBudget()
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
            root.lastNotice = error === "" ? qsTr("Imported %1").arg(fileName) : ""
        }
    }

    // Keyboard: whatever Tab focuses on the page is scrolled into view.
    function ensureVisible(item) {
        let p = item
        while (p && p !== column)
            p = p.parent
        if (!p)
            return
        const flick = scroll.contentItem
        const top = item.mapToItem(column, 0, 0).y + column.y
        const margin = Theme.sp(4)
        if (top - margin < flick.contentY)
            flick.contentY = Math.max(0, top - margin)
        else if (top + item.height + margin > flick.contentY + flick.height)
            flick.contentY = Math.max(0, Math.min(flick.contentHeight - flick.height,
                                                  top + item.height + margin - flick.height))
    }
    Connections {
        target: root.Window.window
        function onActiveFocusItemChanged() {
            if (root.Window.activeFocusItem)
                root.ensureVisible(root.Window.activeFocusItem)
        }
    }

    ScrollView {
        id: scroll
        objectName: "scroll"
        anchors.fill: parent
        contentWidth: availableWidth
        ColumnLayout {
            id: column
            width: Math.min(scroll.availableWidth - Theme.sp(8), Theme.columnMaxWidth + 200)
            x: (scroll.availableWidth - width) / 2
            spacing: Theme.sp(2)

            RowLayout {
                Layout.fillWidth: true
                SectionTitle { text: qsTr("Installed"); Layout.fillWidth: true }
                HButton {
                    objectName: "importButton"
                    Layout.topMargin: Theme.sp(4)
                    text: qsTr("Import…")
                    tip: qsTr("Import a GGUF file (or drop one on this page)")
                    onClicked: importDialog.open()
                }
            }
            Label {
                objectName: "pageNotice"
                Layout.fillWidth: true
                visible: root.lastNotice !== ""
                text: root.lastNotice
                color: Theme.muted
                wrapMode: Text.WordWrap
                Accessible.role: Accessible.StaticText
                Accessible.name: text
            }
            Label {
                objectName: "pageError"
                Layout.fillWidth: true
                visible: root.lastError !== ""
                text: root.lastError
                color: Theme.danger
                wrapMode: Text.WordWrap
                Accessible.role: Accessible.AlertMessage
                Accessible.name: text
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

            RowLayout {
                Layout.fillWidth: true
                SectionTitle { text: qsTr("Catalog"); Layout.fillWidth: true }
                Label {
                    Layout.topMargin: Theme.sp(4)
                    text: qsTr("Context")
                    color: Theme.muted
                }
                ComboBox {
                    id: contextChoice
                    objectName: "contextChoice"
                    Layout.topMargin: Theme.sp(4)
                    model: [2048, 4096, 8192, 16384, 32768]
                    displayText: qsTr("%1K tokens").arg(Math.round(root.library.catalog.contextLength / 1024))
                    currentIndex: Math.max(0, model.indexOf(root.library.catalog.contextLength))
                    onActivated: root.library.catalog.contextLength = currentValue
                    Accessible.name: qsTr("Context length the fit badges assume: %1 tokens").arg(root.library.catalog.contextLength)
                }
            }
            Label {
                objectName: "budgetText"
                Layout.fillWidth: true
                text: root.library.memoryBudget > 0
                      ? qsTr("Memory for models: %1. Fits: needs at most 80% of it; tight: up to all of it.")
                        .arg(root.library.budgetText)
                      : root.library.probingBudget ? qsTr("Measuring the memory available to models…")
                      : qsTr("Memory budget unknown: %1").arg(root.library.budgetError)
                color: Theme.muted
                font.pixelSize: Theme.fontSmall
                wrapMode: Text.WordWrap
                Accessible.role: Accessible.StaticText
                Accessible.name: text
            }
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
                        budget: root.library.memoryBudget
                        onDownloadRequested: row => root.library.downloadCatalogEntry(row)
                        onPauseRequested: row => root.library.downloads.pause(row)
                        onResumeRequested: row => root.library.downloads.resume(row)
                        onCancelRequested: row => root.library.downloads.cancel(row)
                        onUseRequested: path => root.useRequested(path)
                    }
                }
            }

            SectionTitle { text: qsTr("Search Hugging Face") }
            SearchPanel {
                Layout.fillWidth: true
                Layout.bottomMargin: Theme.sp(6)
                search: root.library.search
                downloads: root.library.downloads
                library: root.library
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
        fileMode: FileDialog.OpenFiles
        onAccepted: root.importFiles(importDialog.selectedFiles)
    }

    // Copy, move or link: asked for every import (drop or file dialog).
    Dialog {
        id: importChoice
        objectName: "importChoiceDialog"
        property var files: []
        readonly property string names: files.map(f => decodeURIComponent(f.replace(/^.*\//, ""))).join(", ")
        function importAs(mode) {
            for (const f of importChoice.files)
                root.library.installed.importModel(f, mode)
            importChoice.close()
        }
        anchors.centerIn: parent
        width: Math.max(Theme.sp(80), Math.min(Theme.sp(140), root.width - Theme.sp(10)))
        modal: true
        title: qsTr("Import %1").arg(importChoice.names)
        contentItem: Label {
            text: qsTr("Copy keeps the original file where it is. Move puts it into Hearth's models folder. "
                       + "Link leaves it in place and points to it (the original must stay).")
            color: Theme.text
            wrapMode: Text.WordWrap
        }
        footer: DialogButtonBox {
            HButton {
                id: importCopyButton
                objectName: "importCopyButton"
                DialogButtonBox.buttonRole: DialogButtonBox.ActionRole
                primary: true
                text: qsTr("Copy")
                tip: qsTr("Copy %1 into the models folder").arg(importChoice.names)
                onClicked: importChoice.importAs(InstalledModels.Copy)
            }
            HButton {
                objectName: "importMoveButton"
                DialogButtonBox.buttonRole: DialogButtonBox.ActionRole
                text: qsTr("Move")
                tip: qsTr("Move %1 into the models folder").arg(importChoice.names)
                onClicked: importChoice.importAs(InstalledModels.Move)
            }
            HButton {
                objectName: "importLinkButton"
                DialogButtonBox.buttonRole: DialogButtonBox.ActionRole
                text: qsTr("Link")
                tip: qsTr("Link to %1 where it is").arg(importChoice.names)
                onClicked: importChoice.importAs(InstalledModels.Link)
            }
            HButton {
                objectName: "importCancelButton"
                text: qsTr("Cancel")
                tip: qsTr("Do not import")
                DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
            }
        }
        onOpened: importCopyButton.forceActiveFocus()
    }

    // Drag and drop: .gguf files dropped anywhere on the page.
    DropArea {
        id: drop
        objectName: "dropArea"
        anchors.fill: parent
        keys: ["text/uri-list"]
        onEntered: event => event.accept(Qt.CopyAction)
        onDropped: event => {
            root.importFiles(event.urls)
            event.accept(Qt.CopyAction)
        }
    }
    Rectangle {
        anchors.fill: parent
        visible: drop.containsDrag
        color: Qt.rgba(Theme.accent.r, Theme.accent.g, Theme.accent.b, 0.08)
        border.color: Theme.accent
        border.width: 2
        radius: Theme.radiusCard
        Label {
            anchors.centerIn: parent
            text: qsTr("Drop a .gguf file to import it")
            color: Theme.text
            font.pixelSize: Theme.fontLarge
        }
    }
}
