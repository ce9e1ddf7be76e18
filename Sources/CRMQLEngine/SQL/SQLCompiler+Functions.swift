import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

extension SQLCompiler {
    /// A scalar function call, with crmql's answers where SQL's differ:
    /// null instead of an error outside a function's domain, rounding half
    /// away from zero, a whole-number type where crmql gives one.
    func call(_ function: ScalarFunction, _ arguments: [BoundExpr], _ e: BoundExpr,
              _ sub: (BoundExpr) throws -> String) throws -> String {
        let d = dialect
        let args = try arguments.map(sub)
        func arg(_ i: Int) -> String { i < args.count ? args[i] : "NULL" }
        func number(_ i: Int) -> String { d.cast(arg(i), .number) }
        func whole(_ sql: String) -> String { e.type == .int ? d.cast(sql, .int) : sql }
        let numberType = d.typeName(.number)
        switch function {
        case .abs: return "abs(\(arg(0)))"
        case .round:
            let digits = args.count > 1 ? arg(1) : "0"
            if arguments[0].type == .int && args.count < 2 { return arg(0) }
            // crmql rounds the number as it is written (the shortest
            // decimal that reads back as the double: 0.975 to 0.98), half
            // away from zero; so does a decimal rounded from that text.
            // Past 1e15 a double has no fraction left to round.
            let decimal = d == .postgresql ? "NUMERIC" : "DECIMAL(38, 20)"
            let places = d == .postgresql ? "CAST(\(digits) AS INTEGER)" : digits
            let exact = "CAST(round(CAST(\(d.cast(number(0), .text)) AS \(decimal)), \(places)) AS \(numberType))"
            return whole("(CASE WHEN abs(\(number(0))) < 1e15 THEN \(exact) ELSE \(number(0)) END)")
        case .floor: return arguments[0].type == .int ? arg(0) : "floor(\(number(0)))"
        case .ceil: return arguments[0].type == .int ? arg(0) : "ceil(\(number(0)))"
        case .sqrt: return "sqrt(CASE WHEN \(number(0)) >= 0 THEN \(number(0)) END)"
        case .ln: return "ln(CASE WHEN \(number(0)) > 0 THEN \(number(0)) END)"
        case .exp: return "exp(CASE WHEN \(number(0)) < 709.78 THEN \(number(0)) END)"
        case .pow: return "power(\(number(0)), \(number(1)))"
        case .min: return "least(\(args.joined(separator: ", ")))"
        case .max: return "greatest(\(args.joined(separator: ", ")))"
        case .coalesce: return "coalesce(\(args.joined(separator: ", ")))"
        case .lower: return "lower(\(arg(0)))"
        case .upper: return "upper(\(arg(0)))"
        case .length: return d.cast("length(\(arg(0)))", .int)
        case .trim: return "trim(\(arg(0)))"
        case .substr:
            if args.count > 2 { return "substr(\(arg(0)), \(arg(1)), \(arg(2)))" }
            return "substr(\(arg(0)), \(arg(1)))"
        case .if: return "(CASE WHEN \(arg(0)) THEN \(arg(1)) ELSE \(arg(2)) END)"
        case .year: return d.cast("EXTRACT(YEAR FROM \(arg(0)))", .int)
        case .quarter: return d.cast("EXTRACT(QUARTER FROM \(arg(0)))", .int)
        case .month: return d.cast("EXTRACT(MONTH FROM \(arg(0)))", .int)
        case .day: return d.cast("EXTRACT(DAY FROM \(arg(0)))", .int)
        case .weekday: return d.weekday(arg(0))
        case .date: return d.cast(arg(0), .date)
        case .daysBetween:
            let a = arguments[0].type == .datetime ? d.cast(arg(0), .date) : arg(0)
            let b = arguments[1].type == .datetime ? d.cast(arg(1), .date) : arg(1)
            return d.daysBetween(a, b)
        case .fiscalYear:
            // A fiscal year is named by the calendar year it ends in: move
            // the date forward by the months from its start to January.
            let months = Int64((13 - catalog.fiscalYearStart) % 12)
            return d.cast("EXTRACT(YEAR FROM \(d.shift(date(arguments[0], arg(0)), months: months, datetime: false)))", .int)
        case .fiscalQuarter:
            let months = -Int64(catalog.fiscalYearStart - 1)
            return d.cast("EXTRACT(QUARTER FROM \(d.shift(date(arguments[0], arg(0)), months: months, datetime: false)))", .int)
        case .trunc:
            guard arguments.count > 1, case .constant(.text(let period)) = arguments[1].node else {
                throw untranslatable("trunc with a period that is not a constant", e.range)
            }
            let x = date(arguments[0], arg(0))
            if period.hasPrefix("fiscal ") {
                let unit = String(period.dropFirst("fiscal ".count))
                let back = Int64(catalog.fiscalYearStart - 1)
                let truncated = d.truncate(d.shift(x, months: -back, datetime: false), unit)
                return d.shift(truncated, months: back, datetime: false)
            }
            return d.truncate(x, period)
        case .format:
            throw untranslatable("format(…)", e.range)
        }
    }

