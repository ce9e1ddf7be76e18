import CRMQLCore
import CRMQLStorage

/// Estimates of the share of rows a condition keeps, for ordering the
/// conjuncts and for `explain`: exact counts for enum symbols (the posting
/// lists), the column's sample for numbers and dates (`ColumnStatistics`),
/// textbook defaults for the rest.
extension AccessPlanner {
    /// The share of `entity`'s rows that `conjunct` keeps; `store` lends
    /// the parent entity of `customer.region = north`, estimated as the
    /// share of customers in the north.
    static func selectivity(_ conjunct: BoundExpr, entity: Entity, indexes: IndexCache, store: Store? = nil) -> Double {
        let n = max(entity.rowCount, 1)
        if let store, let (_, name, condition) = conjunct.parentComparison, let parent = store[name] {
            return selectivity(condition, entity: parent, indexes: indexes, store: store)
        }
        if let (field, op, value) = fieldComparison(conjunct) {
            if op == .equal, case .symbol(let code, _) = value, let postings = indexes.postings(of: entity, field: entity.fields[field].name) {
                return Double(postings.count(for: code)) / Double(n)
            }
            if let x = number(value), let statistics = indexes.statistics(of: entity, field: entity.fields[field].name) {
                let equal = max(statistics.selectivity(from: x, to: x), statistics.rareValueShare)
                switch op {
                case .equal: return equal
                case .notEqual: return max(0, 1 - statistics.nullFraction - equal)
                case .less: return statistics.selectivity(from: nil, to: x, highInclusive: false)
                case .lessEqual: return statistics.selectivity(from: nil, to: x)
                case .greater: return statistics.selectivity(from: x, lowInclusive: false, to: nil)
                case .greaterEqual: return statistics.selectivity(from: x, to: nil)
                }
            }
        }
        if case .dayRange(let operand, let low, let high, let negated) = conjunct.node, case .field(let field) = operand.node,
           let (from, to) = dayBounds(low: low, high: high, type: entity.fields[field].type),
           let statistics = indexes.statistics(of: entity, field: entity.fields[field].name),
           let lower = number(from.value), let upper = number(to.value) {
            let inside = statistics.selectivity(from: lower, lowInclusive: from.inclusive, to: upper, highInclusive: to.inclusive)
            return negated ? max(0, 1 - statistics.nullFraction - inside) : inside
        }
        return defaultSelectivity(conjunct)
    }

    /// The share a group of conjuncts keeps together. `x between a and b`
    /// binds as two conjuncts on one field; they are estimated as one range,
    /// since their shares multiplied would count most rows out twice.
    static func selectivity(of group: [BoundExpr], entity: Entity, indexes: IndexCache, store: Store? = nil) -> Double {
        if group.count == 2, let (f1, op1, v1) = fieldComparison(group[0]), let (f2, op2, v2) = fieldComparison(group[1]), f1 == f2,
           op1 == .greaterEqual || op1 == .greater, op2 == .lessEqual || op2 == .less,
           let low = number(v1), let high = number(v2), let statistics = indexes.statistics(of: entity, field: entity.fields[f1].name) {
            return statistics.selectivity(from: low, lowInclusive: op1 == .greaterEqual, to: high, highInclusive: op2 == .lessEqual)
        }
        return group.reduce(1) { $0 * selectivity($1, entity: entity, indexes: indexes, store: store) }
    }

    /// The selectivity assumed for a conjunct without statistics.
    static func defaultSelectivity(_ expr: BoundExpr) -> Double {
        // TUNING: textbook defaults for an equality and a range.
        if let (_, op, _) = fieldComparison(expr) { return op == .equal ? 0.05 : (op == .notEqual ? 0.9 : 0.33) }
        if case .inList = expr.node { return 0.2 }
        if case .textMatch = expr.node { return 0.1 }
        return 0.5
    }

    /// A constant as the sample holds it: ints, days and seconds as doubles.
    private static func number(_ value: Value) -> Double? {
        switch value {
        case .int(let v): return Double(v)
        case .number(let v): return v.isNaN ? nil : v
        case .date(let days): return Double(days)
        case .datetime(let seconds): return Double(seconds)
        default: return nil
        }
    }
}
