import CRMQLCore
import CRMQLStorage

/// How a result column keeps its cells, for hosts that copy whole columns
/// at once (a data frame, an Arrow array) instead of reading cell by cell.
public enum ColumnStorage: Sendable, Equatable {
    /// Every cell is null (a column of type `null`).
    case null
    /// 64-bit integers: `int`, and `ref` to an entity with integer keys.
    case integer
    /// 64-bit floating point: `number`.
    case number
    /// UTF-8 text: `text`, and `ref` to an entity with text keys.
    case text
    /// `bool`, copied as 0 or 1.
    case bool
    /// `date`, copied as days since 1970-01-01.
    case date
    /// `datetime`, copied as seconds since 1970-01-01T00:00:00Z.
    case datetime
    /// `enum(...)`, copied as each symbol's position in the declared order.
    case enumeration
}

extension ResultSet {
    /// How column `column` keeps its cells; `.null` when out of range.
    public func storage(ofColumn column: Int) -> ColumnStorage {
        guard columns.indices.contains(column) else { return .null }
        let stored = columns[column]
        switch stored.data {
        case .int: return stored.type == .null ? .null : .integer
        case .number: return .number
        case .text: return .text
        case .bool: return .bool
        case .temporal: return stored.type == .datetime ? .datetime : .date
        case .codes: return .enumeration
        }
    }

    /// Copies the first `values.count` cells of column `column` as integers
    /// (see `ColumnStorage` for each storage's meaning; a number is cut
    /// toward zero and clamped) and marks each present cell 1 in `valid`,
    /// a null one 0 (its value then 0). Returns how many cells were copied;
    /// 0 for a text column or a column out of range.
    public func copyIntegers(column: Int, into values: UnsafeMutableBufferPointer<Int64>,
                             valid: UnsafeMutableBufferPointer<UInt8>) -> Int {
        guard columns.indices.contains(column) else { return 0 }
        let stored = columns[column]
        let count = Swift.min(rowCount, values.count, valid.count)
        switch stored.data {
        case .int(let array), .temporal(let array):
            // The whole array at once: the common case is a straight copy.
            array.withUnsafeBufferPointer { source in
                if count > 0, let target = values.baseAddress, let from = source.baseAddress { target.update(from: from, count: count) }
            }
        case .number(let array):
            for row in 0..<count { values[row] = ResultSet.clampedInteger(array[row]) }
        case .bool(let array):
            for row in 0..<count { values[row] = array[row] ? 1 : 0 }
        case .codes(let codes):
            switch codes.storage {
            case .narrow(let array): for row in 0..<count { values[row] = Int64(array[row]) }
            case .wide(let array): for row in 0..<count { values[row] = Int64(array[row]) }
            }
        case .text:
            return 0
        }
        markValid(stored.nulls, count: count, values: values, valid: valid)
        return count
    }

    /// Copies the first `values.count` cells of column `column` as doubles,
    /// converting integers, dates and codes as `copyIntegers` reads them;
    /// `valid` as there. Returns how many cells were copied; 0 for a text
    /// column or a column out of range.
    public func copyNumbers(column: Int, into values: UnsafeMutableBufferPointer<Double>,
                            valid: UnsafeMutableBufferPointer<UInt8>) -> Int {
        guard columns.indices.contains(column) else { return 0 }
        let stored = columns[column]
        let count = Swift.min(rowCount, values.count, valid.count)
        switch stored.data {
        case .number(let array):
            array.withUnsafeBufferPointer { source in
                if count > 0, let target = values.baseAddress, let from = source.baseAddress { target.update(from: from, count: count) }
            }
        case .int(let array), .temporal(let array):
            for row in 0..<count { values[row] = Double(array[row]) }
        case .bool(let array):
            for row in 0..<count { values[row] = array[row] ? 1 : 0 }
        case .codes(let codes):
            for row in 0..<count { values[row] = Double(codes[row]) }
        case .text:
            return 0
        }
        markValid(stored.nulls, count: count, values: values, valid: valid)
        return count
    }

    /// The number of UTF-8 bytes of every cell of column `column` written
    /// as text, nulls counting none: the size of `copyText`'s `bytes`.
    public func textByteCount(column: Int) -> Int {
        guard columns.indices.contains(column) else { return 0 }
        let stored = columns[column]
        var total = 0
        if case .text(let array) = stored.data {
            let nulls = stored.nulls
            for row in 0..<rowCount where !nulls.isNull(row) { total += array[row].utf8.count }
        } else {
            for row in 0..<rowCount where !stored.nulls.isNull(row) { total += stored.value(at: row).description.utf8.count }
        }
        return total
    }

    /// Copies every cell of column `column` as text, the way
    /// `crmql_column_text` writes one cell, laid out as an Arrow string
    /// array: the cells' bytes one after the other in `bytes`, cell `i`
    /// from `offsets[i]` to `offsets[i + 1]` (so `offsets` holds one more
    /// than the row count), and `valid` 1 or 0 per row (a null is empty).
    /// Returns false when a buffer is too small (`bytes` then holds only
    /// the cells that fitted) or the column is out of range.
    public func copyText(column: Int, bytes: UnsafeMutableBufferPointer<UInt8>,
                         offsets: UnsafeMutableBufferPointer<Int64>, valid: UnsafeMutableBufferPointer<UInt8>) -> Bool {
        guard columns.indices.contains(column), offsets.count > rowCount, valid.count >= rowCount,
              let offsetBase = offsets.baseAddress, let validBase = valid.baseAddress else { return false }
        let stored = columns[column]
        let nulls = stored.nulls
        var position = 0
        let capacity = bytes.count
        offsetBase[0] = 0
        // Raw pointers and one pass: this loop is what a data frame of a
        // million text cells waits for.
        let cellText: (Int) -> String
        if case .text(let array) = stored.data {
            cellText = { array[$0] }
        } else {
            cellText = { stored.value(at: $0).description }
        }
        for row in 0..<rowCount {
            if nulls.isNull(row) {
                validBase[row] = 0
                offsetBase[row + 1] = Int64(position)
                continue
            }
            let utf8 = cellText(row).utf8
            let length = utf8.count
            guard position + length <= capacity else { return false }
            if length > 0, let target = bytes.baseAddress {
                let copied = utf8.withContiguousStorageIfAvailable { source in
                    (target + position).update(from: source.baseAddress!, count: length)
                }
                if copied == nil {
                    for (index, byte) in utf8.enumerated() { target[position + index] = byte }
                }
            }
            position += length
            validBase[row] = 1
            offsetBase[row + 1] = Int64(position)
        }
        return true
    }

    private func markValid<Element: Numeric>(_ nulls: NullBitmap, count: Int, values: UnsafeMutableBufferPointer<Element>,
                                             valid: UnsafeMutableBufferPointer<UInt8>) {
        guard nulls.hasNulls else {
            _ = valid.baseAddress.map { $0.update(repeating: 1, count: count) }
            return
        }
        for row in 0..<count {
            let present = !nulls.isNull(row)
            valid[row] = present ? 1 : 0
            if !present { values[row] = 0 }
        }
    }

    private static func clampedInteger(_ value: Double) -> Int64 {
        if value.isNaN { return 0 }
        if value >= 9.2e18 { return Int64.max }
        if value <= -9.2e18 { return Int64.min }
        return Int64(value.rounded(.towardZero))
    }
}
