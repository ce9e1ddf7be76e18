import CRMQLCore
import CRMQLStorage

extension Evaluator {
    /// `field op constant` (either way round) as a filter: the kept rows
    /// straight from the stored column, without a column of flags in
    /// between. Nil when the condition has another shape, or the constant is
    /// not of the column's own kind; the caller then evaluates it. Same
    /// answers as `compare`: the same Swift comparison per row, and a null
    /// row is never kept.
    func filterFieldComparison(_ condition: BoundExpr, _ context: EvalContext) -> [Int32]? {
        guard context.grouping == nil, case .compare(let written, let left, let right) = condition.node else { return nil }
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
        case (.number(let values), .number(let x)): return keptRows(values, op, x, column, context)
        case (.int(let values), .int(let x)): return keptRows(values, op, x, column, context)
        case (.temporal(let values), .date(let x)) where column.type == .date: return keptRows(values, op, x, column, context)
        case (.temporal(let values), .datetime(let x)) where column.type == .datetime: return keptRows(values, op, x, column, context)
        // Symbols compare by code, in declaration order, as in `compare`.
        case (.codes(let values), .symbol(let x, let enumType)) where column.type == .enumeration(enumType):
            return keptRows(values, op, x, column, context)
        default: return nil
        }
    }

    /// `placed in last 90 days` over a stored date or datetime field as a
    /// filter straight from the column, like `filterFieldComparison`. Nil
    /// for any other shape. Same answers as evaluating `dayRange`.
    func filterFieldDayRange(_ condition: BoundExpr, _ context: EvalContext) -> [Int32]? {
        guard context.grouping == nil, case .dayRange(let operand, let low, let high, let negated) = condition.node,
              case .field(let field) = operand.node, field >= 0, field < context.entity.columns.count else { return nil }
        let column = context.entity.columns[field]
        guard case .temporal(let values) = column.data else { return nil }
        switch column.type {
        case .date where !negated && low <= high:
            // One unsigned comparison: a day below `low` wraps to a huge distance.
            let width = UInt64(bitPattern: high &- low)
            return keptRows(values, column, context) { UInt64(bitPattern: $0 &- low) <= width }
        case .date:
            return keptRows(values, column, context) { ($0 >= low && $0 <= high) != negated }
        case .datetime:
            return keptRows(values, column, context) { raw in
                let day = CivilDate.floorDivide(raw, 86_400).0
                return (day >= low && day <= high) != negated
            }
        default:
            return nil
        }
    }

    private func keptRows<T: Comparable>(_ values: [T], _ op: ComparisonOperator, _ x: T, _ column: Column,
                                         _ context: EvalContext) -> [Int32] {
        switch op {
        case .equal: return keptRows(values, column, context) { $0 == x }
        case .notEqual: return keptRows(values, column, context) { $0 != x }
        case .less: return keptRows(values, column, context) { $0 < x }
        case .lessEqual: return keptRows(values, column, context) { $0 <= x }
        case .greater: return keptRows(values, column, context) { $0 > x }
        case .greaterEqual: return keptRows(values, column, context) { $0 >= x }
        }
    }

    @inline(__always)
    private func keptRows<T>(_ values: [T], _ column: Column, _ context: EvalContext, _ passes: (T) -> Bool) -> [Int32] {
        let nulls = column.nulls
        return values.withUnsafeBufferPointer { values in
            if context.isAllRows {
                let bits = nulls.hasNulls
                    ? RowSelection.bits(count: values.count) { passes(values[$0]) && !nulls.isNull($0) }
                    : RowSelection.bits(count: values.count) { passes(values[$0]) }
                return RowSelection.positions(bits)
            }
            // A row outside the column (not expected from a planner) is dropped.
            let bits = context.rows.withUnsafeBufferPointer { rows in
                RowSelection.bits(count: rows.count) { index in
                    let position = Int(rows[index])
                    return UInt(bitPattern: position) < UInt(values.count) && passes(values[position]) && !nulls.isNull(position)
                }
            }
            return RowSelection.picked(from: context.rows, bits)
        }
    }
}
