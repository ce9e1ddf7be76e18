import CRMQLCore

/// The typed values of one column, in row order. Nulls live in the column's
/// `NullBitmap`; the slot of a null holds a placeholder (0, "", false).
public enum ColumnData: Sendable {
    case int([Int64])
    case number([Double])
    case text([String])
    case bool([Bool])
    /// Days since 1970-01-01 for `date`; seconds since the epoch for `datetime`.
    case temporal([Int64])
    /// Enum symbol codes; the symbols are in the column's `EnumType`.
    case codes([Int32])

    public var count: Int {
        switch self {
        case .int(let a): return a.count
        case .number(let a): return a.count
        case .text(let a): return a.count
        case .bool(let a): return a.count
        case .temporal(let a): return a.count
        case .codes(let a): return a.count
        }
    }
}

/// A typed column: the unit both storage and execution work on. A query
/// evaluates an expression over a selection of rows into a `Column`.
public struct Column: Sendable {
    public var type: DataType
    public var data: ColumnData
    public var nulls: NullBitmap

    public init(type: DataType, data: ColumnData, nulls: NullBitmap = NullBitmap()) {
        self.type = type
        self.data = data
        self.nulls = nulls
    }

    /// An empty column of a type. Refs hold their target's key values, so a
    /// ref column's storage follows `keyType`.
    public init(empty type: DataType, keyType: DataType = .int) {
        self.init(type: type, data: Column.emptyData(for: type, keyType: keyType))
    }

    public static func emptyData(for type: DataType, keyType: DataType = .int) -> ColumnData {
        switch type {
        case .int: return .int([])
        case .number: return .number([])
        case .text, .null: return .text([])
        case .bool: return .bool([])
        case .date, .datetime: return .temporal([])
        case .enumeration: return .codes([])
        case .ref: return keyType == .text ? .text([]) : .int([])
        }
    }

    public var count: Int { data.count }

    @inline(__always)
    public func isNull(_ row: Int) -> Bool { nulls.isNull(row) }

    /// The value of one row, for the edges of the system (results, messages).
    public func value(at row: Int) -> Value {
        if nulls.isNull(row) { return .null }
        switch data {
        case .int(let a): return .int(a[row])
        case .number(let a): return .number(a[row])
        case .text(let a): return .text(a[row])
        case .bool(let a): return .bool(a[row])
        case .temporal(let a):
            if case .datetime = type { return .datetime(a[row]) }
            return .date(a[row])
        case .codes(let a):
            if case .enumeration(let enumType) = type { return .symbol(a[row], enumType) }
            return .null
        }
    }

    /// The rows at `positions`, in that order.
    public func gather(_ positions: [Int32]) -> Column {
        let data: ColumnData
        switch self.data {
        case .int(let a): data = .int(positions.map { a[Int($0)] })
        case .number(let a): data = .number(positions.map { a[Int($0)] })
        case .text(let a): data = .text(positions.map { a[Int($0)] })
        case .bool(let a): data = .bool(positions.map { a[Int($0)] })
        case .temporal(let a): data = .temporal(positions.map { a[Int($0)] })
        case .codes(let a): data = .codes(positions.map { a[Int($0)] })
        }
        return Column(type: type, data: data, nulls: nulls.gather(positions))
    }

    /// Appends a value that already has this column's type (checked by the caller).
    public mutating func append(_ value: Value) {
        let row = count
        var null = false
        switch (data, value) {
        case (.int(var a), .int(let v)): data = .int([]); a.append(v); data = .int(a)
        case (.number(var a), .number(let v)): data = .number([]); a.append(v); data = .number(a)
        case (.number(var a), .int(let v)): data = .number([]); a.append(Double(v)); data = .number(a)
        case (.text(var a), .text(let v)): data = .text([]); a.append(v); data = .text(a)
        case (.bool(var a), .bool(let v)): data = .bool([]); a.append(v); data = .bool(a)
        case (.temporal(var a), .date(let v)), (.temporal(var a), .datetime(let v)):
            data = .temporal([]); a.append(v); data = .temporal(a)
        case (.codes(var a), .symbol(let code, _)): data = .codes([]); a.append(code); data = .codes(a)
        default:
            null = true
            appendPlaceholder()
        }
        if null || value.isNull { nulls.set(row) }
    }

    private mutating func appendPlaceholder() {
        switch data {
        case .int(var a): data = .int([]); a.append(0); data = .int(a)
        case .number(var a): data = .number([]); a.append(0); data = .number(a)
        case .text(var a): data = .text([]); a.append(""); data = .text(a)
        case .bool(var a): data = .bool([]); a.append(false); data = .bool(a)
        case .temporal(var a): data = .temporal([]); a.append(0); data = .temporal(a)
        case .codes(var a): data = .codes([]); a.append(0); data = .codes(a)
        }
    }

    /// Builds a column of `type` from values that already have that type.
    public static func make(type: DataType, values: [Value], keyType: DataType = .int) -> Column {
        var column = Column(empty: type, keyType: keyType)
        column.reserve(values.count)
        for value in values { column.append(value) }
        return column
    }

    public mutating func reserve(_ capacity: Int) {
        switch data {
        case .int(var a): data = .int([]); a.reserveCapacity(capacity); data = .int(a)
        case .number(var a): data = .number([]); a.reserveCapacity(capacity); data = .number(a)
        case .text(var a): data = .text([]); a.reserveCapacity(capacity); data = .text(a)
        case .bool(var a): data = .bool([]); a.reserveCapacity(capacity); data = .bool(a)
        case .temporal(var a): data = .temporal([]); a.reserveCapacity(capacity); data = .temporal(a)
        case .codes(var a): data = .codes([]); a.reserveCapacity(capacity); data = .codes(a)
        }
    }
}
