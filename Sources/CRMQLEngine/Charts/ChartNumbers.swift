import Foundation

/// How charts write numbers: values beside bars in full (grouped by
/// thousands), axis ticks short (`12k`, `1.5M`), rates as percentages.
enum ChartNumbers {
    /// A value as a bar, a funnel step or a heat cell shows it.
    static func value(_ v: Double, percent: Bool) -> String {
        if percent { return percentText(v) }
        let magnitude = abs(v)
        // Past 15 digits a grouped number is no longer read, and past 2^63 it is no Int64.
        if magnitude >= 1e15 { return String(format: "%.3g", v) }
        if v == v.rounded() { return grouped(Int64(v)) }
        // Two significant decimals below 10, one below 1,000: a chart is read
        // at a glance, the table keeps every digit.
        let decimals = magnitude < 10 ? 2 : (magnitude < 1000 ? 1 : 0)
        if decimals == 0 { return grouped(Int64(v.rounded())) }
        var text = String(format: "%.\(decimals)f", v)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    /// An axis tick: short, since ticks sit side by side.
    static func tick(_ v: Double, percent: Bool) -> String {
        if percent { return percentText(v) }
        let magnitude = abs(v)
        if magnitude >= 1e15 { return String(format: "%.2g", v) }
        for (limit, suffix) in [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e4, "k")] where magnitude >= limit {
            return trimmed(v / (limit == 1e4 ? 1e3 : limit), decimals: 1) + suffix
        }
        if v == v.rounded() { return grouped(Int64(v)) }
        return trimmed(v, decimals: magnitude < 10 ? 2 : 1)
    }

    private static func percentText(_ v: Double) -> String {
        let percent = v * 100
        return trimmed(percent, decimals: abs(percent) < 10 && percent != percent.rounded() ? 1 : 0) + "%"
    }

    private static func trimmed(_ v: Double, decimals: Int) -> String {
        var text = String(format: "%.\(decimals)f", v)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }

    static func grouped(_ v: Int64) -> String {
        let digits = String(v.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return v < 0 ? "-" + out : out
    }

    /// Round tick values covering `low...high`: steps of 1, 2 or 5 times a
    /// power of ten, about `count` of them.
    static func ticks(low: Double, high: Double, count: Int) -> [Double] {
        var low = low, high = high
        if low == high {
            // One value: an axis from zero to it (or around zero).
            if low > 0 { low = 0 } else if low < 0 { high = 0 } else { high = 1 }
        }
        let rough = (high - low) / Double(max(1, count))
        let power = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough } ?? 10 * power
        let first = floor(low / step) * step
        let last = ceil(high / step) * step
        // Subnormal or overflowing spans have no round steps: the ends will do.
        guard step.isFinite, step > 0, first.isFinite, last.isFinite, first < last else {
            return low < high && (high - low).isFinite ? [low, high] : [0, 1]
        }
        var ticks: [Double] = []
        var tick = first
        while tick <= last + step / 2, ticks.count < 50 {
            ticks.append(abs(tick) < step / 1e9 ? 0 : tick)
            tick += step
        }
        return ticks
    }

    /// The axis range of values, zero always included: a bar's length, or a
    /// line's height, compares with another's honestly only from zero.
    static func range(_ values: [Double]) -> (low: Double, high: Double) {
        let low = min(0, values.min() ?? 0)
        let high = max(0, values.max() ?? 0)
        return (low, high)
    }
}
