import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

/// The rows and numeric inputs of `clusters` and `classifier`: the source
/// entity's rows, each row's key (how `cluster(m, id)` finds it), and the
/// listed input expressions evaluated over them.
struct ModelInputs {
    let input: TableFunctionInput
    /// Each source row's key (the entity's key field).
    let keys: Column
    /// The inputs as written (`recency`, `revenue / 100`).
    let names: [String]
    let exprs: [Expr]
    /// Each input over the source rows, as doubles; NaN where null.
    let values: [[Double]]

    init(_ fit: ModelFit, kind: String, usage: String, inputs: Expr, runner: QueryRunner) throws {
        input = try TableFunctionInput(fit.arguments.first, function: kind, usage: usage, runner: runner, range: fit.range)
        let entity = input.entity
        guard let keyIndex = entity.keyFieldIndex else {
            throw Diagnostic.semantic("\(kind) needs an entity with a key field, by which \(kind == "clusters" ? "cluster" : "probability")(m, id) finds its rows; \(entity.name) has none", input.range)
        }
        let keyName = entity.fields[keyIndex].name
        keys = try Self.column(Expr(.identifier(keyName, quoted: true), input.range), input, runner)
        if case .tuple(let items) = inputs.kind { exprs = items } else { exprs = [inputs] }
        names = exprs.map { runner.source.text(of: $0.range) }
        let check = { try runner.evaluator.services.checkInterrupt() }
        var values: [[Double]] = []
        for (index, expr) in exprs.enumerated() {
            let column = try Self.column(expr, input, runner)
            guard column.type.isNumeric || column.type == .null else {
                throw Diagnostic.semantic("the input '\(names[index])' is \(column.type.kindName), but \(kind) needs numbers; "
                    + "use a measure such as a count or an amount, or turn it into one, as in if(\(names[index]) = ..., 1, 0)", expr.range)
            }
            let doubles = column.type == .null ? [Double](repeating: .nan, count: input.rows.count) : column.doubles
            var withNulls = doubles
            var nonNull = 0
            for row in 0..<withNulls.count {
                if row & Self.pollMask == Self.pollMask { try check() }
                if column.isNull(row) || !doubles[row].isFinite { withNulls[row] = .nan } else { nonNull += 1 }
            }
            guard nonNull > 0 || input.rows.isEmpty else {
                throw Diagnostic.semantic("the input '\(names[index])' is null on every row of \(entity.name); choose an input that has values, or give it a default with coalesce(\(names[index]), 0)", expr.range)
            }
            values.append(withNulls)
        }
        self.values = values
    }

    /// The rows every input has a value on (and where `also` holds).
    /// `check` is called every `pollMask + 1` rows of this and `columns`:
    /// over a large entity these passes take long enough in a debug build
    /// to matter to a time limit.
    func completeRows(check: () throws -> Void, also: (Int) -> Bool = { _ in true }) throws -> [Int32] {
        var rows: [Int32] = []
        for row in 0..<input.rows.count {
            if row & Self.pollMask == Self.pollMask { try check() }
            if also(row) && values.allSatisfy({ !$0[row].isNaN }) { rows.append(Int32(row)) }
        }
        return rows
    }

    /// Rows between two polls of a pass over the inputs.
    /// TUNING: 16,384 rows take well under a millisecond, a few in a debug build.
    static let pollMask = (1 << 14) - 1

    /// Refuses inputs whose spread overflows a double (values near 1e308),
    /// which could not be standardised.
    func checkScale(_ scale: Standardization) throws {
        for index in names.indices where !(scale.means[index].isFinite && scale.deviations[index].isFinite) {
            throw Diagnostic.runtime("the input '\(names[index])' has values too large to standardise; divide it by a power of ten, as in \(names[index]) / 1000000",
                                     exprs[index].range)
        }
    }

    /// Each input's values on `rows`.
    func columns(_ rows: [Int32], check: () throws -> Void) throws -> [[Double]] {
        try values.map { column in
            var gathered = [Double](repeating: 0, count: rows.count)
            for (index, row) in rows.enumerated() {
                if index & Self.pollMask == Self.pollMask { try check() }
                gathered[index] = column[Int(row)]
            }
            return gathered
        }
    }

    static func column(_ expr: Expr, _ input: TableFunctionInput, _ runner: QueryRunner) throws -> Column {
        let bound = try runner.binder.bind(expr, in: Scope(entity: input.entity))
        let column = try runner.evaluator.unplanned {
            try runner.evaluator.evaluate(bound, EvalContext(entity: input.entity, rows: input.rows))
        }
        return column.expanded(to: input.rows.count)
    }

    /// A whole-number literal argument (`k: 4`, `seed: 7`), or nil when it is not one.
    static func integer(_ expr: Expr) -> Int64? {
        switch expr.kind {
        case .literal(.int(let value)): return value
        case .unary(.negate, let inner):
            if case .literal(.int(let value)) = inner.kind { return -value }
        default: break
        }
        return nil
    }

    /// A number literal argument (`holdout: 0.2`), or nil.
    static func number(_ expr: Expr) -> Double? {
        switch expr.kind {
        case .literal(let value): return value.doubleValue
        case .unary(.negate, let inner):
            if case .literal(let value) = inner.kind, let number = value.doubleValue { return -number }
        default: break
        }
        return nil
    }
}
