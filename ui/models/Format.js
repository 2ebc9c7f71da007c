// Number formatting shared by the Models page components.
.pragma library

function bytes(n) {
    if (n === undefined || n === null || n < 0)
        return "?"
    const units = ["B", "KB", "MB", "GB", "TB"]
    let i = 0
    let v = Number(n)
    while (v >= 1000 && i < units.length - 1) {
        v /= 1000
        i++
    }
    return (i === 0 ? v.toFixed(0) : v.toFixed(v < 10 ? 1 : 0)) + " " + units[i]
}

function duration(seconds) {
    if (seconds === undefined || seconds < 0)
        return "–"
    const s = Math.round(seconds)
    if (s < 60)
        return s + " s"
    if (s < 3600)
        return Math.floor(s / 60) + " min " + (s % 60) + " s"
    return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min"
}

function parameters(n) {
    if (!n || n <= 0)
        return ""
    if (n >= 1e9)
        return (n / 1e9).toFixed(1) + "B"
    return n >= 1e6 ? Math.round(n / 1e6) + "M" : Math.round(n / 1e3) + "K"
}
