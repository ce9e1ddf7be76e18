import CRMQLCore
import CRMQLStorage

extension Evaluator {
    /// `running_sum|running_count|running_avg(x, order: o, by: p)` for every
    /// row of the entity: the aggregate of `x` over the rows of the same `p`
    /// that come up to and including this one when sorted by `o` ascending
    /// (nulls last), ties by the entity's key, then by row order. As SQL's
    /// `sum(x) over (partition by p order by o, key rows unbounded preceding)`:
    /// a null `x` adds nothing, and the sum and average are null until some
    /// row has added a value.
    func running(_ function: RunningFunction, _ argument: BoundExpr?, order: BoundExpr, by: BoundExpr?,
                 _ expr: BoundExpr, entity: Entity, rows subset: [Int32]? = nil) throws -> Column {
        let n = subset?.count ?? entity.rowCount
        let all = subset.map { EvalContext(entity: entity, rows: $0) } ?? EvalContext(allOf: entity)
        let values = try argument.map { try evaluate($0, all).expanded(to: n) }
        let orderColumn = try evaluate(order, all).expanded(to: n)
        let partition = try by.map { try evaluate($0, all).expanded(to: n) }
        try services.checkInterrupt(materializing: n)

        var keys: [SortKey] = []
        var partitionOf: [Int32]?
        if let partition {
            let grouping = try Sorting.groups([partition], count: n, radix: fastPaths.enabled, poll: services.checkInterrupt)
            partitionOf = grouping.groupOf
            let numbers = Column(type: .int, data: .int(grouping.groupOf.map(Int64.init)))
            keys.append(SortKey(column: numbers, descending: false, nullsFirst: false))
        }
        keys.append(SortKey(column: orderColumn, descending: false, nullsFirst: false))
        if let key = entity.keyFieldIndex {
            let column = entity.columns[key]
            keys.append(SortKey(column: subset.map { column.gather($0) } ?? column, descending: false, nullsFirst: false))
        }
        let sequence = try Sorting.permutation(keys, count: n, radix: fastPaths.enabled, poll: services.checkInterrupt)
        try services.checkInterrupt(materializing: n)

        // A money field adds exactly in hundredths, as `sum` does.
        let hundredths = function == .count ? nil : exactHundredths(.sum, argument, entity).map { counts in
            subset.map { $0.map { counts[Int($0)] } } ?? counts
        }
        var accumulator = RunningAccumulator(function: function, isInt: values?.type == .int, range: expr.range)
        // Written straight into the column's array: a value per row, made
        // and then converted, cost more than the running sums themselves.
        let intResult = expr.type == .int
        var ints = intResult ? [Int64](repeating: 0, count: n) : []
        var numbers = intResult ? [] : [Double](repeating: 0, count: n)
        var nulls = NullBitmap()
        var previousPartition: Int32 = -1
        for row in sequence {
            if let partitionOf, partitionOf[row] != previousPartition {
                previousPartition = partitionOf[row]
                accumulator.reset()
            }
            if let values {
                if !values.isNull(row) {
                    if let hundredths { accumulator.add(hundredths: Int64(hundredths[row])) } else { try accumulator.add(values.value(at: row)) }
                }
            } else {
                accumulator.countRow()
            }
            switch accumulator.value {
            case .int(let value) where intResult: ints[row] = value
            case .number(let value) where !intResult: numbers[row] = value
            case .int(let value): numbers[row] = Double(value)
            default: nulls.set(row)
            }
        }
        return intResult ? Column(type: .int, data: .int(ints), nulls: nulls) : Column(type: .number, data: .number(numbers), nulls: nulls)
    }

