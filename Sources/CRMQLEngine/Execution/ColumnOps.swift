import CRMQLCore
import CRMQLStorage

// Helpers that build and read columns during evaluation. A column of length
// one stands for a constant and is broadcast against longer columns, so
// `loyalty > 0.8` never materialises a column of 0.8s.

extension Column {
    /// A one-row column holding `value`, typed `type`.
    static func constant(_ value: Value, type: DataType) -> Column {
        var column = Column(empty: type, keyType: value.keyStorageType)
        if case .null = type {
            column = Column(empty: .text)
            column.type = .null
        }
        column.append(value)
        return column
    }

    /// All-null column of a length.
    static func nulls(_ count: Int, type: DataType) -> Column {
        var bitmap = NullBitmap()
        if count > 0 { for index in 0..<count { bitmap.set(index) } }
        let data: ColumnData
        switch Column.emptyData(for: type) {
        case .int: data = .int(Array(repeating: 0, count: count))
        case .number: data = .number(Array(repeating: 0, count: count))
        case .text: data = .text(Array(repeating: "", count: count))
        case .bool: data = .bool(Array(repeating: false, count: count))
        case .temporal: data = .temporal(Array(repeating: 0, count: count))
        case .codes: data = .codes(EnumCodes(repeating: 0, count: count))
        }
        return Column(type: type, data: data, nulls: bitmap)
    }

    /// Repeats a one-row column to `count` rows; other columns are returned as is.
    func expanded(to count: Int) -> Column {
        guard self.count == 1, count != 1 else { return self }
        return gather([Int32](repeating: 0, count: count))
    }

    var doubles: [Double] {
        switch data {
        case .number(let a): return a
        case .int(let a): return a.map(Double.init)
        case .temporal(let a): return a.map(Double.init)
        case .codes(let a): return a.map(Double.init)
        default: return Array(repeating: 0, count: count)
        }
    }

    var ints: [Int64] {
        switch data {
        case .int(let a), .temporal(let a): return a
        case .codes(let a): return a.map(Int64.init)
        case .number(let a): return a.map { $0.isFinite && abs($0) < 9.2e18 ? Int64($0) : 0 }
        default: return Array(repeating: 0, count: count)
        }
    }

    var texts: [String] {
        if case .text(let a) = data { return a }
        return (0..<count).map { ValueFormatter.plain(value(at: $0)) }
    }

    var bools: [Bool] {
        if case .bool(let a) = data { return a }
        return Array(repeating: false, count: count)
    }

    /// Index into a possibly broadcast column.
    @inline(__always) func at(_ row: Int) -> Int { count == 1 ? 0 : row }
    @inline(__always) func null(_ row: Int) -> Bool { nulls.isNull(count == 1 ? 0 : row) }
}

extension Value {
    /// Storage kind of a ref holding this value (int or text keys).
    var keyStorageType: DataType {
        if case .text = self { return .text }
        return .int
    }
}

/// The null bitmap of an element-wise operation: null where either side is.
func unionNulls(_ a: Column, _ b: Column, count: Int) -> NullBitmap {
    if !a.nulls.hasNulls && !b.nulls.hasNulls { return NullBitmap() }
    // Whole columns (and a constant that is never null) combine by words;
    // only a null constant, which nulls every row, needs the row loop.
    if a.count == count && b.count == count { return a.nulls.union(b.nulls) }
    if a.count == count && !b.nulls.hasNulls { return a.nulls }
    if b.count == count && !a.nulls.hasNulls { return b.nulls }
    return NullBitmap(count: count) { a.null($0) || b.null($0) }
}

func makeBool(_ values: [Bool], nulls: NullBitmap = NullBitmap()) -> Column {
    Column(type: .bool, data: .bool(values), nulls: nulls)
}

/// Builds a column from per-row values of one type (the slow path, for
/// functions that are not vectorised).
func makeColumn(_ values: [Value], type: DataType) -> Column {
    let keyType = values.first { !$0.isNull }?.keyStorageType ?? .int
    if case .null = type { return Column.nulls(values.count, type: .null) }
    return Column.make(type: type, values: values, keyType: keyType)
}
