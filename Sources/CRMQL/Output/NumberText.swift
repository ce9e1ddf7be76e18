import CRMQLCore
import CRMQLStorage
import Foundation

/// How the table format writes numbers.
public enum NumberFormat: String, Sendable, CaseIterable {
    /// For reading: thousands separators from four digits (not in keys,
    /// refs or years), money and other exact decimals with all their
    /// places (`12,000.50`), other fractions rounded to six significant
    /// digits.
    case readable
    /// Every digit, as CSV writes it: no separators, no rounding.
    case plain
}

/// The text of a number cell in the table format.
enum NumberText {
    /// TUNING: ratios and measures read well with six significant digits
    /// (as pandas shows them); the exact value is one `.format plain` or a
    /// CSV away.
    static let significantDigits = 6

    /// `value` as a table shows it, or nil when it is not a number.
    /// - Parameters:
    ///   - style: what the engine knows about the column's numbers.
    ///   - grouping: whether thousands separators are wanted at all.
    static func text(_ value: Value, style: NumberStyle, isReference: Bool, format: NumberFormat, grouping: Bool) -> String? {
        let readable = format == .readable
        let groups = readable && grouping && !isReference && style != .identifier
        switch value {
        case .int(let v):
            let text = String(v)
            return groups ? NumberGrouping.grouped(text) : text
        case .number(let v):
            if v.isNaN { return "NaN" }
            guard readable, v.isFinite else { return ValueFormatter.number(v) }
            let text: String
            if case .decimal(let places) = style, let exact = decimal(v, places: places) {
                text = exact
            } else if case .rounded(let places) = style, let near = decimal(v, places: places) {
                text = near
            } else {
                text = rounded(v)
            }
            return groups ? NumberGrouping.grouped(text) : text
        default:
            return nil
        }
    }

    /// A value known to be a decimal of `places` places, with exactly that
    /// many digits after the point; nil when it is out of the exact range.
    static func decimal(_ v: Double, places: Int) -> String? {
        guard places >= 0, places <= 9 else { return nil }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (v * scale).rounded()
        guard scaled.magnitude < 1e15 else { return nil }
        let units = Int64(scaled)
        let magnitude = units.magnitude
        let divisor = UInt64(scale)
        var text = units < 0 ? "-" : ""
        text += String(magnitude / divisor)
        if places > 0 {
            let fraction = String(magnitude % divisor)
            text += "." + String(repeating: "0", count: places - fraction.count) + fraction
        }
        return text
    }

    /// A number rounded to `significantDigits` (never cutting whole
    /// digits), without trailing zeros; very large or very small
    /// magnitudes keep their exact form.
    static func rounded(_ v: Double) -> String {
        let magnitude = v.magnitude
        if v == v.rounded(), magnitude < 1e15 { return ValueFormatter.number(v) }
        guard magnitude >= 1e-6, magnitude < 1e15 else { return ValueFormatter.number(v) }
        let wholeDigits = magnitude >= 1 ? Int(log10(magnitude).rounded(.down)) + 1 : 0
        let decimals: Int
        if magnitude >= 1 {
            decimals = max(2, significantDigits - wholeDigits)
        } else {
            let leadingZeros = -Int(log10(magnitude).rounded(.down)) - 1
            decimals = leadingZeros + significantDigits
        }
        var text = String(format: "%.\(decimals)f", v)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }
}
