import CRMQLCore
import CRMQLStorage

/// Which access path a plan takes, without the rows: what a compiled query
/// keeps to take the same path with other parameter values.
enum AccessChoice: Sendable, Equatable {
    case scan
    /// The key's hash index, for the conjunct at this position.
    case key(Int)
    /// An enum's posting lists, for the conjunct at this position.
    case enumIndex(Int)
    /// The sorted index of `create index` on this field.
    case sortedIndex(String)
}

/// Positions of conjuncts, as bits, so that a plan's set of answered
/// conjuncts costs no allocation. Positions past 63 are never in it: such a
/// conjunct runs as a filter even when an index answered it, which costs
/// time but never changes an answer.
struct ConjunctSet: Equatable, ExpressibleByArrayLiteral {
    private var bits: UInt64 = 0

    init(arrayLiteral positions: Int...) {
        for position in positions { insert(position) }
    }

    mutating func insert(_ position: Int) {
        if position >= 0 && position < 64 { bits |= 1 << UInt64(position) }
    }

    func contains(_ position: Int) -> Bool {
        position >= 0 && position < 64 && bits & (1 << UInt64(position)) != 0
    }

    var isEmpty: Bool { bits == 0 }
}

/// How a query reaches its rows before the remaining conditions filter them.
struct AccessPath {
    var choice: AccessChoice
    /// The rows the index yields; nil for a scan. A large range of a
    /// sorted index stays the bitmap it was read into, for a query that
    /// counts or groups it (`KeptRows`).
    var kept: KeptRows?
    /// The rows the index yields, ascending; nil for a scan.
    var rows: [Int32]? { kept?.rows }
    /// What `explain` prints for this step, formatted only when asked: a
    /// short query would otherwise spend a visible share of its time on it.
    private let describe: () -> String
    var detail: String { describe() }
    var estimate: Int
    /// Conjuncts the index answers exactly, so they need no evaluation.
    var consumed: ConjunctSet

    init(_ choice: AccessChoice, rows: [Int32]?, detail: @autoclosure @escaping () -> String, estimate: Int, consumed: ConjunctSet) {
        self.init(choice, kept: rows.map(KeptRows.rows), detail: detail(), estimate: estimate, consumed: consumed)
    }

    init(_ choice: AccessChoice, kept: KeptRows?, detail: @autoclosure @escaping () -> String, estimate: Int, consumed: ConjunctSet) {
        self.choice = choice
        self.kept = kept
        describe = detail
        self.estimate = estimate
        self.consumed = consumed
    }

    static func scan(_ entity: Entity, estimate: Int) -> AccessPath {
        let name = entity.name
        return AccessPath(.scan, rows: nil, detail: "SCAN \(name)", estimate: estimate, consumed: [])
    }
}

/// Chooses, per query, between a full scan and an index: the key's hash
/// index, an enum's posting lists, or a sorted index from `create index`.
/// Costs are exact row counts where the index can give them cheaply.
enum AccessPlanner {
    /// `a and b and c` as `[a, b, c]`.
    static func conjuncts(of expr: BoundExpr) -> [BoundExpr] {
        if case .and(let left, let right) = expr.node { return conjuncts(of: left) + conjuncts(of: right) }
        return [expr]
    }

    static func choose(_ conjuncts: [BoundExpr], entity: Entity, indexes: IndexCache, explicit: [IndexName]) -> AccessPath {
        let n = entity.rowCount
        var best = AccessPath.scan(entity, estimate: n)
        func consider(_ candidate: AccessPath?) {
            guard let candidate, candidate.estimate < best.estimate else { return }
            best = candidate
        }
        for (index, conjunct) in conjuncts.enumerated() {
            consider(keyLookup(conjunct, index, entity, indexes))
            consider(enumLookup(conjunct, index, entity, indexes))
        }
        for field in explicit where field.entity == entity.name {
            consider(sortedLookup(field.field, conjuncts, entity, indexes))
        }
        // TUNING: gathering rows through an index costs more per row than a
        // sequential scan; above half the table the scan wins.
        if best.choice != .scan, best.estimate > n / 2 {
            return AccessPath.scan(entity, estimate: n)
        }
        return best
    }

