import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

/// Runs bound expressions over columns: each node is evaluated once for all
/// rows of a context, never once per row.
/// Used by one thread at a time (its query's), so its per-query state is
/// read without the runtime's exclusivity checks: they cost more than the
/// reads on the shortest queries, and no access to it overlaps another.
final class Evaluator {
    let catalog: Catalog
    let services: ExecutionServices
    /// Relation aggregates computed for every row of their entity during
    /// this query (an evaluator lives for one query, so the store is fixed).
    @exclusivity(unchecked) var relationMemo: [RelationMemoKey: Column] = [:]
    /// The strategies the running plan chose for operators inside its
    /// expressions; nil while evaluating what no plan covers (a measure's
    /// body, the filter of an `exists`), which follows `fastPaths`' rules.
    @exclusivity(unchecked) var planned: ExpressionStrategies?
    /// The plan being run, and the population windows it computed over
    /// every row, by expression span: `where rank(x) <= 3 show rank(x)`
    /// computes the ranks once, and a cursor's chunks read them again.
    @exclusivity(unchecked) private var plan: ObjectIdentifier?
    @exclusivity(unchecked) private var windows: [ExpressionStrategies.Key: Column] = [:]

    /// Runs under `plan` from now on; returns what `leave` restores.
    func enter(_ plan: PhysicalPlan) -> (ExpressionStrategies?, ObjectIdentifier?, [ExpressionStrategies.Key: Column]) {
        let previous = (planned, self.plan, windows)
        if self.plan != ObjectIdentifier(plan) { windows = [:] }
        planned = plan.strategies
        self.plan = ObjectIdentifier(plan)
        return previous
    }

    func leave(_ previous: (ExpressionStrategies?, ObjectIdentifier?, [ExpressionStrategies.Key: Column])) {
        let current = (plan, windows)
        (planned, plan, windows) = previous
        // Back in the same plan (a cursor's next chunk), its windows stay.
        if plan == current.0 { windows = current.1 }
    }

    /// A population window over every row of `entity`, computed once per plan.
    private func window(_ expr: BoundExpr, _ compute: () throws -> Column) rethrows -> Column {
        guard planned != nil else { return try compute() }
        let key = ExpressionStrategies.Key(expr.range)
        if let known = windows[key] { return known }
        let column = try compute()
        windows[key] = column
        return column
    }

    /// When set, collects the name of every operator and strategy of a plan
    /// that runs, for the tests that hold `explain` to what runs.
    @exclusivity(unchecked) var trace: Set<OperatorName>?

    init(catalog: Catalog, services: ExecutionServices) {
        self.catalog = catalog
        self.services = services
    }

    /// The fast-path rules with this session's setting.
    var fastPaths: FastPaths {
        FastPaths(enabled: catalog.fastPathsEnabled, indexes: services.indexes, store: catalog.store)
    }

    /// How many threads this statement's big loops may use.
    var parallelism: Parallelism { catalog.parallelism }

    /// Notes that a plan's operator ran (only under a plan: what runs
    /// outside one is not in any `explain`).
    @inline(__always)
    func record(_ name: OperatorName) {
        if trace != nil, planned != nil { trace?.insert(name) }
    }

    /// Runs `body` outside the plan: a measure's body or the rows of a
    /// child entity, which follow the fast-path rules by themselves.
    func unplanned<T>(_ body: () throws -> T) rethrows -> T {
        let saved = planned
        planned = nil
        defer { planned = saved }
        return try body()
    }

    /// `evaluate`, except that a stored field asked for without its style
    /// (`styled: false`: an operand of a comparison or a division, which
    /// read the values alone) skips finding whether its numbers are money:
    /// that check reads the whole column once per field (`fieldStyle`), most
    /// of a first `perceived / expected` over a million customers.
    func operand(_ expr: BoundExpr, _ context: EvalContext, styled: Bool) throws -> Column {
        guard !styled, case .field(let index) = expr.node, index >= 0, index < context.entity.columns.count else {
            return try evaluate(expr, context)
        }
        try services.checkInterrupt(materializing: context.length)
        let column = context.entity.columns[index]
        return context.isAllRows ? column : column.gather(context.rows)
    }

