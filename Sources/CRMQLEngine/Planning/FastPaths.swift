import CRMQLCore
import CRMQLStorage
import Foundation

/// The applicability rule of every fast path, in one place: the planner
/// asks these when it builds a plan, and the evaluator asks the same ones
/// for what no plan covers (a measure's body, the filter of an `exists`, an
/// `update`'s `where`). With fast paths off (`set fast_paths = off`, or
/// `CRMQL_FAST_PATHS=off` in the environment) each answers the general
/// operator, which is how tests prove that both compute the same answers.
struct FastPaths: Sendable {
    var enabled: Bool
    let indexes: IndexCache
    let store: Store

    /// The default for new sessions: on, unless the environment says off.
    static var defaultEnabled: Bool {
        guard let raw = ProcessEnvironment.value("CRMQL_FAST_PATHS") else { return true }
        return !["off", "0", "false", "no"].contains(raw.lowercased())
    }

    // MARK: Filters

    /// How one conjunct of a `where` runs over `rows` rows of `entity`.
    func filterStrategy(_ conjunct: BoundExpr, entity: Entity, rows: Int) -> OperatorName {
        guard enabled else { return .evaluateFilter }
        switch conjunct.node {
        case .compare:
            if let strategy = comparisonStrategy(conjunct, entity: entity) { return strategy }
            if throughParent(conjunct, rows: rows) != nil { return .parentMarkFilter }
        case .dayRange(let operand, _, _, _):
            if case .field(let field) = operand.node, field >= 0, field < entity.columns.count,
               case .temporal = entity.columns[field].data, entity.fields[field].type == .date || entity.fields[field].type == .datetime {
                return .dayRangeScan
            }
        case .exists(let child, let refField, let filter):
            return existsStrategy(child: child, refField: refField, filter: filter, parent: entity, rows: rows)
        case .not(let inner):
            if case .exists(let child, let refField, let filter) = inner.node {
                return existsStrategy(child: child, refField: refField, filter: filter, parent: entity, rows: rows)
            }
        case .inList:
            if enumCodeSet(conjunct, entity) != nil { return .enumCodeFilter }
        case .textMatch(.contains, let operand, let needle):
            if foldedTextApplies(operand, needle, entity) { return .foldedTextScan }
        case .textMatch(let kind, let operand, let needle):
            if distinctText(kind, operand, needle, entity) != nil { return .distinctTextMatch }
        default:
            break
        }
        return .evaluateFilter
    }

    /// `field op constant` answered from the stored column; nil for
    /// another shape or a constant of another kind than the column's.
    private func comparisonStrategy(_ conjunct: BoundExpr, entity: Entity) -> OperatorName? {
        guard let (field, _, constant) = AccessPlanner.fieldComparison(conjunct), field >= 0, field < entity.columns.count else { return nil }
        let column = entity.columns[field]
        switch (column.data, constant) {
        case (.number, .number):
            return usesHundredths(entity, field) ? .hundredthsCompare : .columnCompare
        case (.int, .int): return .columnCompare
        case (.temporal, .date) where column.type == .date: return .columnCompare
        case (.temporal, .datetime) where column.type == .datetime: return .columnCompare
        case (.codes, .symbol(_, let enumType)) where column.type == .enumeration(enumType): return .enumCodeFilter
        default: return nil
        }
    }

    /// Whether `amount > 500` compares counts of hundredths instead of
    /// doubles: a large number field whose values are all whole hundredths.
    /// Decided, and the copy built, when the plan is made, so a query's
    /// first run takes the path its later runs take.
    func usesHundredths(_ entity: Entity, _ field: Int) -> Bool {
        // TUNING: 64K doubles (512 KB) fit in a core's cache; above that,
        // a scan of them waits on memory and half the bytes pays.
        guard enabled, entity.columns[field].count >= 1 << 16 else { return false }
        return indexes.hundredths(of: entity, field: entity.fields[field].name) != nil
    }

    /// `customer.region = north` over child rows: the parents tested once
    /// and their children marked, when the rows in question outnumber the
    /// parents.
    func throughParent(_ condition: BoundExpr, rows: Int) -> (refField: Int, parent: Entity, condition: BoundExpr)? {
        guard enabled, let (refField, parentName, parentCondition) = condition.parentComparison, let parent = store[parentName],
              parent.rowCount <= rows else { return nil }
        return (refField, parent, parentCondition)
    }

