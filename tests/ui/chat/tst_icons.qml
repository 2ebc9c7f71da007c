// The SVG icons: drawn in the colour asked for (the theme tints them), the window
// showing through around the strokes, nothing for an unknown name; an icon-only button is named by its tip.
import QtQuick
import QtTest
import Hearth.Ui

Item {
    id: root
    width: 300; height: 100

    Icon { id: red; name: "menu"; color: "#ff0000"; width: 48; height: 48 }
    Icon { id: unknown; x: 60; name: "no-such-icon"; width: 48; height: 48 }
    HButton { id: button; x: 120; iconName: "settings"; tip: "Settings (Ctrl+,)" }

    TestCase {
        name: "Icons"
        when: windowShown

        function test_tinted() {
            tryCompare(red, "status", Image.Ready)
            const image = grabImage(red)
            let reds = 0, clear = 0
            for (let y = 0; y < 48; y += 2)
                for (let x = 0; x < 48; x += 2) {
                    const c = image.pixel(x, y)
                    if (c.r > 0.9 && c.g < 0.1 && c.b < 0.1) ++reds
                    else if (c.r === c.g && c.g === c.b) ++clear // the window behind
                }
            verify(reds > 20, "red strokes: " + reds)
            verify(clear > 200, "transparent background: " + clear)
        }

        function test_unknownName() {
            tryVerify(() => unknown.status === Image.Error || unknown.status === Image.Null
                      || unknown.implicitWidth === 0)
        }

        function test_iconButtonNamedByTip() {
            compare(button.Accessible.name, "Settings (Ctrl+,)")
            verify(button.implicitWidth > 0 && button.implicitWidth < 60)
        }
    }
}