    /// The access path `choice` names, for these conjuncts; nil for a scan
    /// or when the index cannot serve them.
    static func access(_ choice: AccessChoice, _ conjuncts: [BoundExpr], entity: Entity, indexes: IndexCache) -> AccessPath? {
        switch choice {
        case .scan: return nil
        case .key(let index): return index < conjuncts.count ? keyLookup(conjuncts[index], index, entity, indexes) : nil
        case .enumIndex(let index): return index < conjuncts.count ? enumLookup(conjuncts[index], index, entity, indexes) : nil
        case .sortedIndex(let field): return sortedLookup(field, conjuncts, entity, indexes)
        }
    }

    // MARK: Candidates

    /// `field op constant`, either way round.
    static func fieldComparison(_ expr: BoundExpr) -> (field: Int, op: ComparisonOperator, value: Value)? {
        guard case .compare(let op, let left, let right) = expr.node else { return nil }
        if case .field(let field) = left.node, case .constant(let value) = right.node, !value.isNull { return (field, op, value) }
        if case .field(let field) = right.node, case .constant(let value) = left.node, !value.isNull { return (field, flipped(op), value) }
        return nil
    }

    static func flipped(_ op: ComparisonOperator) -> ComparisonOperator {
        switch op {
        case .less: return .greater
        case .lessEqual: return .greaterEqual
        case .greater: return .less
        case .greaterEqual: return .lessEqual
        default: return op
        }
    }

    /// `field in (constants)`.
    static func fieldList(_ expr: BoundExpr) -> (field: Int, values: [Value])? {
        guard case .inList(let operand, let items, negated: false) = expr.node, case .field(let field) = operand.node else { return nil }
        var values: [Value] = []
        for item in items {
            guard case .constant(let value) = item.node else { return nil }
            if !value.isNull { values.append(value) }
        }
        return (field, values)
    }

    static func keyLookup(_ conjunct: BoundExpr, _ index: Int, _ entity: Entity, _ indexes: IndexCache) -> AccessPath? {
        guard let keyField = entity.keyFieldIndex else { return nil }
        // One key is the common case (a lookup by id): it needs no list.
        var key: Value?
        var keys: [Value] = []
        if let (field, op, value) = fieldComparison(conjunct), field == keyField, op == .equal {
            key = value
        } else if let (field, values) = fieldList(conjunct), field == keyField {
            keys = values
        } else {
            return nil
        }
        guard let keyIndex = indexes.keyIndex(of: entity) else { return nil }
        let rows: [Int32]
        if let key {
            rows = keyIndex.position(of: key).map { [$0] } ?? []
        } else {
            rows = Set(keys.compactMap { keyIndex.position(of: $0) }).sorted()
        }
        // The description captures two names, not the entity: a point
        // lookup should not pay for retaining every column.
        let (entityName, fieldName) = (entity.name, entity.fields[keyField].name)
        return AccessPath(.key(index), rows: rows,
                          detail: "SEARCH \(entityName) USING KEY INDEX (\(fieldName) = \((key.map { [$0] } ?? keys).map { ValueFormatter.plain($0) }.joined(separator: ", ")))",
                          estimate: rows.count, consumed: [index])
    }

    static func enumLookup(_ conjunct: BoundExpr, _ index: Int, _ entity: Entity, _ indexes: IndexCache) -> AccessPath? {
        var field = -1
        var codes: [Int32] = []
        if let (f, op, value) = fieldComparison(conjunct), op == .equal, case .symbol(let code, _) = value {
            field = f
            codes = [code]
        } else if let (f, values) = fieldList(conjunct) {
            field = f
            for value in values {
                guard case .symbol(let code, _) = value else { return nil }
                codes.append(code)
            }
        } else {
            return nil
        }
        guard case .enumeration(let enumType) = entity.fields[field].type,
              let postings = indexes.postings(of: entity, field: entity.fields[field].name) else { return nil }
        let rows = codes.count == 1 ? Array(postings.rows(for: codes[0])) : postings.rows(forAnyOf: codes).sorted()
        let symbols = codes.map { Int($0) < enumType.symbols.count ? enumType.symbols[Int($0)] : "?" }
        let condition = symbols.count == 1 ? "= \(symbols[0])" : "in (\(symbols.joined(separator: ", ")))"
        let (entityName, fieldName) = (entity.name, entity.fields[field].name)
        return AccessPath(.enumIndex(index), rows: rows,
                          detail: "SEARCH \(entityName) USING ENUM INDEX (\(fieldName) \(condition))",
                          estimate: rows.count, consumed: [index])
    }

