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
    case codes(EnumCodes)

    @inlinable
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

/// What is known about how a column's numbers read, beyond their type.
public enum NumberStyle: Sendable, Hashable {
    /// Any number: a table rounds a fraction to significant digits.
    case general
    /// Every present value is exactly a decimal with at most `places`
    /// digits after the point (money: 2), stored as the double nearest to
    /// it; arithmetic and sums keep it exact, and a table writes the
    /// decimal (money always with two places).
    case decimal(places: Int)
    /// An average or another statistic of such decimals: not exact, but a
    /// table writes it rounded to the same places (money as `1,307.16`).
    case rounded(places: Int)
    /// A key, or a number that names rather than counts (a year): written
    /// without thousands separators.
    case identifier
}

/// A typed column: the unit both storage and execution work on. A query
/// evaluates an expression over a selection of rows into a `Column`.
public struct Column: Sendable {
    public var type: DataType
    public var data: ColumnData
    public var nulls: NullBitmap
    /// Set on the dates `trunc(x, month)` makes: each is the first day of
    /// such a period, and a table names it as the period (`2026-06`). Only
    /// the display reads it; the values are plain dates.
    public var period: DatePeriod?
    /// How the numbers read; stored columns are `general`, and evaluation
    /// marks keys and money as it reads them.
    public var style: NumberStyle = .general

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
        case .enumeration: return .codes(EnumCodes())
        case .ref: return keyType == .text ? .text([]) : .int([])
        }
    }

    @inlinable
    public var count: Int { data.count }

    @inlinable @inline(__always)
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
        case .int(let a): data = .int(Column.gather(a, positions))
        case .number(let a): data = .number(Column.gather(a, positions))
        case .text(let a): data = .text(positions.map { a[Int($0)] })
        case .bool(let a): data = .bool(Column.gather(a, positions))
        case .temporal(let a): data = .temporal(Column.gather(a, positions))
        case .codes(let a): data = .codes(a.gather(positions))
        }
        var gathered = Column(type: type, data: data, nulls: nulls.gather(positions))
        gathered.period = period
        gathered.style = style
        return gathered
    }

    /// `positions.map { values[Int($0)] }` for plain values, as a loop with
    /// nothing in it but the loads: a gather from a column bigger than the
    /// cache waits on memory at each row, and only a short loop body lets
    /// the processor have many of those loads in flight at once (appending
    /// to an array keeps it to a few). A position outside `values` stops
    /// the process, as the subscript would.
    @inline(__always)
    static func gather<T>(_ values: [T], _ positions: [Int32]) -> [T] {
        // TUNING: making an array of uninitialized capacity looks its type
        // up at run time, which costs more than a short gather itself.
        if positions.count < 256 { return positions.map { values[Int($0)] } }
        return values.withUnsafeBufferPointer { values in
            positions.withUnsafeBufferPointer { positions in
                [T](unsafeUninitializedCapacity: positions.count) { out, count in
                    for index in 0..<positions.count {
                        let position = Int(positions[index])
                        precondition(UInt(bitPattern: position) < UInt(values.count), "a row outside the column")
                        out.initializeElement(at: index, to: values[position])
                    }
                    count = positions.count
                }
            }
        }
    }

    /// Appends a value that already has this column's type (checked by the
    /// caller); a value of another type is stored as null.
    /// - Complexity: amortised O(1). The array is taken out of the enum before
    ///   it grows, so it stays uniquely referenced and is never copied.
    public mutating func append(_ value: Value) {
        let row = count
        var stored = true
        switch data {
        case .int(var a):
            data = .int([])
            if case .int(let v) = value { a.append(v) } else { a.append(0); stored = false }
            data = .int(a)
        case .number(var a):
            data = .number([])
            switch value {
            case .number(let v): a.append(v)
            case .int(let v): a.append(Double(v))
            default: a.append(0); stored = false
            }
            data = .number(a)
        case .text(var a):
            data = .text([])
            if case .text(let v) = value { a.append(v) } else { a.append(""); stored = false }
            data = .text(a)
        case .bool(var a):
            data = .bool([])
            if case .bool(let v) = value { a.append(v) } else { a.append(false); stored = false }
            data = .bool(a)
        case .temporal(var a):
            data = .temporal([])
            switch value {
            case .date(let v), .datetime(let v): a.append(v)
            default: a.append(0); stored = false
            }
            data = .temporal(a)
        case .codes(var a):
            data = .codes(EnumCodes())
            if case .symbol(let code, _) = value { a.append(code) } else { a.append(0); stored = false }
            data = .codes(a)
        }
        if !stored { nulls.set(row) }
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
        case .codes(var a): data = .codes(EnumCodes()); a.reserveCapacity(capacity); data = .codes(a)
        }
    }
}
