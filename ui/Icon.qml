// One of Hearth's SVG icons (ui/icons), tinted: Icon { name: "menu" }.
import QtQuick

Image {
    id: root
    property string name
    property color color: Theme.text
    readonly property int size: Math.round(16 * Theme.fontScale)

    width: root.size
    height: root.size
    sourceSize: Qt.size(root.width, root.height)
    source: root.name.length > 0
            ? "image://hearthicon/" + root.name + "/" + root.color.toString().substring(1)
            : ""
    fillMode: Image.PreserveAspectFit
    smooth: true
    Accessible.ignored: true
}