    /// Bounds on one field from every conjunct that constrains it, answered
    /// by the sorted index of `create index`.
    static func sortedLookup(_ fieldName: String, _ conjuncts: [BoundExpr], _ entity: Entity, _ indexes: IndexCache) -> AccessPath? {
        guard let field = entity.fieldIndex(fieldName) else { return nil }
        var lower: IndexBound?, upper: IndexBound?
        var consumed = ConjunctSet()
        var parts: [String] = []
        var listRows: [Int32]?
        var prefixRows: [Int32]?
        for (index, conjunct) in conjuncts.enumerated() {
            if let (f, op, value) = fieldComparison(conjunct), f == field {
                let text = ValueFormatter.plain(value)
                // One bound per side: a second constraint on a side already
                // bounded stays a filter, so the tighter of the two holds.
                switch op {
                case .equal:
                    guard lower == nil, upper == nil else { continue }
                    lower = IndexBound(value, inclusive: true); upper = IndexBound(value, inclusive: true)
                    parts.append("= \(text)")
                case .greater, .greaterEqual:
                    guard lower == nil else { continue }
                    lower = IndexBound(value, inclusive: op == .greaterEqual)
                    parts.append((op == .greater ? "> " : ">= ") + text)
                case .less, .lessEqual:
                    guard upper == nil else { continue }
                    upper = IndexBound(value, inclusive: op == .lessEqual)
                    parts.append((op == .less ? "< " : "<= ") + text)
                case .notEqual:
                    continue
                }
                consumed.insert(index)
            } else if case .dayRange(let operand, let low, let high, negated: false) = conjunct.node, case .field(let f) = operand.node,
                      f == field, lower == nil, upper == nil, let bounds = dayBounds(low: low, high: high, type: entity.fields[field].type) {
                (lower, upper) = bounds
                parts.append("in \(ValueFormatter.plain(.date(low))) .. \(ValueFormatter.plain(.date(high)))")
                consumed.insert(index)
            } else if let (f, values) = fieldList(conjunct), f == field, listRows == nil {
                guard let sorted = indexes.sortedIndex(of: entity, field: fieldName), let rows = sorted.rows(in: values) else { continue }
                listRows = rows
                consumed.insert(index)
                parts.append("in (\(values.map { ValueFormatter.plain($0) }.joined(separator: ", ")))")
            } else if case .textMatch(.startsWith, let operand, let needle) = conjunct.node, case .field(let f) = operand.node, f == field,
                      case .constant(.text(let prefix)) = needle.node, prefixRows == nil {
                guard let prefixIndex = indexes.prefixIndex(of: entity, field: fieldName), let rows = prefixIndex.rows(startingWith: prefix) else { continue }
                prefixRows = rows
                consumed.insert(index)
                parts.append("starts with \"\(prefix)\"")
            }
        }
        guard !consumed.isEmpty else { return nil }
        // Each kind of constraint on the field gives a row set; several
        // constraints intersect.
        let entityName = entity.name
        let detail = "SEARCH \(entityName) USING INDEX \(fieldName) (\(fieldName) \(parts.joined(separator: " and ")))"
        var sets: [[Int32]] = []
        if lower != nil || upper != nil {
            guard let sorted = indexes.sortedIndex(of: entity, field: fieldName),
                  let positions = sorted.positions(lower: lower, upper: upper) else { return nil }
            // A range alone, large: its bitmap, not listed unless asked.
            if listRows == nil, prefixRows == nil, let bits = sorted.rowBits(at: positions) {
                return AccessPath(.sortedIndex(fieldName), kept: .bits(bits), detail: detail,
                                  estimate: positions.count, consumed: consumed)
            }
            sets.append(sorted.rows(at: positions))
        }
        if let listRows { sets.append(listRows) }
        if let prefixRows { sets.append(prefixRows) }
        guard var rows = sets.first else { return nil }
        for other in sets.dropFirst() {
            let keep = Set(other)
            rows = rows.filter { keep.contains($0) }
        }
        return AccessPath(.sortedIndex(fieldName), rows: rows, detail: detail, estimate: rows.count, consumed: consumed)
    }

