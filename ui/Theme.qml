// Hearth's palette, spacing, radii and type (see shared/ui-design.md). Every component
// reads colours and sizes from here, so the light and dark themes are one switch.
pragma Singleton
import QtQuick

QtObject {
    id: root

    property bool dark: false
    property real fontScale: 1.0 // the font-size setting scales everything

    readonly property color background: dark ? "#17181B" : "#FAFAF7"
    readonly property color sidebar: dark ? "#1F2024" : "#F0EFEA"
    readonly property color surface: dark ? "#26282D" : "#EDEBE4"
    readonly property color text: dark ? "#E8E6E1" : "#1D1D1F"
    readonly property color muted: dark ? "#9A9AA2" : "#6B6B70"
    readonly property color accent: dark ? "#F08A4B" : "#D9622B"
    readonly property color accentText: "#FFFFFF"
    readonly property color border: dark ? "#33353B" : "#E0DED6"
    readonly property color danger: dark ? "#E06060" : "#C23B3B"
    readonly property color hover: dark ? "#2C2E34" : "#E6E4DC"
    readonly property color codeBackground: dark ? "#111214" : "#F3F2EE"

    readonly property int unit: 4
    function sp(n) { return Math.round(n * unit * fontScale) }
    readonly property int radiusCard: 8
    readonly property int radiusButton: 6

    readonly property int fontSize: Math.round(14 * fontScale)
    readonly property int fontSmall: Math.round(12 * fontScale)
    readonly property int fontLarge: Math.round(18 * fontScale)
    readonly property string monoFamily: "monospace"
    readonly property real lineHeight: 1.5

    readonly property int headerHeight: Math.round(48 * fontScale)
    readonly property int sidebarWidth: Math.round(280 * fontScale)
    readonly property int columnMaxWidth: Math.round(760 * fontScale)
    readonly property int animation: 150
}