    /// Evaluates `expr`; the result has `context.length` rows, or one row for
    /// a constant (callers that keep the column use `expanded(to:)`).
    func evaluate(_ expr: BoundExpr, _ context: EvalContext) throws -> Column {
        try services.checkInterrupt(materializing: context.length)
        switch expr.node {
        case .constant(let value):
            var column = Column.constant(value, type: expr.type)
            column.style = Evaluator.literalStyle(value)
            return column
        case .parameter(let name, _):
            // A compiled query fills its slots before it runs; this serves
            // any path that meets one unfilled.
            guard let filled = expr.instantiated(catalog.parameters), case .constant(let value) = filled.node else {
                throw Diagnostic.runtime("parameter '$\(name)' holds a value of another kind than when the query was prepared", expr.range)
            }
            var column = Column.constant(value, type: expr.type)
            column.style = Evaluator.literalStyle(value)
            return column
        case .field(let index):
            var column = context.entity.columns[index]
            column.style = fieldStyle(context.entity, index)
            return context.isAllRows ? column : column.gather(context.rows)
        case .navigate(let refField, let parentName, let inner):
            record(.navigateParent)
            return try navigate(refField: refField, parentName: parentName, inner: inner, context)
        case .computed(let entity, let name):
            record(.measure)
            let full = try unplanned {
                try services.computedColumn(entity: entity, field: name, catalog: catalog, evaluator: self, range: expr.range)
            }
            return context.isAllRows ? full : full.gather(context.rows)
        case .negate(let operand):
            let column = try evaluate(operand, context)
            var negated = try negate(column, expr)
            negated.style = column.style
            return negated
        case .not(let operand):
            let column = try evaluate(operand, context)
            return makeBool(column.bools.map { !$0 }, nulls: column.nulls)
        case .arithmetic(let op, let left, let right):
            // A quotient or remainder is never exact decimals, so its
            // operands' places are not needed (see `operand`).
            let styled = op != .divide && op != .modulo
            let l = try operand(left, context, styled: styled), r = try operand(right, context, styled: styled)
            if expr.type == .number, let exact = exactArithmetic(op, l, r, context.length) { return exact }
            return try arithmetic(op, l, r, expr, context.length)
        case .shift(let operand, let amount, let unit):
            return try shift(try evaluate(operand, context), amount: amount, unit: unit, expr)
        case .compare(let op, let left, let right):
            return compare(op, try operand(left, context, styled: false), try operand(right, context, styled: false), context.length)
        case .and(let left, let right):
            return logic(isAnd: true, try evaluate(left, context), try evaluate(right, context), context.length)
        case .or(let left, let right):
            return logic(isAnd: false, try evaluate(left, context), try evaluate(right, context), context.length)
        case .concat(let left, let right):
            return try concat(try evaluate(left, context), try evaluate(right, context), context.length)
        case .textMatch(let kind, let left, let right):
            if kind == .contains, context.grouping == nil, planned.map({ $0[expr.range] == .foldedTextScan }) ?? true,
               let search = try foldedSearch(left, right, context.entity) {
                record(.foldedTextScan)
                return foldedContains(search, context)
            }
            if planned.map({ $0[expr.range] == .enumSymbolTest }) ?? fastPaths.enumSymbolTestApplies(left, right),
               let column = try enumSymbolTest(kind, left, right, context, expr) {
                return column
            }
            if kind != .contains, context.grouping == nil, planned.map({ $0[expr.range] == .distinctTextMatch }) ?? true,
               let distinct = fastPaths.distinctText(kind, left, right, context.entity) {
                record(.distinctTextMatch)
                return try distinctTextMatch(kind, distinct, expr, context)
            }
            return try textMatch(kind, try evaluate(left, context), try evaluate(right, context), context.length, expr)
        case .isNull(let operand, let negated):
            let column = try evaluate(operand, context)
            let n = column.count
            return makeBool((0..<n).map { column.isNull($0) != negated })
        case .inList(let operand, let items, let negated):
            return try inList(operand, items, negated: negated, context)
        case .dayRange(let operand, let low, let high, let negated):
            let column = try evaluate(operand, context)
            let isDatetime = column.type == .datetime
            let values = column.ints
            let result = values.map { raw -> Bool in
                let day = isDatetime ? CivilDate.floorDivide(raw, 86_400).0 : raw
                return (day >= low && day <= high) != negated
            }
            return makeBool(result, nulls: column.nulls)
        case .call(let function, let arguments):
            var columns: [Column] = []
            for argument in arguments { columns.append(try evaluate(argument, context)) }
            var result = try callScalar(function, columns, expr, context.length)
            result.style = scalarStyle(function, columns, result)
            return result
        case .hostCall(let name, let arguments):
            var columns: [Column] = []
            for argument in arguments { columns.append(try evaluate(argument, context)) }
            return try callHost(name, columns, expr, context.length)
        case .modelCall(let model, let function, let arguments):
            return try modelCall(model, function, arguments, expr, context)
        case .caseWhen(let branches, let otherwise):
            return try caseWhen(branches, otherwise, expr.type, context)
        case .relationAggregate(let aggregate):
            return try relationAggregate(aggregate, expr, context)
        case .exists(let child, let refField, let filter):
            let strategy = planned?[expr.range] ?? fastPaths.existsStrategy(child: child, refField: refField, filter: filter,
                                                                             parent: context.entity, rows: context.rows.count)
            record(strategy)
            return try exists(child: child, refField: refField, filter: filter, strategy: strategy, context)
        case .groupAggregate(let aggregate):
            return try groupAggregate(aggregate, expr, context)
        case .groupKey(let index):
            return context.grouping?.keys[index] ?? Column.nulls(context.length, type: expr.type)
        case .population(let function, let argument, let k, let by):
            record(.populationWindow)
            let result = try window(expr) {
                let all = EvalContext(allOf: context.entity)
                let full = try evaluate(argument, all).expanded(to: context.entity.rowCount)
                let partition = try by.map { try evaluate($0, all).expanded(to: context.entity.rowCount) }
                return try population(function, full, k: k, by: partition, type: expr.type, expr, entity: context.entity)
            }
            return context.isAllRows ? result : result.gather(context.rows)
        case .running(let function, let argument, let order, let by):
            record(.populationWindow)
            if !context.isAllRows, let by, let members = try partitionRows(by: by, of: context.rows, entity: context.entity) {
                let result = try running(function, argument, order: order, by: by, expr, entity: context.entity, rows: members)
                record(.partitionRows)
                // Each row's place among the members, which ascend.
                let places = context.rows.map { row -> Int32 in
                    var low = 0, high = members.count
                    while low < high {
                        let middle = (low + high) / 2
                        if members[middle] < row { low = middle + 1 } else { high = middle }
                    }
                    return Int32(low)
                }
                return result.gather(places)
            }
            let result = try window(expr) { try running(function, argument, order: order, by: by, expr, entity: context.entity) }
            return context.isAllRows ? result : result.gather(context.rows)
        case .toText(let operand):
            let column = try evaluate(operand, context)
            return Column(type: .text, data: .text(column.texts), nulls: column.nulls)
        case .toNumber(let operand):
            let column = try evaluate(operand, context)
            return Column(type: .number, data: .number(column.doubles), nulls: column.nulls)
        case .toDatetime(let operand):
            let column = try evaluate(operand, context)
            if column.type == .datetime { return column }
            return Column(type: .datetime, data: .temporal(column.ints.map { $0 &* 86_400 }), nulls: column.nulls)
        }
    }

