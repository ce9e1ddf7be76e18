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
    /// Measures the aggregates read (`avg(satisfaction)`): output fields
    /// past the stored ones are these, in order, computed over the whole
    /// entity (and kept) when the grouping runs.
    private let measures: [(name: String, range: SourceRange)]

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
        var measures: [(name: String, range: SourceRange)] = []
        for item in bound.items {
            switch item.expr.node {
            case .groupKey(let index) where index >= 0 && index < keyFields.count:
                outputs.append(.key(index))
            case .groupAggregate(let aggregate) where !aggregate.distinct:
                guard let output = DenseAggregation.output(aggregate, type: item.expr.type, range: item.expr.range,
                                                           entity, measures: &measures) else { return nil }
                outputs.append(output)
            default:
                return nil
            }
        }
        self.keyFields = keyFields
        self.radices = radices
        slotCount = slots
        self.outputs = outputs
        self.measures = measures
    }

    private static func output(_ aggregate: GroupAggregate, type: DataType, range: SourceRange, _ entity: Entity,
                               measures: inout [(name: String, range: SourceRange)]) -> Output? {
        guard let argument = aggregate.argument else { return aggregate.function == .count ? .count(field: nil) : nil }
        if case .computed(let owner, let name) = argument.node, owner == entity.name {
            // The measure's values are known only when it runs: its type
            // stands for them, and `run` checks that they have that kind.
            let field = entity.columns.count + measures.count
            measures.append((name, argument.range))
            switch (aggregate.function, type, argument.type) {
            case (.count, _, _): return .count(field: field)
            case (.sum, .int, .int), (.sum, .number, .number): return .sum(field: field, range: range)
            case (.avg, .number, .int), (.avg, .number, .number): return .average(field: field)
            default: return nil
            }
        }
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
        /// A money field's counts of hundredths (or a money measure's
        /// units), row for row, and each slot's exact total of them (see
        /// `Aggregation`).
        var exact: ExactValues?
        var exactSums: UnsafeMutableBufferPointer<Int64>?

        init(_ output: Output, _ columns: [Column], slots: Int, exact: ExactValues?) {
            func zeroed<T>(_ value: T) -> UnsafeMutableBufferPointer<T> {
                let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: slots)
                buffer.initialize(repeating: value)
                return buffer
            }
            switch output {
            case .key, .count(nil):
                break
            case .count(let field?):
                if columns[field].nulls.hasNulls { counts = zeroed(0) }
            case .sum(let field, _):
                if case .int = columns[field].data {
                    intSums = zeroed(0)
                } else if let exact {
                    self.exact = exact
                    exactSums = zeroed(0)
                } else {
                    sums = zeroed(CompensatedSum())
                }
                present = zeroed(0)
            case .average:
                if let exact {
                    self.exact = exact
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

    /// Every running state of one pass over rows: each slot's first row,
    /// its row count (four counts a slot, row i adding to count i % 4:
    /// consecutive rows of one group, most rows with four channels, then
    /// add to different memory instead of each waiting on the last's
    /// store), and each output's accumulator.
    private final class Partial {
        let firstRow: UnsafeMutableBufferPointer<Int32>
        let laneCounts: UnsafeMutableBufferPointer<Int64>
        let accumulators: [Accumulator]
        /// Set when a money measure's exact total overflowed.
        var inexact = false

        init(_ aggregation: DenseAggregation, _ columns: [Column], exact: [ExactValues?]) {
            let slots = aggregation.slotCount
            firstRow = .allocate(capacity: slots)
            firstRow.initialize(repeating: -1)
            laneCounts = .allocate(capacity: slots &* 4)
            laneCounts.initialize(repeating: 0)
            accumulators = aggregation.outputs.indices.map {
                Accumulator(aggregation.outputs[$0], columns, slots: slots, exact: exact[$0])
            }
        }

        deinit {
            firstRow.deallocate()
            laneCounts.deallocate()
            for accumulator in accumulators { accumulator.free() }
        }
    }

    // TUNING: per-morsel states are kept until they are combined in order;
    // past 1,024 slots (a million rows: 62 morsels of a few hundred KB) the
    // groupings run on one thread as before.
    private static let maximumMorselSlots = 1 << 10

    /// The threads a grouping of `rows` rows runs on, for `explain`: nil for one.
    static func shownDegree(_ bound: BoundQuery, _ entity: Entity, rows: Int, _ parallelism: Parallelism) -> Int? {
        guard let degree = parallelism.shown(rows: rows), let dense = DenseAggregation(bound, entity),
              dense.slotCount <= maximumMorselSlots else { return nil }
        return degree
    }

    /// The shown columns, one row per group in ascending key order, and the
    /// number of groups. The rows are read a chunk at a time (`KeptRows`):
    /// each chunk's slots, and the values an aggregate gathers at its rows,
    /// are a few kilobytes that stay in the cache, where arrays as long as
    /// the rows were written to memory and read back. The rows count
    /// against the statement's limits, as an evaluated column does.
    ///
    /// Rows enough to split (`Parallelism`) are read in morsels, each into
    /// a state of its own, on the session's threads; the states are then
    /// combined in morsel order, so a float sum adds the same partial sums
    /// in the same order whatever the thread count. An int sum that
    /// overflows fails in a morsel or where two morsels' totals are added.
    ///
    /// The measures the aggregates read are computed first (or taken from
    /// the session's cache), over the whole entity. Nil when one does not
    /// have the kind of values its type promised, or when a money
    /// measure's exact total leaves the range where it is exact: the
    /// general path then answers, as it would have.
    func run(_ entity: Entity, _ selection: KeptRows, evaluator: Evaluator,
             parallelism: Parallelism = .serial) throws -> (outputs: [Column], groupCount: Int)? {
        let services = evaluator.services
        var columns = entity.columns
        for measure in measures {
            // What computing a measure runs is not this plan's to show.
            let column = try evaluator.unplanned {
                try services.computedColumn(entity: entity.name, field: measure.name, catalog: evaluator.catalog,
                                            evaluator: evaluator, range: measure.range)
            }
            guard column.count == entity.rowCount else { return nil }
            columns.append(column)
        }
        if !measures.isEmpty {
            evaluator.record(.measure)
            for output in outputs {
                switch output {
                case .sum(let field, _) where field >= entity.columns.count:
                    switch columns[field].data { case .int, .number: break; default: return nil }
                case .average(let field) where field >= entity.columns.count:
                    switch columns[field].data { case .int, .number: break; default: return nil }
                default: break
                }
            }
        }
        try services.checkInterrupt(materializing: selection.count)
        guard let exact = exactValuesOfOutputs(entity, columns, services) else { return nil }
        let total: Partial
        if slotCount <= DenseAggregation.maximumMorselSlots, parallelism.splits(selection.count) {
            let morsels = Self.morselCount(selection, parallelism)
            let partials = (0..<morsels).map { _ in Partial(self, columns, exact: exact) }
            try Parallel.forEach(morsels: morsels, threads: parallelism.degree(rows: selection.count), stop: services.buildStop) { morsel in
                try Self.forEachChunk(selection, morsel: morsel, parallelism) { rows in try add(rows, into: partials[morsel], columns) }
            }
            try services.checkInterrupt()
            total = partials[0]
            for partial in partials.dropFirst() { try combine(partial, into: total) }
        } else {
            total = Partial(self, columns, exact: exact)
            try selection.forEachChunk { rows in try add(rows, into: total, columns) }
        }
        if total.inexact { return nil }
        return outputColumns(total, columns)
    }

    /// The morsels of a selection: of its list, or of its bitmap's rows.
    private static func morselCount(_ selection: KeptRows, _ parallelism: Parallelism) -> Int {
        switch selection {
        case .rows(let rows): return parallelism.morsels(rows.count)
        case .all(let count): return parallelism.morsels(count)
        case .bits(let words): return parallelism.morsels(words.count &<< 6)
        }
    }

    /// `KeptRows.forEachChunk` over one morsel of the selection.
    private static func forEachChunk(_ selection: KeptRows, morsel: Int, _ parallelism: Parallelism,
                                     _ body: (UnsafeBufferPointer<Int32>) throws -> Void) throws {
        switch selection {
        case .all:
            try forEachChunk(.rows(selection.rows), morsel: morsel, parallelism, body)
        case .rows(let rows):
            let range = parallelism.morsel(morsel, of: rows.count)
            try rows.withUnsafeBufferPointer { rows in
                var start = range.lowerBound
                while start < range.upperBound {
                    let end = min(start + KeptRows.chunkRows, range.upperBound)
                    try body(UnsafeBufferPointer(rebasing: rows[start..<end]))
                    start = end
                }
            }
        case .bits(let words):
            // Morsels of whole words: `morselRows` is a multiple of 64.
            let range = parallelism.morsel(morsel, of: words.count &<< 6)
            try words.withUnsafeBufferPointer { words in
                try KeptRows.forEachChunk(of: UnsafeBufferPointer(rebasing: words[(range.lowerBound >> 6)..<(range.upperBound >> 6)]),
                                          base: range.lowerBound, body)
            }
        }
    }

    /// Adds one chunk of rows into a state.
    private func add(_ rows: UnsafeBufferPointer<Int32>, into partial: Partial, _ columns: [Column]) throws {
        try withUnsafeTemporaryAllocation(of: Int32.self, capacity: rows.count) { slots in
            try withUnsafeTemporaryAllocation(of: Double.self, capacity: rows.count) { values in
                slots.initialize(repeating: 0)
                for (index, field) in keyFields.enumerated() {
                    Sorting.addDenseDigits(slots, columns[field], radix: radices[index], rows: rows)
                }
                let firstRow = partial.firstRow, laneCounts = partial.laneCounts
                for index in 0..<rows.count {
                    let s = Int(slots[index])
                    if firstRow[s] < 0 { firstRow[s] = rows[index] }
                    laneCounts[s &<< 2 | index & 3] &+= 1
                }
                for (position, output) in outputs.enumerated() {
                    if try accumulate(output, partial.accumulators[position], columns, rows, UnsafeBufferPointer(slots), values) {
                        partial.inexact = true
                    }
                }
            }
        }
    }

    /// Adds a later morsel's state into `total`.
    private func combine(_ partial: Partial, into total: Partial) throws {
        for s in 0..<slotCount where total.firstRow[s] < 0 { total.firstRow[s] = partial.firstRow[s] }
        for i in 0..<(slotCount &* 4) { total.laneCounts[i] &+= partial.laneCounts[i] }
        for (position, output) in outputs.enumerated() {
            let from = partial.accumulators[position], into = total.accumulators[position]
            for s in 0..<slotCount {
                if let counts = into.counts, let more = from.counts { counts[s] &+= more[s] }
                if let sums = into.intSums, let more = from.intSums {
                    let (sum, overflow) = sums[s].addingReportingOverflow(more[s])
                    if overflow, case .sum(_, let range) = output { throw Diagnostic.runtime("integer overflow in sum", range) }
                    sums[s] = sum
                }
                if let sums = into.exactSums, let more = from.exactSums {
                    let (sum, overflow) = sums[s].addingReportingOverflow(more[s])
                    if overflow { total.inexact = true }
                    sums[s] = sum
                }
                if let sums = into.sums, let more = from.sums { sums[s].add(more[s]) }
                if let present = into.present, let more = from.present { present[s] &+= more[s] }
            }
        }
    }

    /// The shown columns from a pass's state.
    private func outputColumns(_ state: Partial, _ fields: [Column]) -> (outputs: [Column], groupCount: Int)? {
        let firstRow = state.firstRow, laneCounts = state.laneCounts
        let rowCount = (0..<slotCount).map { (slot: Int) -> Int64 in
            laneCounts[(slot &<< 2)..<(slot &<< 2 &+ 4)].reduce(0, &+)
        }
        let occurring = (0..<slotCount).filter { firstRow[$0] >= 0 }
        let groupRows = occurring.map { firstRow[$0] }
        var columns: [Column] = []
        for (position, output) in outputs.enumerated() {
            let state = state.accumulators[position]
            switch output {
            case .key(let index):
                columns.append(fields[keyFields[index]].gather(groupRows))
            case .count:
                let counts = state.counts.map { UnsafeBufferPointer($0) }
                columns.append(Column(type: .int, data: .int(occurring.map { counts?[$0] ?? rowCount[$0] })))
            case .sum, .average:
                if let sums = state.exactSums, let present = state.present {
                    let function: AggregateFunction
                    if case .average = output { function = .avg } else { function = .sum }
                    let totals = occurring.map { sums[$0] }, counts = occurring.map { present[$0] }
                    if case .units(_, let places)? = state.exact {
                        // As `Evaluator.decimalSums`: exact below 2^53 units.
                        if totals.contains(where: { $0.magnitude >= Evaluator.exactUnitLimit }) { return nil }
                        columns.append(Aggregation.decimalResults(function, totals, counts, places: places))
                    } else {
                        columns.append(Aggregation.exactResults(function, totals, counts))
                    }
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

    /// What an aggregate adds exactly instead of its floats: a money
    /// field's counts of hundredths (see `Aggregation`), or a money
    /// measure's values in units of its places (see
    /// `Evaluator.decimalSums`), row for row over the whole entity.
    enum ExactValues {
        case hundredths([Int32])
        case units([Int64], places: Int)
    }

    /// Each output's exact values, looked up before any thread starts: a
    /// lookup may build the copy, and builds bind to the statement's
    /// thread. Nil when a money measure has a value too large to count in
    /// units: the general path adds its floats then.
    @inline(never)
    private func exactValuesOfOutputs(_ entity: Entity, _ columns: [Column], _ services: ExecutionServices) -> [ExactValues?]? {
        var exact: [ExactValues?] = []
        for output in outputs {
            switch output {
            case .sum(let field, _), .average(let field):
                guard case .number = columns[field].data else { exact.append(nil); continue }
                if field < entity.columns.count {
                    if let scaled = services.indexes.hundredths(of: entity, field: entity.fields[field].name),
                       scaled.counts.count == columns[field].count {
                        exact.append(.hundredths(scaled.counts))
                    } else {
                        exact.append(nil)
                    }
                } else if case .decimal(let places) = columns[field].style {
                    guard let units = Evaluator.units(columns[field], places: places, shift: 0) else { return nil }
                    exact.append(.units(units, places: places))
                } else {
                    exact.append(nil)
                }
            default:
                exact.append(nil)
            }
        }
        return exact
    }

    /// Adds one chunk of rows into an aggregate's state. A number field's
    /// values are first gathered into `values` by a bare loop, which keeps
    /// many of a large table's cache misses in flight; a loop that also
    /// adds into per-group sums waits on each.
    /// True when a money measure's exact total overflowed.
    private func accumulate(_ output: Output, _ state: Accumulator, _ columns: [Column],
                            _ rows: UnsafeBufferPointer<Int32>, _ slots: UnsafeBufferPointer<Int32>,
                            _ values: UnsafeMutableBufferPointer<Double>) throws -> Bool {
        switch output {
        case .key, .count(nil):
            return false
        case .count(let field?):
            guard let counts = state.counts else { return false }
            let nulls = columns[field].nulls
            for index in 0..<rows.count where !nulls.isNull(Int(rows[index])) { counts[Int(slots[index])] &+= 1 }
            return false
        case .sum(let field, let range):
            let column = columns[field]
            if let sums = state.intSums, let present = state.present {
                guard case .int(let data) = column.data else { return false }
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
                return false
            }
            return addNumbers(column, state, rows, slots, values)
        case .average(let field):
            return addNumbers(columns[field], state, rows, slots, values)
        }
    }

    @inline(__always)
    private func addNumbers(_ column: Column, _ state: Accumulator, _ rows: UnsafeBufferPointer<Int32>,
                            _ slots: UnsafeBufferPointer<Int32>, _ values: UnsafeMutableBufferPointer<Double>) -> Bool {
        if let exact = state.exact, let sums = state.exactSums, let present = state.present {
            let nulls = column.nulls
            let checkNulls = nulls.hasNulls
            switch exact {
            case .hundredths(let hundredths):
                hundredths.withUnsafeBufferPointer { hundredths in
                    for index in 0..<rows.count {
                        let row = Int(rows[index])
                        if checkNulls && nulls.isNull(row) { continue }
                        let s = Int(slots[index])
                        sums[s] &+= Int64(hundredths[row])
                        present[s] &+= 1
                    }
                }
                return false
            case .units(let units, _):
                var overflowed = false
                units.withUnsafeBufferPointer { units in
                    for index in 0..<rows.count {
                        let row = Int(rows[index])
                        if checkNulls && nulls.isNull(row) { continue }
                        let s = Int(slots[index])
                        let (sum, overflow) = sums[s].addingReportingOverflow(units[row])
                        overflowed = overflowed || overflow
                        sums[s] = sum
                        present[s] &+= 1
                    }
                }
                return overflowed
            }
        }
        guard let sums = state.sums, let present = state.present else { return false }
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
            return false
        }
        let nulls = column.nulls
        let checkNulls = nulls.hasNulls
        for index in 0..<rows.count {
            if checkNulls && nulls.isNull(Int(rows[index])) { continue }
            let s = Int(slots[index])
            sums[s].add(values[index])
            present[s] &+= 1
        }
        return false
    }
}
