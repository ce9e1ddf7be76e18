import CRMQLCore

/// One typed cell on its way into a column.
enum ParsedCell {
    case null
    case int(Int64)
    case number(Double)
    case text(String)
    case bool(Bool)
    case code(Int32)
}

/// Accumulates a column row by row without going through `Value`.
struct ColumnBuilder {
    let type: DataType
    private var ints: [Int64] = []
    private var numbers: [Double] = []
    private var texts: [String] = []
    private var bools: [Bool] = []
    // Codes go into bytes until one does not fit, then into `wideCodes`
    // for good (see `EnumCodes`); two plain arrays keep the append cheap.
    private var codes: [UInt8] = []
    private var wideCodes: [Int32] = []
    private var codesAreWide = false
    private var nulls = NullBitmap()
    private(set) var count = 0
    let kind: Kind

    /// Which array holds the values.
    enum Kind { case int, number, text, bool, temporal, codes }

    /// - Parameter keyType: for a ref, the type of the parent's key (int or text).
    init(type: DataType, keyType: DataType = .int, capacity: Int = 0) {
        self.type = type
        switch Column.emptyData(for: type, keyType: keyType) {
        case .int: kind = .int; ints.reserveCapacity(capacity)
        case .number: kind = .number; numbers.reserveCapacity(capacity)
        case .text: kind = .text; texts.reserveCapacity(capacity)
        case .bool: kind = .bool; bools.reserveCapacity(capacity)
        case .temporal: kind = .temporal; ints.reserveCapacity(capacity)
        case .codes: kind = .codes; codes.reserveCapacity(capacity)
        }
    }

    /// Appends a cell already converted for this column's type; a cell of
    /// another kind is stored as null.
    mutating func append(_ cell: ParsedCell) {
        switch (kind, cell) {
        case (.int, .int(let value)), (.temporal, .int(let value)): appendInt(value)
        case (.number, .number(let value)): appendNumber(value)
        case (.number, .int(let value)): appendNumber(Double(value))
        case (.text, .text(let value)): appendText(value)
        case (.bool, .bool(let value)): appendBool(value)
        case (.codes, .code(let value)): appendCode(value)
        default: appendNull()
        }
    }

    // The typed appends below expect the matching kind (`int` and
    // `temporal` share `appendInt`); the loader's converters guarantee it.

    @inline(__always)
    mutating func appendInt(_ value: Int64) {
        ints.append(value)
        count += 1
    }

    @inline(__always)
    mutating func appendNumber(_ value: Double) {
        numbers.append(value)
        count += 1
    }

    @inline(__always)
    mutating func appendText(_ value: String) {
        texts.append(value)
        count += 1
    }

    @inline(__always)
    mutating func appendBool(_ value: Bool) {
        bools.append(value)
        count += 1
    }

    @inline(__always)
    mutating func appendCode(_ value: Int32) {
        if !codesAreWide && EnumCodes.fitsNarrow(value) {
            codes.append(UInt8(truncatingIfNeeded: value))
        } else {
            if !codesAreWide {
                wideCodes = codes.map { Int32($0) }
                codes = []
                codesAreWide = true
            }
            wideCodes.append(value)
        }
        count += 1
    }

    /// Appends a null: a placeholder value and its bit.
    @inline(__always)
    mutating func appendNull() {
        switch kind {
        case .int, .temporal: ints.append(0)
        case .number: numbers.append(0)
        case .text: texts.append("")
        case .bool: bools.append(false)
        case .codes: if codesAreWide { wideCodes.append(0) } else { codes.append(0) }
        }
        nulls.set(count)
        count += 1
    }

    func column() -> Column {
        let data: ColumnData
        switch kind {
        case .int: data = .int(ints)
        case .number: data = .number(numbers)
        case .text: data = .text(texts)
        case .bool: data = .bool(bools)
        case .temporal: data = .temporal(ints)
        case .codes: data = .codes(codesAreWide ? EnumCodes(wideCodes) : EnumCodes(narrow: codes))
        }
        return Column(type: type, data: data, nulls: nulls)
    }
}

extension Column {
    /// This column followed by the rows of `other` (of the same kind of data).
    /// An empty column takes `other`'s data whatever its kind, which lets a
    /// ref declared before its parent had rows switch to text keys.
    /// - Returns: nil when the kinds of data differ.
    public func appending(_ other: Column) -> Column? {
        if count == 0 { return Column(type: type, data: other.data, nulls: other.nulls) }
        let data: ColumnData
        switch (self.data, other.data) {
        case (.int(let a), .int(let b)): data = .int(a + b)
        case (.number(let a), .number(let b)): data = .number(a + b)
        case (.text(let a), .text(let b)): data = .text(a + b)
        case (.bool(let a), .bool(let b)): data = .bool(a + b)
        case (.temporal(let a), .temporal(let b)): data = .temporal(a + b)
        case (.codes(let a), .codes(let b)): data = .codes(a + b)
        default: return nil
        }
        var nulls = self.nulls
        if other.nulls.hasNulls {
            for (wordIndex, word) in other.nulls.words.enumerated() where word != 0 {
                var bits = word
                while bits != 0 {
                    let bit = bits.trailingZeroBitCount
                    nulls.set(count + wordIndex * 64 + bit)
                    bits &= bits - 1
                }
            }
        }
        return Column(type: type, data: data, nulls: nulls)
    }

    /// The column without the rows of `drop` (sorted positions), its arrays
    /// holding no spare capacity: what stays of a load once refused rows
    /// are taken out.
    func removing(sortedRows drop: [Int]) -> Column {
        guard !drop.isEmpty else { return compacted() }
        var keep: [Int32] = []
        keep.reserveCapacity(count - drop.count)
        var next = 0
        for row in 0..<count {
            if next < drop.count, drop[next] == row {
                next += 1
                continue
            }
            keep.append(Int32(truncatingIfNeeded: row))
        }
        return gather(keep)
    }

    /// The same column with arrays no larger than their contents. Arrays are
    /// reserved for the file's line count, which overshoots when it has
    /// blank lines or multi-line cells.
    func compacted() -> Column {
        func fit<T>(_ array: [T]) -> [T] {
            array.capacity > array.count + array.count / 8 + 64 ? Array(unsafeUninitializedCapacity: array.count) { buffer, initialized in
                _ = buffer.initialize(from: array)
                initialized = array.count
            } : array
        }
        switch data {
        case .int(let a): return Column(type: type, data: .int(fit(a)), nulls: nulls)
        case .number(let a): return Column(type: type, data: .number(fit(a)), nulls: nulls)
        case .text(let a): return Column(type: type, data: .text(fit(a)), nulls: nulls)
        case .bool(let a): return Column(type: type, data: .bool(fit(a)), nulls: nulls)
        case .temporal(let a): return Column(type: type, data: .temporal(fit(a)), nulls: nulls)
        case .codes(let a): return Column(type: type, data: .codes(a.compacted(fit, fit)), nulls: nulls)
        }
    }
}
