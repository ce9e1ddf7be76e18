import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

extension QueryRunner {
    /// `order by f [desc] limit k` over a whole entity with an index on `f`:
    /// the first rows read straight from the index, in the order a stable
    /// sort would give (ties by row, nulls where the query puts them).
    /// Nil when the index cannot serve the order.
    func indexedOrder(_ bound: BoundQuery, _ entity: Entity, rowCount: Int, take: Int) -> [Int32]? {
        guard bound.orderBy.count == 1, rowCount == entity.rowCount,
              catalog.store[entity.name]?.version == entity.version else { return nil }
        let item = bound.orderBy[0]
        // A `show … as f` alias is what `order by f` means.
        guard case .expr(let expr) = item.source, case .field(let fieldIndex) = expr.node else { return nil }
        // Whether the field has an index of `create index` is the
        // planner's rule (`FastPaths.indexOrderField`); a plan is kept only
        // while the session's indexes are the ones it was made with, and
        // any sorted index of the field gives the same rows.
        guard let index = evaluator.services.indexes.sortedIndex(of: entity, field: entity.fields[fieldIndex].name) else { return nil }
        let column = entity.columns[fieldIndex]
        let nullsFirst = item.nullsFirst
        var result: [Int32] = []
        result.reserveCapacity(min(take, rowCount))
        func addNulls() {
            guard column.nulls.hasNulls else { return }
            for row in 0..<entity.rowCount where result.count < take && column.isNull(row) { result.append(Int32(row)) }
        }
        if nullsFirst { addNulls() }
        let sorted = index.sortedRows
        if !item.descending {
            for row in sorted where result.count < take { result.append(row) }
        } else {
            // Runs of equal values keep ascending row order, as a stable sort would.
            let compare = Sorting.comparator(SortKey(column: column, descending: false, nullsFirst: false))
            var end = sorted.count
            while end > 0 && result.count < take {
                var start = end - 1
                while start > 0 && compare(Int(sorted[start - 1]), Int(sorted[end - 1])) == 0 { start -= 1 }
                for position in start..<end where result.count < take { result.append(sorted[position]) }
                end = start
            }
        }
        if !nullsFirst { addNulls() }
        return result
    }
}
