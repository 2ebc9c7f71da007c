// The generation settings as a form: temperature, top-p, top-k, min-p, repeat penalty,
// max tokens and seed. `values` holds them by name; a change by the user is reported
// through edited(key, value) and the owner stores it (window defaults or a conversation).
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

GridLayout {
    id: root

    property var values: ({})
    signal edited(string key, var value)

    columns: 2
    columnSpacing: Theme.sp(4)
    rowSpacing: Theme.sp(2)

    component Label2: Text { color: Theme.text; font.pixelSize: Theme.fontSize }
    // A whole-number box, or (scale 100) a two-decimal one.
    component Num: SpinBox {
        id: box
        property string key
        property int scale: 1
        editable: true
        font.pixelSize: Theme.fontSize
        Layout.fillWidth: true
        objectName: key
        value: Math.round((root.values[key] !== undefined ? root.values[key] : 0) * scale)
        textFromValue: (v) => box.scale === 1 ? String(v) : (v / box.scale).toFixed(2)
        valueFromText: (t) => Math.round(parseFloat(t) * box.scale)
        validator: DoubleValidator { bottom: box.from / box.scale; top: box.to / box.scale }
        onValueModified: root.edited(key, scale === 1 ? value : value / scale)
    }

    Label2 { text: qsTr("Temperature") }
    Num { key: "temperature"; scale: 100; from: 0; to: 200; stepSize: 5; Accessible.name: qsTr("Temperature") }
    Label2 { text: qsTr("Top-p") }
    Num { key: "topP"; scale: 100; from: 0; to: 100; stepSize: 5; Accessible.name: qsTr("Top-p") }
    Label2 { text: qsTr("Top-k (0 off)") }
    Num { key: "topK"; from: 0; to: 500; Accessible.name: qsTr("Top-k") }
    Label2 { text: qsTr("Min-p") }
    Num { key: "minP"; scale: 100; from: 0; to: 100; stepSize: 1; Accessible.name: qsTr("Min-p") }
    Label2 { text: qsTr("Repeat penalty") }
    Num { key: "repeatPenalty"; scale: 100; from: 100; to: 200; stepSize: 5; Accessible.name: qsTr("Repeat penalty") }
    Label2 { text: qsTr("Max tokens") }
    Num { key: "maxTokens"; from: 1; to: 32768; stepSize: 64; Accessible.name: qsTr("Max tokens") }
    Label2 { text: qsTr("Seed (-1 random)") }
    Num { key: "seed"; from: -1; to: 2147483647; Accessible.name: qsTr("Seed") }
}
