import CRMQLCore
import CRMQLStorage

extension Evaluator {
    /// The rows of `context` where `field matches/starts with/ends with
    /// constant` holds, each distinct text tested once (`DistinctTextMatch`).
    /// Over every row, the rows are kept by their text's number in morsels
    /// on the session's threads; the tests themselves run on this thread,
    /// since a compiled pattern is not shared between threads.
    func distinctTextRows(_ kind: TextMatch, _ distinct: (dictionary: TextDictionary, needle: String, field: Int),
                          _ expr: BoundExpr, _ context: EvalContext) throws -> [Int32] {
        let dictionary = distinct.dictionary
        guard context.isAllRows else {
            let passes = try distinctTextPasses(kind, dictionary, distinct.needle, expr, among: context.rows)
            return dictionary.codes.withUnsafeBufferPointer { codes in
                context.rows.filter { passes[Int(codes[Int($0)])] != 0 }
            }
        }
        let passes = try distinctTextPasses(kind, dictionary, distinct.needle, expr, among: nil)
        try services.checkInterrupt()
        let bits = dictionary.codes.withUnsafeBufferPointer { codes in
            passes.withUnsafeBufferPointer { passes in
                RowSelection.bits(count: codes.count, parallelism, CodePass(codes: codes, holds: passes))
            }
        }
        return RowSelection.positions(bits, parallelism)
    }

    /// `distinctTextRows` as a column of conditions over `context`'s rows:
    /// null where the text is null, as the row-by-row test answers.
    func distinctTextMatch(_ kind: TextMatch, _ distinct: (dictionary: TextDictionary, needle: String, field: Int),
                           _ expr: BoundExpr, _ context: EvalContext) throws -> Column {
        let dictionary = distinct.dictionary
        let column = context.entity.columns[distinct.field]
        let passes = try distinctTextPasses(kind, dictionary, distinct.needle, expr,
                                            among: context.isAllRows ? nil : context.rows)
        let rows = context.rows
        var out = [Bool](repeating: false, count: rows.count)
        dictionary.codes.withUnsafeBufferPointer { codes in
            if context.isAllRows {
                for row in out.indices { out[row] = passes[Int(codes[row])] != 0 }
            } else {
                for (index, row) in rows.enumerated() { out[index] = passes[Int(codes[Int(row)])] != 0 }
            }
        }
        let nulls = context.isAllRows ? column.nulls
            : column.nulls.hasNulls ? NullBitmap(count: rows.count) { column.isNull(Int(rows[$0])) } : NullBitmap()
        return makeBool(out, nulls: nulls)
    }

    /// One byte per distinct text, 1 where the test holds (0 for null).
    /// With `rows`, only the texts those rows hold are tested: a text no
    /// row in question holds must not fail the statement (a value the
    /// pattern backtracks too long on), as it would not row by row.
    private func distinctTextPasses(_ kind: TextMatch, _ dictionary: TextDictionary, _ needle: String,
                                    _ expr: BoundExpr, among rows: [Int32]?) throws -> [UInt8] {
        let texts = dictionary.texts
        var wanted: [Bool]?
        if let rows {
            var marks = [Bool](repeating: false, count: texts.count)
            dictionary.codes.withUnsafeBufferPointer { codes in
                for row in rows { marks[Int(codes[Int(row)])] = true }
            }
            wanted = marks
        }
        var passes = [UInt8](repeating: 0, count: texts.count)
        switch kind {
        case .matches:
            let pattern = try compiledPattern(needle, expr)
            let poll = services.checkInterrupt as () throws -> Void
            for (code, text) in texts.enumerated() {
                if code & 1023 == 0 { try services.checkInterrupt() }
                guard let text, wanted?[code] ?? true else { continue }
                if try patternMatch(pattern, text, poll, expr) { passes[code] = 1 }
            }
        case .contains, .startsWith, .endsWith:
            let search = TextSearch(needle)
            for (code, text) in texts.enumerated() {
                if code & 1023 == 0 { try services.checkInterrupt() }
                guard let text, wanted?[code] ?? true else { continue }
                let holds = kind == .startsWith ? search.isPrefix(of: text)
                    : kind == .endsWith ? search.isSuffix(of: text) : search.isContained(in: text)
                if holds { passes[code] = 1 }
            }
        }
        return passes
    }
}

/// Row `i` passes when its text's number passes.
private struct CodePass: RowTest {
    let codes: UnsafeBufferPointer<UInt16>
    let holds: UnsafeBufferPointer<UInt8>
    @inline(__always) func passes(_ row: Int) -> Bool { holds[Int(codes[row])] != 0 }
}
