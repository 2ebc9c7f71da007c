// A message body as Markdown: prose through Text.MarkdownText, fenced code blocks as
// CodeBlock (monospace box with Copy). Segments are updated in place, so a streamed
// token changes one Text, never rebuilds the column.
import QtQuick

Column {
    id: root

    property string markdown: ""
    property bool streaming: false
    signal copyRequested(string text)

    // [{code, text, lang}]: fences split the text; an unclosed fence runs to the end.
    function segments(source) {
        const out = []
        const lines = source.split("\n")
        let buf = [], inCode = false, lang = ""
        function flush() {
            const t = buf.join("\n")
            if (inCode || t.trim().length > 0)
                out.push({ code: inCode, text: inCode ? t : t.trim(), lang: lang })
            buf = []
        }
        for (const line of lines) {
            const m = line.match(/^\s*```\s*([\w+#.-]*)\s*$/)
            if (m) {
                flush()
                lang = inCode ? "" : m[1]
                inCode = !inCode
            } else {
                buf.push(line)
            }
        }
        flush()
        return out
    }

    function sync() {
        const segs = segments(root.markdown)
        if (root.streaming) {
            if (segs.length === 0 || segs[segs.length - 1].code)
                segs.push({ code: false, text: "", lang: "" })
            segs[segs.length - 1].text += " ▍"
        }
        for (let i = 0; i < segs.length; ++i) {
            if (i < parts.count) {
                const p = parts.get(i)
                if (p.code !== segs[i].code || p.text !== segs[i].text || p.lang !== segs[i].lang)
                    parts.set(i, segs[i])
            } else {
                parts.append(segs[i])
            }
        }
        if (parts.count > segs.length)
            parts.remove(segs.length, parts.count - segs.length)
    }

    onMarkdownChanged: sync()
    onStreamingChanged: sync()
    Component.onCompleted: sync()
    spacing: Theme.sp(2)

    ListModel { id: parts }

    Repeater {
        model: parts
        delegate: Loader {
            id: part
            required property bool code
            required property string text
            required property string lang
            width: root.width
            sourceComponent: part.code ? codeComponent : proseComponent

            Component {
                id: proseComponent
                Text {
                    text: part.text
                    textFormat: Text.MarkdownText
                    wrapMode: Text.Wrap
                    color: Theme.text
                    linkColor: Theme.accent
                    font.pixelSize: Theme.fontSize
                    lineHeight: 1.3
                    onLinkActivated: (link) => Qt.openUrlExternally(link)
                    HoverHandler { cursorShape: parent.hoveredLink ? Qt.PointingHandCursor : Qt.IBeamCursor }
                }
            }
            Component {
                id: codeComponent
                CodeBlock {
                    code: part.text
                    language: part.lang
                    onCopyRequested: (t) => root.copyRequested(t)
                }
            }
        }
    }
}
