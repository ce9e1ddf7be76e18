import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

extension SQLCompiler {
    /// An expression over a scope's rows (or, with `group`, over a grouped
    /// query's groups) as SQL with crmql's meaning: three-valued logic,
    /// real division with null for a zero divisor, enums by declaration.
    func expr(_ e: BoundExpr, _ scope: SQLScope, _ group: GroupContext?) throws -> String {
        let d = dialect
        func sub(_ x: BoundExpr) throws -> String { try expr(x, scope, group) }
        switch e.node {
        case .constant(let value):
            return literal(value, e.type)
        case .parameter(let name, _):
            // Explain shows a parameter's value; a statement sent to a
            // server binds it to a slot, so no value is ever spliced into
            // the text the server parses.
            let value = catalog.parameter(name) ?? .null
            if slots != nil, !value.isNull, e.type != .null {
                slots?.append(value)
                return dialect.cast("$\(slots?.count ?? 0)", e.type)
            }
            return literal(value, e.type)
        case .field(let index):
            return scope.column(index, d)
        case .navigate(let refField, let parentName, let inner):
            let parent = try parent(of: scope, refField: refField, parentName, e.range)
            return try expr(inner, parent, nil)
        case .computed(let entity, let name):
            return try measure(entity, name, scope, e.range)
        case .negate(let operand):
            return "(-\(try sub(operand)))"
        case .not(let operand):
            return "(NOT \(try sub(operand)))"
        case .arithmetic(let op, let left, let right):
            return try arithmetic(op, left, right, e.type, sub)
        case .shift(let operand, let amount, let unit):
            let sql = try sub(operand)
            let datetime = operand.type == .datetime
            switch unit {
            case .day: return d.shift(sql, days: amount, datetime: datetime)
            case .week: return d.shift(sql, days: amount &* 7, datetime: datetime)
            case .month: return d.shift(sql, months: amount, datetime: datetime)
            case .quarter: return d.shift(sql, months: amount &* 3, datetime: datetime)
            case .year: return d.shift(sql, months: amount &* 12, datetime: datetime)
            }
        case .compare(let op, let left, let right):
            var l = try sub(left), r = try sub(right)
            if op != .equal && op != .notEqual {
                if case .enumeration(let type) = left.type { l = code(left, l, type) }
                if case .enumeration(let type) = right.type { r = code(right, r, type) }
                if left.type == .text && right.type == .text { l = d.textOrder(l) }
            }
            return "(\(l) \(comparison(op)) \(r))"
        case .and(let left, let right):
            return "(\(try sub(left)) AND \(try sub(right)))"
        case .or(let left, let right):
            return "(\(try sub(left)) OR \(try sub(right)))"
        case .concat(let left, let right):
            return "(\(try text(left, sub)) || \(try text(right, sub)))"
        case .textMatch(let match, let left, let right):
            let l = try text(left, sub), r = try text(right, sub)
            switch match {
            case .contains: return d.contains("lower(\(l))", "lower(\(r))")
            case .startsWith: return "(left(lower(\(l)), length(lower(\(r)))) = lower(\(r)))"
            case .endsWith: return "(right(lower(\(l)), length(lower(\(r)))) = lower(\(r)))"
            case .matches: return d.regexMatch(l, r)
            }
        case .isNull(let operand, let negated):
            return "(\(try sub(operand)) IS \(negated ? "NOT " : "")NULL)"
        case .inList(let operand, let items, let negated):
            let list = try items.map(sub).joined(separator: ", ")
            return "(\(try sub(operand)) \(negated ? "NOT IN" : "IN") (\(list)))"
        case .dayRange(let operand, let low, let high, let negated):
            var sql = try sub(operand)
            if operand.type == .datetime { sql = "CAST(\(sql) AS DATE)" }
            let range = "\(sql) BETWEEN \(literal(.date(low), .date)) AND \(literal(.date(high), .date))"
            return negated ? "(NOT (\(range)))" : "(\(range))"
        case .call(let function, let arguments):
            return try call(function, arguments, e, sub)
        case .caseWhen(let branches, let otherwise):
            var parts = ["CASE"]
            for (condition, value) in branches { parts.append("WHEN \(try sub(condition)) THEN \(try sub(value))") }
            if let otherwise { parts.append("ELSE \(try sub(otherwise))") }
            parts.append("END")
            return "(" + parts.joined(separator: " ") + ")"
        case .relationAggregate(let aggregate):
            let children = try childGroup(of: scope, child: aggregate.child, refField: aggregate.refField, e.range)
            let argument = try aggregate.argument.map { try expr($0, children.scope, nil) }
            let filter = try aggregate.filter.map { try expr($0, children.scope, nil) }
            let sql = try self.aggregate(aggregate.function, argument, filter: filter, distinct: aggregate.distinct,
                                         fraction: aggregate.fraction, type: e.type, e.range,
                                         money: isMoneyField(aggregate.argument, children.scope))
            let column = children.name + "." + children.column(for: sql)
            return aggregate.function == .count ? "coalesce(\(column), 0)" : column
        case .exists(let child, let refField, let filter):
            let children = try childGroup(of: scope, child: child, refField: refField, e.range)
            let condition = try filter.map { try expr($0, children.scope, nil) }
            let sql = condition.map { "count(CASE WHEN \($0) THEN 1 END)" } ?? "count(*)"
            return "(coalesce(\(children.name).\(children.column(for: sql)), 0) > 0)"
        case .groupAggregate(let aggregate):
            let argument = try aggregate.argument.map { try expr($0, scope, nil) }
            return try self.aggregate(aggregate.function, argument, filter: nil, distinct: aggregate.distinct,
                                      fraction: aggregate.fraction, type: e.type, e.range, money: isMoneyField(aggregate.argument, scope))
        case .groupKey(let index):
            guard let group, index < group.keys.count else { throw untranslatable("a group key outside 'group by'", e.range) }
            return group.keys[index]
        case .population(let function, let argument, let k, let by):
            return try population(function, argument, k: k, by: by, scope, e.range)
        case .running(let function, let argument, let order, let by):
            return try running(function, argument, order: order, by: by, scope, e.type)
        case .hostCall(let name, _):
            throw untranslatable("the host function '\(name)'", e.range)
        case .modelCall(let model, let function, _):
            // A fitted model lives in the session, not in the warehouse.
            throw untranslatable("the model function '\(function)' of model '\(model)'", e.range)
        case .toText(let operand):
            return try text(operand, sub)
        case .toNumber(let operand):
            return d.cast(try sub(operand), .number)
        case .toDatetime(let operand):
            return d.cast(try sub(operand), .datetime)
        }
    }