    /// The index bounds of `in last 90 days` and the like: days `low ...
    /// high`, or for a datetime field the seconds from the start of `low` up
    /// to the start of the day after `high`.
    static func dayBounds(low: Int64, high: Int64, type: DataType) -> (IndexBound, IndexBound)? {
        switch type {
        case .date:
            return (IndexBound(.date(low), inclusive: true), IndexBound(.date(high), inclusive: true))
        case .datetime:
            let (start, overflowLow) = low.multipliedReportingOverflow(by: 86_400)
            let (dayAfter, overflowHigh) = high.addingReportingOverflow(1)
            let (end, overflowEnd) = dayAfter.multipliedReportingOverflow(by: 86_400)
            guard !overflowLow, !overflowHigh, !overflowEnd else { return nil }
            return (IndexBound(.datetime(start), inclusive: true), IndexBound(.datetime(end), inclusive: false))
        default:
            return nil
        }
    }

    // MARK: Conjunct order

    /// Positions of the conjuncts, cheapest and most selective first, so the
    /// costly ones run over the fewest rows.
    static func order(_ conjuncts: [BoundExpr], entity: Entity, indexes: IndexCache, store: Store? = nil) -> [Int] {
        func cost(_ expr: BoundExpr) -> Int {
            // A parent's field over children stored in parent order costs a
            // pass over the parents and a range of bits per parent that
            // passes (see `parentComparisonBits`): as cheap as the test on
            // the parent, and a selective one should run first.
            if let store, let (refField, parentName, condition) = expr.parentComparison, refField < entity.fields.count,
               let parent = store[parentName], parent.rowCount <= entity.rowCount,
               indexes.refIndex(child: entity, field: entity.fields[refField].name, parent: parent)?.isClustered == true {
                return cost(condition)
            }
            var worst = 0
            expr.walk { node in
                switch node.node {
                case .relationAggregate, .exists, .computed, .population, .hostCall: worst = max(worst, 3)
                case .navigate: worst = max(worst, 2)
                case .textMatch, .call, .concat, .caseWhen: worst = max(worst, 1)
                default: break
                }
            }
            return worst
        }
        // The halves of `between` move as one, estimated as one range, so
        // that the plan shows one step and neither half is estimated as if
        // it kept most rows.
        let keyed = steps(conjuncts).map { group -> (group: Range<Int>, cost: Int, selectivity: Double) in
            let members = Array(conjuncts[group])
            return (group, members.map(cost).max() ?? 0,
                    AccessPlanner.selectivity(of: members, entity: entity, indexes: indexes, store: store))
        }
        return keyed.sorted { a, b in
            if a.cost != b.cost { return a.cost < b.cost }
            if a.selectivity != b.selectivity { return a.selectivity < b.selectivity }
            return a.group.lowerBound < b.group.lowerBound
        }.flatMap(\.group)
    }

    /// The conjuncts in runs that form one step of a plan: `x between a and
    /// b` binds as two conjuncts with one span, side by side.
    static func steps(_ conjuncts: [BoundExpr]) -> [Range<Int>] {
        var groups: [Range<Int>] = []
        for (index, conjunct) in conjuncts.enumerated() {
            if let last = groups.last, conjuncts[last.upperBound - 1].range == conjunct.range {
                groups[groups.count - 1] = last.lowerBound..<(index + 1)
            } else {
                groups.append(index..<(index + 1))
            }
        }
        return groups
    }
}
