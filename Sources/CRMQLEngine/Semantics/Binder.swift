import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

/// Semantic analysis: resolves names to fields, relations, symbols, functions
/// and parameters, checks types, and produces `BoundExpr` trees. Nothing runs
/// here, so every name and type error is found before a statement touches data.
struct Binder {
    let catalog: Catalog
    let source: SourceFile
    /// Nesting of computed-field bindings, to report circular definitions.
    var computing: [String] = []
    /// Binds `$name` as a slot rather than as its value, for a query
    /// compiled once and run with other values (see `CompiledQuery`).
    /// Computed fields always bind their parameters as values.
    var parameterSlots = false

    init(catalog: Catalog, source: SourceFile) {
        self.catalog = catalog
        self.source = source
    }

    // MARK: Entry points

    /// Binds an expression over the rows of `scope`'s entity.
    func bind(_ expr: Expr, in scope: Scope) throws -> BoundExpr {
        var copy = self
        return try copy.bindExpr(expr, scope)
    }

    /// Binds a condition: its type must be bool.
    func bindCondition(_ expr: Expr, in scope: Scope, clause: String) throws -> BoundExpr {
        let bound = try bind(expr, in: scope)
        guard bound.type == .bool || bound.type == .null else {
            throw Diagnostic.semantic("\(clause) needs a condition (true or false), but this is \(bound.type.kindName)", expr.range)
        }
        return bound
    }

    // MARK: Expressions

    mutating func bindExpr(_ expr: Expr, _ scope: Scope) throws -> BoundExpr {
        if let keys = scope.groupKeys, let key = groupKeyIndex(of: expr, keys) {
            return BoundExpr(.groupKey(key), keys[key].bound.type, expr.range)
        }
        switch expr.kind {
        case .literal(let value):
            return BoundExpr(.constant(value), type(of: value), expr.range)
        case .duration:
            throw Diagnostic.semantic("a duration can only be added to or subtracted from a date", expr.range)
        case .identifier(let name, _):
            return try bindIdentifier(name, expr.range, scope)
        case .parameter(let name):
            guard let value = catalog.parameter(name) else {
                throw Diagnostic.semantic(Suggestion.message("unknown parameter '$\(name)'", for: name, among: catalog.parameterNames), expr.range)
            }
            if parameterSlots { return BoundExpr(.parameter(name, symbolOf: nil), type(of: value), expr.range) }
            return BoundExpr(.constant(value), type(of: value), expr.range)
        case .member:
            return try bindPath(expr, scope)
        case .unary(.negate, let operand):
            let inner = try bindExpr(operand, scope)
            guard inner.type.isNumeric || inner.type == .null else {
                throw Diagnostic.semantic("cannot negate \(inner.type.kindName)", expr.range)
            }
            if case .constant(let value) = inner.node, let folded = Binder.negated(value) {
                return BoundExpr(.constant(folded), inner.type, expr.range)
            }
            return BoundExpr(.negate(inner), inner.type, expr.range)
        case .unary(.not, let operand):
            let inner = try bindExpr(operand, scope)
            try requireBool(inner, "not")
            return BoundExpr(.not(inner), .bool, expr.range)
        case .binary(let op, let left, let right):
            return try bindBinary(op, left, right, expr.range, scope)
        case .between(let value, let low, let high, let negated):
            let x = try bindExpr(value, scope)
            let lo = try bindComparand(low, against: x, scope)
            let hi = try bindComparand(high, against: x, scope)
            let lower = try makeComparison(.greaterEqual, x, lo, expr.range)
            let upper = try makeComparison(.lessEqual, x, hi, expr.range)
            let both = BoundExpr(.and(lower, upper), .bool, expr.range)
            return negated ? BoundExpr(.not(both), .bool, expr.range) : both
        case .inList(let value, let items, let negated):
            let x = try bindExpr(value, scope)
            var bound: [BoundExpr] = []
            for item in items {
                let y = try bindComparand(item, against: x, scope)
                _ = try makeComparison(.equal, x, y, item.range)
                bound.append(try coerce(y, toCompareWith: x))
            }
            return BoundExpr(.inList(try coerceSelf(x, forListOf: bound), bound, negated: negated), .bool, expr.range)
        case .isNull(let value, let negated):
            let x = try bindExpr(value, scope)
            return BoundExpr(.isNull(x, negated: negated), .bool, expr.range)
        case .inDateRange(let value, let spec, let negated):
            let x = try bindExpr(value, scope)
            guard x.type.isTemporal || x.type == .null else {
                throw Diagnostic.semantic("'in \(spec.direction.rawValue) …' needs a date, but this is \(x.type.kindName)", value.range)
            }
            guard let range = CRMCalendar.dateRange(direction: spec.direction, count: spec.count, unit: spec.unit, fiscal: spec.fiscal,
                                                    includingCurrent: spec.includesCurrent,
                                                    today: catalog.today, fiscalYearStart: catalog.fiscalYearStart) else {
                throw Diagnostic.semantic("date range out of bounds", spec.range)
            }
            return BoundExpr(.dayRange(x, low: range.lowerBound, high: range.upperBound, negated: negated), .bool, expr.range)
        case .call(let name, let arguments, let distinct):
            return try bindCall(name, arguments, distinct: distinct, expr.range, scope)
        case .filtered(_, _):
            throw Diagnostic.semantic("'where' inside an expression only filters a relation inside an aggregate, as in count(orders where channel = web)", expr.range)
        case .labeled(let label, _):
            throw Diagnostic.semantic("'\(label.text):' names an argument only of the population and running functions, as in rank(value, by: owner) or running_sum(amount, order: placed)", label.range)
        case .tuple:
            throw Diagnostic.semantic("a list in brackets is only the inputs of a model, as in clusters(customers, k: 4, on: (recency, revenue))", expr.range)
        case .fiscalPeriod(let unit, let range):
            throw Diagnostic.semantic("'fiscal \(unit.rawValue)' names a period only inside trunc, as in trunc(placed, fiscal \(unit.rawValue))", range)
        case .caseWhen(let branches, let otherwise):
            var bound: [(BoundExpr, BoundExpr)] = []
            var resultType: DataType = .null
            for branch in branches {
                let condition = try bindExpr(branch.condition, scope)
                try requireBool(condition, "case when")
                let value = try bindExpr(branch.value, scope)
                resultType = try unify(resultType, value, branch.value.range)
                bound.append((condition, value))
            }
            var elseValue: BoundExpr?
            if let otherwise {
                let value = try bindExpr(otherwise, scope)
                resultType = try unify(resultType, value, otherwise.range)
                elseValue = value
            }
            // Text results label rows as an enum of those texts, so a text
            // parameter among them makes the type depend on its value.
            if parameterSlots, (bound.map(\.1) + (elseValue.map { [$0] } ?? [])).contains(where: \.isTextSlot) {
                throw ParameterDependence()
            }
            if let labels = symbolLabels(bound.map(\.1) + (elseValue.map { [$0] } ?? [])) {
                let enumType = EnumType(labels)
                let type = DataType.enumeration(enumType)
                func symbol(_ e: BoundExpr) -> BoundExpr {
                    guard case .constant(.text(let text)) = e.node, let code = enumType.code(of: text) else {
                        return BoundExpr(.constant(.null), type, e.range)
                    }
                    return BoundExpr(.constant(.symbol(code, enumType)), type, e.range)
                }
                return BoundExpr(.caseWhen(bound.map { ($0.0, symbol($0.1)) }, otherwise: elseValue.map(symbol)), type, expr.range)
            }
            let branchesCoerced = bound.map { ($0.0, widen($0.1, to: resultType)) }
            return BoundExpr(.caseWhen(branchesCoerced, otherwise: elseValue.map { widen($0, to: resultType) }), resultType, expr.range)
        }
    }

