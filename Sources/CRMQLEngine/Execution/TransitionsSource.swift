import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

/// `transitions(customers, of: rfm_segment, from: 2025-12-31, to: 2026-06-30)`:
/// how rows moved between the values of a field between two dates, each
/// value computed `as of` its date — a Markov transition matrix whose rows
/// (one `from_state`) sum to 1. Nulls are a state of their own.
struct TransitionsSource {
    let runner: QueryRunner
    private let usage = "transitions(customers, of: rfm_segment, from: 2025-12-31, to: 2026-06-30)"

    /// What a call asks, checked: the entity, the field, the two days.
    struct Call {
        var entity: String
        var of: Expr
        var from: Int64
        var to: Int64
    }

    func run(_ arguments: [Argument], range: SourceRange) throws -> QueryOutput {
        let call = try parse(arguments, range: range)
        let name = call.entity, of = call.of
        let before = try states(name, of, on: call.from)
        let after = try states(name, of, on: call.to)
        guard before.column.type == after.column.type || before.column.type == .null || after.column.type == .null else {
            throw Diagnostic.semantic("'\(runner.source.text(of: of.range))' has another type on each date", of.range)
        }
        return try matrix(before, after)
    }

    /// The arguments of a call, checked (`explain sql` compiles the same call).
    func parse(_ arguments: [Argument], range: SourceRange) throws -> Call {
        guard let first = arguments.first, first.label == nil, case .identifier(let name, _) = first.value.kind else {
            throw Diagnostic.semantic("transitions needs an entity first: \(usage)", arguments.first?.value.range ?? range)
        }
        guard runner.catalog.store[name] != nil else {
            throw Diagnostic.semantic(Suggestion.message("unknown entity '\(name)'", for: name, among: runner.catalog.store.entityNames), first.value.range)
        }
        var of: Expr?, from: Expr?, to: Expr?
        for argument in arguments.dropFirst() {
            guard let label = argument.label else {
                throw Diagnostic.semantic("transitions takes named arguments after the entity: of:, from:, to:", argument.value.range)
            }
            switch label.text.lowercased() {
            case "of": of = argument.value
            case "from": from = argument.value
            case "to": to = argument.value
            default:
                throw Diagnostic.semantic(Suggestion.message("unknown argument '\(label.text)' of transitions; it takes of:, from:, to:",
                                                             for: label.text, among: ["of", "from", "to"]), label.range)
            }
        }
        guard let of else { throw Diagnostic.semantic("transitions needs the field whose values move: \(usage)", range) }
        guard let from else { throw Diagnostic.semantic("transitions needs the first date: from: 2025-12-31", range) }
        guard let to else { throw Diagnostic.semantic("transitions needs the second date: to: 2026-06-30", range) }
        let fromDay = try runner.constantDate(from, "from:")
        let toDay = try runner.constantDate(to, "to:")
        guard fromDay <= toDay else {
            throw Diagnostic.semantic("from: \(CivilDate(days: fromDay).iso) is after to: \(CivilDate(days: toDay).iso); give the earlier date in from:", from.range)
        }
        return Call(entity: name, of: of, from: fromDay, to: toDay)
    }

    /// The matrix of the states of the rows on both dates.
    private func matrix(_ before: (column: Column, kept: [Int32]?), _ after: (column: Column, kept: [Int32]?)) throws -> QueryOutput {
        // A row counts when it exists on the first date; it exists on the
        // second too, since a view on a later date hides fewer rows.
        let check = { try runner.evaluator.services.checkInterrupt() }
        let pairs = try Self.matchRows(before.kept, after.kept, count: before.column.count, check: check)
        let fromStates = try StateCodes(before.column, check: check)
        let toStates = try StateCodes(after.column, check: check)
        // The pairs that occur, counted sparsely: a field of as many values
        // as rows (an id, an amount) would make a dense matrix of rows².
        let width = toStates.values.count
        var counts: [Int: Int] = [:]
        var totals = [Int](repeating: 0, count: fromStates.values.count)
        for (index, (row, later)) in pairs.enumerated() {
            if index & StateCodes.pollMask == StateCodes.pollMask { try check() }
            let from = Int(fromStates.codes[row])
            counts[from * width + Int(toStates.codes[later]), default: 0] += 1
            totals[from] += 1
        }
        var fromRank = [Int](repeating: 0, count: fromStates.values.count)
        for (rank, code) in fromStates.order.enumerated() { fromRank[code] = rank }
        var toRank = [Int](repeating: 0, count: width)
        for (rank, code) in toStates.order.enumerated() { toRank[code] = rank }
        var cells = Array(counts.keys)
        try RunMergeSort.sort(&cells, run: StateCodes.pollMask + 1, poll: check) { a, b in
            let (fa, fb) = (fromRank[a / width], fromRank[b / width])
            return fa != fb ? fa < fb : toRank[a % width] < toRank[b % width]
        }
        let type = before.column.type == .null ? after.column.type : before.column.type
        var fromValues: [Value] = [], toValues: [Value] = [], countValues: [Int64] = [], shares: [Value] = []
        for (index, cell) in cells.enumerated() {
            if index & StateCodes.pollMask == StateCodes.pollMask { try check() }
            let (f, t) = (cell / width, cell % width)
            let count = counts[cell] ?? 0
            fromValues.append(fromStates.values[f])
            toValues.append(toStates.values[t])
            countValues.append(Int64(count))
            shares.append(.number(Double(count) / Double(totals[f])))
        }
        return QueryOutput(names: ["from_state", "to_state", "count", "share"],
                           columns: [Column.make(type: type, values: fromValues), Column.make(type: type, values: toValues),
                                     Column(type: .int, data: .int(countValues)), Column.make(type: .number, values: shares)])
    }

