import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

/// Every function name the language knows, for "did you mean".
let builtinFunctionNames: [String] = AggregateFunction.allCases.map(\.rawValue)
    + PopulationFunction.allCases.map(\.rawValue) + RunningFunction.allCases.map(\.rawValue)
    + ScalarFunction.allCases.map(\.rawValue) + ["exists"]

extension Binder {
    mutating func bindCall(_ name: Name, _ arguments: [Expr], distinct: Bool, _ range: SourceRange, _ scope: Scope) throws -> BoundExpr {
        let lowered = name.text.lowercased()
        if lowered == "exists" {
            guard arguments.count == 1, let relation = try relationArgument(arguments[0], scope) else {
                throw Diagnostic.semantic("exists takes one relation, optionally filtered: exists(interactions where kind = complaint)", range)
            }
            if relation.argument != nil {
                throw Diagnostic.semantic("exists takes a relation, not a field of it", arguments[0].range)
            }
            return BoundExpr(.exists(child: relation.child, refField: relation.refField, filter: relation.filter), .bool, range)
        }
        if let function = AggregateFunction(rawValue: lowered), !(function == .min || function == .max) || arguments.count == 1 {
            return try bindAggregate(function, name, arguments, distinct: distinct, range, scope)
        }
        if distinct {
            throw Diagnostic.semantic("'distinct' only goes inside an aggregate such as count(distinct x)", range)
        }
        if let function = PopulationFunction(rawValue: lowered) {
            return try bindPopulation(function, arguments, range, scope)
        }
        if let function = RunningFunction(rawValue: lowered) {
            return try bindRunning(function, arguments, range, scope)
        }
        if lowered == "trunc" { return try bindTrunc(arguments, range, scope) }
        if lowered == "format" { return try bindFormat(arguments, range, scope) }
        if let function = ScalarFunction(rawValue: lowered) {
            var bound: [BoundExpr] = []
            for argument in arguments { bound.append(try bindExpr(argument, scope)) }
            return try typeScalar(function, bound, range)
        }
        if let call = try bindModelCall(name, arguments, range, scope) { return call }
        if let host = catalog.hostFunction(name.text) {
            var bound: [BoundExpr] = []
            for argument in arguments { bound.append(try bindExpr(argument, scope)) }
            guard host.arity == nil || host.arity == bound.count else {
                throw Diagnostic.semantic("\(name.text) takes \(host.arity ?? 0) argument(s), not \(bound.count)", range)
            }
            return BoundExpr(.hostCall(name.text, bound), host.returnType, range)
        }
        let candidates = builtinFunctionNames + catalog.hostFunctionNames
        throw Diagnostic.semantic(Suggestion.message("unknown function '\(name.text)'", for: name.text, among: candidates), name.range)
    }

    // MARK: Aggregates

    mutating func bindAggregate(_ function: AggregateFunction, _ name: Name, _ arguments: [Expr], distinct: Bool, _ range: SourceRange, _ scope: Scope) throws -> BoundExpr {
        var fraction: Double?
        var valueArguments = arguments
        if function == .percentile {
            guard arguments.count == 2 else {
                throw Diagnostic.semantic("percentile takes a value and a fraction: percentile(amount, 0.9)", range)
            }
            guard case .literal(let literal) = arguments[1].kind, let p = literal.doubleValue, p >= 0, p <= 1 else {
                throw Diagnostic.semantic("the fraction of percentile must be a number from 0 to 1", arguments[1].range)
            }
            fraction = p
            valueArguments = [arguments[0]]
        } else if function == .median {
            fraction = 0.5
        }
        if function == .count && valueArguments.isEmpty {
            guard scope.allowsGroupAggregates else { throw aggregateNotAllowed(name, range) }
            return BoundExpr(.groupAggregate(GroupAggregate(function: .count, argument: nil, distinct: false, fraction: nil)), .int, range)
        }
        guard valueArguments.count == 1 else {
            throw Diagnostic.semantic("\(function.rawValue) takes one argument", range)
        }
        // An aggregate over a relation is a value of each row (or, in a
        // grouped query, of each group's children); otherwise it aggregates
        // the query's rows.
        if var relation = try relationArgument(valueArguments[0], scope) {
            relation.function = function
            relation.distinct = distinct
            relation.fraction = fraction
            let type = try aggregateType(function, relation.argument, range)
            if relation.argument == nil, function != .count {
                throw Diagnostic.semantic("\(function.rawValue) needs a field of '\(relation.child)', as in \(function.rawValue)(\(relation.child).amount)", valueArguments[0].range)
            }
            return BoundExpr(.relationAggregate(relation), type, range)
        }
        guard let keys = scope.groupKeys else { throw aggregateNotAllowed(name, range) }
        // Inside an aggregate the row scope applies: grouped names become plain fields again.
        var rowScope = scope
        rowScope.groupKeys = nil
        _ = keys
        let argument = try bindExpr(valueArguments[0], rowScope)
        if containsGroupAggregate(argument) {
            throw Diagnostic.semantic("aggregates cannot be nested", valueArguments[0].range)
        }
        let type = try aggregateType(function, argument, range)
        return BoundExpr(.groupAggregate(GroupAggregate(function: function, argument: argument, distinct: distinct, fraction: fraction)), type, range)
    }

    func aggregateNotAllowed(_ name: Name, _ range: SourceRange) -> Diagnostic {
        .semantic("aggregate '\(name.text)' is not allowed here; aggregates go in 'show', 'having' or 'order by', or over a relation as in \(name.text)(orders.amount)", range)
    }