    /// A `case` whose every result is a text literal (or null) labels rows:
    /// its type is an enum of those labels, ordered as text like the enums
    /// `load` infers, so `value_class = key` names a symbol.
    func symbolLabels(_ values: [BoundExpr]) -> [String]? {
        var labels = Set<String>()
        for value in values {
            switch value.node {
            case .constant(.text(let text)): labels.insert(text)
            case .constant(.null): continue
            default: return nil
            }
        }
        return labels.isEmpty ? nil : labels.sorted()
    }

    func groupKeyIndex(of expr: Expr, _ keys: [Scope.GroupKey]) -> Int? {
        let text = normalizedText(source, expr.range)
        if let index = keys.firstIndex(where: { $0.text == text }) { return index }
        if case .identifier(let name, _) = expr.kind {
            return keys.firstIndex { $0.alias == name }
        }
        return nil
    }

    // MARK: Names

    mutating func bindIdentifier(_ name: String, _ range: SourceRange, _ scope: Scope) throws -> BoundExpr {
        let entity = scope.entity
        if let index = entity.fieldIndex(name) {
            if scope.groupKeys != nil { throw notGrouped(name, range) }
            return BoundExpr(.field(index), entity.fields[index].type, range)
        }
        if catalog.definition(entity: entity.name, field: name) != nil {
            if scope.groupKeys != nil { throw notGrouped(name, range) }
            let type = try computedType(entity: entity.name, field: name, range)
            return BoundExpr(.computed(entity: entity.name, name: name), type, range)
        }
        if catalog.relation(of: entity.name, named: name) != nil {
            throw Diagnostic.semantic("'\(name)' is a relation: use it inside an aggregate, as in count(\(name)) or sum(\(name).<field>)", range)
        }
        if name.lowercased() == "today" {
            return BoundExpr(.constant(.date(catalog.today)), .date, range)
        }
        throw Diagnostic.semantic(Suggestion.message("unknown field '\(name)'", for: name, among: entity.fields.map(\.name) + catalog.names(in: entity.name)), range)
    }

    func notGrouped(_ name: String, _ range: SourceRange) -> Diagnostic {
        .semantic("'\(name)' is neither a group key nor inside an aggregate; add it to 'group by' or aggregate it (count, sum, min, …)", range)
    }

