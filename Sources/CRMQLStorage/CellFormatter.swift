import CRMQLCore

/// Formats one column's cells for `TabularWriter`, a batch of rows at a time.
struct CellFormatter {
    enum Style: Equatable {
        case csv(delimiter: UInt8)
        case json
    }

    /// One batch of formatted cells of one column: cell `i` is
    /// `bytes[ends[i - 1]..<ends[i]]`.
    struct Batch {
        var bytes: [UInt8] = []
        var ends: [Int] = []

        @inline(__always)
        func append(_ row: Int, to out: inout [UInt8]) {
            let start = row == 0 ? 0 : ends[row - 1]
            out.append(contentsOf: bytes[start..<ends[row]])
        }
    }

    let column: Column
    let style: Style
    /// Enum symbols already in output form.
    private let symbols: [[UInt8]]
    private let null: [UInt8]

    init(column: Column, style: Style) {
        self.column = column
        self.style = style
        null = style == .json ? Array("null".utf8) : []
        if case .enumeration(let type) = column.type {
            symbols = type.symbols.map { symbol in
                var bytes: [UInt8] = []
                switch style {
                case .csv(let delimiter): TabularWriter.appendCSVText(symbol, delimiter: delimiter, to: &bytes)
                case .json: TabularWriter.appendJSONString(symbol, to: &bytes)
                }
                return bytes
            }
        } else {
            symbols = []
        }
    }

    /// Replaces `batch` with the cells of `rows`.
    func format(_ rows: Range<Int>, into batch: inout Batch) {
        batch.bytes.removeAll(keepingCapacity: true)
        batch.ends.removeAll(keepingCapacity: true)
        let nulls = column.nulls
        let count = column.count
        @inline(__always)
        func each(_ body: (Int, inout [UInt8]) -> Void) {
            for row in rows {
                if row >= count || nulls.isNull(row) {
                    batch.bytes.append(contentsOf: null)
                } else {
                    body(row, &batch.bytes)
                }
                batch.ends.append(batch.bytes.count)
            }
        }
        switch column.data {
        case .int(let values):
            each { row, out in CellFormatter.appendInt(values[row], to: &out) }
        case .number(let values):
            let json = style == .json
            each { row, out in CellFormatter.appendNumber(values[row], json: json, to: &out) }
        case .text(let values):
            switch style {
            case .csv(let delimiter): each { row, out in TabularWriter.appendCSVText(values[row], delimiter: delimiter, to: &out) }
            case .json: each { row, out in TabularWriter.appendJSONString(values[row], to: &out) }
            }
        case .bool(let values):
            each { row, out in out.append(contentsOf: values[row] ? CellFormatter.trueBytes : CellFormatter.falseBytes) }
        case .temporal(let values):
            let isDateTime = column.type == .datetime
            let quoted = style == .json
            each { row, out in
                if quoted { out.append(34) }
                CellFormatter.appendTemporal(values[row], dateTime: isDateTime, to: &out)
                if quoted { out.append(34) }
            }
        case .codes(let codes):
            each { row, out in
                let code = Int(codes[row])
                out.append(contentsOf: code >= 0 && code < symbols.count ? symbols[code] : null)
            }
        }
    }

    private static let trueBytes = Array("true".utf8)
    private static let falseBytes = Array("false".utf8)

    /// A number exactly as `ValueFormatter.number` writes it (a test holds
    /// the two together), but into bytes: whole numbers without a `String`,
    /// others from `description` without the exponent's `+`. In JSON, which
    /// cannot write NaN or infinities, those are `null`.
    @inline(__always)
    static func appendNumber(_ value: Double, json: Bool, to out: inout [UInt8]) {
        if value.isFinite, value == value.rounded(), abs(value) < 1e16 {
            appendInt(Int64(value), to: &out)
        } else if value.isNaN {
            if json { out.append(contentsOf: "null".utf8) }
        } else if value.isInfinite {
            out.append(contentsOf: (json ? "null" : value < 0 ? "-inf" : "inf").utf8)
        } else {
            for byte in value.description.utf8 where byte != UInt8(ascii: "+") { out.append(byte) }
        }
    }

    /// Decimal digits of an int without building a `String`.
    @inline(__always)
    static func appendInt(_ value: Int64, to out: inout [UInt8]) {
        if value == 0 { out.append(48); return }
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var divisor: UInt64 = 1
        while divisor <= magnitude / 10 { divisor *= 10 }
        while divisor > 0 {
            out.append(UInt8(truncatingIfNeeded: magnitude / divisor) + 48)
            magnitude %= divisor
            divisor /= 10
        }
    }

    /// ISO 8601 text of a date (days) or datetime (seconds), as
    /// `ValueFormatter.plain` writes it, without building strings.
    static func appendTemporal(_ value: Int64, dateTime: Bool, to out: inout [UInt8]) {
        var days = value
        var secondsOfDay: Int64 = 0
        if dateTime { (days, secondsOfDay) = CivilDate.floorDivide(value, 86_400) }
        let date = CivilDate(days: days)
        guard date.year >= 0, date.year <= 9999 else {
            // Years outside four digits are rare: leave them to the shared formatter.
            out.append(contentsOf: (dateTime ? CivilDate.isoDateTime(seconds: value) : date.iso).utf8)
            return
        }
        appendDigits(date.year, 4, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(date.month, 2, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(date.day, 2, to: &out)
        guard dateTime else { return }
        out.append(UInt8(ascii: "T"))
        appendDigits(secondsOfDay / 3600, 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(secondsOfDay / 60 % 60, 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(secondsOfDay % 60, 2, to: &out)
    }

    /// A non-negative number as exactly `width` digits, zero-padded.
    @inline(__always)
    private static func appendDigits(_ value: Int64, _ width: Int, to out: inout [UInt8]) {
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            out.append(UInt8(truncatingIfNeeded: rest / divisor % 10) + 48)
            rest %= divisor
            divisor /= 10
        }
    }
}
