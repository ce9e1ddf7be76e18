/// The ordered symbols of an `enum(...)` type. Symbols are stored as their
/// position (`code`), so comparing two values compares declaration order.
public final class EnumType: Hashable, Sendable, CustomStringConvertible {
    /// The symbols in declaration order; a symbol's code is its position.
    public let symbols: [String]
    private let codes: [String: Int32]

    /// An enum type of these symbols, in this order.
    public init(_ symbols: [String]) {
        self.symbols = symbols
        var codes: [String: Int32] = [:]
        for (index, symbol) in symbols.enumerated() where codes[symbol] == nil { codes[symbol] = Int32(index) }
        self.codes = codes
    }

    /// The code of a symbol, or nil when it is not one of this type's symbols.
    public func code(of symbol: String) -> Int32? { codes[symbol] }

    /// Two enum types are the same when their symbols are, in order.
    public static func == (lhs: EnumType, rhs: EnumType) -> Bool { lhs === rhs || lhs.symbols == rhs.symbols }
    /// Hashes the symbols, as `==` compares them.
    public func hash(into hasher: inout Hasher) { hasher.combine(symbols) }
    /// `enum(a, b, c)`, as `describe` shows the type.
    public var description: String { "enum(" + symbols.joined(separator: ", ") + ")" }
}

/// The type of a field or an expression.
public enum DataType: Hashable, Sendable, CustomStringConvertible {
    /// Whole numbers (64-bit).
    case int
    /// Double-precision numbers.
    case number
    /// Unicode text.
    case text
    /// `true` or `false`.
    case bool
    /// Calendar dates.
    case date
    /// Instants, to the second, in UTC.
    case datetime
    /// One of an enum type's symbols.
    case enumeration(EnumType)
    /// A reference to another entity's key; values are that key's values.
    case ref(String)
    /// The type of the `null` literal before context gives it one.
    case null

    /// True for `int` and `number`.
    public var isNumeric: Bool {
        switch self { case .int, .number: return true; default: return false }
    }

    /// True for `date` and `datetime`.
    public var isTemporal: Bool {
        switch self { case .date, .datetime: return true; default: return false }
    }

    /// The type as CRMQL writes it (`int`, `enum(a, b)`, `ref customers`).
    public var description: String {
        switch self {
        case .int: return "int"
        case .number: return "number"
        case .text: return "text"
        case .bool: return "bool"
        case .date: return "date"
        case .datetime: return "datetime"
        case .enumeration(let type): return type.description
        case .ref(let entity): return "ref \(entity)"
        case .null: return "null"
        }
    }

    /// A short name for messages ("expected a number, got text").
    public var kindName: String {
        switch self {
        case .enumeration: return "enum"
        case .ref: return "ref"
        default: return description
        }
    }
}