    /// How `exists(child where …)` runs for `rows` rows of `parent`.
    func existsStrategy(child: String, refField: Int, filter: BoundExpr?, parent: Entity, rows: Int) -> OperatorName {
        guard enabled else { return .childExistsScan }
        if filter == nil { return .existsFromOffsets }
        // TUNING: one row in eight is where visiting their children costs
        // about what one pass over every child does. A filter that could
        // fail on a row (an overflow, a host function) must see only the
        // rows' own children, or another row's child could fail the query.
        if let filter, rows >= parent.rowCount / 8, filter.cannotFail { return .markParentsExists }
        return .childExistsScan
    }

    /// Whether `contains` with this constant needle can search the stored
    /// text field's case-folded buffer (`FoldedText`, built at the first
    /// search by `Evaluator.foldedSearch`).
    func foldedTextApplies(_ operand: BoundExpr, _ needleExpr: BoundExpr, _ entity: Entity) -> Bool {
        foldedNeedle(operand, needleExpr, entity) != nil
    }

    /// The case-folded needle `FoldedTextScan` searches for, when it
    /// applies: the rule and the needle come from one place, folded once.
    func foldedNeedle(_ operand: BoundExpr, _ needleExpr: BoundExpr, _ entity: Entity) -> [UInt8]? {
        guard enabled, case .field(let field) = operand.node, operand.type == .text,
              case .constant(.text(let needleText)) = needleExpr.node,
              field >= 0, field < entity.columns.count, case .text = entity.columns[field].data else { return nil }
        let needle = TextSearch(needleText).foldedUTF8
        return FoldedText.canSearch(needle) ? needle : nil
    }

    /// `field in (a, b, …)` (or `not in`) of a stored enum field of
    /// one-byte codes and symbols of its enum: the field, the codes as a
    /// set of 256 bits, and whether negated. `EnumCodeFilter` tests each
    /// row's code against the set.
    func enumCodeSet(_ conjunct: BoundExpr, _ entity: Entity) -> (field: Int, bits: [UInt64], negated: Bool)? {
        guard case .inList(let operand, let items, let negated) = conjunct.node, case .field(let field) = operand.node,
              field >= 0, field < entity.columns.count, case .enumeration(let enumType) = entity.columns[field].type,
              case .codes(let codes) = entity.columns[field].data, case .narrow = codes.storage, !items.isEmpty else { return nil }
        var bits = [UInt64](repeating: 0, count: 4)
        for item in items {
            guard case .constant(.symbol(let code, let type)) = item.node, type == enumType, code >= 0, code <= 255 else { return nil }
            bits[Int(code) >> 6] |= 1 << UInt64(code & 63)
        }
        return (field, bits, negated)
    }

    /// Whether `x contains|starts with|ends with|matches "…"` over an enum
    /// `x` tests each of the enum's symbols once and keeps rows by their
    /// code (`EnumSymbolTest`): the answer depends on the symbol alone, and
    /// an enum has a few dozen where a table has millions of rows.
    func enumSymbolTestApplies(_ operand: BoundExpr, _ needle: BoundExpr) -> Bool {
        guard enabled, case .toText(let inner) = operand.node, case .enumeration = inner.type,
              case .constant(.text) = needle.node else { return false }
        return true
    }

    /// What `DistinctTextMatch` tests for `matches`, `starts with` or
    /// `ends with` a constant: the stored text field's dictionary (built
    /// when the plan first asks, so a query's first run takes the path its
    /// later runs take), the constant, and the field. Nil when the field
    /// has too many distinct texts for testing each once to pay.
    func distinctText(_ kind: TextMatch, _ operand: BoundExpr, _ needleExpr: BoundExpr,
                      _ entity: Entity) -> (dictionary: TextDictionary, needle: String, field: Int)? {
        guard enabled, kind != .contains, case .field(let field) = operand.node, operand.type == .text,
              case .constant(.text(let needle)) = needleExpr.node,
              field >= 0, field < entity.columns.count, case .text = entity.columns[field].data,
              let dictionary = indexes.textDictionary(of: entity, field: entity.fields[field].name),
              dictionary.count == entity.columns[field].count else { return nil }
        return (dictionary, needle, field)
    }