    /// The field's value for every row of the entity as of `day`, and the
    /// entity's rows in that view as positions in the stored entity (nil:
    /// all of them).
    private func states(_ name: String, _ of: Expr, on day: Int64) throws -> (column: Column, kept: [Int32]?) {
        let view = try AsOfView(day, of: runner)
        return try view.run(for: runner) { runner in
            guard let entity = runner.catalog.store[name] else { throw Diagnostic.runtime("unknown entity '\(name)'", of.range) }
            let bound = try runner.binder.bind(of, in: Scope(entity: entity))
            let column = try runner.evaluator.unplanned { try runner.evaluator.evaluate(bound, EvalContext(allOf: entity)) }
            return (column.expanded(to: entity.rowCount), view.filtered.first { $0.entity == name }?.kept)
        }
    }

    /// Pairs (row in the first view, row in the second) of the rows both
    /// views hold, from the views' kept positions (ascending, the first a
    /// subset of the second).
    static func matchRows(_ first: [Int32]?, _ second: [Int32]?, count: Int, check: () throws -> Void) throws -> [(Int, Int)] {
        let firstPositions = first ?? (0..<Int32(count)).map { $0 }
        var pairs: [(Int, Int)] = []
        pairs.reserveCapacity(firstPositions.count)
        guard let second else {
            for (row, position) in firstPositions.enumerated() { pairs.append((row, Int(position))) }
            return pairs
        }
        var later = 0
        for (row, position) in firstPositions.enumerated() {
            if row & StateCodes.pollMask == StateCodes.pollMask { try check() }
            while later < second.count, second[later] < position { later += 1 }
            if later < second.count, second[later] == position { pairs.append((row, later)) }
        }
        return pairs
    }
}

/// A column's distinct values as small codes, null one of them, with the
/// codes in the values' order (nulls last).
struct StateCodes {
    var codes: [Int32] = []
    var values: [Value] = []
    /// Codes in the order the states are shown.
    var order: [Int] = []

    /// Rows between two polls of the statement's limits, and states sorted
    /// between two polls.
    /// TUNING: 4,096 values hash, or sort, in a few milliseconds of a debug
    /// build (values are compared as `Value`s).
    static let pollMask = (1 << 12) - 1

    init(_ column: Column, check: () throws -> Void) throws {
        var seen: [Value: Int32] = [:]
        var nullCode: Int32?
        codes.reserveCapacity(column.count)
        for row in 0..<column.count {
            if row & Self.pollMask == Self.pollMask { try check() }
            if column.isNull(row) {
                if nullCode == nil {
                    nullCode = Int32(values.count)
                    values.append(.null)
                }
                codes.append(nullCode!)
                continue
            }
            let value = column.value(at: row)
            if let code = seen[value] {
                codes.append(code)
            } else {
                let code = Int32(values.count)
                seen[value] = code
                values.append(value)
                codes.append(code)
            }
        }
        var order = Array(values.indices)
        try RunMergeSort.sort(&order, run: Self.pollMask + 1, poll: check) { a, b in
            if values[a] == .null { return false }
            if values[b] == .null { return true }
            return ValueOrder.compare(values[a], values[b]) < 0
        }
        self.order = order
    }
}
