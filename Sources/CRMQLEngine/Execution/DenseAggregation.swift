import CRMQLCore
import CRMQLStorage

/// `group by category show category, count(), sum(amount)` in one pass per
/// aggregate, straight from the stored columns.
///
/// When every key is a stored enum or bool field, a row's key tuple is a
/// mixed-radix number (`Sorting.denseGroups`), small enough to index arrays
/// of per-group accumulators directly. The general path gathers each key
/// and each aggregated field into new columns at the selected rows, numbers
/// the groups, and reduces; here each row's slot is computed from the
/// stored codes, and each aggregate reads its field at the row and adds
/// into its slot. Nothing row-sized is written but the slots, which matters
/// most when the rows are scattered over a table bigger than the cache.
///
/// Same answers as the general path: groups in ascending key order with
/// nulls last (the slots' order), each sum adding its values in row order
/// through the same compensated sum, the same error when an int sum
/// overflows. Nil for any other shape (a computed key, `having`, an order
/// key that is not a shown item, another aggregate, `distinct`).
struct DenseAggregation {
    private enum Output {
        case key(Int)
        case count(field: Int?)
        case sum(field: Int, range: SourceRange)
        case average(field: Int)
    }

    // TUNING: per-group accumulators are arrays indexed by slot; past this
    // many possible key tuples the general path's sort-free numbering wins.
    private static let maximumSlots = 1 << 16

    private let keyFields: [Int]
    private let radices: [Int]
    private let slotCount: Int
    private let outputs: [Output]

    init?(_ bound: BoundQuery, _ entity: Entity) {
        guard bound.having == nil, !bound.groupKeys.isEmpty else { return nil }
        for key in bound.orderBy {
            guard case .item = key.source else { return nil }
        }
        var keyFields: [Int] = [], radices: [Int] = []
        var slots = 1
        for key in bound.groupKeys {
            guard case .field(let field) = key.bound.node, field >= 0, field < entity.columns.count,
                  let radix = Sorting.denseRadix(entity.columns[field]) else { return nil }
            let (product, overflow) = slots.multipliedReportingOverflow(by: radix)
            guard !overflow, product <= DenseAggregation.maximumSlots else { return nil }
            slots = product
            keyFields.append(field)
            radices.append(radix)
        }
        var outputs: [Output] = []
        for item in bound.items {
            switch item.expr.node {
            case .groupKey(let index) where index >= 0 && index < keyFields.count:
                outputs.append(.key(index))
            case .groupAggregate(let aggregate) where !aggregate.distinct:
                guard let output = DenseAggregation.output(aggregate, type: item.expr.type, range: item.expr.range, entity) else { return nil }
                outputs.append(output)
            default:
                return nil
            }
        }
        self.keyFields = keyFields
        self.radices = radices
        slotCount = slots
        self.outputs = outputs
    }

    private static func output(_ aggregate: GroupAggregate, type: DataType, range: SourceRange, _ entity: Entity) -> Output? {
        guard let argument = aggregate.argument else { return aggregate.function == .count ? .count(field: nil) : nil }
        guard case .field(let field) = argument.node, field >= 0, field < entity.columns.count else { return nil }
        let data = entity.columns[field].data
        switch (aggregate.function, type, data) {
        case (.count, _, _): return .count(field: field)
        case (.sum, .int, .int), (.sum, .number, .number): return .sum(field: field, range: range)
        case (.avg, .number, .int), (.avg, .number, .number): return .average(field: field)
        default: return nil
        }
    }

