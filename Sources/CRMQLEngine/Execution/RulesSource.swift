import CRMQLCore
import CRMQLStorage
import CRMQLSyntax
import Foundation

/// `rules(orders, item: product, by: basket, support: 0.01, confidence: 0.3)`
/// as a table: association rules between items found in the same group.
struct RulesSource {
    let runner: QueryRunner

    func run(_ arguments: [Argument], range: SourceRange) throws -> QueryOutput {
        guard let first = arguments.first, first.label == nil, case .identifier(let sourceName, _) = first.value.kind else {
            throw Diagnostic.semantic("rules needs an entity first: rules(orders, item: product, by: basket)", range)
        }
        var itemExpr: Expr?, groupExpr: Expr?
        var support = AssociationRules.Threshold.defaultSupport
        var confidence = AssociationRules.Threshold.defaultConfidence
        for argument in arguments.dropFirst() {
            guard let label = argument.label else {
                throw Diagnostic.semantic("rules takes named arguments after the entity: item:, by:, support:, confidence:", argument.value.range)
            }
            switch label.text.lowercased() {
            case "item": itemExpr = argument.value
            case "by": groupExpr = argument.value
            case "support": support = try threshold(argument.value, "support")
            case "confidence": confidence = try threshold(argument.value, "confidence")
            default:
                throw Diagnostic.semantic(Suggestion.message("unknown argument '\(label.text)' of rules", for: label.text,
                                                             among: ["item", "by", "support", "confidence"]), label.range)
            }
        }
        guard let itemExpr else { throw Diagnostic.semantic("rules needs the item field: item: product", range) }
        guard let groupExpr else { throw Diagnostic.semantic("rules needs the field that forms groups: by: basket", range) }

        let (entity, rows) = try runner.resolveSource(Query(source: .named(Name(sourceName, first.value.range)), range: first.value.range))
        let scope = Scope(entity: entity)
        let context = EvalContext(entity: entity, rows: rows)
        let items = try runner.evaluator.evaluate(try runner.binder.bind(itemExpr, in: scope), context).expanded(to: rows.count)
        let groups = try runner.evaluator.evaluate(try runner.binder.bind(groupExpr, in: scope), context).expanded(to: rows.count)

        // Items become dense codes named by their text; groups any key
        // that keeps equal values equal.
        var itemCodes: [String: Int32] = [:]
        var itemNames: [String] = []
        var itemOfRow: [Int32] = []
        var groupOfRow: [Int64] = []
        var groupCodes: [Value: Int64] = [:]
        itemOfRow.reserveCapacity(rows.count)
        groupOfRow.reserveCapacity(rows.count)
        let services = runner.evaluator.services
        for row in 0..<rows.count {
            if row & 0xFFF == 0 { try services.checkInterrupt() }
            if items.isNull(row) || groups.isNull(row) { continue }
            let name = ValueFormatter.plain(items.value(at: row))
            let code: Int32
            if let existing = itemCodes[name] { code = existing } else {
                code = Int32(itemNames.count)
                itemCodes[name] = code
                itemNames.append(name)
            }
            let groupValue = groups.value(at: row)
            let group: Int64
            if case .int(let v) = groupValue { group = v } else if let existing = groupCodes[groupValue] { group = existing } else {
                group = Int64(groupCodes.count)
                groupCodes[groupValue] = group
            }
            itemOfRow.append(code)
            groupOfRow.append(group)
        }
        let rules: [AssociationRules.Rule]
        do {
            // Mining asks whether to stop; the answer's reason (interrupt or
            // time limit) is the one `checkInterrupt` throws again below.
            rules = try AssociationRules.mine(groupOfRow: groupOfRow, itemOfRow: itemOfRow, itemNames: itemNames,
                                              minSupport: support, minConfidence: confidence,
                                              stop: { (try? services.checkInterrupt()) == nil })
        } catch {
            if error == .stopped {
                try services.checkInterrupt()
                throw Diagnostic(.interrupted, "interrupted", at: range)
            }
            throw Diagnostic.runtime(error.message, range)
        }
        return .patterns(antecedents: rules.map { AssociationRules.antecedentText($0.antecedent, itemNames: itemNames) },
                         consequents: rules.map { itemNames[Int($0.consequent)] },
                         support: rules.map(\.support), confidence: rules.map(\.confidence),
                         lift: rules.map(\.lift), count: rules.map(\.count))
    }

    /// A threshold from its literal's text, so `0.01` means exactly 1/100.
    private func threshold(_ expr: Expr, _ name: String) throws -> AssociationRules.Threshold {
        let text = runner.source.text(of: expr.range).replacingOccurrences(of: "_", with: "")
        guard let threshold = AssociationRules.Threshold(decimal: text) else {
            throw Diagnostic.semantic("\(name) must be a number from 0 to 1, as in \(name): 0.05", expr.range)
        }
        return threshold
    }
}

extension QueryOutput {
    /// The answer of `rules(...)` and `sequences(...)`: one row per pattern,
    /// `antecedent, consequent, support, confidence, lift, count`.
    static func patterns(antecedents: [String], consequents: [String], support: [Double], confidence: [Double],
                         lift: [Double], count: [Int]) -> QueryOutput {
        QueryOutput(names: ["antecedent", "consequent", "support", "confidence", "lift", "count"], columns: [
            Column.make(type: .text, values: antecedents.map { .text($0) }),
            Column.make(type: .text, values: consequents.map { .text($0) }),
            Column.make(type: .number, values: support.map { .number($0) }),
            Column.make(type: .number, values: confidence.map { .number($0) }),
            Column.make(type: .number, values: lift.map { .number($0) }),
            Column.make(type: .int, values: count.map { .int(Int64($0)) }),
        ])
    }
}