    private func date(_ e: BoundExpr, _ sql: String) -> String {
        e.type == .datetime ? dialect.cast(sql, .date) : sql
    }

    /// A population function as window functions over every row of the
    /// entity (its layer), with crmql's tie rules: `below(x)` is the rows
    /// strictly less, which is `rank() - 1` among the present values
    /// ordered ascending; rows with a null `x` are a partition of their own
    /// and get null.
    func population(_ function: PopulationFunction, _ argument: BoundExpr, k: Int64, by: BoundExpr?,
                    _ scope: SQLScope, _ range: SourceRange, name: String? = nil) throws -> String {
        let layer = layer(of: scope)
        let d = dialect
        var x = try value(argument, layer, name: name.map { $0 + "_input" })
        let present = "\(x) IS NOT NULL"
        if case .enumeration(let type) = argument.type { x = enumCode(x, type) }
        let byPartition = try by.map { try expr($0, layer, nil) }
        let total = byPartition.map { "PARTITION BY \($0)" } ?? ""
        let ranked = "PARTITION BY " + (byPartition.map { $0 + ", " } ?? "") + "(\(present))"
        let numberType = d.typeName(.number)
        let sql: String
        switch function {
        case .ntile, .quintile:
            guard k >= 1 else { return literal(.null, .int) }
            let below = "(rank() OVER (\(ranked) ORDER BY \(x) ASC) - 1)"
            sql = "CASE WHEN \(present) THEN CAST(1 + floor(\(k) * \(below) / CAST(count(\(x)) OVER (\(total)) AS \(numberType))) AS BIGINT) END"
        case .percentRank:
            let n = "count(\(x)) OVER (\(total))"
            let below = "(rank() OVER (\(ranked) ORDER BY \(x) ASC) - 1)"
            sql = "CASE WHEN \(present) THEN CASE WHEN \(n) = 1 THEN CAST(0 AS \(numberType)) ELSE \(below) / CAST(\(n) - 1 AS \(numberType)) END END"
        case .rank:
            sql = "CASE WHEN \(present) THEN CAST(rank() OVER (\(ranked) ORDER BY \(x) DESC) AS BIGINT) END"
        case .share:
            let sum = "sum(CAST(\(x) AS \(numberType))) OVER (\(total))"
            sql = "CASE WHEN \(sum) <> 0 THEN CAST(\(x) AS \(numberType)) / \(sum) END"
        case .shareAbove:
            let positive = "CASE WHEN \(x) > 0 THEN CAST(\(x) AS \(numberType)) ELSE 0 END"
            let sum = "sum(\(positive)) OVER (\(total))"
            var order = "\(x) DESC"
            if let key = layer.keyIndex { order += ", " + layer.column(key, d) + " ASC" }
            let above = "coalesce(sum(\(positive)) OVER (\(ranked) ORDER BY \(order) ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)"
            sql = "CASE WHEN \(present) AND \(sum) > 0 THEN \(above) / \(sum) END"
        }
        var label = name
        if label == nil, case .computed(_, let measure) = argument.node { label = function.rawValue + "_" + measure }
        if label == nil, case .field(let index) = argument.node { label = function.rawValue + "_" + layer.entity.fields[index].name }
        return derived(sql, name: label, in: scope)
    }

    /// An argument a window names several times: a column of its own one
    /// layer down, unless it is a stored field already.
    private func value(_ argument: BoundExpr, _ layer: SQLScope, name hint: String?) throws -> String {
        if case .field = argument.node { return try expr(argument, layer, nil) }
        var name = hint
        if case .computed(_, let measure) = argument.node { name = measure }
        return derived(try expr(argument, self.layer(of: layer), nil), name: name, in: layer)
    }

    /// `running_sum(x, order: o, by: b)`: a window over every row of the
    /// entity up to this one, ties in the order broken by the key.
    func running(_ function: RunningFunction, _ argument: BoundExpr?, order: BoundExpr, by: BoundExpr?,
                 _ scope: SQLScope, _ type: DataType, name: String? = nil) throws -> String {
        let layer = layer(of: scope)
        let d = dialect
        let value = try argument.map { try expr($0, layer, nil) }
        var keys = [orderKey(try expr(order, layer, nil), order.type, false, false)]
        if let key = layer.keyIndex { keys.append(layer.column(key, d) + " ASC") }
        let partition = try by.map { "PARTITION BY \(try expr($0, layer, nil)) " } ?? ""
        let frame = "OVER (\(partition)ORDER BY \(keys.joined(separator: ", ")) ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
        let sql: String
        switch function {
        case .sum: sql = d.cast("sum(\(value ?? "1")) \(frame)", type == .int ? .int : .number)
        case .count: sql = "count(\(value ?? "*")) \(frame)"
        case .avg: sql = d.cast("avg(\(value ?? "1")) \(frame)", .number)
        }
        return derived(sql, name: name, in: scope)
    }
}
