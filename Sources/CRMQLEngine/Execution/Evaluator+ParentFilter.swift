import CRMQLCore
import CRMQLStorage

extension Evaluator {
    /// `customer.region = north` as a filter over orders: the customers that
    /// pass, found once over the parent entity (through the same fast paths
    /// as any filter), then each child row kept when its parent is marked.
    /// Gathering the parent's field for every child row instead reads a
    /// parent column at random once per child; when the children outnumber
    /// the parents, one pass over the parents and a mark per parent cost
    /// less (the rule is `FastPaths.throughParent`). Nil when the condition
    /// has another shape; the caller then evaluates it.
    ///
    /// When the children are stored in parent order (`RefIndex.isClustered`)
    /// and every child row is in question, the marked parents' children are
    /// row ranges, set a word at a time: no child row is read at all.
    ///
    /// Same answers: a child whose ref is null or dangling compares as null
    /// and is dropped either way, as is one whose parent's comparison is null.
    func parentComparisonBits(_ condition: BoundExpr, _ context: EvalContext) throws -> [UInt64]? {
        guard context.grouping == nil, let (refField, parentName, parentCondition) = condition.parentComparison,
              let parent = catalog.store[parentName] else { return nil }
        let passing = try unplanned { try filter(parentCondition, EvalContext(allOf: parent)) }
        if context.isAllRows, let index = services.refIndex(child: context.entity, refField: refField, parent: parent),
           index.isClustered, index.childRows.count == context.rows.count {
            var bits = [UInt64](repeating: 0, count: (context.rows.count + 63) >> 6)
            index.markChildren(of: passing, in: &bits)
            return bits
        }
        let parentOf = try services.refPositions(child: context.entity, refField: refField, parent: parent)
        // One bit per parent, shifted by one so a null or dangling ref (-1)
        // reads the clear bit 0. Bits rather than bools keep a million
        // parents in 128 KB, within the core's own cache, where the
        // children's lookups land at random. The rows are a selection of
        // the children and each parent position is -1 or a parent row (the
        // bounds rule of `RowSelection.assertInside`).
        let marks = (parent.rowCount + 1 + 63) >> 6
        var marked = [UInt64](repeating: 0, count: marks)
        for row in passing {
            let slot = Int(row) + 1
            marked[slot >> 6] |= 1 &<< UInt64(slot & 63)
        }
        RowSelection.assertInside(context.rows, parentOf.count, "child rows lie outside the ref's positions")
        assert(parentOf.allSatisfy { $0 >= -1 && Int($0) < parent.rowCount }, "a ref's positions lie outside its parent")
        return parentOf.withUnsafeBufferPointer { parentOf in
            marked.withUnsafeBufferPointer { marked in
                context.rows.withUnsafeBufferPointer { rows in
                    RowSelection.bits(count: rows.count) { index in
                        let slot = Int(parentOf[Int(rows[index])]) &+ 1
                        return marked[slot >> 6] & (1 &<< UInt64(slot & 63)) != 0
                    }
                }
            }
        }
    }
}
