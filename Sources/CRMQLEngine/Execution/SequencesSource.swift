import CRMQLCore
import CRMQLStorage
import CRMQLSyntax
import Foundation

/// `sequences(orders, item: product, support: 0.01)` as a table: what
/// customers buy on a later day than something else (REFERENCE.md,
/// "Sequences").
struct SequencesSource {
    let runner: QueryRunner

    static let usage = "sequences(orders, item: product, support: 0.01)"
    static let labels = ["item", "who", "at", "support", "confidence", "length"]
    static let defaultConfidence = AssociationRules.Threshold(significand: 1, exponent: -1)
    /// TUNING: patterns longer than this are never readable as a "next buy",
    /// and the search grows with every step.
    static let maximumLength = 10

    func run(_ arguments: [Argument], range: SourceRange) throws -> QueryOutput {
        let input = try TableFunctionInput(arguments.first, function: "sequences", usage: Self.usage, runner: runner, range: range)
        var item: Expr?, who: Expr?, at: Expr?
        var support = AssociationRules.Threshold.defaultSupport
        var confidence = Self.defaultConfidence
        var length = 3
        for argument in arguments.dropFirst() {
            guard let label = argument.label else {
                throw Diagnostic.semantic("sequences takes named arguments after the entity: item:, who:, at:, support:, confidence:, length:",
                                          argument.value.range)
            }
            switch label.text.lowercased() {
            case "item": item = argument.value
            case "who": who = argument.value
            case "at": at = argument.value
            case "support":
                support = try threshold(argument.value, "support")
                if support.significand == 0 {
                    throw Diagnostic.semantic("support must be above 0, or every pattern of every customer qualifies; try support: 0.01",
                                              argument.value.range)
                }
            case "confidence": confidence = try threshold(argument.value, "confidence")
            case "length": length = try self.length(argument.value)
            default:
                throw Diagnostic.semantic(Suggestion.message("unknown argument '\(label.text)' of sequences; it takes "
                                                             + Self.labels.map { $0 + ":" }.joined(separator: ", "),
                                                             for: label.text, among: Self.labels), label.range)
            }
        }
        guard let item else { throw Diagnostic.semantic("sequences needs the item field: \(Self.usage)", range) }
        let entity = input.entity
        var whoExpr: Expr, atExpr: Expr
        if let who { whoExpr = who } else {
            whoExpr = Expr(.identifier(try TimelineSource.customerField(entity, "sequences", range: input.range), quoted: true), input.range)
        }
        if let at { atExpr = at } else {
            atExpr = Expr(.identifier(try TimelineSource.dateField(entity, "sequences", range: input.range), quoted: true), input.range)
        }
        let whoColumn = try column(whoExpr, input)
        let atColumn = try column(atExpr, input)
        let itemColumn = try column(item, input)
        guard atColumn.type == .date || atColumn.type == .datetime || atColumn.type == .null else {
            let dates = entity.fields.filter { $0.type == .date || $0.type == .datetime }.map(\.name)
            throw Diagnostic.semantic("at: needs a date or datetime field, but this is \(atColumn.type.kindName)"
                + (dates.isEmpty ? "" : "; \(entity.name) has \(dates.joined(separator: ", "))"), atExpr.range)
        }

        let services = runner.evaluator.services
        // Every distinct customer of the source counts in the support's
        // denominator, even one whose events lack a date or an item.
        var customerCodes: [Value: Int32] = [:]
        var customerOfEvent: [Int32] = [], dayOfEvent: [Int64] = [], itemOfEvent: [Int32] = []
        var itemCodes: [String: Int32] = [:]
        var itemNames: [String] = []
        let days: [Int64]
        if case .temporal(let values) = atColumn.data { days = values } else { days = [] }
        for row in 0..<input.rows.count {
            if row & 0xFFF == 0 { try services.checkInterrupt() }
            if whoColumn.isNull(row) { continue }
            let key = whoColumn.value(at: row)
            let customer: Int32
            if let known = customerCodes[key] { customer = known } else {
                customer = Int32(customerCodes.count)
                customerCodes[key] = customer
            }
            if days.isEmpty || atColumn.isNull(row) || itemColumn.isNull(row) { continue }
            let name = ValueFormatter.plain(itemColumn.value(at: row))
            let code: Int32
            if let known = itemCodes[name] { code = known } else {
                code = Int32(itemNames.count)
                itemCodes[name] = code
                itemNames.append(name)
            }
            customerOfEvent.append(customer)
            dayOfEvent.append(atColumn.type == .datetime ? CivilDate.floorDivide(days[row], 86_400).0 : days[row])
            itemOfEvent.append(code)
        }
        let patterns: [SequentialPatterns.Pattern]
        do {
            patterns = try SequentialPatterns.mine(customerOfEvent: customerOfEvent, dayOfEvent: dayOfEvent, itemOfEvent: itemOfEvent,
                                                   customers: customerCodes.count, itemNames: itemNames,
                                                   minSupport: support, minConfidence: confidence, maxLength: length,
                                                   stop: { (try? services.checkInterrupt()) == nil })
        } catch {
            if error == .stopped {
                try services.checkInterrupt()
                throw Diagnostic(.interrupted, "interrupted", at: range)
            }
            throw Diagnostic.runtime(error.message, range)
        }
        return .patterns(antecedents: patterns.map { SequentialPatterns.antecedentText($0.items.dropLast(), itemNames: itemNames) },
                         consequents: patterns.map { itemNames[Int($0.items.last!)] },
                         support: patterns.map(\.support), confidence: patterns.map(\.confidence),
                         lift: patterns.map(\.lift), count: patterns.map { Int($0.count) })
    }

    /// A `who:`, `at:` or `item:` column over the source rows.
    private func column(_ expr: Expr, _ input: TableFunctionInput) throws -> Column {
        let bound = try runner.binder.bind(expr, in: Scope(entity: input.entity))
        let column = try runner.evaluator.unplanned {
            try runner.evaluator.evaluate(bound, EvalContext(entity: input.entity, rows: input.rows))
        }
        return column.expanded(to: input.rows.count)
    }

    /// A threshold from its literal's text, so `0.01` means exactly 1/100.
    private func threshold(_ expr: Expr, _ name: String) throws -> AssociationRules.Threshold {
        let text = runner.source.text(of: expr.range).replacingOccurrences(of: "_", with: "")
        // At most 1: a share of one customer is then never above one.
        guard let threshold = AssociationRules.Threshold(decimal: text), threshold.minimumCount(outOf: 1) <= 1 else {
            throw Diagnostic.semantic("\(name) must be a number from 0 to 1, as in \(name): 0.05", expr.range)
        }
        return threshold
    }

    /// `length:`, the most items in a pattern: a whole number from 2.
    private func length(_ expr: Expr) throws -> Int {
        let text = runner.source.text(of: expr.range).replacingOccurrences(of: "_", with: "")
        guard let value = Int(text), value >= 2, value <= Self.maximumLength else {
            throw Diagnostic.semantic("length must be a whole number from 2 to \(Self.maximumLength) (the most items in a pattern), as in length: 3",
                                      expr.range)
        }
        return value
    }
}
