// What the chat column shows with no messages: a welcome, and without a model, a way
// to get one (the demo model or the model library).
import QtQuick
import QtQuick.Controls

Item {
    id: root

    property bool hasModel: false
    property bool loading: false
    property string error: ""
    property string demoPath: "" // the packaged demo model, when there is one
    signal libraryRequested()
    signal demoRequested()

    Column {
        anchors.centerIn: parent
        width: Math.min(parent.width - Theme.sp(8), Theme.columnMaxWidth * 0.7)
        spacing: Theme.sp(3)

        Text {
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            text: root.hasModel ? qsTr("What shall we talk about?") : qsTr("Welcome to Hearth")
            color: Theme.text
            font.pixelSize: Theme.fontLarge + 6
            font.weight: Font.DemiBold
        }
        Text {
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.Wrap
            color: root.error.length > 0 ? Theme.danger : Theme.muted
            font.pixelSize: Theme.fontSize
            lineHeight: 1.4
            text: root.error.length > 0 ? root.error
                 : root.loading ? qsTr("Loading the model…")
                 : root.hasModel ? qsTr("Everything stays on this computer. Type below and press Enter.")
                 : qsTr("Hearth runs open-weight language models on this computer, privately. "
                        + "Start with the small demo model, or pick one from the model library.")
        }
        Row {
            anchors.horizontalCenter: parent.horizontalCenter
            spacing: Theme.sp(3)
            visible: !root.hasModel && !root.loading
            HButton {
                objectName: "useDemoModel"
                visible: root.demoPath.length > 0
                primary: true
                text: qsTr("Use the demo model")
                tip: qsTr("Install and load SmolLM2 135M, a small model that runs anywhere (about 100 MB)")
                Accessible.name: text
                onClicked: root.demoRequested()
            }
            HButton {
                objectName: "openLibrary"
                primary: root.demoPath.length === 0
                text: qsTr("Open the model library")
                tip: qsTr("Browse, download or import models (Ctrl+M)")
                Accessible.name: text
                onClicked: root.libraryRequested()
            }
        }
    }
}