    /// An enum's position: a symbol's is known now.
    private func code(_ e: BoundExpr, _ sql: String, _ type: EnumType) -> String {
        if case .constant(.symbol(let code, _)) = e.node { return String(code) }
        return enumCode(sql, type)
    }

    func untranslatable(_ feature: String, _ range: SourceRange) -> Diagnostic {
        let within = expanding.first.map { " (in the measure '\($0.split(separator: ".").last ?? "")')" } ?? ""
        return .semantic("\(feature)\(within) has no SQL translation; run this query in memory", measureRange ?? range)
    }

    /// A constant as a literal of its type.
    func literal(_ value: Value, _ type: DataType) -> String {
        switch value {
        case .null: return type == .null ? "NULL" : "CAST(NULL AS \(dialect.typeName(type)))"
        case .int(let v): return String(v)
        case .number(let v):
            guard v.isFinite else { return "CAST(NULL AS \(dialect.typeName(.number)))" }
            // A short decimal reads the same as a literal of every engine
            // (they widen it to a double beside one); others are cast.
            let text = SQLDialect.number(v)
            return text.contains("e") || Swift.abs(v) >= 1e15 ? dialect.cast(text, .number) : text
        case .text(let v): return dialect.string(v)
        case .bool(let v): return v ? "TRUE" : "FALSE"
        case .date(let days): return "DATE '\(CivilDate(days: days).iso)'"
        case .datetime(let seconds):
            return "TIMESTAMP '\(CivilDate.isoDateTime(seconds: seconds).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: ""))'"
        case .symbol: return dialect.string(ValueFormatter.plain(value))
        }
    }

    private func comparison(_ op: ComparisonOperator) -> String {
        switch op {
        case .equal: return "="
        case .notEqual: return "<>"
        case .less: return "<"
        case .lessEqual: return "<="
        case .greater: return ">"
        case .greaterEqual: return ">="
        }
    }

    /// Any value as crmql writes it as text (enums are stored as their text).
    private func text(_ e: BoundExpr, _ sub: (BoundExpr) throws -> String) throws -> String {
        let sql = try sub(e)
        switch e.type {
        case .text, .enumeration, .null: return sql
        default: return dialect.cast(sql, .text)
        }
    }

    private func arithmetic(_ op: ArithmeticOperator, _ left: BoundExpr, _ right: BoundExpr, _ type: DataType,
                            _ sub: (BoundExpr) throws -> String) throws -> String {
        let l = try sub(left), r = try sub(right)
        if left.type.isTemporal && right.type.isTemporal && op == .subtract {
            let a = left.type == .datetime ? "CAST(\(l) AS DATE)" : l
            let b = right.type == .datetime ? "CAST(\(r) AS DATE)" : r
            return dialect.daysBetween(b, a)
        }
        switch op {
        case .add: return "(\(l) + \(r))"
        case .subtract: return "(\(l) - \(r))"
        case .multiply: return "(\(l) * \(r))"
        case .divide: return "(\(dialect.cast(l, .number)) / NULLIF(\(dialect.cast(r, .number)), 0))"
        case .modulo:
            if type == .int { return "mod(\(l), NULLIF(\(r), 0))" }
            let a = dialect.cast(l, .number), b = dialect.cast(r, .number)
            // PostgreSQL has no remainder of doubles; the others' `%` is
            // the truncated remainder crmql gives.
            guard dialect == .postgresql else { return "(\(a) % NULLIF(\(b), 0))" }
            return "(\(a) - \(b) * trunc(\(a) / NULLIF(\(b), 0)))"
        }
    }