    /// The rows of the partitions that `rows` fall in, when they are few:
    /// a running aggregate of a row needs only its own partition's rows,
    /// so `where customer <= 20 show running_sum(amount, order: placed,
    /// by: customer)` computes over 20 customers' orders, not every order.
    /// Nil when the partitions hold more than an eighth of the entity's
    /// rows (then every row is computed once and kept for the query) or
    /// the partition key has no codes.
    /// The rows whose value is one of the values at `rows`, by a bit per
    /// value over the span of those values (a ref's keys, a year), or nil
    /// past `limit` rows: a partition key of whole numbers needs no codes.
    static func rows(of values: [Int64], sharingValuesWith rows: [Int32], limit: Int) -> [Int32]? {
        var low = Int64.max, high = Int64.min
        for row in rows {
            low = min(low, values[Int(row)])
            high = max(high, values[Int(row)])
        }
        guard low <= high else { return [] }
        let (span, overflow) = high.subtractingReportingOverflow(low)
        guard !overflow, span < 1 << 26 else { return nil }
        var wanted = [UInt64](repeating: 0, count: Int(span) / 64 + 1)
        for row in rows {
            let offset = Int(values[Int(row)] &- low)
            wanted[offset >> 6] |= 1 << UInt64(offset & 63)
        }
        var members: [Int32] = []
        let width = UInt64(span)
        values.withUnsafeBufferPointer { values in
            wanted.withUnsafeBufferPointer { wanted in
                for row in 0..<values.count {
                    let offset = UInt64(bitPattern: values[row] &- low)
                    if offset <= width, wanted[Int(offset >> 6)] & (1 << (offset & 63)) != 0 { members.append(Int32(row)) }
                }
            }
        }
        return members.count > limit ? nil : members
    }

    func partitionRows(by: BoundExpr, of rows: [Int32], entity: Entity) throws -> [Int32]? {
        let n = entity.rowCount
        guard fastPaths.partitionRowsApply(rows: rows.count, of: entity) else { return nil }
        let partition = try evaluate(by, EvalContext(allOf: entity)).expanded(to: n)
        if case .int(let values) = partition.data, !partition.nulls.hasNulls {
            return Self.rows(of: values, sharingValuesWith: rows, limit: n / 8)
        }
        guard let coded = try KeyCodes.encode(SortKey(column: partition, descending: false, nullsFirst: false), count: n,
                                              poll: services.checkInterrupt) else { return nil }
        var members: [Int32] = []
        if coded.bits <= 26 {
            // A bit per code: a probe of a hash set per row cost more than
            // the rest of the search.
            var wanted = [UInt64](repeating: 0, count: ((1 << coded.bits) + 63) >> 6)
            for row in rows {
                let code = Int(coded.codes[Int(row)])
                wanted[code >> 6] |= 1 << UInt64(code & 63)
            }
            coded.codes.withUnsafeBufferPointer { codes in
                for row in 0..<n {
                    let code = Int(codes[row])
                    if wanted[code >> 6] & (1 << UInt64(code & 63)) != 0 { members.append(Int32(row)) }
                }
            }
        } else {
            var wanted = Set<UInt64>(minimumCapacity: rows.count)
            for row in rows { wanted.insert(coded.codes[Int(row)]) }
            for row in 0..<n where wanted.contains(coded.codes[row]) { members.append(Int32(row)) }
        }
        return members.count > n / 8 ? nil : members
    }
}

/// The running state of one partition.
struct RunningAccumulator {
    let function: RunningFunction
    let isInt: Bool
    let range: SourceRange
    private var count: Int64 = 0
    private var intSum: Int64 = 0
    private var hundredthsSum: Int64 = 0
    private var usesHundredths = false
    private var sum = CompensatedSum()

    init(function: RunningFunction, isInt: Bool, range: SourceRange) {
        self.function = function
        self.isInt = isInt
        self.range = range
    }

    mutating func reset() {
        count = 0
        intSum = 0
        hundredthsSum = 0
        sum = CompensatedSum()
    }

    /// A row without an argument (`running_count(order: placed)`).
    mutating func countRow() { count += 1 }

    mutating func add(_ value: Value) throws {
        count += 1
        guard function != .count else { return }
        switch value {
        case .int(let v):
            if isInt {
                let (next, overflow) = intSum.addingReportingOverflow(v)
                if overflow { throw Diagnostic.runtime("integer overflow in \(function.rawValue)", range) }
                intSum = next
            } else {
                sum.add(Double(v))
            }
        default:
            sum.add(value.doubleValue ?? 0)
        }
    }

    /// A money value as its whole hundredths: exact however many are added.
    mutating func add(hundredths: Int64) {
        count += 1
        usesHundredths = true
        // Each count fits 32 bits, so 2^31 rows of them fit 64.
        hundredthsSum &+= hundredths
    }

    var value: Value {
        switch function {
        case .count: return .int(count)
        case .sum:
            guard count > 0 else { return .null }
            return isInt ? .int(intSum) : .number(total)
        case .avg:
            guard count > 0 else { return .null }
            return .number(isInt ? Double(intSum) / Double(count) : total / Double(count))
        }
    }

    private var total: Double {
        usesHundredths ? Double(hundredthsSum) / 100 : sum.value
    }
}
