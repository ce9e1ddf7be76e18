import CRMQLCore
import CRMQLStorage

extension Evaluator {
    /// Whether a filter strategy answers its conjunct as one bit per row
    /// straight from a column, so that it can run over every row beside
    /// the bitmap of rows kept so far.
    static func isColumnTest(_ strategy: OperatorName) -> Bool {
        switch strategy {
        case .columnCompare, .hundredthsCompare, .enumCodeFilter, .dayRangeScan, .parentMarkFilter: return true
        default: return false
        }
    }

    /// A conjunct as one bit per row of `context`, by a column-test
    /// strategy (see `RowSelection`). Nil when the conjunct does not have
    /// the strategy's shape after all (a parameter's value of another kind);
    /// the caller then evaluates it.
    /// - Parameter mask: over every row, the rows that need an answer; the
    ///   bits of the others may be clear or set, and the caller masks them.
    func columnFilterBits(_ condition: BoundExpr, _ strategy: OperatorName, _ context: EvalContext,
                          under mask: [UInt64]? = nil) throws -> [UInt64]? {
        switch strategy {
        case .columnCompare, .enumCodeFilter: return fieldComparisonBits(condition, context, under: mask, hundredths: false)
        case .hundredthsCompare: return fieldComparisonBits(condition, context, under: mask, hundredths: true)
        case .dayRangeScan: return fieldDayRangeBits(condition, context, under: mask)
        case .parentMarkFilter: return try parentComparisonBits(condition, context)
        default: return nil
        }
    }

    /// The rows of `context` that pass every conjunct, each by the strategy
    /// the fast-path rules give it for these rows: for what no plan covers
    /// (an `update`'s `where`, the filter of an `exists`).
    func filter(conjuncts: [BoundExpr], _ context: EvalContext) throws -> [Int32] {
        let rules = fastPaths
        let planned = conjuncts.map { ($0, rules.filterStrategy($0, entity: context.entity, rows: context.rows.count)) }
        return try selection(planned: planned, context).rows
    }

    /// The rows of `context` that pass every conjunct, each by its planned
    /// strategy, in order. While the rows are all the entity's and each
    /// conjunct tests a column, the kept rows stay a bitmap over every row
    /// and the next conjunct is tested only in the words of 64 rows that
    /// still hold one: side by side, where listing the kept rows and
    /// gathering the next column at them reads the same memory at random,
    /// through a list as long as the rows. `customer.region = north and
    /// amount > 500` over orders stored by customer is the case: the first
    /// keeps runs of rows. Whether the rows stay a bitmap is the filter's
    /// own choice, made from the rows kept as it goes; `explain analyze`
    /// says which it made.
    /// - Parameter observe: told, after each conjunct that runs, its
    ///   position, how many rows are kept and whether as a bitmap;
    ///   conjuncts after the kept rows run out are not run and not told.
    func selection(planned: [(BoundExpr, OperatorName)], _ context: EvalContext,
                   observe: ((_ conjunct: Int, _ kept: Int, _ bitmap: Bool) -> Void)? = nil) throws -> KeptRows {
        var kept = context.rows
        var mask: [UInt64]? = nil
        // Made only when needed: a point lookup has no conjunct left here,
        // and runs in microseconds.
        var everyRow: EvalContext? = nil
        func told(_ index: Int) {
            guard let observe else { return }
            observe(index, mask.map { $0.reduce(0) { $0 &+ $1.nonzeroBitCount } } ?? kept.count, mask != nil)
        }
        for (index, (conjunct, strategy)) in planned.enumerated() {
            if context.grouping == nil, mask != nil || EvalContext.areAllRows(kept, of: context.entity.rowCount),
               Evaluator.isColumnTest(strategy),
               mask.map({ isWordwiseEnumTest(conjunct, context) ? Self.keepsEnough($0) : Self.worthMasking($0) }) ?? true {
                try services.checkInterrupt(materializing: context.entity.rowCount)
                if everyRow == nil { everyRow = EvalContext(entity: context.entity, rows: kept) }
                if let everyRow, let bits = try columnFilterBits(conjunct, strategy, everyRow, under: mask) {
                    record(strategy)
                    if var combined = mask {
                        for word in 0..<min(combined.count, bits.count) { combined[word] &= bits[word] }
                        mask = combined
                    } else {
                        mask = bits
                    }
                    told(index)
                    continue
                }
            }
            if let bits = mask {
                kept = RowSelection.positions(bits, parallelism)
                mask = nil
            }
            if kept.isEmpty { break }
            kept = try filter(conjunct, strategy: strategy, EvalContext(entity: context.entity, rows: kept))
            told(index)
        }
        if let bits = mask { return .bits(bits) }
        return .rows(kept)
    }

