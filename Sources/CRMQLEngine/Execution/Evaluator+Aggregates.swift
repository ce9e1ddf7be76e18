import CRMQLCore
import CRMQLStorage

extension Evaluator {
    /// `sum(orders.amount where …)` per row, or per group in a grouped query
    /// (then it ranges over the children of all the group's rows). Children
    /// come from the parent→children adjacency, never from a scan of the child.
    func relationAggregate(_ aggregate: RelationAggregate, _ expr: BoundExpr, _ context: EvalContext) throws -> Column {
        guard let child = catalog.store[aggregate.child] else { return Column.nulls(context.length, type: expr.type) }
        // A row's aggregate depends on that row alone, so one computed for
        // every row (in `where`) answers again for any rows (`order by`,
        // `show`) of the same query.
        let memoKey = context.grouping == nil ? RelationMemoKey(aggregate, parent: context.entity.name, type: expr.type) : nil
        var strategy = OperatorName.childSegmentAggregate
        if context.grouping == nil {
            // Outside a plan, ranges serve only a run over every parent row.
            strategy = planned?[expr.range]
                ?? (context.isAllRows ? fastPaths.relationStrategy(aggregate, type: expr.type, parent: context.entity, rows: context.rows.count)
                                      : .childSegmentAggregate)
        }
        record(strategy)
        if fastPaths.moneyField(aggregate.function, aggregate.argument, child) != nil { record(.exactMoneySum) }
        if let memoKey, let every = relationMemo[memoKey] {
            return context.isAllRows ? every : every.gather(context.rows)
        }
        if strategy == .clusteredChildRangeSum, let every = try rangesOfEveryParent(aggregate, expr, context.entity, child) {
            if let memoKey { relationMemo[memoKey] = every }
            return context.isAllRows ? every : every.gather(context.rows)
        }
        let result = try unplanned { try childSegments(aggregate, expr, context, child: child) }
        if let memoKey, context.isAllRows { relationMemo[memoKey] = result }
        return result
    }

    /// `ClusteredChildRangeSum`: the aggregate of every parent row at once,
    /// its children stored in parent order, each parent's children a range
    /// of the child's rows (`reduceRanges`). Nil when the index does not
    /// hold that layout any more (the planner checked it did).
    private func rangesOfEveryParent(_ aggregate: RelationAggregate, _ expr: BoundExpr, _ parent: Entity, _ child: Entity) throws -> Column? {
        guard let index = services.refIndex(child: child, refField: aggregate.refField, parent: parent),
              index.isClustered, index.parentCount == parent.rowCount, index.childRows.count == child.rowCount else { return nil }
        let values = try unplanned {
            try aggregate.argument.map { try evaluate($0, EvalContext(allOf: child)).expanded(to: child.rowCount) }
        }
        try services.checkInterrupt(materializing: parent.rowCount)
        let result = try Aggregation.reduceRanges(aggregate.function, values: values, offsets: index.offsets,
                                                  distinct: aggregate.distinct, type: expr.type, range: expr.range,
                                                  hundredths: fastPaths.moneyField(aggregate.function, aggregate.argument, child),
                                                  parallelism: parallelism,
                                                  stop: parallelism.splits(parent.rowCount) ? services.buildStop : nil)
        // Its threads stop between morsels when told; this fails the statement then.
        try services.checkInterrupt()
        return result
    }

    /// `ChildSegmentAggregate`: the children of the context's rows, each
    /// tagged with its row (or group), reduced per tag.
    private func childSegments(_ aggregate: RelationAggregate, _ expr: BoundExpr, _ context: EvalContext, child: Entity) throws -> Column {
        let (childRows, segments, segmentCount) = try children(of: context, child: child, refField: aggregate.refField, filter: aggregate.filter)
        // Each phase walks every child in question: the limits are checked between them.
        try services.checkInterrupt(materializing: childRows.count)
        let values = try aggregate.argument.map {
            try evaluate($0, EvalContext(entity: child, rows: childRows)).expanded(to: childRows.count)
        }
        try services.checkInterrupt()
        let hundredths = fastPaths.moneyField(aggregate.function, aggregate.argument, child).map { Self.counts($0, at: childRows) }
        return try Aggregation.reduce(aggregate.function, values: values, segments: segments, segmentCount: segmentCount,
                                      distinct: aggregate.distinct, fraction: aggregate.fraction, type: expr.type, range: expr.range,
                                      hundredths: hundredths, poll: services.checkInterrupt, parallelism: parallelism)
    }