    // MARK: Relation aggregates

    /// How `sum(orders.amount)` runs for `rows` of the `parent`'s rows,
    /// outside a grouping: over ranges of children stored in parent order,
    /// computed for every parent at once, when enough rows need it and the
    /// reduction covers it; else over the rows' children.
    func relationStrategy(_ aggregate: RelationAggregate, type: DataType, parent: Entity, rows: Int) -> OperatorName {
        guard enabled, aggregate.filter == nil, !aggregate.distinct, let child = store[aggregate.child],
              aggregate.refField >= 0, aggregate.refField < child.fields.count,
              let index = indexes.refIndex(child: child, field: child.fields[aggregate.refField].name, parent: parent),
              index.isClustered, index.parentCount == parent.rowCount, index.childRows.count == child.rowCount,
              Aggregation.rangesCover(aggregate.function, argumentType: aggregate.argument?.type, type: type,
                                      exact: moneyField(aggregate.function, aggregate.argument, child) != nil)
        else { return .childSegmentAggregate }
        // TUNING: below one parent in eight, gathering the rows' children
        // costs less than a pass over every child.
        return rows >= parent.rowCount / 8 ? .clusteredChildRangeSum : .childSegmentAggregate
    }

    /// The counts of hundredths a `sum` or `avg` of a money field adds: a
    /// stored number field whose values are all whole hundredths. Not a
    /// fast path: it is what makes a sum of money exact, in every mode.
    func moneyField(_ function: AggregateFunction, _ argument: BoundExpr?, _ entity: Entity) -> [Int32]? {
        guard function == .sum || function == .avg, let argument, argument.type == .number,
              case .field(let field) = argument.node, field >= 0, field < entity.columns.count,
              case .number = entity.columns[field].data,
              let scaled = indexes.hundredths(of: entity, field: entity.fields[field].name),
              scaled.counts.count == entity.columns[field].count else { return nil }
        return scaled.counts
    }

    /// Whether a running aggregate `by:` a partition computes over the
    /// partitions of the rows it is asked for only (`PartitionRows`): when
    /// they are under an eighth of the entity. At run time the partitions'
    /// rows must be under an eighth too, or every row is computed.
    func partitionRowsApply(rows: Int, of entity: Entity) -> Bool {
        enabled && rows < entity.rowCount / 8
    }

    // MARK: Grouping and order

    /// How a grouped query numbers its groups.
    func groupStrategy(_ bound: BoundQuery, _ entity: Entity) -> OperatorName {
        guard enabled else { return .sortGroup }
        if DenseAggregation(bound, entity) != nil { return .perfectHashGroup }
        let dense = bound.groupKeys.allSatisfy { key in
            switch key.bound.type {
            case .enumeration, .bool: return true
            default: return false
            }
        }
        if dense && !bound.groupKeys.isEmpty { return .denseKeyGroup }
        return bound.groupKeys.isEmpty ? .sortGroup : .radixGroup
    }

    /// How rows (or groups) are put in the `order by`'s order when no
    /// index or bounded selection serves: by radix over the keys' codes.
    /// A key without codes (a number column holding NaN) is found only
    /// when the keys are evaluated; `RadixSort` then compares as `Sort` does.
    var sortStrategy: OperatorName { enabled ? .radixSort : .sort }

    /// Whether `order by f [desc] limit k` reads its rows from the index of
    /// `create index on …(f)`: a single stored field so indexed, over every
    /// row of the stored entity.
    func indexOrderField(_ bound: BoundQuery, _ entity: Entity, wholeEntity: Bool) -> Int? {
        guard enabled, wholeEntity, bound.condition == nil, bound.limit != nil, !bound.grouped, bound.orderBy.count == 1,
              case .expr(let expr) = bound.orderBy[0].source, case .field(let field) = expr.node, field >= 0, field < entity.fields.count,
              store.explicitIndexes.contains(IndexName(entity: entity.name, field: entity.fields[field].name)),
              indexes.sortedIndex(of: entity, field: entity.fields[field].name) != nil else { return nil }
        return field
    }
}

/// Reads the process environment once per name (a test sets it before the
/// first session starts).
enum ProcessEnvironment {
    static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        return String(cString: raw)
    }
}