    /// Keeps the rows of `context` where `condition` is true, each conjunct
    /// of a top-level `and` by the strategy the fast-path rules give it,
    /// so later conjuncts see fewer rows: for what no plan covers (an
    /// `update`'s `where`, the filter of an `exists`).
    func filter(_ condition: BoundExpr, _ context: EvalContext) throws -> [Int32] {
        if case .and = condition.node {
            return try filter(conjuncts: AccessPlanner.conjuncts(of: condition), context)
        }
        return try filter(condition, strategy: fastPaths.filterStrategy(condition, entity: context.entity, rows: context.rows.count), context)
    }

    // MARK: Navigation

    private func navigate(refField: Int, parentName: String, inner: BoundExpr, _ context: EvalContext) throws -> Column {
        guard let parent = catalog.store[parentName] else { return Column.nulls(context.rows.count, type: inner.type) }
        let positions = try services.refPositions(child: context.entity, refField: refField, parent: parent)
        var parentRows: [Int32] = []
        parentRows.reserveCapacity(context.rows.count)
        var missing = false
        for row in context.rows {
            let position = positions[Int(row)]
            if position < 0 { missing = true }
            parentRows.append(position)
        }
        if !missing {
            return try evaluate(inner, EvalContext(entity: parent, rows: parentRows)).expanded(to: parentRows.count)
        }
        let present = parentRows.filter { $0 >= 0 }
        let values = try evaluate(inner, EvalContext(entity: parent, rows: present)).expanded(to: present.count)
        var gatherIndex: [Int32] = []
        var nulls = NullBitmap()
        var next: Int32 = 0
        for (index, position) in parentRows.enumerated() {
            if position < 0 {
                gatherIndex.append(0)
                nulls.set(index)
            } else {
                gatherIndex.append(next)
                next += 1
            }
        }
        if present.isEmpty { return Column.nulls(parentRows.count, type: inner.type) }
        var result = values.gather(gatherIndex)
        for index in 0..<parentRows.count where nulls.isNull(index) { result.nulls.set(index) }
        return result
    }