    /// The type of a computed field, by binding its definition.
    mutating func computedType(entity: String, field: String, _ range: SourceRange) throws -> DataType {
        if let cached = catalog.cachedComputedType(entity: entity, field: field) { return cached }
        let key = entity + "." + field
        if computing.contains(key) {
            throw Diagnostic.semantic("circular definition: \((computing + [key]).joined(separator: " → "))", range)
        }
        guard let definition = catalog.definition(entity: entity, field: field), let target = catalog.store[entity] else {
            throw Diagnostic.semantic("unknown field '\(field)'", range)
        }
        computing.append(key)
        defer { computing.removeLast() }
        var inner = Binder(catalog: catalog, source: definition.source)
        inner.computing = computing
        do {
            let bound = try inner.bindExpr(definition.expr, Scope(entity: target))
            catalog.cacheComputed(entity: entity, field: field, bound: bound)
            return bound.type
        } catch let diagnostic as Diagnostic {
            throw Diagnostic.semantic("'\(field)' cannot be computed: \(diagnostic.message)", range)
        }
    }

    /// `customer.region`, `orders.customer.region` (qualified by the current
    /// entity), `a.b.c` through several refs.
    mutating func bindPath(_ expr: Expr, _ scope: Scope) throws -> BoundExpr {
        var names: [Name] = []
        var cursor = expr
        while case .member(let base, let name) = cursor.kind {
            names.insert(name, at: 0)
            cursor = base
        }
        guard case .identifier(let first, _) = cursor.kind else {
            throw Diagnostic.semantic("'.' follows a field or relation name, as in customer.region", expr.range)
        }
        names.insert(Name(first, cursor.range), at: 0)
        if names.count > 1, names[0].text == scope.entityName, scope.entity.fieldIndex(names[0].text) == nil {
            names.removeFirst()
        }
        if names.count == 1 { return try bindIdentifier(names[0].text, expr.range, scope) }
        if scope.groupKeys != nil { throw notGrouped(normalizedText(source, expr.range), expr.range) }
        return try navigate(names[...], from: scope.entity, fullRange: expr.range)
    }

    mutating func navigate(_ names: ArraySlice<Name>, from entity: Entity, fullRange: SourceRange) throws -> BoundExpr {
        guard let head = names.first else { throw Diagnostic.semantic("empty path", fullRange) }
        if names.count == 1 {
            return try bindIdentifier(head.text, head.range, Scope(entity: entity))
        }
        guard let index = entity.fieldIndex(head.text) else {
            if catalog.relation(of: entity.name, named: head.text) != nil {
                throw Diagnostic.semantic("'\(head.text)' is a relation: use it inside an aggregate, as in sum(\(head.text).\(names.dropFirst().first?.text ?? "field"))", head.range)
            }
            throw Diagnostic.semantic(Suggestion.message("unknown field '\(head.text)'", for: head.text, among: catalog.names(in: entity.name)), head.range)
        }
        guard case .ref(let parentName) = entity.fields[index].type, let parent = catalog.store[parentName] else {
            throw Diagnostic.semantic("'\(head.text)' is not a reference, so '.\(names.dropFirst().first?.text ?? "")' cannot follow it", head.range)
        }
        let inner = try navigate(names.dropFirst(), from: parent, fullRange: fullRange)
        return BoundExpr(.navigate(refField: index, parent: parentName, inner: inner), inner.type, fullRange)
    }

    // MARK: Types

    func type(of value: Value) -> DataType { value.dataType }

    func requireBool(_ expr: BoundExpr, _ what: String) throws {
        guard expr.type == .bool || expr.type == .null else {
            throw Diagnostic.semantic("'\(what)' needs a condition (true or false), but this is \(expr.type.kindName)", expr.range)
        }
    }

    static func negated(_ value: Value) -> Value? {
        switch value {
        case .int(let v): return v == .min ? nil : .int(-v)
        case .number(let v): return .number(-v)
        case .null: return .null
        default: return nil
        }
    }

    /// The common type of case branches: numbers widen, null fits anything.
    func unify(_ current: DataType, _ next: BoundExpr, _ range: SourceRange) throws -> DataType {
        switch (current, next.type) {
        case (.null, let t), (let t, .null): return t
        case (.int, .number), (.number, .int): return .number
        case (.date, .datetime), (.datetime, .date): return .datetime
        case let (a, b) where a == b: return a
        case (.enumeration, .text), (.text, .enumeration): return .text
        default:
            throw Diagnostic.semantic("all branches must have one type, but this is \(next.type.kindName) and an earlier one is \(current.kindName)", range)
        }
    }

    func widen(_ expr: BoundExpr, to type: DataType) -> BoundExpr {
        switch (expr.type, type) {
        case (.int, .number): return BoundExpr.toNumber(expr)
        case (.date, .datetime): return BoundExpr.toDatetime(expr)
        case (.enumeration, .text): return BoundExpr(.toText(expr), .text, expr.range)
        default: return expr
        }
    }
}
