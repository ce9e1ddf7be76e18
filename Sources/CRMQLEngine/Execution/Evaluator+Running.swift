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
                 _ expr: BoundExpr, entity: Entity) throws -> Column {
        let n = entity.rowCount
        let all = EvalContext(allOf: entity)
        let values = try argument.map { try evaluate($0, all).expanded(to: n) }
        let orderColumn = try evaluate(order, all).expanded(to: n)
        let partition = try by.map { try evaluate($0, all).expanded(to: n) }
        try services.checkInterrupt(materializing: n)

        var keys: [SortKey] = []
        var partitionOf: [Int32]?
        if let partition {
            let grouping = try Sorting.groups([partition], count: n, poll: services.checkInterrupt)
            partitionOf = grouping.groupOf
            let numbers = Column(type: .int, data: .int(grouping.groupOf.map(Int64.init)))
            keys.append(SortKey(column: numbers, descending: false, nullsFirst: false))
        }
        keys.append(SortKey(column: orderColumn, descending: false, nullsFirst: false))
        if let key = entity.keyFieldIndex { keys.append(SortKey(column: entity.columns[key], descending: false, nullsFirst: false)) }
        let sequence = try Sorting.permutation(keys, count: n, poll: services.checkInterrupt)
        try services.checkInterrupt(materializing: n)

        // A money field adds exactly in hundredths, as `sum` does.
        let hundredths = function == .count ? nil : exactHundredths(.sum, argument, entity)
        var accumulator = RunningAccumulator(function: function, isInt: values?.type == .int, range: expr.range)
        var out = [Value](repeating: .null, count: n)
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
            out[row] = accumulator.value
        }
        return makeColumn(out, type: expr.type)
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
