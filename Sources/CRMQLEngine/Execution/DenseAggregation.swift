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
/// through the same compensated sum (or, for money, the same exact sum of
/// hundredths, see `Aggregation`), the same error when an int sum
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

    /// One aggregate's running state, per slot, in buffers this run
    /// allocates and frees: arrays captured by the chunk loop's closure
    /// were checked for exclusive access, and for being shared, at every row.
    private struct Accumulator {
        var counts: UnsafeMutableBufferPointer<Int64>?
        var intSums: UnsafeMutableBufferPointer<Int64>?
        var sums: UnsafeMutableBufferPointer<CompensatedSum>?
        var present: UnsafeMutableBufferPointer<Int>?
        /// A money field's counts of hundredths, row for row, and each
        /// slot's exact total of them (see `Aggregation`).
        var hundredths: [Int32]?
        var exactSums: UnsafeMutableBufferPointer<Int64>?

        init(_ output: Output, _ entity: Entity, slots: Int, hundredths: [Int32]?) {
            func zeroed<T>(_ value: T) -> UnsafeMutableBufferPointer<T> {
                let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: slots)
                buffer.initialize(repeating: value)
                return buffer
            }
            switch output {
            case .key, .count(nil):
                break
            case .count(let field?):
                if entity.columns[field].nulls.hasNulls { counts = zeroed(0) }
            case .sum(let field, _):
                if case .int = entity.columns[field].data {
                    intSums = zeroed(0)
                } else if let hundredths {
                    self.hundredths = hundredths
                    exactSums = zeroed(0)
                } else {
                    sums = zeroed(CompensatedSum())
                }
                present = zeroed(0)
            case .average:
                if let hundredths {
                    self.hundredths = hundredths
                    exactSums = zeroed(0)
                } else {
                    sums = zeroed(CompensatedSum())
                }
                present = zeroed(0)
            }
        }

        func free() {
            counts?.deallocate()
            intSums?.deallocate()
            sums?.deallocate()
            present?.deallocate()
            exactSums?.deallocate()
        }
    }

    /// The shown columns, one row per group in ascending key order, and the
    /// number of groups. The rows are read a chunk at a time (`KeptRows`):
    /// each chunk's slots, and the values an aggregate gathers at its rows,
    /// are a few kilobytes that stay in the cache, where arrays as long as
    /// the rows were written to memory and read back. The rows count
    /// against the statement's limits, as an evaluated column does.
    func run(_ entity: Entity, _ selection: KeptRows, services: ExecutionServices) throws -> (outputs: [Column], groupCount: Int) {
        try services.checkInterrupt(materializing: selection.count)
        var firstRow = [Int32](repeating: -1, count: slotCount)
        // Four counts a slot, row i adding to count i % 4: consecutive rows
        // of one group (most rows, with four channels) then add to
        // different memory, instead of each waiting on the last's store.
        var laneCounts = [Int64](repeating: 0, count: slotCount &* 4)
        let accumulators = makeAccumulators(entity, services)
        defer { for accumulator in accumulators { accumulator.free() } }
        var slotBuffer = [Int32](repeating: 0, count: KeptRows.chunkRows)
        var valueBuffer = [Double](repeating: 0, count: KeptRows.chunkRows)
        try firstRow.withUnsafeMutableBufferPointer { firstRow in
            try laneCounts.withUnsafeMutableBufferPointer { laneCounts in
                try slotBuffer.withUnsafeMutableBufferPointer { slotBuffer in
                    try valueBuffer.withUnsafeMutableBufferPointer { values in
                        try selection.forEachChunk { rows in
                            let slots = UnsafeMutableBufferPointer(rebasing: slotBuffer[0..<rows.count])
                            slots.update(repeating: 0)
                            for (index, field) in keyFields.enumerated() {
                                Sorting.addDenseDigits(slots, entity.columns[field], radix: radices[index], rows: rows)
                            }
                            for index in 0..<rows.count {
                                let s = Int(slots[index])
                                if firstRow[s] < 0 { firstRow[s] = rows[index] }
                                laneCounts[s &<< 2 | index & 3] &+= 1
                            }
                            for (position, output) in outputs.enumerated() {
                                try accumulate(output, accumulators[position], entity, rows, UnsafeBufferPointer(slots), values)
                            }
                        }
                    }
                }
            }
        }
        let rowCount = (0..<slotCount).map { (slot: Int) -> Int64 in
            laneCounts[(slot &<< 2)..<(slot &<< 2 &+ 4)].reduce(0, &+)
        }
        let occurring = (0..<slotCount).filter { firstRow[$0] >= 0 }
        let groupRows = occurring.map { firstRow[$0] }
        var columns: [Column] = []
        for (position, output) in outputs.enumerated() {
            let state = accumulators[position]
            switch output {
            case .key(let index):
                columns.append(entity.columns[keyFields[index]].gather(groupRows))
            case .count:
                let counts = state.counts.map { UnsafeBufferPointer($0) }
                columns.append(Column(type: .int, data: .int(occurring.map { counts?[$0] ?? rowCount[$0] })))
            case .sum, .average:
                if let sums = state.exactSums, let present = state.present {
                    let function: AggregateFunction
                    if case .average = output { function = .avg } else { function = .sum }
                    let exact = Aggregation.exactResults(function, occurring.map { sums[$0] }, occurring.map { present[$0] })
                    columns.append(exact)
                } else if let sums = state.intSums, let present = state.present {
                    columns.append(Column(type: .int, data: .int(occurring.map { sums[$0] }),
                                          nulls: NullBitmap(count: occurring.count) { present[occurring[$0]] == 0 }))
                } else if let sums = state.sums, let present = state.present {
                    let average: Bool
                    if case .average = output { average = true } else { average = false }
                    columns.append(Column(type: .number, data: .number(occurring.map {
                        average ? (present[$0] > 0 ? sums[$0].value / Double(present[$0]) : 0) : sums[$0].value
                    }), nulls: NullBitmap(count: occurring.count) { present[occurring[$0]] == 0 }))
                } else {
                    columns.append(Column.nulls(occurring.count, type: .number))
                }
            }
        }
        return (columns, occurring.count)
    }

    /// Each output's running state, with the counts of hundredths of a
    /// money field it sums (see `Aggregation`).
    @inline(never)
    private func makeAccumulators(_ entity: Entity, _ services: ExecutionServices) -> [Accumulator] {
        outputs.map { output -> Accumulator in
            var hundredths: [Int32]? = nil
            switch output {
            case .sum(let field, _), .average(let field):
                if case .number = entity.columns[field].data,
                   let scaled = services.indexes.hundredths(of: entity, field: entity.fields[field].name),
                   scaled.counts.count == entity.columns[field].count {
                    hundredths = scaled.counts
                }
            default:
                break
            }
            return Accumulator(output, entity, slots: slotCount, hundredths: hundredths)
        }
    }

    /// Adds one chunk of rows into an aggregate's state. A number field's
    /// values are first gathered into `values` by a bare loop, which keeps
    /// many of a large table's cache misses in flight; a loop that also
    /// adds into per-group sums waits on each.
    private func accumulate(_ output: Output, _ state: Accumulator, _ entity: Entity,
                            _ rows: UnsafeBufferPointer<Int32>, _ slots: UnsafeBufferPointer<Int32>,
                            _ values: UnsafeMutableBufferPointer<Double>) throws {
        switch output {
        case .key, .count(nil):
            return
        case .count(let field?):
            guard let counts = state.counts else { return }
            let nulls = entity.columns[field].nulls
            for index in 0..<rows.count where !nulls.isNull(Int(rows[index])) { counts[Int(slots[index])] &+= 1 }
        case .sum(let field, let range):
            let column = entity.columns[field]
            if let sums = state.intSums, let present = state.present {
                guard case .int(let data) = column.data else { return }
                let nulls = column.nulls
                try data.withUnsafeBufferPointer { data in
                    for index in 0..<rows.count {
                        let row = Int(rows[index])
                        if nulls.isNull(row) { continue }
                        let s = Int(slots[index])
                        let (total, overflow) = sums[s].addingReportingOverflow(data[row])
                        if overflow { throw Diagnostic.runtime("integer overflow in sum", range) }
                        sums[s] = total
                        present[s] = 1
                    }
                }
            } else {
                addNumbers(column, state, rows, slots, values)
            }
        case .average(let field):
            addNumbers(entity.columns[field], state, rows, slots, values)
        }
    }

    @inline(__always)
    private func addNumbers(_ column: Column, _ state: Accumulator, _ rows: UnsafeBufferPointer<Int32>,
                            _ slots: UnsafeBufferPointer<Int32>, _ values: UnsafeMutableBufferPointer<Double>) {
        if let hundredths = state.hundredths, let sums = state.exactSums, let present = state.present {
            let nulls = column.nulls
            let checkNulls = nulls.hasNulls
            hundredths.withUnsafeBufferPointer { hundredths in
                for index in 0..<rows.count {
                    let row = Int(rows[index])
                    if checkNulls && nulls.isNull(row) { continue }
                    let s = Int(slots[index])
                    sums[s] &+= Int64(hundredths[row])
                    present[s] &+= 1
                }
            }
            return
        }
        guard let sums = state.sums, let present = state.present else { return }
        switch column.data {
        case .number(let data):
            data.withUnsafeBufferPointer { data in
                for index in 0..<rows.count { values[index] = data[Int(rows[index])] }
            }
        case .int(let data):
            data.withUnsafeBufferPointer { data in
                for index in 0..<rows.count { values[index] = Double(data[Int(rows[index])]) }
            }
        default:
            return
        }
        let nulls = column.nulls
        let checkNulls = nulls.hasNulls
        for index in 0..<rows.count {
            if checkNulls && nulls.isNull(Int(rows[index])) { continue }
            let s = Int(slots[index])
            sums[s].add(values[index])
            present[s] &+= 1
        }
    }
}
