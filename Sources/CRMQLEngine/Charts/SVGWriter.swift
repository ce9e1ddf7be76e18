import Foundation

/// Builds one SVG document: a white page, a title, and shapes and text
/// whose every attribute value is escaped, so that no label can break out
/// of its element.
struct SVGWriter {
    let width: Int
    let height: Int
    private var body = ""

    /// TUNING: the average advance of a 12-pixel sans-serif character, for
    /// laying out labels without measuring fonts.
    static let characterWidth = 6.8

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// The finished document.
    var document: String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" \
        font-family="Helvetica, Arial, sans-serif" font-size="12" fill="#222">
        <rect width="\(width)" height="\(height)" fill="#ffffff"/>

        """ + body + "</svg>\n"
    }

    /// The title, and under it in grey what is drawn against what.
    mutating func heading(title: String, subtitle: String?) {
        // Bold 16-pixel characters are about half as wide again as the 12-pixel ones.
        text(SVGWriter.cut(title, to: Double(width - 40) / 1.4), x: 20, y: 28, size: 16, weight: "bold")
        if let subtitle { text(SVGWriter.cut(subtitle, to: Double(width - 40)), x: 20, y: 46, fill: "#666") }
    }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil) {
        let outline = stroke.map { " stroke=\"\($0)\"" } ?? ""
        body += "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(max(0, width)))\" height=\"\(n(max(0, height)))\" fill=\"\(fill)\"\(outline)/>\n"
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1) {
        body += "<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\"/>\n"
    }

    mutating func polyline(_ points: [(Double, Double)], stroke: String) {
        let list = points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
        body += "<polyline points=\"\(list)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"2\" stroke-linejoin=\"round\"/>\n"
    }

    mutating func polygon(_ points: [(Double, Double)], fill: String) {
        let list = points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
        body += "<polygon points=\"\(list)\" fill=\"\(fill)\"/>\n"
    }

    mutating func circle(x: Double, y: Double, radius: Double, fill: String) {
        body += "<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(radius))\" fill=\"\(fill)\"/>\n"
    }

    /// Text at a point; `anchor` is start, middle or end; `rotate` turns it
    /// about that point (degrees).
    mutating func text(_ content: String, x: Double, y: Double, anchor: String = "start", size: Double = 12,
                       weight: String? = nil, fill: String? = nil, rotate: Double? = nil) {
        var attributes = "x=\"\(n(x))\" y=\"\(n(y))\""
        if anchor != "start" { attributes += " text-anchor=\"\(anchor)\"" }
        if size != 12 { attributes += " font-size=\"\(n(size))\"" }
        if let weight { attributes += " font-weight=\"\(weight)\"" }
        if let fill { attributes += " fill=\"\(fill)\"" }
        if let rotate { attributes += " transform=\"rotate(\(n(rotate)) \(n(x)) \(n(y)))\"" }
        body += "<text \(attributes)>\(SVGWriter.escape(content))</text>\n"
    }

    /// A number as an attribute writes it: at most two decimals.
    private func n(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        // Far off the page is as good as at its edge, and stays an Int.
        let rounded = (min(max(v, -1e9), 1e9) * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    /// XML text with markup characters escaped and control characters
    /// (which XML 1.0 forbids) turned to spaces.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0xFFFE...0xFFFF).contains(scalar.value) {
                    out += " "
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// Text cut to about `pixels` wide, the cut marked with `…`.
    static func cut(_ text: String, to pixels: Double) -> String {
        let fits = max(1, Int(pixels / characterWidth))
        guard text.count > fits else { return text }
        return String(text.prefix(max(1, fits - 1))) + "…"
    }

    /// The pixels a label takes, estimated.
    static func pixels(_ text: String) -> Double { Double(text.count) * characterWidth }

    /// Series colours, distinguishable in print and by most colour-blind readers.
    static let seriesColors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#17becf"]

    /// A heat map's colour at `level` (0...1): light yellow through green to
    /// dark blue (the YlGnBu ramp).
    static func heatColor(_ level: Double) -> String {
        let stops: [(Double, Double, Double)] = [
            (255, 255, 217), (199, 233, 180), (127, 205, 187), (65, 182, 196), (29, 145, 192), (34, 94, 168), (12, 44, 132),
        ]
        let position = max(0, min(1, level.isFinite ? level : 0)) * Double(stops.count - 1)
        let index = min(stops.count - 2, Int(position))
        let t = position - Double(index)
        let (a, b) = (stops[index], stops[index + 1])
        let rgb = [a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t, a.2 + (b.2 - a.2) * t]
        return "#" + rgb.map { String(format: "%02x", Int($0.rounded())) }.joined()
    }
}
