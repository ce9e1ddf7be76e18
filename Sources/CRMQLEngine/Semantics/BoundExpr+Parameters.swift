import CRMQLCore
import CRMQLStorage

/// Thrown while binding with parameter slots when what a query means
/// depends on a parameter's value, not only its type (`matches $pattern`,
/// a text parameter as a `case` result): such a query binds its values
/// at each run instead of being compiled once.
struct ParameterDependence: Error {}

extension BoundExpr {
    /// A parameter slot whose value is text.
    var isTextSlot: Bool {
        if case .parameter = node { return type == .text }
        return false
    }

    /// Whether any parameter slot is in the tree.
    var usesParameters: Bool {
        var found = false
        walk { if case .parameter = $0.node { found = true } }
        return found
    }

    /// The tree with every parameter slot filled with its value in
    /// `values`, as binding with those values would have built it; nil when
    /// a value does not fit its slot (another type than the one compiled
    /// for, or a text that is none of the enum's symbols), so the query must
    /// be bound afresh.
    func instantiated(_ values: [String: Value]) -> BoundExpr? {
        func each(_ exprs: [BoundExpr]) -> [BoundExpr]? {
            var out: [BoundExpr] = []
            out.reserveCapacity(exprs.count)
            for expr in exprs {
                guard let filled = expr.instantiated(values) else { return nil }
                out.append(filled)
            }
            return out
        }
        func optional(_ expr: BoundExpr?) -> BoundExpr?? {
            guard let expr else { return .some(nil) }
            guard let filled = expr.instantiated(values) else { return nil }
            return .some(filled)
        }
        func with(_ node: BoundNode) -> BoundExpr { BoundExpr(node, type, range) }

        switch node {
        case .parameter(let name, let symbolOf):
            guard let value = values[name] else { return nil }
            if let enumType = symbolOf {
                guard case .text(let text) = value, let code = enumType.code(of: text) else { return nil }
                return with(.constant(.symbol(code, enumType)))
            }
            guard value.dataType == type else { return nil }
            return with(.constant(value))
        case .constant, .field, .computed, .groupKey:
            return self
        case .navigate(let refField, let parent, let inner):
            return inner.instantiated(values).map { with(.navigate(refField: refField, parent: parent, inner: $0)) }
        case .negate(let operand):
            guard let filled = operand.instantiated(values) else { return nil }
            if case .constant(let value) = filled.node, let folded = Binder.negated(value) { return with(.constant(folded)) }
            return with(.negate(filled))
        case .not(let e): return e.instantiated(values).map { with(.not($0)) }
        case .toText(let e): return e.instantiated(values).map { with(.toText($0)) }
        case .toNumber(let e): return e.instantiated(values).map(BoundExpr.toNumber)
        case .toDatetime(let e): return e.instantiated(values).map(BoundExpr.toDatetime)
        case .shift(let e, let amount, let unit): return e.instantiated(values).map { with(.shift($0, amount: amount, unit: unit)) }
        case .isNull(let e, let negated): return e.instantiated(values).map { with(.isNull($0, negated: negated)) }
        case .dayRange(let e, let low, let high, let negated):
            return e.instantiated(values).map { with(.dayRange($0, low: low, high: high, negated: negated)) }
        case .population(let function, let e, let k, let by):
            guard let filled = e.instantiated(values), let partition = optional(by) else { return nil }
            return with(.population(function, filled, k: k, by: partition))
        case .running(let function, let e, let order, let by):
            guard let filled = optional(e), let ordered = order.instantiated(values), let partition = optional(by) else { return nil }
            return with(.running(function, filled, order: ordered, by: partition))
        case .arithmetic(let op, let a, let b):
            guard let pair = each([a, b]) else { return nil }
            return with(.arithmetic(op, pair[0], pair[1]))
        case .compare(let op, let a, let b):
            guard let pair = each([a, b]) else { return nil }
            return with(.compare(op, pair[0], pair[1]))
        case .and(let a, let b):
            guard let pair = each([a, b]) else { return nil }
            return with(.and(pair[0], pair[1]))
        case .or(let a, let b):
            guard let pair = each([a, b]) else { return nil }
            return with(.or(pair[0], pair[1]))
        case .concat(let a, let b):
            guard let pair = each([a, b]) else { return nil }
            return with(.concat(pair[0], pair[1]))
        case .textMatch(let match, let a, let b):
            guard let pair = each([a, b]) else { return nil }
            return with(.textMatch(match, pair[0], pair[1]))
        case .inList(let e, let items, let negated):
            guard let all = each([e] + items) else { return nil }
            return with(.inList(all[0], Array(all.dropFirst()), negated: negated))
        case .call(let function, let args): return each(args).map { with(.call(function, $0)) }
        case .hostCall(let name, let args): return each(args).map { with(.hostCall(name, $0)) }
        case .modelCall(let model, let function, let args): return each(args).map { with(.modelCall(model: model, function: function, $0)) }
        case .caseWhen(let branches, let otherwise):
            guard let conditions = each(branches.map(\.0)), let results = each(branches.map(\.1)),
                  let elseValue = optional(otherwise) else { return nil }
            return with(.caseWhen(Array(zip(conditions, results)), otherwise: elseValue))
        case .relationAggregate(var aggregate):
            guard let filter = optional(aggregate.filter), let argument = optional(aggregate.argument) else { return nil }
            aggregate.filter = filter
            aggregate.argument = argument
            return with(.relationAggregate(aggregate))
        case .exists(let child, let refField, let filter):
            guard let filled = optional(filter) else { return nil }
            return with(.exists(child: child, refField: refField, filter: filled))
        case .groupAggregate(var aggregate):
            guard let argument = optional(aggregate.argument) else { return nil }
            aggregate.argument = argument
            return with(.groupAggregate(aggregate))
        }
    }

