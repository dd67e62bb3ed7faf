/// The shared frame of summary.html and changes.html: one self-contained page with inline
/// CSS and SVG, no scripts and no network, every value escaped.
///
/// The markup is also well-formed XML (polyglot), so a strict XML parser checks it: libxml2's
/// HTML parser knows only HTML 4's elements and calls inline SVG's tags invalid.
struct HTMLPage {
    private(set) var body = ""

    /// Colours of the decisions, used in bars and legends alike.
    static let decisionColours: [(name: String, colour: String)] = [
        ("ACCEPT", "#2e7d32"), ("PEND", "#f9a825"), ("DENY", "#c62828"),
    ]

    mutating func heading(_ text: String, level: Int = 2) {
        body += "<h\(level)>\(escapeHTML(text))</h\(level)>\n"
    }

    mutating func paragraph(_ text: String) {
        body += "<p>\(escapeHTML(text))</p>\n"
    }

    /// A table of text cells; `numeric` columns are right-aligned, `unbroken` ones (dates,
    /// ids) do not wrap.
    mutating func table(_ header: [String], _ rows: [[String]], numeric: Set<Int> = [], unbroken: Set<Int> = []) {
        body += "<table>\n<thead><tr>"
        for (index, cell) in header.enumerated() {
            body += numeric.contains(index) ? "<th class=\"n\">" : "<th>"
            body += escapeHTML(cell) + "</th>"
        }
        body += "</tr></thead>\n<tbody>\n"
        for row in rows {
            body += "<tr>"
            for (index, cell) in row.enumerated() {
                body += numeric.contains(index) ? "<td class=\"n\">" : unbroken.contains(index) ? "<td class=\"k\">" : "<td>"
                body += escapeHTML(cell) + "</td>"
            }
            body += "</tr>\n"
        }
        body += "</tbody>\n</table>\n"
    }

    /// A horizontal bar chart; each bar is split into coloured segments (one per series).
    mutating func barChart(title: String, series: [(name: String, colour: String)], bars: [(label: String, values: [Int])]) {
        // Labels are input values (a payer id as given can be long): shortened in the chart,
        // whole in the bar's tooltip.
        let labels = bars.map { $0.label.count > 48 ? String($0.label.prefix(47)) + "\u{2026}" : $0.label }
        let labelWidth = min(440, max(120, 8 * (labels.map(\.count).max() ?? 0) + 16))
        let barWidth = 520, rowHeight = 22, top = series.count > 1 ? 26 : 4
        let height = top + bars.count * rowHeight + 4
        let largest = max(1, bars.map { $0.values.reduce(0, +) }.max() ?? 1)
        body += "<div class=\"chart\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(labelWidth + barWidth + 80)\" height=\"\(height)\" role=\"img\" aria-label=\"\(escapeHTML(title))\">\n"
        if series.count > 1 {
            var x = labelWidth
            for item in series {
                body += "<rect x=\"\(x)\" y=\"6\" width=\"12\" height=\"12\" fill=\"\(item.colour)\"/><text x=\"\(x + 16)\" y=\"16\">\(escapeHTML(item.name))</text>\n"
                x += 24 + 8 * item.name.count
            }
        }
        for (index, bar) in bars.enumerated() {
            let y = top + index * rowHeight
            body += "<text x=\"\(labelWidth - 6)\" y=\"\(y + 15)\" text-anchor=\"end\">\(escapeHTML(labels[index]))</text>\n"
            var x = labelWidth
            for (value, item) in zip(bar.values, series) where value > 0 {
                let width = max(1, value * barWidth / largest)
                body += "<rect x=\"\(x)\" y=\"\(y + 3)\" width=\"\(width)\" height=\"\(rowHeight - 6)\" fill=\"\(item.colour)\"><title>\(escapeHTML(bar.label)): \(value) \(escapeHTML(item.name))</title></rect>\n"
                x += width
            }
            body += "<text x=\"\(x + 6)\" y=\"\(y + 15)\">\(bar.values.reduce(0, +))</text>\n"
        }
        body += "</svg>\n<p class=\"caption\">\(escapeHTML(title))</p>\n</div>\n"
    }

    /// The whole document.
    func document(title: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8"/>
        <title>\(escapeHTML(title))</title>
        <style>
        body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; max-width: 60rem; margin: 1.5rem auto; padding: 0 1rem; }
        h1 { font-size: 1.5rem; margin-bottom: 0.2rem; }
        h2 { font-size: 1.15rem; margin-top: 1.6rem; border-bottom: 1px solid #ccc; }
        table { border-collapse: collapse; margin: 0.5rem 0; }
        th, td { border: 1px solid #ddd; padding: 0.2rem 0.5rem; text-align: left; vertical-align: top; }
        th { background: #f3f3f3; }
        .n { text-align: right; font-variant-numeric: tabular-nums; }
        .k { white-space: nowrap; }
        div.chart { margin: 0.5rem 0; }
        p.caption { color: #555; font-size: 0.85rem; margin-top: 0; }
        svg text { font: 12px system-ui, sans-serif; fill: #222; }
        @media print { body { margin: 0; } div.chart, table { break-inside: avoid; } }
        </style>
        </head>
        <body>
        \(body)</body>
        </html>

        """
    }
}

/// Escapes text for HTML element content and quoted attributes alike.
func escapeHTML(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default:
            // Control characters other than tab and newline are not allowed in HTML text.
            if scalar.value < 0x20 && scalar != "\t" && scalar != "\n" || (0x7F...0x9F).contains(scalar.value) {
                out += "\u{FFFD}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out
}
