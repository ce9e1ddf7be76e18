import CRMQLCore
import CRMQLStorage

extension Evaluator {
    /// A condition that tests a column straight away, as one bit per row of
    /// `context` (see `RowSelection`): a stored field against a constant, a
    /// day range of a stored date, or a parent's field through a ref. Nil for
    /// any other condition; the caller then evaluates it.
    func columnFilterBits(_ condition: BoundExpr, _ context: EvalContext) throws -> [UInt64]? {
        switch condition.node {
        case .compare: return try fieldComparisonBits(condition, context) ?? parentComparisonBits(condition, context)
        case .dayRange: return fieldDayRangeBits(condition, context)
        default: return nil
        }
    }

    /// `field op constant` (either way round) straight from the stored
    /// column, without a column of flags in between. Nil when the condition
    /// has another shape, or the constant is not of the column's own kind.
    /// Same answers as `compare`: the same Swift comparison per row, and a
    /// null row is never kept.
    private func fieldComparisonBits(_ condition: BoundExpr, _ context: EvalContext) -> [UInt64]? {
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
        case (.codes(let codes), .symbol(let x, let enumType)) where column.type == .enumeration(enumType):
            switch codes.storage {
            case .narrow(let values) where UInt32(bitPattern: x) <= UInt32(UInt8.max):
                if context.isAllRows, op == .equal || op == .notEqual {
                    return values.withUnsafeBufferPointer {
                        RowSelection.bits(of: $0, equalTo: UInt8(truncatingIfNeeded: x), negated: op == .notEqual, nulls: column.nulls)
                    }
                }
                return keptRows(values, op, UInt8(truncatingIfNeeded: x), column, context)
            case .narrow:
                // A symbol past the first 256 of a declared enum whose rows
                // all use earlier ones: rare enough to compare at four bytes.
                return keptRows(codes.wide, op, x, column, context)
            case .wide(let values):
                return keptRows(values, op, x, column, context)
            }
        default: return nil
        }
    }

    /// `placed in last 90 days` over a stored date or datetime field,
    /// straight from the column like `fieldComparisonBits`. Nil for any
    /// other shape. Same answers as evaluating `dayRange`.
    private func fieldDayRangeBits(_ condition: BoundExpr, _ context: EvalContext) -> [UInt64]? {
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
                                         _ context: EvalContext) -> [UInt64] {
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
    private func keptRows<T>(_ values: [T], _ column: Column, _ context: EvalContext, _ passes: (T) -> Bool) -> [UInt64] {
        let nulls = column.nulls
        return values.withUnsafeBufferPointer { values in
            if context.isAllRows {
                return nulls.hasNulls
                    ? RowSelection.bits(count: values.count) { passes(values[$0]) && !nulls.isNull($0) }
                    : RowSelection.bits(count: values.count) { passes(values[$0]) }
            }
            guard !values.isEmpty else { return [UInt64](repeating: 0, count: (context.rows.count &+ 63) >> 6) }
            // A row outside the column (not expected from a planner) is
            // dropped. The three tests are combined without `&&`, whose
            // short cut is a branch that mispredicts on about every other
            // kept row; an outside row reads row 0 and is then cleared.
            return context.rows.withUnsafeBufferPointer { rows in
                nulls.hasNulls
                    ? RowSelection.bits(count: rows.count) { index in
                        let position = Int(rows[index])
                        let inside = UInt(bitPattern: position) < UInt(values.count)
                        let safe = inside ? position : 0
                        return (passes(values[safe]) ? 1 : 0) & (inside ? 1 : 0) & (nulls.isNull(safe) ? 0 : 1) as UInt8 != 0
                    }
                    : RowSelection.bits(count: rows.count) { index in
                        let position = Int(rows[index])
                        let inside = UInt(bitPattern: position) < UInt(values.count)
                        return (passes(values[inside ? position : 0]) ? 1 : 0) & (inside ? 1 : 0) as UInt8 != 0
                    }
            }
        }
    }
}