    /// The counts of hundredths `function` adds when it sums a money field
    /// (`FastPaths.moneyField`); nil for anything else.
    func exactHundredths(_ function: AggregateFunction, _ argument: BoundExpr?, _ entity: Entity) -> [Int32]? {
        fastPaths.moneyField(function, argument, entity)
    }

    /// `counts` at `rows`, rows of the child entity the counts are of.
    static func counts(_ counts: [Int32], at rows: [Int32]) -> [Int32] {
        // Every child in order (a measure over every parent): the counts as they are.
        if EvalContext.areAllRows(rows, of: counts.count) { return counts }
        RowSelection.assertInside(rows, counts.count, "child rows lie outside their column")
        return counts.withUnsafeBufferPointer { counts in rows.map { counts[Int($0)] } }
    }

    /// `exists(child where …)` for each row (or group) of the context, by
    /// `strategy`: from the adjacency's offsets without a filter, by
    /// marking the parents of the children that pass, or by visiting each
    /// row's children.
    func exists(child childName: String, refField: Int, filter: BoundExpr?, strategy: OperatorName, _ context: EvalContext) throws -> Column {
        guard let child = catalog.store[childName] else { return makeBool(Array(repeating: false, count: context.length)) }
        if context.grouping == nil, strategy != .childExistsScan,
           let found = try unplanned({ try existsByMarkingParents(child, refField: refField, filter: filter, context) }) {
            return makeBool(found)
        }
        let (_, segments, segmentCount) = try unplanned { try children(of: context, child: child, refField: refField, filter: filter) }
        var found = [Bool](repeating: false, count: segmentCount)
        for segment in segments { found[Int(segment)] = true }
        return makeBool(found)
    }

    /// `exists(interactions where kind = complaint)` for many rows at once:
    /// the filter runs once over every child, in the child's own order (so
    /// through the column fast paths), and marks the parents of the rows it
    /// keeps; each row then reads its mark. Gathering the children of the
    /// rows instead reads the child's columns at random, one cache miss per
    /// child and column once they outgrow the cache. Nil when the rows are
    /// few next to the parents (under one in eight), where their children
    /// are few enough to gather, or when the filter could fail on a row
    /// (an overflow, a host function): then it must see only the rows'
    /// own children, or a child of another row could fail the query.
    private func existsByMarkingParents(_ child: Entity, refField: Int, filter: BoundExpr?, _ context: EvalContext) throws -> [Bool]? {
        let parent = context.entity
        if filter == nil {
            // Without a filter a row's children need not be read at all.
            let offsets = try services.children(parent: parent, child: child, refField: refField).offsets
            return context.rows.map { row in
                let r = Int(row)
                return r >= 0 && r + 1 < offsets.count && offsets[r + 1] > offsets[r]
            }
        }
        // Which rows it pays for is `FastPaths.existsStrategy`'s rule; a
        // filter that could fail on a row must not run over other rows'
        // children.
        guard let filter, filter.cannotFail else { return nil }
        let parentOf = try services.refPositions(child: child, refField: refField, parent: parent)
        let passing = try self.filter(filter, EvalContext(allOf: child))
        var marked = [Bool](repeating: false, count: parent.rowCount)
        for row in passing {
            let p = Int(parentOf[Int(row)])
            if p >= 0 && p < marked.count { marked[p] = true }
        }
        return context.rows.map { row in
            let r = Int(row)
            return r >= 0 && r < marked.count && marked[r]
        }
    }

