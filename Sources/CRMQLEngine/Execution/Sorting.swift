import CRMQLCore
import CRMQLStorage

/// One `order by` key evaluated over the rows being sorted.
struct SortKey {
    var column: Column
    var descending: Bool
    /// Nulls sort last ascending and first descending unless stated.
    var nullsFirst: Bool
}

enum Sorting {
    /// A stable permutation of `0..<count` ordering rows by `keys`.
    /// - Parameter poll: called every few milliseconds of sorting (see
    ///   `sortPolling`); what it throws stops the sort.
    ///   - radix: sort by the keys' codes (`RadixSort`) where they have
    ///     codes, which gives the same order.
    static func permutation(_ keys: [SortKey], count: Int, radix: Bool = false, poll: () throws -> Void = {}) rethrows -> [Int] {
        guard !keys.isEmpty, count > 1 else { return Array(0..<count) }
        if radix, count >= radixRows, let coded = try KeyCodes.encode(keys, count: count, poll: poll) {
            return try RadixSort.order(coded, count: count, poll: poll).map { Int($0) }
        }
        var order = Array(0..<count)
        let comparators = keys.map(comparator)
        try sortPolling(&order, poll: poll) { a, b in
            for compare in comparators {
                let result = compare(a, b)
                if result != 0 { return result < 0 }
            }
            return a < b
        }
        return order
    }

    /// Rows sorted by the standard library at a time between two polls.
    /// TUNING: 4,096 rows sort in a fraction of a millisecond on one key of
    /// a release build, and in a few tens of milliseconds on long text keys
    /// in a debug build.
    static let pollingRun = 4096

    /// TUNING: below this many rows, coding the keys costs more than the
    /// comparisons it saves.
    static let radixRows = 256

    /// Sorts `order` by `less` (a strict total order) so that it can be
    /// stopped: `RunMergeSort` in runs of `pollingRun` rows, calling `poll`
    /// between them.
    static func sortPolling(_ order: inout [Int], poll: () throws -> Void, by less: (Int, Int) -> Bool) rethrows {
        try RunMergeSort.sort(&order, run: pollingRun, poll: poll, by: less)
    }

    /// Like `permutation` but keeps only the first `limit` rows, with a
    /// bounded selection instead of a full sort when the limit is small.
    static func top(_ keys: [SortKey], count: Int, limit: Int, radix: Bool = false, poll: () throws -> Void = {}) rethrows -> [Int] {
        guard limit < count / 8, limit > 0 else {
            return Array(try permutation(keys, count: count, radix: radix, poll: poll).prefix(limit))
        }
        if radix, count >= radixRows, codesPayForTop(keys, count: count), let coded = try KeyCodes.encode(keys, count: count, poll: poll) {
            return try RadixSort.top(coded, count: count, limit: limit, poll: poll).map { Int($0) }
        }
        let comparators = keys.map(comparator)
        func less(_ a: Int, _ b: Int) -> Bool {
            for compare in comparators {
                let result = compare(a, b)
                if result != 0 { return result < 0 }
            }
            return a < b
        }
        // One stored number key without nulls, the usual `order by spend
        // desc limit 20`: most rows lose to the heap's worst row on the value
        // alone, which is read straight from the array here instead of
        // through the comparators' closures (a retain and release each).
        // A row that ties the worst is not better either: the earlier row
        // wins a tie, and rows come in ascending order.
        var worst: Double? = nil
        var values: [Double] = []
        var descending = false
        if keys.count == 1, case .number(let v) = keys[0].column.data, v.count == count, !keys[0].column.nulls.hasNulls {
            values = v
            descending = keys[0].descending
        }
        // A max-heap of the best `limit` rows seen so far.
        var heap: [Int] = []
        heap.reserveCapacity(limit + 1)
        for row in 0..<count {
            if row & (pollingRun - 1) == 0 { try poll() }
            if let bound = worst {
                // As the comparator has it: a NaN ties with anything.
                if descending ? !(values[row] > bound) : !(values[row] < bound) { continue }
            }
            if heap.count < limit {
                pushHeap(&heap, row, by: less)
            } else if less(row, heap[0]) {
                replaceHeapTop(&heap, row, by: less)
            }
            if !values.isEmpty, heap.count == limit { worst = values[heap[0]] }
        }
        return heap.sorted(by: less)
    }

