import CRMQLCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A Swift type that converts to and from a CRMQL `Value`: what parameters
/// take (`["min": 1000, "region": "north"]`) and what typed row accessors
/// and `Decodable` rows return.
///
/// `Int`, `Int64`, `Int32`, `Double`, `String`, `Bool`, `Date` and `Value`
/// itself conform, and so does `Optional` of any of them (nil is `null`).
public protocol ValueConvertible: Sendable {
    /// This value as CRMQL sees it.
    var crmqlValue: Value { get }
    /// The Swift value of a CRMQL value; nil when it does not convert
    /// (text into `Int`, a fractional number into `Int`, null into a
    /// non-optional type).
    init?(crmqlValue: Value)
}

extension Value: ValueConvertible {
    /// The value itself.
    public var crmqlValue: Value { self }
    /// Any value, null included.
    public init?(crmqlValue: Value) { self = crmqlValue }
}

extension Int64: ValueConvertible {
    /// An `int`.
    public var crmqlValue: Value { .int(self) }
    /// From an `int`, or a `number` with no fractional part that fits.
    public init?(crmqlValue: Value) {
        switch crmqlValue {
        case .int(let value): self = value
        case .number(let value):
            guard let exact = Int64(exactly: value) else { return nil }
            self = exact
        default: return nil
        }
    }
}

extension Int: ValueConvertible {
    /// An `int`.
    public var crmqlValue: Value { .int(Int64(self)) }
    /// From an `int`, or a whole `number`, that fits.
    public init?(crmqlValue: Value) {
        guard let wide = Int64(crmqlValue: crmqlValue), let value = Int(exactly: wide) else { return nil }
        self = value
    }
}

extension Int32: ValueConvertible {
    /// An `int`.
    public var crmqlValue: Value { .int(Int64(self)) }
    /// From an `int`, or a whole `number`, that fits.
    public init?(crmqlValue: Value) {
        guard let wide = Int64(crmqlValue: crmqlValue), let value = Int32(exactly: wide) else { return nil }
        self = value
    }
}

extension Double: ValueConvertible {
    /// A `number`; NaN and the infinities, which CRMQL has no literal for, are null.
    public var crmqlValue: Value { isFinite ? .number(self) : .null }
    /// From a `number` or an `int`.
    public init?(crmqlValue: Value) {
        switch crmqlValue {
        case .number(let value): self = value
        case .int(let value): self = Double(value)
        default: return nil
        }
    }
}

extension String: ValueConvertible {
    /// A `text`.
    public var crmqlValue: Value { .text(self) }
    /// From a `text`, or an enum symbol's name.
    public init?(crmqlValue: Value) {
        switch crmqlValue {
        case .text(let value): self = value
        case .symbol(let code, let type):
            guard code >= 0, Int(code) < type.symbols.count else { return nil }
            self = type.symbols[Int(code)]
        default: return nil
        }
    }
}

extension Bool: ValueConvertible {
    /// A `bool`.
    public var crmqlValue: Value { .bool(self) }
    /// From a `bool`.
    public init?(crmqlValue: Value) {
        guard case .bool(let value) = crmqlValue else { return nil }
        self = value
    }
}

extension Date: ValueConvertible {
    /// A `datetime`, to the second (CRMQL keeps no fractions of a second).
    public var crmqlValue: Value {
        guard let seconds = Int64(exactly: timeIntervalSince1970.rounded(.down)) else { return .null }
        return .datetime(seconds)
    }
    /// From a `datetime`, or a `date` (midnight UTC).
    public init?(crmqlValue: Value) {
        switch crmqlValue {
        case .datetime(let seconds): self = Date(timeIntervalSince1970: Double(seconds))
        case .date(let days):
            let (seconds, overflow) = days.multipliedReportingOverflow(by: 86_400)
            if overflow { return nil }
            self = Date(timeIntervalSince1970: Double(seconds))
        default: return nil
        }
    }
}

extension Optional: ValueConvertible where Wrapped: ValueConvertible {
    /// The wrapped value, or null.
    public var crmqlValue: Value { self?.crmqlValue ?? .null }
    /// Nil from null; otherwise the wrapped type's conversion.
    public init?(crmqlValue: Value) {
        if crmqlValue.isNull {
            self = .none
            return
        }
        guard let wrapped = Wrapped(crmqlValue: crmqlValue) else { return nil }
        self = .some(wrapped)
    }
}

extension Value {
    /// A `date` from ISO text (`2026-06-30`); nil when the text is not a date.
    public static func date(iso: String) -> Value? {
        DateParsing.parseDate(iso).map { .date($0) }
    }

    /// A `datetime` from ISO text (`2026-06-30T14:30:00`, with `Z` or an
    /// offset optional); nil when the text is not one.
    public static func datetime(iso: String) -> Value? {
        DateParsing.parseDateTime(iso).map { .datetime($0) }
    }
}

extension Database {
    /// Host parameters keyed by name without `$`.
    static func bindings(_ parameters: [String: any ValueConvertible]) throws(CRMQLError) -> [String: Value] {
        var bindings: [String: Value] = [:]
        for (key, value) in parameters {
            let name = key.hasPrefix("$") ? String(key.dropFirst()) : key
            guard bindings.updateValue(value.crmqlValue, forKey: name) == nil else {
                throw CRMQLError(phase: .semantic, message: "parameter '$\(name)' is given twice")
            }
        }
        return bindings
    }
}
