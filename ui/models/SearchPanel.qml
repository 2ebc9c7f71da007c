// Hugging Face search: a query field, the matching GGUF repositories, and the .gguf
// files of the chosen one with a Download button each. Offline is shown as such.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Hearth
import Hearth.Ui
import "Format.js" as Format

ColumnLayout {
    id: root

    required property var search    // HubSearch
    required property var downloads // DownloadManager
    property var library: null      // ModelLibrary: the token for gated models
    property string tokenMessage: ""
    readonly property string statusText: {
        switch (root.search.status) {
        case HubSearch.Searching: return qsTr("Searching Hugging Face…")
        case HubSearch.Offline: return qsTr("Offline: Hugging Face cannot be reached. The catalog above still works.")
        case HubSearch.Error: return qsTr("Search failed: %1").arg(root.search.errorString)
        case HubSearch.Ready: return results.count === 0 ? qsTr("No GGUF repositories found.") : ""
        }
        return ""
    }

    spacing: Theme.sp(2)

    RowLayout {
        Layout.fillWidth: true
        TextField {
            id: queryField
            objectName: "searchField"
            Layout.fillWidth: true
            placeholderText: qsTr("Search Hugging Face for GGUF models…")
            Accessible.name: qsTr("Search Hugging Face")
            color: Theme.text
            onAccepted: if (text.trim() !== "") root.search.search(text.trim())
        }
        HButton {
            objectName: "searchButton"
            text: qsTr("Search")
            tip: qsTr("Search Hugging Face")
            enabled: queryField.text.trim() !== ""
            onClicked: queryField.accepted()
        }
    }
    // Hugging Face token for gated models: stored in the system keyring, else in a file
    // only the user can read (ModelLibrary.setToken), sent as "Authorization: Bearer" to Hugging Face only.
    RowLayout {
        Layout.fillWidth: true
        visible: root.library !== null
        TextField {
            id: tokenField
            objectName: "tokenField"
            Layout.fillWidth: true
            echoMode: TextInput.Password
            placeholderText: root.library && root.library.hasToken
                             ? qsTr("A Hugging Face token is saved; type a new one to replace it")
                             : qsTr("Hugging Face token for gated models (optional)")
            Accessible.name: qsTr("Hugging Face access token")
            color: Theme.text
            onAccepted: saveToken.clicked()
        }
        HButton {
            id: saveToken
            objectName: "saveTokenButton"
            text: qsTr("Save token")
            tip: qsTr("Save the Hugging Face token")
            enabled: tokenField.text.trim() !== ""
            onClicked: {
                const error = root.library.setToken(tokenField.text)
                root.tokenMessage = error !== "" ? qsTr("Could not save the token: %1").arg(error)
                                  : root.library.tokenStorage === "keyring" ? qsTr("Token saved in the system keyring.")
                                  : qsTr("Token saved in a file only you can read.")
                if (error === "")
                    tokenField.text = ""
            }
        }
        HButton {
            objectName: "removeTokenButton"
            visible: root.library !== null && root.library.hasToken
            danger: true
            text: qsTr("Remove token")
            tip: qsTr("Forget the saved Hugging Face token")
            onClicked: {
                const error = root.library.setToken("")
                root.tokenMessage = error !== "" ? qsTr("Could not remove the token: %1").arg(error)
                                                 : qsTr("Token removed.")
            }
        }
    }
    Label {
        objectName: "tokenMessage"
        Layout.fillWidth: true
        visible: text !== ""
        text: root.tokenMessage
        color: Theme.muted
        font.pixelSize: Theme.fontSmall
        Accessible.role: Accessible.StaticText
        Accessible.name: text
    }
    Label {
        objectName: "searchStatus"
        Layout.fillWidth: true
        visible: text !== ""
        text: root.statusText
        color: root.search.status === HubSearch.Offline || root.search.status === HubSearch.Error
               ? Theme.danger : Theme.muted
        wrapMode: Text.WordWrap
        Accessible.role: Accessible.StaticText
        Accessible.name: text
    }
    Repeater {
        id: results
        model: root.search
        delegate: ColumnLayout {
            id: result
            required property string repo
            required property var downloads
            required property var likes
            readonly property bool open: root.search.filesRepo === result.repo
            Layout.fillWidth: true
            HButton {
                Layout.fillWidth: true
                flat: true
                text: qsTr("%1   ↓%2 ♥%3").arg(result.repo).arg(result.downloads).arg(result.likes)
                tip: qsTr("Show the GGUF files of %1").arg(result.repo)
                onClicked: root.search.listFiles(result.repo)
            }
            Repeater {
                model: result.open ? root.search.files : []
                delegate: RowLayout {
                    id: fileRow
                    required property var modelData
                    Layout.fillWidth: true
                    Layout.leftMargin: Theme.sp(6)
                    Label {
                        Layout.fillWidth: true
                        Accessible.role: Accessible.StaticText
                        Accessible.name: text
                        text: fileRow.modelData.path + "  ·  " + Format.bytes(fileRow.modelData.size)
                        color: Theme.text
                        elide: Text.ElideMiddle
                    }
                    HButton {
                        objectName: "fileDownloadButton"
                        text: qsTr("Download")
                        tip: qsTr("Download %1").arg(fileRow.modelData.path)
                        onClicked: root.downloads.download(result.repo, fileRow.modelData.path)
                    }
                }
            }
        }
    }
}
