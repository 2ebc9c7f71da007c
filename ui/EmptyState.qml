// What the chat column shows with no messages: a welcome, and without a model, a way
// to get one (the demo model or the model library).
import QtQuick
import QtQuick.Controls

Item {
    id: root

    property bool hasModel: false
    property bool loading: false
    property string error: ""
    signal libraryRequested()

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
        HButton {
            anchors.horizontalCenter: parent.horizontalCenter
            visible: !root.hasModel && !root.loading
            primary: true
            text: qsTr("Open the model library")
            onClicked: root.libraryRequested()
        }
    }
}