    func aggregateType(_ function: AggregateFunction, _ argument: BoundExpr?, _ range: SourceRange) throws -> DataType {
        switch function {
        case .count: return .int
        case .min, .max: return argument?.type ?? .null
        case .sum:
            guard let argument, argument.type.isNumeric || argument.type == .null else {
                throw Diagnostic.semantic("sum needs numbers, but this is \(argument?.type.kindName ?? "a relation")", argument?.range ?? range)
            }
            return argument.type == .int ? .int : .number
        case .avg, .median, .percentile, .stddev:
            guard let argument, argument.type.isNumeric || argument.type == .null else {
                throw Diagnostic.semantic("\(function.rawValue) needs numbers, but this is \(argument?.type.kindName ?? "a relation")", argument?.range ?? range)
            }
            return .number
        }
    }

    func containsGroupAggregate(_ expr: BoundExpr) -> Bool {
        var found = false
        expr.walk { if case .groupAggregate = $0.node { found = true } }
        return found
    }

    /// Recognises a relation used as an aggregate's argument: `orders`,
    /// `orders.amount`, `orders.amount * orders.quantity`, each optionally
    /// followed by `where <condition over the child>`.
    mutating func relationArgument(_ expr: Expr, _ scope: Scope) throws -> RelationAggregate? {
        var body = expr
        var condition: Expr?
        if case .filtered(let inner, let filter) = expr.kind {
            body = inner
            condition = filter
        }
        var relations = Set<String>()
        collectRelations(body, scope.entityName, &relations)
        guard let relationName = relations.first else {
            if condition != nil {
                throw Diagnostic.semantic("'where' inside an aggregate filters a relation, as in count(orders where channel = web)", expr.range)
            }
            return nil
        }
        guard relations.count == 1 else {
            throw Diagnostic.semantic("one aggregate can range over one relation, but this uses \(relations.sorted().joined(separator: " and "))", expr.range)
        }
        guard let relation = catalog.relation(of: scope.entityName, named: relationName), let child = catalog.store[relation.child] else {
            return nil
        }
        let childScope = Scope(entity: child)
        var argument: BoundExpr?
        if !isBareRelation(body, relationName) {
            argument = try bindExpr(stripRelation(body, relationName), childScope)
        }
        var filter: BoundExpr?
        if let condition {
            let bound = try bindExpr(condition, childScope)
            try requireBool(bound, "where")
            filter = bound
        }
        return RelationAggregate(function: .count, child: relation.child, refField: relation.refField, filter: filter,
                                 argument: argument, distinct: false, fraction: nil)
    }

    func isBareRelation(_ expr: Expr, _ relation: String) -> Bool {
        if case .identifier(let name, _) = expr.kind, name == relation { return true }
        return false
    }

    /// Relations named in `expr`: bare `orders` or the base of `orders.x`.
    func collectRelations(_ expr: Expr, _ entity: String, _ into: inout Set<String>) {
        switch expr.kind {
        case .identifier(let name, _):
            if catalog.store[entity]?.fieldIndex(name) == nil, catalog.relation(of: entity, named: name) != nil { into.insert(name) }
        case .member(let base, _):
            collectRelations(base, entity, &into)
        case .unary(_, let e), .isNull(let e, _): collectRelations(e, entity, &into)
        case .binary(_, let a, let b): collectRelations(a, entity, &into); collectRelations(b, entity, &into)
        case .call(let name, let args, _):
            // A nested aggregate ranges over its own relation.
            let lowered = name.text.lowercased()
            if AggregateFunction(rawValue: lowered) != nil || lowered == "exists" { return }
            args.forEach { collectRelations($0, entity, &into) }
        case .caseWhen(let branches, let otherwise):
            for branch in branches { collectRelations(branch.condition, entity, &into); collectRelations(branch.value, entity, &into) }
            if let otherwise { collectRelations(otherwise, entity, &into) }
        case .between(let e, let lo, let hi, _):
            collectRelations(e, entity, &into); collectRelations(lo, entity, &into); collectRelations(hi, entity, &into)
        case .inList(let e, let items, _): collectRelations(e, entity, &into); items.forEach { collectRelations($0, entity, &into) }
        case .inDateRange(let e, _, _): collectRelations(e, entity, &into)
        default: break
        }
    }

    /// `orders.amount` → `amount`, so the argument binds over the child.
    func stripRelation(_ expr: Expr, _ relation: String) -> Expr {
        func strip(_ e: Expr) -> Expr {
            var out = e
            switch e.kind {
            case .member(let base, let name):
                if case .identifier(let baseName, _) = base.kind, baseName == relation {
                    out.kind = .identifier(name.text, quoted: false)
                    out.range = name.range
                } else {
                    out.kind = .member(strip(base), name)
                }
            case .unary(let op, let a): out.kind = .unary(op, strip(a))
            case .binary(let op, let a, let b): out.kind = .binary(op, strip(a), strip(b))
            case .call(let n, let args, let d): out.kind = .call(n, args.map(strip), distinct: d)
            case .isNull(let a, let n): out.kind = .isNull(strip(a), negated: n)
            case .caseWhen(let branches, let otherwise):
                out.kind = .caseWhen(branches.map { (strip($0.condition), strip($0.value)) }, otherwise: otherwise.map(strip))
            case .between(let a, let lo, let hi, let n): out.kind = .between(strip(a), low: strip(lo), high: strip(hi), negated: n)
            case .inList(let a, let items, let n): out.kind = .inList(strip(a), items.map(strip), negated: n)
            case .inDateRange(let a, let spec, let n): out.kind = .inDateRange(strip(a), spec, negated: n)
            default: break
            }
            return out
        }
        return strip(expr)
    }
}
