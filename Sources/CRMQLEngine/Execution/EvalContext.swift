import CRMQLCore
import CRMQLStorage

/// The rows an expression is evaluated over: a selection of an entity's rows,
/// or, in a grouped query, the groups formed from such a selection.
struct EvalContext {
    let entity: Entity
    /// Row positions in `entity`.
    let rows: [Int32]
    /// Set in a grouped query: the group of each of `rows`.
    var grouping: Grouping?

    struct Grouping {
        var groupOf: [Int32]
        var count: Int
        var keys: [Column]
    }

    init(entity: Entity, rows: [Int32], grouping: Grouping? = nil) {
        self.entity = entity
        self.rows = rows
        self.grouping = grouping
    }

    /// Every row of an entity.
    init(allOf entity: Entity) {
        self.init(entity: entity, rows: AllRows.of(count: entity.rowCount))
    }

    /// The number of values an expression yields here.
    var length: Int { grouping?.count ?? rows.count }

    /// True when `rows` is every row in order, so stored columns need no gather.
    var isAllRows: Bool { EvalContext.areAllRows(rows, of: entity.rowCount) }

    /// Whether `rows` is `0..<count` (ascending and without repeats, a
    /// selection's rows are that exactly when the first is 0 and the last
    /// `count - 1`).
    static func areAllRows(_ rows: [Int32], of count: Int) -> Bool {
        rows.count == count && (rows.isEmpty || rows.last == Int32(truncatingIfNeeded: rows.count - 1)) && rows.first == 0
    }

    /// The same selection without grouping: aggregates evaluate their
    /// arguments over the rows.
    var ungrouped: EvalContext { EvalContext(entity: entity, rows: rows) }
}
