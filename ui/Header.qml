// The top bar: the active model (name · quant · size · device), a picker of installed
// models, the load progress while switching, and the settings button.
import QtQuick
import QtQuick.Controls

Rectangle {
    id: root

    property var engine  // EngineController
    property var library // ModelLibrary
    signal settingsRequested()
    signal modelChosen(string path)
    signal exportRequested()
    signal sidebarToggled()

    function sizeText(bytes) {
        if (!bytes) return ""
        return bytes >= 1e9 ? (bytes / 1e9).toFixed(1) + " GB" : Math.round(bytes / 1e6) + " MB"
    }
    readonly property string modelText: {
        if (!root.engine) return ""
        switch (root.engine.state) {
        case 0: return qsTr("No model loaded")
        case 1: return qsTr("Loading %1… %2%").arg(root.engine.modelName || qsTr("model")).arg(Math.round(root.engine.loadProgress * 100))
        case 4: return qsTr("Model failed to load")
        }
        return [root.engine.modelName, root.engine.quantization, root.sizeText(root.engine.modelBytes),
                root.engine.backend].filter(s => s && s.length > 0).join(" · ")
    }

    implicitHeight: Theme.headerHeight
    color: Theme.background

    HButton {
        id: toggle
        anchors.left: parent.left
        anchors.leftMargin: Theme.sp(2)
        anchors.verticalCenter: parent.verticalCenter
        flat: true
        iconName: "menu"
        tip: qsTr("Show or hide the conversations")
        onClicked: root.sidebarToggled()
    }

    Text {
        id: model
        objectName: "headerModel"
        anchors.left: toggle.right
        anchors.leftMargin: Theme.sp(2)
        anchors.right: picker.left
        anchors.rightMargin: Theme.sp(2)
        anchors.verticalCenter: parent.verticalCenter
        text: root.modelText
        elide: Text.ElideRight
        color: root.engine && root.engine.state === 4 ? Theme.danger : Theme.text
        font.pixelSize: Theme.fontSize
        Accessible.name: qsTr("Active model: %1").arg(text)
    }

    ComboBox {
        id: picker
        anchors.right: exportButton.left
        anchors.rightMargin: Theme.sp(2)
        anchors.verticalCenter: parent.verticalCenter
        width: Math.max(Theme.sp(40), Math.min(Theme.sp(55), root.width / 4))
        visible: !!root.library && root.library.installed.count > 0
        model: root.library ? root.library.installed : null
        textRole: "fileName"
        displayText: qsTr("Switch model")
        font.pixelSize: Theme.fontSmall
        Accessible.name: qsTr("Switch model")
        onActivated: (row) => {
            const path = root.library.installed.data(root.library.installed.index(row, 0), Qt.UserRole + 2)
            if (path) root.modelChosen(path)
        }
    }

    HButton {
        id: exportButton
        objectName: "exportButton"
        anchors.right: settings.left
        anchors.verticalCenter: parent.verticalCenter
        flat: true
        iconName: "export"
        tip: qsTr("Export (Ctrl+E)")
        onClicked: root.exportRequested()
    }
    HButton {
        id: settings
        objectName: "settingsButton"
        anchors.right: parent.right
        anchors.rightMargin: Theme.sp(2)
        anchors.verticalCenter: parent.verticalCenter
        flat: true
        iconName: "settings"
        tip: qsTr("Settings (Ctrl+,)")
        onClicked: root.settingsRequested()
    }

    Rectangle { // load progress
        anchors.bottom: parent.bottom
        height: 2
        width: parent.width * (root.engine ? root.engine.loadProgress : 0)
        color: Theme.accent
        visible: !!root.engine && root.engine.state === 1
    }
    Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 1; color: Theme.border }
}
