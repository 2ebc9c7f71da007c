// A fenced code block: monospace on a quiet box, the language and a Copy button above.
import QtQuick
import QtQuick.Controls

Rectangle {
    id: root

    property string code: ""
    property string language: ""
    property bool copied: false
    signal copyRequested(string text)

    implicitHeight: bar.height + codeText.implicitHeight + Theme.sp(4)
    radius: Theme.radiusCard
    color: Theme.codeBackground
    border.color: Theme.border

    Item {
        id: bar
        width: parent.width
        height: copy.implicitHeight + Theme.sp(1)
        Text {
            anchors.left: parent.left
            anchors.leftMargin: Theme.sp(3)
            anchors.verticalCenter: parent.verticalCenter
            text: root.language
            color: Theme.muted
            font.pixelSize: Theme.fontSmall
        }
        HButton {
            id: copy
            objectName: "codeCopy"
            anchors.right: parent.right
            anchors.rightMargin: Theme.sp(1)
            anchors.verticalCenter: parent.verticalCenter
            flat: true
            text: root.copied ? qsTr("Copied") : qsTr("Copy")
            tip: qsTr("Copy the code")
            onClicked: {
                root.copyRequested(root.code)
                root.copied = true
                copiedTimer.restart()
            }
        }
        Timer { id: copiedTimer; interval: 1500; onTriggered: root.copied = false }
    }

    Text {
        id: codeText
        objectName: "codeText"
        anchors.top: bar.bottom
        x: Theme.sp(3)
        width: parent.width - Theme.sp(6)
        text: root.code
        textFormat: Text.PlainText
        wrapMode: Text.WrapAnywhere
        color: Theme.text
        font.family: Theme.monoFamily
        font.pixelSize: Theme.fontSmall + 1
    }
}
