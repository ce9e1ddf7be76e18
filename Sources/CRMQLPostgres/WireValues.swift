import CRMQL
import Foundation

/// Values to and from PostgreSQL's text format: parameters are sent as text
/// beside a statement whose `CAST($n AS type)` gives their type; result
/// cells come back as text and are read as the type the query gives the
/// column, the same values the in-memory engine would hold.
enum WireValues {
    /// A value as a parameter's or a `COPY` cell's text; nil for null.
    static func text(_ value: Value) -> String? {
        switch value {
        case .null: return nil
        case .int(let v): return String(v)
        case .number(let v):
            if v.isNaN { return "NaN" }
            if v.isInfinite { return v > 0 ? "Infinity" : "-Infinity" }
            return "\(v)"
        case .text(let v): return v
        case .bool(let v): return v ? "true" : "false"
        case .date(let days): return CivilDays.iso(days)
        case .datetime(let seconds):
            let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
            let rest = seconds - days * 86_400
            return CivilDays.iso(days) + String(format: " %02lld:%02lld:%02lld", rest / 3600, rest / 60 % 60, rest % 60)
        case .symbol(let code, let type):
            let index = Int(code)
            return type.symbols.indices.contains(index) ? type.symbols[index] : nil
        }
    }

    /// Why a cell could not be read as its column's type.
    struct Mismatch: Error {
        let message: String
    }

    /// A result cell's text as a value of `type`.
    static func value(_ text: String, _ type: DataType) throws(Mismatch) -> Value {
        switch type {
        case .null:
            return .null
        case .int, .ref:
            if let v = Int64(text) { return .int(v) }
            // A numeric column holding whole numbers (`sum` of a bigint).
            if let v = Double(text), v == v.rounded(), abs(v) < 9.2e18 { return .int(Int64(v)) }
            throw Mismatch(message: "'\(text)' is not an int")
        case .number:
            switch text {
            case "NaN": return .number(.nan)
            case "Infinity": return .number(.infinity)
            case "-Infinity": return .number(-.infinity)
            default:
                guard let v = Double(text) else { throw Mismatch(message: "'\(text)' is not a number") }
                return .number(v)
            }
        case .text:
            return .text(text)
        case .bool:
            switch text {
            case "t", "true": return .bool(true)
            case "f", "false": return .bool(false)
            default: throw Mismatch(message: "'\(text)' is not a bool")
            }
        case .date:
            guard let days = CivilDays.parse(text) else { throw Mismatch(message: "'\(text)' is not a date crmql can hold") }
            return .date(days)
        case .datetime:
            guard let seconds = CivilDays.parseDateTime(text) else { throw Mismatch(message: "'\(text)' is not a datetime crmql can hold") }
            return .datetime(seconds)
        case .enumeration(let enumType):
            guard let code = enumType.code(of: text) else {
                throw Mismatch(message: "'\(text)' is not one of \(enumType.symbols.joined(separator: ", "))")
            }
            return .symbol(code, enumType)
        }
    }
}

/// Calendar days since 1970-01-01, as crmql's `date` values count them.
enum CivilDays {
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func iso(_ days: Int64) -> String {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return String(format: "%04lld-%02lld-%02lld", year, month, day)
    }

    /// `YYYY-MM-DD`; nil for anything else (`infinity`, BC dates).
    static func parse(_ text: String) -> Int64? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int64(parts[0]), let month = Int64(parts[1]), let day = Int64(parts[2]),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        return days(year: year, month: month, day: day)
    }

    /// `YYYY-MM-DD HH:MM:SS[.fff][+HH[:MM]]`, to the second in UTC (the
    /// session's time zone is UTC, so an offset is always +00).
    static func parseDateTime(_ text: String) -> Int64? {
        let halves = text.split(separator: " ", maxSplits: 1)
        guard let first = halves.first, let days = parse(String(first)) else { return nil }
        guard halves.count == 2 else { return days * 86_400 }
        var time = Substring(halves[1])
        var offset: Int64 = 0
        if let sign = time.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let zone = time[time.index(after: sign)...].split(separator: ":")
            guard let hours = zone.first.flatMap({ Int64($0) }) else { return nil }
            let minutes = zone.count > 1 ? Int64(zone[1]) ?? 0 : 0
            offset = (hours * 3600 + minutes * 60) * (time[sign] == "-" ? -1 : 1)
            time = time[..<sign]
        }
        if let dot = time.firstIndex(of: ".") { time = time[..<dot] }
        let clock = time.split(separator: ":")
        guard clock.count == 3, let h = Int64(clock[0]), let m = Int64(clock[1]), let s = Int64(clock[2]) else { return nil }
        return days * 86_400 + h * 3600 + m * 60 + s - offset
    }
}