    /// The child rows of the context's rows (filtered), each with the segment
    /// it belongs to: the row's index, or its group in a grouped query.
    private func children(of context: EvalContext, child: Entity, refField: Int, filter: BoundExpr?) throws -> ([Int32], [Int32], Int) {
        if context.isAllRows && context.grouping == nil {
            return try childrenOfEveryRow(context, child: child, refField: refField, filter: filter)
        }
        let adjacency = try services.children(parent: context.entity, child: child, refField: refField)
        let groupOf = context.grouping?.groupOf
        // Counted first, so both lists are allocated once at their size.
        var total = 0
        for row in context.rows { total += Int(adjacency.offsets[Int(row) + 1] - adjacency.offsets[Int(row)]) }
        // Tens of millions of children take longer than a poll may wait:
        // the copy and the filter below ask every `pollRows` rows.
        let pollRows = 1 << 16
        var childRows = [Int32](repeating: 0, count: total)
        var segments = [Int32](repeating: 0, count: total)
        try childRows.withUnsafeMutableBufferPointer { childOut in
            try segments.withUnsafeMutableBufferPointer { segmentOut in
                try adjacency.rows.withUnsafeBufferPointer { adjacent in
                    var next = 0
                    for (index, row) in context.rows.enumerated() {
                        if index & (pollRows - 1) == 0 { try services.checkInterrupt() }
                        let start = Int(adjacency.offsets[Int(row)]), end = Int(adjacency.offsets[Int(row) + 1])
                        if start == end { continue }
                        let segment = groupOf.map { $0[index] } ?? Int32(truncatingIfNeeded: index)
                        for position in start..<end {
                            childOut[next] = adjacent[position]
                            segmentOut[next] = segment
                            next += 1
                        }
                    }
                }
            }
        }
        if let filter, !childRows.isEmpty {
            let condition = try evaluate(filter, EvalContext(entity: child, rows: childRows))
            let flags = condition.bools
            var keptRows: [Int32] = [], keptSegments: [Int32] = []
            for index in 0..<childRows.count {
                if index & (pollRows - 1) == 0 { try services.checkInterrupt() }
                let at = condition.at(index)
                if flags[at] && !condition.isNull(at) {
                    keptRows.append(childRows[index])
                    keptSegments.append(segments[index])
                }
            }
            childRows = keptRows
            segments = keptSegments
        }
        return (childRows, segments, context.length)
    }

    /// Every parent row at once: the child table in its own order, each row
    /// tagged with its parent's position, so no child column is gathered
    /// when every child has a parent and no filter applies.
    private func childrenOfEveryRow(_ context: EvalContext, child: Entity, refField: Int, filter: BoundExpr?) throws -> ([Int32], [Int32], Int) {
        let parentOf = try services.refPositions(child: child, refField: refField, parent: context.entity)
        // The adjacency lists only children with a parent, so its length
        // says whether every child has one without reading `parentOf`.
        if filter == nil, try services.children(parent: context.entity, child: child, refField: refField).rows.count == parentOf.count {
            // Every child counts and has a parent: its parent's row is its segment.
            return (AllRows.of(count: child.rowCount), parentOf, context.length)
        }
        var candidates = AllRows.of(count: child.rowCount)
        if let filter { candidates = try self.filter(filter, EvalContext(entity: child, rows: candidates)) }
        var rows: [Int32] = []
        var segments: [Int32] = []
        rows.reserveCapacity(candidates.count)
        segments.reserveCapacity(candidates.count)
        for (index, row) in candidates.enumerated() {
            if index & 0xFFFF == 0 { try services.checkInterrupt() }
            let parent = parentOf[Int(row)]
            if parent >= 0 {
                rows.append(row)
                segments.append(parent)
            }
        }
        return (rows, segments, context.length)
    }

    func groupAggregate(_ aggregate: GroupAggregate, _ expr: BoundExpr, _ context: EvalContext) throws -> Column {
        let rowsContext = context.ungrouped
        let segments: [Int32]
        let count: Int
        if let grouping = context.grouping {
            segments = grouping.groupOf
            count = grouping.count
        } else {
            segments = [Int32](repeating: 0, count: context.rows.count)
            count = 1
        }
        let values = try aggregate.argument.map { try evaluate($0, rowsContext).expanded(to: context.rows.count) }
        let hundredths = exactHundredths(aggregate.function, aggregate.argument, context.entity).map {
            rowsContext.isAllRows ? $0 : Self.counts($0, at: rowsContext.rows)
        }
        if hundredths != nil { record(.exactMoneySum) }
        return try Aggregation.reduce(aggregate.function, values: values, segments: segments, segmentCount: count,
                                      distinct: aggregate.distinct, fraction: aggregate.fraction, type: expr.type, range: expr.range,
                                      hundredths: hundredths, poll: services.checkInterrupt)
    }

