import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

/// Runs bound expressions over columns: each node is evaluated once for all
/// rows of a context, never once per row.
final class Evaluator {
    let catalog: Catalog
    let services: ExecutionServices
    /// Relation aggregates computed for every row of their entity during
    /// this query (an evaluator lives for one query, so the store is fixed).
    var relationMemo: [RelationMemoKey: Column] = [:]

    init(catalog: Catalog, services: ExecutionServices) {
        self.catalog = catalog
        self.services = services
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
            return try navigate(refField: refField, parentName: parentName, inner: inner, context)
        case .computed(let entity, let name):
            let full = try services.computedColumn(entity: entity, field: name, catalog: catalog, evaluator: self, range: expr.range)
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
            let l = try evaluate(left, context), r = try evaluate(right, context)
            if expr.type == .number, let exact = exactArithmetic(op, l, r, context.length) { return exact }
            return try arithmetic(op, l, r, expr, context.length)
        case .shift(let operand, let amount, let unit):
            return try shift(try evaluate(operand, context), amount: amount, unit: unit, expr)
        case .compare(let op, let left, let right):
            return compare(op, try evaluate(left, context), try evaluate(right, context), context.length)
        case .and(let left, let right):
            return logic(isAnd: true, try evaluate(left, context), try evaluate(right, context), context.length)
        case .or(let left, let right):
            return logic(isAnd: false, try evaluate(left, context), try evaluate(right, context), context.length)
        case .concat(let left, let right):
            return concat(try evaluate(left, context), try evaluate(right, context), context.length)
        case .textMatch(let kind, let left, let right):
            if kind == .contains, let folded = foldedContains(left, right, context) { return folded }
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
        case .caseWhen(let branches, let otherwise):
            return try caseWhen(branches, otherwise, expr.type, context)
        case .relationAggregate(let aggregate):
            return try relationAggregate(aggregate, expr, context)
        case .exists(let child, let refField, let filter):
            return try exists(child: child, refField: refField, filter: filter, context)
        case .groupAggregate(let aggregate):
            return try groupAggregate(aggregate, expr, context)
        case .groupKey(let index):
            return context.grouping?.keys[index] ?? Column.nulls(context.length, type: expr.type)
        case .population(let function, let argument, let k):
            let full = try evaluate(argument, EvalContext(allOf: context.entity)).expanded(to: context.entity.rowCount)
            let result = try population(function, full, k: k, type: expr.type, expr, entity: context.entity)
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

    /// Keeps the rows of `context` where `condition` is true. Top-level `and`
    /// is applied one conjunct at a time, so later conjuncts see fewer rows
    /// (see `filter(conjuncts:_:observe:)`).
    func filter(_ condition: BoundExpr, _ context: EvalContext) throws -> [Int32] {
        if case .and = condition.node {
            return try filter(conjuncts: AccessPlanner.conjuncts(of: condition), context)
        }
        switch condition.node {
        case .compare, .dayRange:
            try services.checkInterrupt(materializing: context.length)
            if let bits = try columnFilterBits(condition, context) {
                return context.isAllRows ? RowSelection.positions(bits) : RowSelection.picked(from: context.rows, bits)
            }
        case .exists, .not:
            if let rows = try existsRows(condition, context) { return rows }
        case .textMatch:
            try services.checkInterrupt(materializing: context.length)
            if let rows = foldedContainsRows(condition, context) { return rows }
        default:
            break
        }
        let column = try evaluate(condition, context)
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

    // MARK: Navigation

    private func navigate(refField: Int, parentName: String, inner: BoundExpr, _ context: EvalContext) throws -> Column {
        guard let parent = catalog.store[parentName] else { return Column.nulls(context.rows.count, type: inner.type) }
        let positions = services.refPositions(child: context.entity, refField: refField, parent: parent)
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
            for row in 0..<n where chosen[row] < 0 {
                let at = condition.at(row)
                if flags[at] && !condition.isNull(at) { chosen[row] = branchIndex }
            }
            values.append(try evaluate(branch.1, context))
        }
        let elseColumn = try otherwise.map { try evaluate($0, context) }
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