    /// The shown columns, one row per group in ascending key order, and the
    /// number of groups. Each row-sized array counts against the
    /// statement's limits, as an evaluated column does.
    func run(_ entity: Entity, _ rows: [Int32], services: ExecutionServices) throws -> (outputs: [Column], groupCount: Int) {
        try services.checkInterrupt(materializing: rows.count)
        var slotOf = [Int32](repeating: 0, count: rows.count)
        for (index, field) in keyFields.enumerated() {
            Sorting.addDenseDigits(&slotOf, entity.columns[field], radix: radices[index], rows: rows)
        }
        // Which slots occur, the first row of each, and the rows in each.
        var firstRow = [Int32](repeating: -1, count: slotCount)
        var rowCount = [Int64](repeating: 0, count: slotCount)
        for (index, slot) in slotOf.enumerated() {
            let s = Int(slot)
            if firstRow[s] < 0 { firstRow[s] = rows[index] }
            rowCount[s] &+= 1
        }
        let slots = (0..<slotCount).filter { firstRow[$0] >= 0 }
        let groupRows = slots.map { firstRow[$0] }
        var columns: [Column] = []
        for output in outputs {
            switch output {
            case .key(let index):
                columns.append(entity.columns[keyFields[index]].gather(groupRows))
            case .count(nil):
                columns.append(Column(type: .int, data: .int(slots.map { rowCount[$0] })))
            case .count(let field?):
                let nulls = entity.columns[field].nulls
                guard nulls.hasNulls else {
                    columns.append(Column(type: .int, data: .int(slots.map { rowCount[$0] })))
                    continue
                }
                var counts = [Int64](repeating: 0, count: slotCount)
                for (index, row) in rows.enumerated() where !nulls.isNull(Int(row)) { counts[Int(slotOf[index])] &+= 1 }
                columns.append(Column(type: .int, data: .int(slots.map { counts[$0] })))
            case .sum(let field, let range):
                try services.checkInterrupt(materializing: rows.count)
                columns.append(try sum(values(entity, field, rows), slotOf, slots, range: range))
            case .average(let field):
                try services.checkInterrupt(materializing: rows.count)
                columns.append(average(values(entity, field, rows), slotOf, slots))
            }
        }
        return (columns, slots.count)
    }

    /// A field's values at the rows, in row order. A table bigger than the
    /// cache is read by a bare gather loop, which keeps many of its misses
    /// in flight; a loop that also adds into per-group sums waits on each.
    private func values(_ entity: Entity, _ field: Int, _ rows: [Int32]) -> Column {
        let column = entity.columns[field]
        return EvalContext(entity: entity, rows: rows).isAllRows ? column : column.gather(rows)
    }

    private func sum(_ column: Column, _ slotOf: [Int32], _ slots: [Int], range: SourceRange) throws -> Column {
        let nulls = column.nulls
        switch column.data {
        case .int(let values):
            var sums = [Int64](repeating: 0, count: slotCount)
            var seen = [Bool](repeating: false, count: slotCount)
            for index in 0..<min(values.count, slotOf.count) where !nulls.isNull(index) {
                let s = Int(slotOf[index])
                let (total, overflow) = sums[s].addingReportingOverflow(values[index])
                if overflow { throw Diagnostic.runtime("integer overflow in sum", range) }
                sums[s] = total
                seen[s] = true
            }
            return Column(type: .int, data: .int(slots.map { sums[$0] }), nulls: NullBitmap(count: slots.count) { !seen[slots[$0]] })
        case .number(let values):
            let (sums, counts) = compensatedSums(slotOf, nulls) { values[$0] }
            return Column(type: .number, data: .number(slots.map { sums[$0].value }),
                          nulls: NullBitmap(count: slots.count) { counts[slots[$0]] == 0 })
        default:
            return Column.nulls(slots.count, type: .number)
        }
    }

    private func average(_ column: Column, _ slotOf: [Int32], _ slots: [Int]) -> Column {
        let nulls = column.nulls
        let sums: [CompensatedSum], counts: [Int]
        switch column.data {
        case .int(let values): (sums, counts) = compensatedSums(slotOf, nulls) { Double(values[$0]) }
        case .number(let values): (sums, counts) = compensatedSums(slotOf, nulls) { values[$0] }
        default: return Column.nulls(slots.count, type: .number)
        }
        return Column(type: .number, data: .number(slots.map { counts[$0] > 0 ? sums[$0].value / Double(counts[$0]) : 0 }),
                      nulls: NullBitmap(count: slots.count) { counts[slots[$0]] == 0 })
    }

    /// Each slot's compensated sum and count of the present values, the
    /// value and null of row `index` of the selection at `index`.
    @inline(__always)
    private func compensatedSums(_ slotOf: [Int32], _ nulls: NullBitmap,
                                 _ value: (Int) -> Double) -> ([CompensatedSum], [Int]) {
        var sums = [CompensatedSum](repeating: CompensatedSum(), count: slotCount)
        var counts = [Int](repeating: 0, count: slotCount)
        let checkNulls = nulls.hasNulls
        sums.withUnsafeMutableBufferPointer { sums in
            counts.withUnsafeMutableBufferPointer { counts in
                slotOf.withUnsafeBufferPointer { slotOf in
                    for index in 0..<slotOf.count {
                        if checkNulls && nulls.isNull(index) { continue }
                        let s = Int(slotOf[index])
                        sums[s].add(value(index))
                        counts[s] &+= 1
                    }
                }
            }
        }
        return (sums, counts)
    }
}