    // MARK: Conditional

    private func caseWhen(_ branches: [(BoundExpr, BoundExpr)], _ otherwise: BoundExpr?, _ type: DataType, _ context: EvalContext) throws -> Column {
        let n = context.length
        var chosen = [Int](repeating: -1, count: n)
        var values: [Column] = []
        for (branchIndex, branch) in branches.enumerated() {
            let condition = try evaluate(branch.0, context)
            let flags = condition.bools
            if condition.count == n, flags.count == n {
                // Over the arrays: this loop ran once per branch and row.
                let nulls = condition.nulls
                let checkNulls = nulls.hasNulls
                chosen.withUnsafeMutableBufferPointer { chosen in
                    flags.withUnsafeBufferPointer { flags in
                        for row in 0..<n where chosen[row] < 0 && flags[row] && !(checkNulls && nulls.isNull(row)) {
                            chosen[row] = branchIndex
                        }
                    }
                }
            } else {
                for row in 0..<n where chosen[row] < 0 {
                    let at = condition.at(row)
                    if flags[at] && !condition.isNull(at) { chosen[row] = branchIndex }
                }
            }
            values.append(try evaluate(branch.1, context))
        }
        let elseColumn = try otherwise.map { try evaluate($0, context) }
        if n > 1, values.allSatisfy({ $0.count == 1 }), (elseColumn?.count ?? 1) == 1 {
            // Constant outcomes (`then "high"`): a column of them, gathered
            // by each row's branch, where a value per row was made and then
            // converted.
            let outcomes = values.map { $0.value(at: 0) } + [elseColumn.map { $0.value(at: 0) } ?? .null]
            let last = Int32(values.count)
            return makeColumn(outcomes, type: type).gather(chosen.map { $0 >= 0 ? Int32($0) : last })
        }
        var out: [Value] = []
        out.reserveCapacity(n)
        for row in 0..<n {
            let branch = chosen[row]
            if branch >= 0 {
                let column = values[branch]
                out.append(column.value(at: column.at(row)))
            } else if let elseColumn {
                out.append(elseColumn.value(at: elseColumn.at(row)))
            } else {
                out.append(.null)
            }
        }
        return makeColumn(out, type: type)
    }

    private func inList(_ operand: BoundExpr, _ items: [BoundExpr], negated: Bool, _ context: EvalContext) throws -> Column {
        let x = try evaluate(operand, context)
        let n = context.length
        var result = [Bool](repeating: false, count: n)
        var unknown = [Bool](repeating: false, count: n)
        for item in items {
            let equal = compare(.equal, x, try evaluate(item, context), n)
            let flags = equal.bools
            for row in 0..<n {
                let at = equal.at(row)
                if equal.isNull(at) { unknown[row] = true } else if flags[at] { result[row] = true }
            }
        }
        var nulls = NullBitmap()
        for row in 0..<n where !result[row] && unknown[row] { nulls.set(row) }
        return makeBool(negated ? result.map { !$0 } : result, nulls: nulls)
    }
}
