import CRMQLCore
import CRMQLSyntax

/// A call's arguments split into the positional ones and the labelled ones
/// (`by: owner`, `order: placed`), which come last.
struct CallArguments {
    var positional: [Expr] = []
    var labeled: [String: (label: Name, value: Expr)] = [:]

    /// Splits `arguments`, rejecting a label not in `allowed`, a label given
    /// twice, and a positional argument after a labelled one.
    init(_ arguments: [Expr], function: String, allowed: [String]) throws {
        for argument in arguments {
            guard case .labeled(let label, let value) = argument.kind else {
                if let first = labeled.values.first {
                    throw Diagnostic.semantic("the labelled arguments of \(function) come last, after '\(first.label.text):'", argument.range)
                }
                positional.append(argument)
                continue
            }
            let key = label.text.lowercased()
            guard allowed.contains(key) else {
                let base = "\(function) takes no '\(label.text):'"
                if let match = Suggestion.closest(to: key, among: allowed) {
                    throw Diagnostic.semantic("\(base); did you mean '\(match):'?", label.range)
                }
                throw Diagnostic.semantic(base + ", only " + allowed.map { "'\($0):'" }.joined(separator: " and "), label.range)
            }
            guard labeled[key] == nil else {
                throw Diagnostic.semantic("'\(label.text):' is given twice", label.range)
            }
            labeled[key] = (label, value)
        }
    }
}

extension Binder {
    // MARK: Population functions

    // population → ( 'ntile' '(' x ',' k | 'quintile' '(' x | … ) [ ',' 'by' ':' expression ] ')'
    mutating func bindPopulation(_ function: PopulationFunction, _ arguments: [Expr], _ range: SourceRange, _ scope: Scope) throws -> BoundExpr {
        let split = try CallArguments(arguments, function: function.rawValue, allowed: ["by"])
        var k: Int64 = 5
        let expected = function == .ntile ? 2 : 1
        guard split.positional.count == expected else {
            throw Diagnostic.semantic(function == .ntile ? "ntile takes a value and a count: ntile(revenue, 10)" : "\(function.rawValue) takes one argument", range)
        }
        if function == .ntile {
            guard case .literal(.int(let count)) = split.positional[1].kind, count >= 1, count <= 1_000_000 else {
                throw Diagnostic.semantic("the count of ntile must be a whole number from 1 to 1000000", split.positional[1].range)
            }
            k = count
        }
        if scope.groupKeys != nil {
            throw Diagnostic.semantic("\(function.rawValue) ranks rows of the entity, so it cannot be used on groups", range)
        }
        let argument = try bindExpr(split.positional[0], scope)
        guard argument.type.isNumeric || argument.type.isTemporal || argument.type == .null || (isEnum(argument.type) && function != .share) else {
            throw Diagnostic.semantic("\(function.rawValue) needs numbers, but this is \(argument.type.kindName)", argument.range)
        }
        if function == .share, !(argument.type.isNumeric || argument.type == .null) {
            throw Diagnostic.semantic("\(function.rawValue) needs numbers, but this is \(argument.type.kindName)", argument.range)
        }
        let partition = try split.labeled["by"].map { try bindPartition($0.value, scope) }
        let type: DataType = function == .ntile || function == .quintile || function == .rank ? .int : .number
        return BoundExpr(.population(function, argument, k: k, by: partition), type, range)
    }

    // MARK: Running aggregates

    // running → ( 'running_sum' | 'running_count' | 'running_avg' )
    //           '(' [ x ',' ] 'order' ':' expression [ ',' 'by' ':' expression ] ')'
    mutating func bindRunning(_ function: RunningFunction, _ arguments: [Expr], _ range: SourceRange, _ scope: Scope) throws -> BoundExpr {
        let split = try CallArguments(arguments, function: function.rawValue, allowed: ["order", "by"])
        let example = "\(function.rawValue)(amount, order: placed, by: customer)"
        let positionalAllowed = function == .count ? 0...1 : 1...1
        guard positionalAllowed.contains(split.positional.count) else {
            throw Diagnostic.semantic("\(function.rawValue) takes one value, then 'order:' and optionally 'by:': \(example)", range)
        }
        guard let order = split.labeled["order"] else {
            throw Diagnostic.semantic("\(function.rawValue) needs an order to run in: \(example)", range)
        }
        if scope.groupKeys != nil {
            throw Diagnostic.semantic("\(function.rawValue) runs over rows of the entity, so it cannot be used on groups", range)
        }
        let argument = try split.positional.first.map { try bindExpr($0, scope) }
        if let argument, function != .count, !(argument.type.isNumeric || argument.type == .null) {
            throw Diagnostic.semantic("\(function.rawValue) needs numbers, but this is \(argument.type.kindName)", argument.range)
        }
        let orderKey = try bindPartition(order.value, scope)
        let partition = try split.labeled["by"].map { try bindPartition($0.value, scope) }
        let type: DataType
        switch function {
        case .count: type = .int
        case .avg: type = .number
        case .sum: type = argument?.type == .int ? .int : .number
        }
        return BoundExpr(.running(function, argument, order: orderKey, by: partition), type, range)
    }

    /// A `by:` or `order:` expression: any value of the row that does not
    /// itself aggregate the query's rows.
    private mutating func bindPartition(_ expr: Expr, _ scope: Scope) throws -> BoundExpr {
        let bound = try bindExpr(expr, scope)
        if containsGroupAggregate(bound) {
            throw Diagnostic.semantic("a 'by:' or 'order:' value is one of the row, not an aggregate of rows", expr.range)
        }
        return bound
    }
}