    /// Keeps the rows of `context` where `condition` is true, by `strategy`;
    /// a strategy whose shape the condition turns out not to have (a
    /// parameter's value of another kind) leaves the general evaluation.
    func filter(_ condition: BoundExpr, strategy: OperatorName, _ context: EvalContext) throws -> [Int32] {
        switch strategy {
        case .columnCompare, .hundredthsCompare, .enumCodeFilter, .dayRangeScan, .parentMarkFilter:
            try services.checkInterrupt(materializing: context.length)
            if let bits = try columnFilterBits(condition, strategy, context) {
                record(strategy)
                return context.isAllRows ? RowSelection.positions(bits, parallelism) : RowSelection.picked(from: context.rows, bits)
            }
        case .existsFromOffsets, .markParentsExists, .childExistsScan:
            if let rows = try existsRows(condition, strategy, context) {
                record(strategy)
                return rows
            }
        case .foldedTextScan:
            try services.checkInterrupt(materializing: context.length)
            if case .textMatch(.contains, let operand, let needle) = condition.node, context.grouping == nil,
               let search = try foldedSearch(operand, needle, context.entity) {
                record(strategy)
                if context.isAllRows { return search.0.rowsContaining(search.1) }
                let column = foldedContains(search, context)
                return keptRows(of: column, context)
            }
        case .distinctTextMatch:
            try services.checkInterrupt(materializing: context.length)
            if case .textMatch(let kind, let operand, let needle) = condition.node, context.grouping == nil,
               let distinct = fastPaths.distinctText(kind, operand, needle, context.entity) {
                record(strategy)
                return try distinctTextRows(kind, distinct, condition, context)
            }
        default:
            break
        }
        record(.evaluateFilter)
        return keptRows(of: try evaluate(condition, context), context)
    }

    /// The rows of `context` where a column of conditions is true.
    func keptRows(of column: Column, _ context: EvalContext) -> [Int32] {
        if column.count == 1 && context.rows.count != 1 {
            return column.isNull(0) || !column.bools[0] ? [] : context.rows
        }
        let values = column.bools
        let nulls = column.nulls
        let count = min(values.count, context.rows.count)
        let bits = values.withUnsafeBufferPointer { values in
            // Combined without `&&`, whose short cut is a branch that
            // mispredicts on about every other kept row.
            nulls.hasNulls
                ? RowSelection.bits(count: count) { (values[$0] ? 1 : 0) & (nulls.isNull($0) ? 0 : 1) as UInt8 != 0 }
                : RowSelection.bits(count: count) { values[$0] }
        }
        return RowSelection.picked(from: context.rows, bits)
    }

    /// Whether testing the next conjunct in the words `mask` holds costs
    /// less than gathering its column at the kept rows.
    private static func worthMasking(_ mask: [UInt64]) -> Bool {
        var kept = 0, words = 0
        for word in mask where word != 0 {
            kept &+= word.nonzeroBitCount
            words &+= 1
        }
        // TUNING: a row tested side by side costs about a quarter of one
        // gathered through a list, so the words must be a quarter full.
        return words &* 64 <= kept &* 4
    }

    /// Whether an enum equality over one-byte codes should be tested over
    /// every row beside the kept rows' bitmap: at eight rows a test (see
    /// `RowSelection.bits(of:equalTo:negated:nulls:)`) a pass over all of
    /// them costs less than gathering the codes at the kept rows
    /// (`kind = complaint and outcome = open`), unless very few are kept.
    private static func keepsEnough(_ mask: [UInt64]) -> Bool {
        var kept = 0
        for word in mask { kept &+= word.nonzeroBitCount }
        // TUNING: under one row in 256, gathering costs less.
        return kept >= (mask.count << 6) >> 8
    }

    /// Whether `condition` is `field = symbol` or `field != symbol` over
    /// one-byte enum codes, which `fieldComparisonBits` tests eight rows at a
    /// time when every row is in question.
    private func isWordwiseEnumTest(_ condition: BoundExpr, _ context: EvalContext) -> Bool {
        guard let (field, op, value) = AccessPlanner.fieldComparison(condition), op == .equal || op == .notEqual,
              case .symbol(let code, let enumType) = value, field >= 0, field < context.entity.columns.count else { return false }
        let column = context.entity.columns[field]
        guard column.type == .enumeration(enumType), case .codes(let codes) = column.data,
              case .narrow = codes.storage else { return false }
        return UInt32(bitPattern: code) <= UInt32(UInt8.max)
    }

