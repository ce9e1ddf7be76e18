import CRMQLCore

/// A refused record, with where it is and why.
struct RowFailure {
    var origin: RowOrigin
    var problem: RecordProblem
}

/// The records a load refuses, gathered while it reads: the first reason
/// per record wins, and fields are converted in field order, so that is the
/// reason a row-by-row load would have given.
struct FailureLog {
    /// By sound row.
    private(set) var rows: [Int: RowFailure] = [:]
    /// The sound rows in `rows`, for a quick test in loops.
    private(set) var failedRows = NullBitmap()
    /// Records refused before their cells were looked at.
    private(set) var misfits: [RowFailure] = []

    /// Refuses sound row `row`, unless an earlier check did.
    mutating func fail(row: Int, origin: RowOrigin, message: String) {
        guard !failedRows.isNull(row) else { return }
        failedRows.set(row)
        rows[row] = RowFailure(origin: origin, problem: RecordProblem(line: origin.line, message: message))
    }

    mutating func refuse(_ misfit: Misfit, expectedCells: Int) {
        let problem = misfit.problem
            ?? RecordProblem(line: misfit.origin.line, message: "expected \(expectedCells) cells, found \(misfit.cellCount)")
        misfits.append(RowFailure(origin: misfit.origin, problem: problem))
    }

    /// Adds the row failures of a log kept for later fields of the same
    /// rows: a row this log already refuses keeps its reason.
    mutating func absorb(_ other: FailureLog) {
        for (row, failure) in other.rows where !failedRows.isNull(row) {
            failedRows.set(row)
            rows[row] = failure
        }
        misfits += other.misfits
    }

    var isEmpty: Bool { rows.isEmpty && misfits.isEmpty }

    /// Every failure, in file order.
    var inFileOrder: [RowFailure] {
        (misfits + rows.values).sorted { $0.origin.record < $1.origin.record }
    }
}

/// The body of a load, whatever the file format: reads the records once,
/// converting and inferring as it goes, reads them again only for what
/// that could not settle, then checks keys and assembles the entity.
enum LoadRun {
    /// - Parameters:
    ///   - existing: the entity loaded into, nil when the load creates it.
    ///   - store: the store before the load (not modified).
    static func run(_ source: some RecordSource, plan: LoadPlan, existing: Entity?, entityName: String, store: Store,
                    fileName: String, skipBad: Bool, progress: ProgressMeter?, poll: () throws -> Void = {}) throws -> LoadResult {
        let keyField = plan.keyField
        let keySource = keyField.flatMap { plan.sources[$0] }
        let keyMessage = keyField.map { "\(plan.fields[$0].name) is empty, but every row needs its key" } ?? ""
        var failures = FailureLog()
        var soundRows = 0
        var records = 0

        var conversion = FieldConversion(plan: plan)
        try source.forEachBatch(progress: progress != nil) { batch in
            try poll()
            for misfit in batch.misfits { failures.refuse(misfit, expectedCells: plan.expectedCells) }
            conversion.convert(batch, failures: &failures)
            if let keySource {
                for row in 0..<batch.rowCount where batch.cell(row, keySource) == nil {
                    failures.fail(row: batch.firstRow + row, origin: batch.origins[row], message: keyMessage)
                }
            }
            soundRows = batch.firstRow + batch.rowCount
            records += batch.rowCount + batch.misfits.count
        }
        guard records < Int(Int32.max) else {
            throw Diagnostic(.io, "\(fileName): too many rows for one entity", at: nil)
        }

        // Columns whose type changed after values were kept: read them again.
        let rebuilds: [(column: InferredColumn, source: Int)] = plan.columns.indices.compactMap { field in
            guard case .inferred(let column) = plan.columns[field], column.needsRebuild, let source = plan.sources[field] else { return nil }
            return (column, source)
        }
        if !rebuilds.isEmpty {
            for rebuild in rebuilds { rebuild.column.startRebuild() }
            try source.forEachBatch(progress: false) { batch in
                try poll()
                for rebuild in rebuilds { rebuild.column.rebuild(batch, column: rebuild.source) }
            }
        }

        var fields = plan.fields
        var columns: [Column] = []
        // The assembly below is linear in the rows, column by column: the
        // statement's limits are asked between columns.
        for field in plan.columns.indices {
            try poll()
            switch plan.columns[field] {
            case .declared(let column):
                columns.append(column.column())
            case .inferred(let column):
                let built = column.finish()
                fields[field].type = built.type
                columns.append(built)
            }
        }

        try poll()
        try checkKeys(source, plan: plan, fields: fields, columns: columns, existing: existing, entityName: entityName,
                      rows: soundRows, failures: &failures)
        try poll()

        let refused = failures.inFileOrder
        if !skipBad, let first = refused.first {
            throw Diagnostic(.io, first.problem.rendered(fileName: fileName), at: nil)
        }
        let rejected = refused.map { failure in
            RejectedRow(line: failure.problem.line, raw: Array(source.sourceBytes[failure.origin.raw]),
                        message: failure.problem.rendered(fileName: fileName))
        }
        let dropped = failures.rows.keys.sorted()
        columns = try columns.map { column in
            try poll()
            return column.removing(sortedRows: dropped)
        }

        let entity: Entity
        if var current = existing {
            var joined: [Column] = []
            for (index, column) in current.columns.enumerated() {
                try poll()
                guard let both = column.appending(columns[index]) else {
                    throw Diagnostic(.io, "\(fileName): field '\(current.fields[index].name)' of \(entityName) cannot hold the loaded values", at: nil)
                }
                joined.append(both)
            }
            current.replaceColumns(fields: current.fields, columns: joined)
            entity = current
        } else {
            entity = Entity(name: entityName, fields: fields, columns: columns)
        }
        var result = store
        result[entityName] = entity
        let loaded = columns.first?.count ?? 0
        return LoadResult(store: result, entityName: entityName, created: existing == nil, rowsLoaded: loaded, rejected: rejected)
    }