    /// An aggregate of values (already filtered by `CASE` when the relation
    /// has a filter), with crmql's result type.
    func aggregate(_ function: AggregateFunction, _ argument: String?, filter: String?, distinct: Bool,
                   fraction: Double?, type: DataType, _ range: SourceRange, money: Bool = false) throws -> String {
        let value = argument.map { arg in filter.map { "CASE WHEN \($0) THEN \(arg) END" } ?? arg }
        let d = dialect
        if money, !distinct, type == .number, let value, function == .sum || function == .avg {
            // As crmql adds money: whole hundredths summed as integers, the
            // same in any order, and one division at the end. Doubles
            // added in the order of an engine's partitions land a hair
            // apart, which breaks ties a rank or a quintile must keep.
            let total = d.cast("sum(\(d.cast("round(\(value) * 100)", .int)))", .number)
            if function == .sum { return "(\(total) / 100)" }
            return "(\(total) / (100 * \(d.cast("NULLIF(count(\(value)), 0)", .number))))"
        }
        switch function {
        case .count:
            guard let value else { return filter.map { "count(CASE WHEN \($0) THEN 1 END)" } ?? "count(*)" }
            return "count(\(distinct ? "DISTINCT " : "")\(value))"
        case .sum:
            let sql = "sum(\(distinct ? "DISTINCT " : "")\(value ?? "1"))"
            return type == .int ? d.cast(sql, .int) : d.cast(sql, .number)
        case .avg: return d.cast("avg(\(distinct ? "DISTINCT " : "")\(value ?? "1"))", .number)
        case .min, .max:
            guard let value else { throw untranslatable("\(function.rawValue) without an argument", range) }
            if case .enumeration = type { throw untranslatable("\(function.rawValue) of an enum", range) }
            if type == .bool { throw untranslatable("\(function.rawValue) of a bool", range) }
            // The least text is by code point, as crmql orders text.
            return "\(function.rawValue)(\(type == .text ? d.textOrder(value) : value))"
        case .median: return d.percentile(value ?? "NULL", 0.5)
        case .percentile: return d.percentile(value ?? "NULL", fraction ?? 0.5)
        case .stddev: return "stddev_samp(\(value ?? "NULL"))"
        }
    }

    /// Whether an aggregate's argument is a stored money field of `scope`'s entity.
    private func isMoneyField(_ argument: BoundExpr?, _ scope: SQLScope) -> Bool {
        guard let argument, case .field(let index) = argument.node, argument.type == .number else { return false }
        return isMoney(scope.entity, index)
    }

    /// A measure: its bound definition, compiled in place over the same
    /// scope (a measure is a column of every row of its entity). One built
    /// on a window is a named column of the scope's layer instead, so the
    /// statement reads `c.r_score`, not the window spelled out.
    private func measure(_ entity: String, _ name: String, _ scope: SQLScope, _ range: SourceRange) throws -> String {
        let key = entity + "." + name
        guard !expanding.contains(key), expanding.count < 64 else {
            throw Diagnostic.semantic("circular definition of '\(name)'", measureRange ?? range)
        }
        let body = try measureBody(entity, name, range)
        let outer = measureRange
        if measureRange == nil { measureRange = range }
        expanding.append(key)
        defer { expanding.removeLast(); measureRange = outer }
        guard try usesWindow(body) else { return try expr(body, scope, nil) }
        switch body.node {
        case .population(let function, let argument, let k, let by):
            return try population(function, argument, k: k, by: by, scope, body.range, name: name)
        case .running(let function, let argument, let order, let by):
            return try running(function, argument, order: order, by: by, scope, body.type, name: name)
        default:
            return derived(try expr(body, layer(of: scope), nil), name: name, in: scope)
        }
    }

    private func measureBody(_ entity: String, _ name: String, _ range: SourceRange) throws -> BoundExpr {
        if catalog.cachedComputed(entity: entity, field: name) == nil {
            var binder = Binder(catalog: catalog, source: SourceFile(name: "", text: ""))
            _ = try binder.computedType(entity: entity, field: name, range)
        }
        guard let body = catalog.cachedComputed(entity: entity, field: name) else {
            throw Diagnostic.semantic("'\(name)' cannot be computed", range)
        }
        return body
    }

    /// Whether an expression holds a population or running function, in
    /// itself or in a measure it uses (not across a relation, whose
    /// children have windows of their own).
    private func usesWindow(_ e: BoundExpr, depth: Int = 0) throws -> Bool {
        guard depth < 64 else { return false }
        switch e.node {
        case .population, .running: return true
        case .computed(let entity, let name): return try usesWindow(measureBody(entity, name, e.range), depth: depth + 1)
        case .relationAggregate, .exists, .navigate: return false
        default:
            var found = false
            var failure: Error?
            e.forEachChild { child in
                guard !found, failure == nil else { return }
                do { found = try usesWindow(child, depth: depth + 1) } catch { failure = error }
            }
            if let failure { throw failure }
            return found
        }
    }
}