    /// `exists(interactions where …)` or its `not` as a filter: the rows
    /// read straight off the flags `exists` computes by `strategy`, without
    /// the column of negated flags and its bits in between. Nil for any
    /// other shape.
    func existsRows(_ condition: BoundExpr, _ strategy: OperatorName, _ context: EvalContext) throws -> [Int32]? {
        guard context.grouping == nil else { return nil }
        var node = condition.node
        var negated = false
        if case .not(let inner) = node {
            node = inner.node
            negated = true
        }
        guard case .exists(let child, let refField, let filter) = node else { return nil }
        let found = try exists(child: child, refField: refField, filter: filter, strategy: strategy, context)
        let flags = found.bools
        guard flags.count == context.rows.count, !found.nulls.hasNulls else { return nil }
        let bits = flags.withUnsafeBufferPointer { flags in
            RowSelection.bits(count: flags.count) { flags[$0] != negated }
        }
        return context.isAllRows ? RowSelection.positions(bits, parallelism) : RowSelection.picked(from: context.rows, bits)
    }

    /// `field op constant` (either way round) straight from the stored
    /// column, without a column of flags in between. Nil when the condition
    /// has another shape, or the constant is not of the column's own kind.
    /// Same answers as `compare`: the same Swift comparison per row, and a
    /// null row is never kept.
    private func fieldComparisonBits(_ condition: BoundExpr, _ context: EvalContext, under mask: [UInt64]?,
                                     hundredths: Bool) -> [UInt64]? {
        guard context.grouping == nil else { return nil }
        if let (field, set, negated) = fastPaths.enumCodeSet(condition, context.entity),
           case .codes(let codes) = context.entity.columns[field].data, case .narrow(let values) = codes.storage {
            return keptRows(values, context.entity.columns[field], context, mask,
                            ByteSetTest(bits: (set[0], set[1], set[2], set[3]), negated: negated))
        }
        guard case .compare(let written, let left, let right) = condition.node else { return nil }
        let field: Int, constant: Value, op: ComparisonOperator
        if case .field(let f) = left.node, case .constant(let value) = right.node {
            (field, constant, op) = (f, value, written)
        } else if case .field(let f) = right.node, case .constant(let value) = left.node {
            (field, constant, op) = (f, value, AccessPlanner.flipped(written))
        } else {
            return nil
        }
        guard field >= 0, field < context.entity.columns.count else { return nil }
        let column = context.entity.columns[field]
        switch (column.data, constant) {
        case (.number(let values), .number(let x)):
            if hundredths, let bits = hundredthsBits(field, op, x, column, context, mask) { return bits }
            return keptRows(values, op, x, column, context, mask)
        case (.int(let values), .int(let x)): return keptRows(values, op, x, column, context, mask)
        case (.temporal(let values), .date(let x)) where column.type == .date: return keptRows(values, op, x, column, context, mask)
        case (.temporal(let values), .datetime(let x)) where column.type == .datetime: return keptRows(values, op, x, column, context, mask)
        // Symbols compare by code, in declaration order, as in `compare`.
        case (.codes(let codes), .symbol(let x, let enumType)) where column.type == .enumeration(enumType):
            switch codes.storage {
            case .narrow(let values) where UInt32(bitPattern: x) <= UInt32(UInt8.max):
                if context.isAllRows, op == .equal || op == .notEqual {
                    return values.withUnsafeBufferPointer {
                        RowSelection.bits(of: $0, equalTo: UInt8(truncatingIfNeeded: x), negated: op == .notEqual, nulls: column.nulls)
                    }
                }
                return keptRows(values, op, UInt8(truncatingIfNeeded: x), column, context, mask)
            case .narrow:
                // A symbol past the first 256 of a declared enum whose rows
                // all use earlier ones: rare enough to compare at four bytes.
                return keptRows(codes.wide, op, x, column, context, mask)
            case .wide(let values):
                return keptRows(values, op, x, column, context, mask)
            }
        default: return nil
        }
    }