    /// Adds `row` to a max-heap of rows (its worst row first) by `less`.
    @inline(__always)
    static func pushHeap(_ heap: inout [Int], _ row: Int, by less: (Int, Int) -> Bool) {
        heap.append(row)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if less(heap[parent], heap[child]) { heap.swapAt(parent, child); child = parent } else { break }
        }
    }

    /// Puts `row` in place of a max-heap's worst row and restores the heap.
    @inline(__always)
    static func replaceHeapTop(_ heap: inout [Int], _ row: Int, by less: (Int, Int) -> Bool) {
        heap[0] = row
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var largest = parent
            if left < heap.count, less(heap[largest], heap[left]) { largest = left }
            if right < heap.count, less(heap[largest], heap[right]) { largest = right }
            if largest == parent { break }
            heap.swapAt(parent, largest)
            parent = largest
        }
    }

    /// Whether coding the keys of a bounded selection costs less than the
    /// comparisons it saves. Not for one number key without nulls, which
    /// the loop below reads straight from its array, nor for a text key:
    /// ranking every row's text cost more than the few comparisons of
    /// texts a heap makes (most rows lose on the first key).
    static func codesPayForTop(_ keys: [SortKey], count: Int) -> Bool {
        if keys.count == 1, case .number(let values) = keys[0].column.data, values.count == count,
           !keys[0].column.nulls.hasNulls { return false }
        return !keys.contains { if case .text = $0.column.data { return true } else { return false } }
    }

    /// Compares two rows of one key: negative when `a` sorts first.
    static func comparator(_ key: SortKey) -> (Int, Int) -> Int {
        let column = key.column
        let descending = key.descending
        let nullsFirst = key.nullsFirst
        let hasNulls = column.nulls.hasNulls
        func wrap(_ compareValues: @escaping (Int, Int) -> Int) -> (Int, Int) -> Int {
            { a, b in
                let ia = column.at(a), ib = column.at(b)
                if hasNulls {
                    let na = column.isNull(ia), nb = column.isNull(ib)
                    if na || nb {
                        if na && nb { return 0 }
                        return na == nullsFirst ? -1 : 1
                    }
                }
                let result = compareValues(ia, ib)
                return descending ? -result : result
            }
        }
        switch column.data {
        case .int(let v), .temporal(let v): return wrap { v[$0] < v[$1] ? -1 : (v[$0] > v[$1] ? 1 : 0) }
        case .number(let v): return wrap { v[$0] < v[$1] ? -1 : (v[$0] > v[$1] ? 1 : 0) }
        case .codes(let codes):
            switch codes.storage {
            case .narrow(let v): return wrap { v[$0] < v[$1] ? -1 : (v[$0] > v[$1] ? 1 : 0) }
            case .wide(let v): return wrap { v[$0] < v[$1] ? -1 : (v[$0] > v[$1] ? 1 : 0) }
            }
        case .text(let v): return wrap { v[$0] < v[$1] ? -1 : (v[$0] > v[$1] ? 1 : 0) }
        case .bool(let v): return wrap { v[$0] == v[$1] ? 0 : (v[$0] ? 1 : -1) }
        }
    }

    /// Groups rows by key columns: each row's group, and groups numbered in
    /// ascending key order (nulls last).
    /// - Parameters:
    ///   - dense: number the groups straight from enum codes and bools when
    ///     every key is one (`DenseKeyGroup`); else sort.
    ///   - radix: group by the keys' codes (`RadixGroup`) where they have
    ///     codes, which gives the same groups in the same order.
    ///   - poll: called every few milliseconds of sorting.
    static func groups(_ keys: [Column], count: Int, dense: Bool = true, radix: Bool = false, poll: () throws -> Void = {}) rethrows
        -> (groupOf: [Int32], groupCount: Int, firstRows: [Int32]) {
        if keys.isEmpty {
            return ([Int32](repeating: 0, count: count), 1, count > 0 ? [0] : [])
        }
        if dense, let numbered = denseGroups(keys, count: count) { return numbered }
        let sortKeys = keys.map { SortKey(column: $0, descending: false, nullsFirst: false) }
        if radix, count >= radixRows, let coded = try KeyCodes.encode(sortKeys, count: count, poll: poll) {
            return try RadixSort.groups(coded, count: count, poll: poll)
        }
        let order = try permutation(sortKeys, count: count, poll: poll)
        let comparators = sortKeys.map(comparator)
        var groupOf = [Int32](repeating: 0, count: count)
        var firstRows: [Int32] = []
        var previous = -1
        for (index, row) in order.enumerated() {
            if index & (pollingRun - 1) == 0 { try poll() }
            if previous < 0 || comparators.contains(where: { $0(previous, row) != 0 }) {
                firstRows.append(Int32(row))
            }
            groupOf[row] = Int32(firstRows.count - 1)
            previous = row
        }
        return (groupOf, firstRows.count, firstRows)
    }

    /// The number of digits a dense key takes: an enum's symbols and one
    /// for null, or false, true and null for a bool; nil for other keys.
    static func denseRadix(_ key: Column) -> Int? {
        switch (key.type, key.data) {
        case (.enumeration(let enumType), .codes): return enumType.symbols.count + 1
        case (.bool, .bool): return 3
        default: return nil
        }
    }

    /// `composite[i] = composite[i] * radix + digit` for each row `i` of `key`.
    static func addDenseDigits(_ composite: inout [Int32], _ key: Column, radix: Int) {
        composite.withUnsafeMutableBufferPointer { addDenseDigits($0, key, radix: radix, rows: nil) }
    }

    /// `composite[i] = composite[i] * radix + digit` for each row of `key`
    /// (the row `rows[i]` when `rows` is given, else row `i`): its code, or
    /// the last digit for a null. A key without a `denseRadix` adds nothing.
    static func addDenseDigits(_ composite: UnsafeMutableBufferPointer<Int32>, _ key: Column, radix: Int,
                               rows: UnsafeBufferPointer<Int32>?) {
        let radix = Int32(truncatingIfNeeded: radix)
        let nullDigit = radix - 1
        let nulls = key.nulls
        let hasNulls = nulls.hasNulls
        @inline(__always)
        func add(_ digit: (Int) -> Int32) {
            @inline(__always)
            func step(_ index: Int, _ row: Int) {
                let value = hasNulls && nulls.isNull(row) ? nullDigit : min(digit(row), nullDigit - 1)
                composite[index] = composite[index] &* radix &+ value
            }
            if let rows {
                for index in 0..<min(composite.count, rows.count) { step(index, Int(rows[index])) }
            } else {
                for row in 0..<composite.count { step(row, row) }
            }
        }
        switch key.data {
        case .codes(let codes):
            switch codes.storage {
            case .narrow(let values): add { Int32(values[$0]) }
            case .wide(let values): add { values[$0] }
            }
        case .bool(let flags):
            add { flags[$0] ? 1 : 0 }
        default:
            break
        }
    }

    /// Grouping without sorting when every key is an enum or a bool: each
    /// row's key tuple is a mixed-radix number (null as the last digit), so
    /// ascending numbers are ascending keys with nulls last.
    static func denseGroups(_ keys: [Column], count: Int) -> (groupOf: [Int32], groupCount: Int, firstRows: [Int32])? {
        var radices: [Int] = []
        for key in keys {
            guard let radix = denseRadix(key) else { return nil }
            radices.append(radix)
        }
        var slots = 1
        for radix in radices {
            let (product, overflow) = slots.multipliedReportingOverflow(by: radix)
            // TUNING: beyond a million possible tuples the sort path is leaner.
            if overflow || product > 1_000_000 { return nil }
            slots = product
        }
        var composite = [Int32](repeating: 0, count: count)
        for (index, key) in keys.enumerated() { addDenseDigits(&composite, key, radix: radices[index]) }
        var firstRowOfSlot = [Int32](repeating: -1, count: slots)
        for row in 0..<count where firstRowOfSlot[Int(composite[row])] < 0 {
            firstRowOfSlot[Int(composite[row])] = Int32(row)
        }
        var groupOfSlot = [Int32](repeating: -1, count: slots)
        var firstRows: [Int32] = []
        for slot in 0..<slots where firstRowOfSlot[slot] >= 0 {
            groupOfSlot[slot] = Int32(firstRows.count)
            firstRows.append(firstRowOfSlot[slot])
        }
        let groupOf = composite.map { groupOfSlot[Int($0)] }
        return (groupOf, firstRows.count, firstRows)
    }
}
