import CRMQLCore

/// Writing some rows of a column in place: an `update` of a tenth of a
/// million rows writes those rows, instead of building the whole column
/// again a value at a time. The arrays are copy-on-write, so a column
/// another state still holds (a reader's snapshot, the state a failed
/// statement returns to) is copied once, at the first write, and never
/// changed under its holder.
extension Column {
    /// Writes values (already of this column's type) at row positions; a
    /// value of another type, as `append` does, is stored as null.
    /// - Complexity: O(rows), plus one copy of the arrays when shared.
    public mutating func replace(rows: [Int32], with values: [Value]) {
        precondition(rows.count == values.count)
        var stored = [Bool](repeating: true, count: rows.count)
        @inline(__always) func write<T>(_ array: inout [T], _ placeholder: T, _ extract: (Value) -> T?) {
            for (index, row) in rows.enumerated() {
                if let value = extract(values[index]) { array[Int(row)] = value } else {
                    array[Int(row)] = placeholder
                    stored[index] = false
                }
            }
        }
        switch data {
        case .int(var a):
            data = .int([])
            write(&a, 0) { if case .int(let v) = $0 { v } else { nil } }
            data = .int(a)
        case .number(var a):
            data = .number([])
            write(&a, 0) {
                switch $0 {
                case .number(let v): v
                case .int(let v): Double(v)
                default: nil
                }
            }
            data = .number(a)
        case .text(var a):
            data = .text([])
            write(&a, "") { if case .text(let v) = $0 { v } else { nil } }
            data = .text(a)
        case .bool(var a):
            data = .bool([])
            write(&a, false) { if case .bool(let v) = $0 { v } else { nil } }
            data = .bool(a)
        case .temporal(var a):
            data = .temporal([])
            write(&a, 0) {
                switch $0 {
                case .date(let v), .datetime(let v): v
                default: nil
                }
            }
            data = .temporal(a)
        case .codes(var a):
            data = .codes(EnumCodes())
            for (index, row) in rows.enumerated() {
                if case .symbol(let code, _) = values[index] { a.set(code, at: Int(row)) } else {
                    a.set(0, at: Int(row))
                    stored[index] = false
                }
            }
            data = .codes(a)
        }
        for (index, row) in rows.enumerated() { nulls.setNull(Int(row), !stored[index]) }
    }

    /// Writes `values`, a column of this column's kind with one value per
    /// position of `rows`, at those rows. False, with nothing written, when
    /// the kinds differ (the caller converts value by value).
    /// - Complexity: O(rows), plus one copy of the arrays when shared.
    public mutating func replace(rows: [Int32], with values: Column) -> Bool {
        guard values.count == rows.count else { return false }
        @inline(__always) func write<T>(_ array: inout [T], _ from: [T], _ placeholder: T) {
            for (index, row) in rows.enumerated() {
                array[Int(row)] = values.isNull(index) ? placeholder : from[index]
            }
        }
        switch (data, values.data) {
        case (.int(var a), .int(let b)):
            data = .int([])
            write(&a, b, 0)
            data = .int(a)
        case (.number(var a), .number(let b)):
            data = .number([])
            write(&a, b, 0)
            data = .number(a)
        case (.text(var a), .text(let b)):
            data = .text([])
            write(&a, b, "")
            data = .text(a)
        case (.bool(var a), .bool(let b)):
            data = .bool([])
            write(&a, b, false)
            data = .bool(a)
        case (.temporal(var a), .temporal(let b)):
            data = .temporal([])
            write(&a, b, 0)
            data = .temporal(a)
        default:
            return false
        }
        if nulls.hasNulls || values.nulls.hasNulls {
            for (index, row) in rows.enumerated() { nulls.setNull(Int(row), values.isNull(index)) }
        }
        return true
    }
}