    /// `amount > 500` over a large number field of whole hundredths, from
    /// its counts of hundredths (`ScaledDecimals`): half the bytes of the
    /// doubles, the same rows. The planner chose it for a large field of
    /// money (see `FastPaths.usesHundredths`); nil for a constant whose
    /// bounds leave the counts' range, which then compares the doubles.
    private func hundredthsBits(_ field: Int, _ op: ComparisonOperator, _ x: Double, _ column: Column,
                                _ context: EvalContext, _ mask: [UInt64]?) -> [UInt64]? {
        guard let (atLeast, above) = ScaledDecimals.bounds(x),
              atLeast > Int64(Int32.min), above <= Int64(Int32.max),
              let scaled = services.indexes.hundredths(of: context.entity, field: context.entity.fields[field].name),
              scaled.counts.count == column.count else { return nil }
        let low = Int32(atLeast), high = Int32(above)
        let counts = scaled.counts
        // Each as one closed range of counts (`low` is above Int32.min, so
        // `low - 1` does not wrap; `high - 1` is below `high`).
        let test: BetweenTest<Int32>
        switch op {
        case .greater: test = BetweenTest(low: high, high: .max)
        case .greaterEqual: test = BetweenTest(low: low, high: .max)
        case .less: test = BetweenTest(low: .min, high: low - 1)
        case .lessEqual: test = BetweenTest(low: .min, high: high - 1)
        case .equal: test = BetweenTest(low: low, high: high - 1)
        case .notEqual: test = BetweenTest(low: low, high: high - 1, negated: true)
        }
        return keptRows(counts, column, context, mask, test)
    }

    /// `placed in last 90 days` over a stored date or datetime field,
    /// straight from the column like `fieldComparisonBits`. Nil for any
    /// other shape. Same answers as evaluating `dayRange`.
    private func fieldDayRangeBits(_ condition: BoundExpr, _ context: EvalContext, under mask: [UInt64]?) -> [UInt64]? {
        guard context.grouping == nil, case .dayRange(let operand, let low, let high, let negated) = condition.node,
              case .field(let field) = operand.node, field >= 0, field < context.entity.columns.count else { return nil }
        let column = context.entity.columns[field]
        guard case .temporal(let values) = column.data else { return nil }
        switch column.type {
        case .date where !negated && low <= high:
            return keptRows(values, column, context, mask, DayWindowTest(low: low, width: UInt64(bitPattern: high &- low)))
        case .date:
            return keptRows(values, column, context, mask, BetweenTest(low: low, high: high, negated: negated))
        case .datetime:
            return keptRows(values, column, context, mask, InstantDayTest(low: low, high: high, negated: negated))
        default:
            return nil
        }
    }

    private func keptRows<T: Comparable>(_ values: [T], _ op: ComparisonOperator, _ x: T, _ column: Column,
                                         _ context: EvalContext, _ mask: [UInt64]?) -> [UInt64] {
        keptRows(values, column, context, mask, CompareTest(op: op, x: x))
    }

    @inline(__always)
    private func keptRows<Test: ValueTest>(_ values: [Test.Value], _ column: Column, _ context: EvalContext, _ mask: [UInt64]?,
                                           _ test: Test) -> [UInt64] {
        let nulls = column.nulls
        return values.withUnsafeBufferPointer { values in
            // Every row in question: over morsels on the session's threads
            // when there are enough of them (`Parallelism`).
            let parallelism = self.parallelism
            if context.isAllRows, let mask {
                return nulls.hasNulls
                    ? RowSelection.bits(count: values.count, under: mask, parallelism, PresentValuesPass(values: values, nulls: nulls, test: test))
                    : RowSelection.bits(count: values.count, under: mask, parallelism, ValuesPass(values: values, test: test))
            }
            if context.isAllRows {
                return nulls.hasNulls
                    ? RowSelection.bits(count: values.count, parallelism, PresentValuesPass(values: values, nulls: nulls, test: test))
                    : RowSelection.bits(count: values.count, parallelism, ValuesPass(values: values, test: test))
            }
            // Rows of a selection of this entity: inside the column (the
            // bounds rule of `RowSelection.assertInside`). Null and pass
            // are combined without `&&`, whose short cut is a branch that
            // mispredicts on about every other kept row.
            RowSelection.assertInside(context.rows, values.count, "a filter's rows lie outside its column")
            return context.rows.withUnsafeBufferPointer { rows in
                nulls.hasNulls
                    ? RowSelection.bits(count: rows.count) { index in
                        let position = Int(rows[index])
                        return (test(values[position]) ? 1 : 0) & (nulls.isNull(position) ? 0 : 1) as UInt8 != 0
                    }
                    : RowSelection.bits(count: rows.count) { index in test(values[Int(rows[index])]) }
            }
        }
    }
}
