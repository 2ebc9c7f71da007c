// Settings: the default system prompt, sampling, theme and font size. The values live
// in Main's persisted Settings; this dialog edits them in place.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

Dialog {
    id: root

    property var prefs // Main's Settings object
    title: qsTr("Settings")
    modal: true
    standardButtons: Dialog.Close
    width: Math.min(parent ? parent.width - Theme.sp(10) : 560, Theme.sp(140))
    anchors.centerIn: parent
    palette.window: Theme.background
    palette.windowText: Theme.text
    palette.base: Theme.background
    palette.text: Theme.text
    palette.button: Theme.surface
    palette.buttonText: Theme.text

    component Label2: Text { color: Theme.text; font.pixelSize: Theme.fontSize }
    component Num: SpinBox {
        editable: true
        font.pixelSize: Theme.fontSize
        Layout.fillWidth: true
    }

    GridLayout {
        width: parent.width
        columns: 2
        columnSpacing: Theme.sp(4)
        rowSpacing: Theme.sp(2)

        Label2 { text: qsTr("System prompt"); Layout.alignment: Qt.AlignTop }
        TextArea {
            Layout.fillWidth: true
            Layout.preferredHeight: Theme.sp(20)
            wrapMode: TextEdit.Wrap
            text: root.prefs.systemPrompt
            placeholderText: qsTr("You are a helpful assistant.")
            font.pixelSize: Theme.fontSize
            Accessible.name: qsTr("System prompt")
            onTextChanged: root.prefs.systemPrompt = text
        }
        Label2 { text: qsTr("Temperature") }
        Num {
            from: 0; to: 200; stepSize: 5
            value: Math.round(root.prefs.temperature * 100)
            textFromValue: (v) => (v / 100).toFixed(2)
            valueFromText: (t) => Math.round(parseFloat(t) * 100)
            Accessible.name: qsTr("Temperature")
            onValueModified: root.prefs.temperature = value / 100
        }
        Label2 { text: qsTr("Top-p") }
        Num {
            from: 0; to: 100; stepSize: 5
            value: Math.round(root.prefs.topP * 100)
            textFromValue: (v) => (v / 100).toFixed(2)
            valueFromText: (t) => Math.round(parseFloat(t) * 100)
            Accessible.name: qsTr("Top-p")
            onValueModified: root.prefs.topP = value / 100
        }
        Label2 { text: qsTr("Top-k") }
        Num { from: 0; to: 500; value: root.prefs.topK; Accessible.name: qsTr("Top-k"); onValueModified: root.prefs.topK = value }
        Label2 { text: qsTr("Max tokens") }
        Num { from: 1; to: 32768; stepSize: 64; value: root.prefs.maxTokens; Accessible.name: qsTr("Max tokens"); onValueModified: root.prefs.maxTokens = value }
        Label2 { text: qsTr("Seed (-1 random)") }
        Num { from: -1; to: 2147483647; value: root.prefs.seed; Accessible.name: qsTr("Seed"); onValueModified: root.prefs.seed = value }
        Label2 { text: qsTr("Theme") }
        ComboBox {
            Layout.fillWidth: true
            model: ["system", "light", "dark"]
            currentIndex: Math.max(0, model.indexOf(root.prefs.theme))
            Accessible.name: qsTr("Theme")
            onActivated: (i) => root.prefs.theme = model[i]
        }
        Label2 { text: qsTr("Font size") }
        Num {
            from: 75; to: 200; stepSize: 5
            value: Math.round(root.prefs.fontScale * 100)
            textFromValue: (v) => v + " %"
            valueFromText: (t) => parseInt(t)
            Accessible.name: qsTr("Font size")
            onValueModified: root.prefs.fontScale = value / 100
        }
    }
}
