/// One scalar value, as literals, parameters and results carry it.
///
/// Storage and execution work on typed column arrays, not on `Value`; this
/// enum is for the edges (literals, host parameters, result cells).
public enum Value: Hashable, Sendable, CustomStringConvertible {
    /// No value: a missing cell or the `null` literal.
    case null
    /// A whole number.
    case int(Int64)
    /// A double-precision number.
    case number(Double)
    /// Unicode text.
    case text(String)
    /// `true` or `false`.
    case bool(Bool)
    /// Days since 1970-01-01.
    case date(Int64)
    /// Seconds since 1970-01-01T00:00:00 (no time zone is kept: a literal with
    /// an offset is converted to UTC).
    case datetime(Int64)
    /// An enum symbol: its code in its type.
    case symbol(Int32, EnumType)

    /// True for `.null`.
    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// The type of this value on its own (an int literal is `int`).
    public var dataType: DataType {
        switch self {
        case .null: return .null
        case .int: return .int
        case .number: return .number
        case .text: return .text
        case .bool: return .bool
        case .date: return .date
        case .datetime: return .datetime
        case .symbol(_, let type): return .enumeration(type)
        }
    }

    /// The value as a double, for int and number.
    public var doubleValue: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .number(let v): return v
        default: return nil
        }
    }

    /// The value as text the way CSV output writes it (null is empty).
    public var description: String { ValueFormatter.plain(self) }
}

/// Turns values into the text every output format shares.
public enum ValueFormatter {
    /// Shortest text that reads back exactly; whole numbers without a
    /// fraction, dates and datetimes in ISO 8601, null as the empty string.
    public static func plain(_ value: Value) -> String {
        switch value {
        case .null: return ""
        case .int(let v): return String(v)
        case .number(let v): return number(v)
        case .text(let v): return v
        case .bool(let v): return v ? "true" : "false"
        case .date(let days): return CivilDate(days: days).iso
        case .datetime(let seconds): return CivilDate.isoDateTime(seconds: seconds)
        case .symbol(let code, let type): return Int(code) < type.symbols.count ? type.symbols[Int(code)] : ""
        }
    }

    /// A number as output writes it: whole numbers without a fraction,
    /// otherwise the shortest text that reads back exactly.
    public static func number(_ v: Double) -> String {
        if v.isNaN { return "" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        if v == v.rounded(), abs(v) < 1e16 {
            return v == 0 ? "0" : String(Int64(v))
        }
        // Swift writes `1e+20`; the `+` adds nothing and other tools omit it.
        var text = v.description
        if let plus = text.firstIndex(of: "+") { text.remove(at: plus) }
        return text
    }
}