    /// ntile, quintile, percent_rank, rank and share over every row of the
    /// entity with a present value; with `by`, over each partition of the
    /// rows that share a value of it (null being a value of its own).
    func population(_ function: PopulationFunction, _ column: Column, k: Int64, by partition: Column?, type: DataType,
                    _ expr: BoundExpr, entity: Entity) throws -> Column {
        if partition == nil, let whole = try wholePopulation(function, column, k: k, type: type) { return whole }
        if partition == nil, function == .shareAbove, type == .number,
           let whole = try wholeShareAbove(column, keys: entity.keyFieldIndex.map { entity.columns[$0] }) {
            return whole
        }
        let n = column.count
        var values: [Double?] = []
        values.reserveCapacity(n)
        let doubles = column.doubles
        for row in 0..<n { values.append(column.isNull(row) ? nil : doubles[row]) }
        let keys = entity.keyFieldIndex.map { entity.columns[$0] }
        var result: [Double?]
        if let partition {
            result = [Double?](repeating: nil, count: n)
            for members in try Self.partitions(partition, count: n, radix: fastPaths.enabled, poll: services.checkInterrupt) {
                try services.checkInterrupt(materializing: members.count)
                let answers = Self.population(function, members.map { values[Int($0)] }, k: k, keys: keys?.gather(members))
                for (index, row) in members.enumerated() { result[Int(row)] = answers[index] }
            }
        } else {
            result = Self.population(function, values, k: k, keys: keys)
        }
        // Built straight into the column's arrays: a million answers made
        // into values first cost more than computing them.
        var nulls = NullBitmap()
        if type == .int {
            var ints = [Int64](repeating: 0, count: n)
            for row in 0..<n { if let answer = result[row] { ints[row] = Int64(answer) } else { nulls.set(row) } }
            return Column(type: .int, data: .int(ints), nulls: nulls)
        }
        var numbers = [Double](repeating: 0, count: n)
        for row in 0..<n { if let answer = result[row] { numbers[row] = answer } else { nulls.set(row) } }
        return Column(type: .number, data: .number(numbers), nulls: nulls)
    }

    /// One population's answers; `keys` order ties for `share_above`.
    static func population(_ function: PopulationFunction, _ values: [Double?], k: Int64, keys: Column?) -> [Double?] {
        switch function {
        case .ntile: return PopulationStatistics.ntile(values, k: Int(k))
        case .quintile: return PopulationStatistics.ntile(values, k: 5)
        case .percentRank: return PopulationStatistics.percentRank(values)
        case .rank: return PopulationStatistics.rank(values)
        case .share: return PopulationStatistics.share(values)
        case .shareAbove: return shareAbove(values, keys: keys)
        }
    }

    /// The rows of each distinct value of `partition`, each list in row order.
    static func partitions(_ partition: Column, count: Int, radix: Bool, poll: () throws -> Void) throws -> [[Int32]] {
        let grouping = try Sorting.groups([partition], count: count, radix: radix, poll: poll)
        var members = [[Int32]](repeating: [], count: grouping.groupCount)
        for row in 0..<count { members[Int(grouping.groupOf[row])].append(Int32(row)) }
        return members
    }
}

extension Evaluator {
    /// For each present value: the sum of the positive values ranked above it
    /// (value descending, ties by key ascending, else by row order), over the
    /// total of positive values. Null where the total is not positive.
    static func shareAbove(_ values: [Double?], keys: Column?) -> [Double?] {
        var rows = values.indices.filter { values[$0] != nil }
        let keyOrder: (Int, Int) -> Int = keys.map { Sorting.comparator(SortKey(column: $0, descending: false, nullsFirst: false)) } ?? { a, b in a < b ? -1 : (a > b ? 1 : 0) }
        rows.sort { a, b in
            let x = values[a]!, y = values[b]!
            if x != y { return x > y }
            let order = keyOrder(a, b)
            return order != 0 ? order < 0 : a < b
        }
        let total = rows.reduce(0.0) { $0 + max(values[$1]!, 0) }
        var result = [Double?](repeating: nil, count: values.count)
        guard total > 0 else { return result }
        var above = 0.0
        for row in rows {
            result[row] = above / total
            above += max(values[row]!, 0)
        }
        return result
    }
}
