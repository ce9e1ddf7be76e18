import CRMQLCore
import CRMQLStorage

extension Evaluator {
    /// `field contains "needle"` over a stored text field, answered from the
    /// field's case-folded buffer (`FoldedText`, found by
    /// `FastPaths.foldedText`) instead of row by row over its strings. Same
    /// answers: the buffer holds each row folded as `TextSearch` folds it,
    /// and a folded needle occurs in a folded row's UTF-8 exactly when it
    /// occurs in its scalars.
    func foldedContains(_ search: (FoldedText, [UInt8], Column), _ context: EvalContext) -> Column {
        let (folded, needle, column) = search
        let rows = context.rows
        var out = [Bool](repeating: false, count: rows.count)
        if context.isAllRows {
            for row in folded.rowsContaining(needle) { out[Int(row)] = true }
            return makeBool(out, nulls: column.nulls)
        }
        for (index, row) in rows.enumerated() {
            out[index] = folded.row(Int(row), contains: needle)
        }
        let nulls = column.nulls.hasNulls ? NullBitmap(count: rows.count) { column.isNull(Int(rows[$0])) } : NullBitmap()
        return makeBool(out, nulls: nulls)
    }

    /// The folded buffer `contains` searches, built (and kept) on its
    /// first use, checking the interrupt and the time limit as it folds;
    /// nil when `FastPaths.foldedNeedle` gives no needle.
    func foldedSearch(_ operand: BoundExpr, _ needleExpr: BoundExpr, _ entity: Entity) throws -> (FoldedText, [UInt8], Column)? {
        guard let needle = fastPaths.foldedNeedle(operand, needleExpr, entity), case .field(let field) = operand.node,
              let folded = try services.indexes.foldedText(of: entity, field: entity.fields[field].name,
                                                           foldNonASCII: TextSearch.appendFolded, poll: services.checkInterrupt)
        else { return nil }
        return (folded, needle, entity.columns[field])
    }
}