    /// Calls `body` on this node and every node below it, those of relation
    /// filters and arguments included.
    func walk(_ body: (BoundExpr) -> Void) {
        body(self)
        switch node {
        case .navigate(_, _, let inner): inner.walk(body)
        case .negate(let e), .not(let e), .toText(let e), .toNumber(let e), .toDatetime(let e), .isNull(let e, _),
             .shift(let e, _, _), .dayRange(let e, _, _, _):
            e.walk(body)
        case .population(_, let e, _, let by): e.walk(body); by?.walk(body)
        case .running(_, let e, let order, let by): e?.walk(body); order.walk(body); by?.walk(body)
        case .arithmetic(_, let a, let b), .compare(_, let a, let b), .and(let a, let b), .or(let a, let b),
             .concat(let a, let b), .textMatch(_, let a, let b):
            a.walk(body); b.walk(body)
        case .inList(let e, let items, _): e.walk(body); items.forEach { $0.walk(body) }
        case .call(_, let args), .hostCall(_, let args), .modelCall(_, _, let args): args.forEach { $0.walk(body) }
        case .caseWhen(let branches, let otherwise):
            for (c, v) in branches { c.walk(body); v.walk(body) }
            otherwise?.walk(body)
        case .relationAggregate(let aggregate): aggregate.filter?.walk(body); aggregate.argument?.walk(body)
        case .exists(_, _, let filter): filter?.walk(body)
        case .groupAggregate(let aggregate): aggregate.argument?.walk(body)
        case .constant, .parameter, .field, .computed, .groupKey: break
        }
    }

    /// Calls `body` with each operand of this node, as `walk` visits them.
    func forEachChild(_ body: (BoundExpr) -> Void) {
        switch node {
        case .navigate(_, _, let inner): body(inner)
        case .negate(let e), .not(let e), .toText(let e), .toNumber(let e), .toDatetime(let e), .isNull(let e, _),
             .shift(let e, _, _), .dayRange(let e, _, _, _):
            body(e)
        case .population(_, let e, _, let by): body(e); by.map(body)
        case .running(_, let e, let order, let by): e.map(body); body(order); by.map(body)
        case .arithmetic(_, let a, let b), .compare(_, let a, let b), .and(let a, let b), .or(let a, let b),
             .concat(let a, let b), .textMatch(_, let a, let b):
            body(a); body(b)
        case .inList(let e, let items, _): body(e); items.forEach(body)
        case .call(_, let args), .hostCall(_, let args), .modelCall(_, _, let args): args.forEach(body)
        case .caseWhen(let branches, let otherwise):
            for (c, v) in branches { body(c); body(v) }
            otherwise.map(body)
        case .relationAggregate(let aggregate): aggregate.filter.map(body); aggregate.argument.map(body)
        case .exists(_, _, let filter): filter.map(body)
        case .groupAggregate(let aggregate): aggregate.argument.map(body)
        case .constant, .parameter, .field, .computed, .groupKey: break
        }
    }
}
