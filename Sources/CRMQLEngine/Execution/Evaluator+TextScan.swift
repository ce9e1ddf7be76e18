import CRMQLCore
import CRMQLStorage

extension Evaluator {
    /// `field contains "needle"` over a stored text field, answered from the
    /// field's case-folded buffer (`FoldedText`) instead of row by row over
    /// its strings. Nil when that does not apply; the caller then evaluates
    /// the general way. Same answers: the buffer holds each row folded as
    /// `TextSearch` folds it, and a folded needle occurs in a folded row's
    /// UTF-8 exactly when it occurs in its scalars.
    func foldedContains(_ operand: BoundExpr, _ needleExpr: BoundExpr, _ context: EvalContext) throws -> Column? {
        guard let (folded, needle, column) = try foldedSearch(operand, needleExpr, context) else { return nil }
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

    /// The rows of `where name contains "acme"` over every row, straight
    /// from the buffer's ascending matches, without a column of flags in
    /// between. Nil where `foldedContains` would not apply, or over some
    /// rows. Same rows: a null row has an empty slot, which no needle that
    /// can be searched matches.
    func foldedContainsRows(_ condition: BoundExpr, _ context: EvalContext) throws -> [Int32]? {
        guard context.isAllRows, case .textMatch(.contains, let operand, let needleExpr) = condition.node,
              let (folded, needle, _) = try foldedSearch(operand, needleExpr, context) else { return nil }
        return folded.rowsContaining(needle)
    }

    private func foldedSearch(_ operand: BoundExpr, _ needleExpr: BoundExpr, _ context: EvalContext) throws
        -> (FoldedText, [UInt8], Column)? {
        guard context.grouping == nil, case .field(let field) = operand.node, operand.type == .text,
              case .constant(.text(let needleText)) = needleExpr.node else { return nil }
        let needle = TextSearch(needleText).foldedUTF8
        guard FoldedText.canSearch(needle) else { return nil }
        let entity = context.entity
        guard field < entity.columns.count, case .text(let texts) = entity.columns[field].data,
              let folded = try services.indexes.foldedText(of: entity, field: entity.fields[field].name,
                                                           foldNonASCII: TextSearch.appendFolded, poll: services.checkInterrupt),
              folded.count == texts.count else { return nil }
        return (folded, needle, entity.columns[field])
    }
}