    /// Duplicate keys and self-refs to rows not yet loaded; the messages
    /// quote the cells, which takes one more reading of the records, only
    /// when some row is refused.
    private static func checkKeys(_ source: some RecordSource, plan: LoadPlan, fields: [Field], columns: [Column], existing: Entity?,
                                  entityName: String, rows: Int, failures: inout FailureLog) throws {
        let keyField = plan.keyField
        let selfRefs = plan.selfRefFields
        guard keyField != nil || !selfRefs.isEmpty else { return }
        var keyCells: [ParsedCell]?
        if let keyField, case .declared(let column) = plan.columns[keyField] { keyCells = column.keyCells }
        let refusals = KeyCheck.refusals(keys: keyField.map { columns[$0] }, keyCells: keyCells,
                                         existing: keyField.flatMap { existing?.columns[$0] },
                                         textKeys: keyField.map { fields[$0].type == .text } ?? false,
                                         selfRefs: selfRefs.map { ($0, columns[$0]) }, rows: rows, failed: failures.failedRows)
        guard !refusals.isEmpty else { return }
        var next = 0
        try source.forEachBatch(progress: false) { batch in
            let end = batch.firstRow + batch.rowCount
            while next < refusals.count, refusals[next].row < end {
                let refusal = refusals[next]
                next += 1
                let row = refusal.row - batch.firstRow
                guard row >= 0 else { continue }
                let message: String
                if let field = refusal.selfRefField {
                    let shown = plan.sources[field].flatMap { batch.cell(row, $0) }.map(LoadFailure.shown) ?? ""
                    message = "\(fields[field].name): no \(entityName) row before this one has the key '\(shown)'"
                } else {
                    let keyIndex = keyField ?? 0
                    let shown = batch.cell(row, plan.sources[keyIndex] ?? 0).map(LoadFailure.shown) ?? ""
                    message = "duplicate key: another row has \(fields[keyIndex].name) '\(shown)'"
                }
                failures.fail(row: refusal.row, origin: batch.origins[row], message: message)
            }
        }
    }
}
