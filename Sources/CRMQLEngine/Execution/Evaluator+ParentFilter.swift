import CRMQLCore
import CRMQLStorage

extension Evaluator {
    /// `customer.region = north` as a filter over orders: the customers that
    /// pass, found once over the parent entity (through the same fast paths
    /// as any filter), then each child row kept when its parent is marked.
    /// Gathering the parent's field for every child row instead reads a
    /// parent column at random once per child; when the children outnumber
    /// the parents, one pass over the parents and a mark per parent cost
    /// less. Nil when the condition has another shape or the parents are
    /// the more numerous; the caller then evaluates it.
    ///
    /// Same answers: a child whose ref is null or dangling compares as null
    /// and is dropped either way, as is one whose parent's comparison is null.
    func filterThroughParent(_ condition: BoundExpr, _ context: EvalContext) throws -> [Int32]? {
        guard context.grouping == nil, let (refField, parentName, parentCondition) = condition.parentComparison else { return nil }
        guard let parent = catalog.store[parentName], parent.rowCount <= context.rows.count else { return nil }
        let parentOf = services.refPositions(child: context.entity, refField: refField, parent: parent)
        let rows = context.rows
        guard rows.allSatisfy({ $0 >= 0 && Int($0) < parentOf.count }) else { return nil }
        let passing = try filter(parentCondition, EvalContext(allOf: parent))
        var marked = [Bool](repeating: false, count: parent.rowCount)
        for row in passing { marked[Int(row)] = true }
        var kept: [Int32] = []
        kept.reserveCapacity(rows.count / 4)
        parentOf.withUnsafeBufferPointer { parentOf in
            marked.withUnsafeBufferPointer { marked in
                for row in rows {
                    let parentRow = Int(parentOf[Int(row)])
                    if parentRow >= 0 && marked[parentRow] { kept.append(row) }
                }
            }
        }
        return kept
    }
}
