import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

/// The source rows of a table function: `orders`, or `orders where channel = web`.
struct TableFunctionInput {
    var entity: Entity
    var rows: [Int32]
    var range: SourceRange

    /// Resolves a table function's first argument; `usage` shows a call.
    init(_ argument: Argument?, function: String, usage: String, runner: QueryRunner, range: SourceRange) throws {
        guard let argument, argument.label == nil else {
            throw Diagnostic.semantic("\(function) needs an entity first: \(usage)", argument?.value.range ?? range)
        }
        var condition: Expr?
        var value = argument.value
        if case .filtered(let inner, let filter) = value.kind {
            value = inner
            condition = filter
        }
        guard case .identifier(let name, _) = value.kind else {
            throw Diagnostic.semantic("\(function) needs an entity first: \(usage)", value.range)
        }
        let (entity, rows) = try runner.resolveSource(Query(source: .named(Name(name, value.range)), range: value.range))
        self.entity = entity
        self.range = argument.value.range
        self.rows = rows
        if let condition {
            let bound = try runner.binder.bindCondition(condition, in: Scope(entity: entity), clause: "where")
            // The source's own filter, run by the fast-path rules like any
            // filter no plan covers (the table function is one operator).
            self.rows = try runner.evaluator.unplanned {
                try runner.evaluator.filter(conjuncts: AccessPlanner.conjuncts(of: bound), EvalContext(entity: entity, rows: rows))
            }
        }
    }
}

/// `retention(orders, every: quarter)` and `cohorts(orders, every: month)`:
/// customers' activity per period, from any entity of dated events
/// (REFERENCE.md, "Customers over time").
struct TimelineSource {
    enum Kind: String { case retention, cohorts }

    let runner: QueryRunner
    let kind: Kind

    static let periodWords = ["week", "month", "quarter", "year", "fiscal quarter", "fiscal year"]
    var usage: String { "\(kind.rawValue)(orders, who: customer, at: placed, every: month)" }

    /// What a call asks besides its source, checked (`explain sql`
    /// compiles the same call).
    struct Options {
        var period: DatePeriod
        var who: Expr
        var at: Expr
        var from: Expr?
        var to: Expr?
    }

    /// The first and last days shown, when given.
    struct Dates {
        var from: Int64?
        var to: Int64?
    }

    /// The named arguments after the source, with their defaults from `entity`.
    func options(_ arguments: [Argument], entity: Entity, sourceRange: SourceRange) throws -> Options {
        let name = kind.rawValue
        var who: Expr?, at: Expr?, every: Expr?, from: Expr?, to: Expr?
        for argument in arguments.dropFirst() {
            guard let label = argument.label else {
                throw Diagnostic.semantic("\(name) takes named arguments after the entity: who:, at:, every:, from:, to:", argument.value.range)
            }
            switch label.text.lowercased() {
            case "who": who = argument.value
            case "at": at = argument.value
            case "every": every = argument.value
            case "from": from = argument.value
            case "to": to = argument.value
            default:
                throw Diagnostic.semantic(Suggestion.message("unknown argument '\(label.text)' of \(name); it takes who:, at:, every:, from:, to:",
                                                             for: label.text, among: ["who", "at", "every", "from", "to"]), label.range)
            }
        }
        let period = try Self.period(every, fiscalYearStart: runner.catalog.fiscalYearStart)
        var whoExpr: Expr, atExpr: Expr
        if let who { whoExpr = who } else {
            let field = try Self.customerField(entity, name, range: sourceRange)
            whoExpr = Expr(.identifier(field, quoted: true), sourceRange)
        }
        if let at { atExpr = at } else {
            let field = try Self.dateField(entity, name, range: sourceRange)
            atExpr = Expr(.identifier(field, quoted: true), sourceRange)
        }
        return Options(period: period, who: whoExpr, at: atExpr, from: from, to: to)
    }

    /// `at:` must give a date or a datetime.
    static func checkAt(_ type: DataType, _ options: Options, _ entity: Entity) throws {
        guard type == .date || type == .datetime || type == .null else {
            let dates = entity.fields.filter { $0.type == .date || $0.type == .datetime }.map(\.name)
            throw Diagnostic.semantic("at: needs a date or datetime field, but this is \(type.kindName)"
                + (dates.isEmpty ? "" : "; \(entity.name) has \(dates.joined(separator: ", "))"), options.at.range)
        }
    }

    /// `from:` and `to:` as days, in order.
    func dates(_ options: Options) throws -> Dates {
        let fromDay = try options.from.map { try runner.constantDate($0, "from:") }
        let toDay = try options.to.map { try runner.constantDate($0, "to:") }
        if let fromDay, let toDay, fromDay > toDay, let from = options.from {
            throw Diagnostic.semantic("from: \(CivilDate(days: fromDay).iso) is after to: \(CivilDate(days: toDay).iso); give the earlier date in from:", from.range)
        }
        return Dates(from: fromDay, to: toDay)
    }

    func run(_ arguments: [Argument], range: SourceRange) throws -> QueryOutput {
        let input = try TableFunctionInput(arguments.first, function: kind.rawValue, usage: usage, runner: runner, range: range)
        let options = try self.options(arguments, entity: input.entity, sourceRange: input.range)
        let period = options.period
        let whoColumn = try column(options.who, input)
        let atColumn = try column(options.at, input)
        try Self.checkAt(atColumn.type, options, input.entity)
        let dates = try self.dates(options)
        let fromDay = dates.from, toDay = dates.to
        let events = try Events(who: whoColumn, at: atColumn, grid: PeriodGrid(period), from: fromDay, to: toDay,
                                check: { try runner.evaluator.services.checkInterrupt() })
        guard let shown = events.shown else {
            return kind == .retention ? Self.retentionOutput(nil, events, period) : Self.cohortsOutput(nil, events, period)
        }
        // TUNING: a cohort table holds n(n+1)/2 rows for n periods; 5,000,000 is far beyond a readable one.
        if kind == .cohorts, shown.count * (shown.count + 1) / 2 > 5_000_000 {
            throw Diagnostic.semantic("cohorts over \(shown.count) periods would give too many rows; choose a longer every: or a shorter from:/to:", range)
        }
        let timeline = try CustomerTimeline(customer: events.customer, period: events.period, customers: events.customers,
                                            periodCount: events.periodCount, cohorts: kind == .cohorts ? shown : nil,
                                            check: { try runner.evaluator.services.checkInterrupt() })
        return kind == .retention ? Self.retentionOutput(timeline, events, period) : Self.cohortsOutput(timeline, events, period)
    }

    /// A `who:` or `at:` column over the source rows.
    private func column(_ expr: Expr, _ input: TableFunctionInput) throws -> Column {
        let bound = try runner.binder.bind(expr, in: Scope(entity: input.entity))
        let column = try runner.evaluator.unplanned {
            try runner.evaluator.evaluate(bound, EvalContext(entity: input.entity, rows: input.rows))
        }
        return column.expanded(to: input.rows.count)
    }

    /// `every:`: a period word, or `fiscal quarter`/`fiscal year`; month when absent.
    static func period(_ expr: Expr?, fiscalYearStart: Int) throws -> DatePeriod {
        guard let expr else { return .month }
        let word: String
        switch expr.kind {
        case .identifier(let name, _): word = name.lowercased()
        case .fiscalPeriod(let unit, _): word = "fiscal " + unit.rawValue
        default: word = ""
        }
        guard let period = DatePeriod(word: word, fiscalYearStart: fiscalYearStart) else {
            let message = "every: takes one of " + periodWords.joined(separator: ", ")
            throw Diagnostic.semantic(word.isEmpty ? message : Suggestion.message(message + ", not '\(word)'", for: word, among: periodWords), expr.range)
        }
        return period
    }

    /// The field naming the customer when `who:` is not given: the
    /// entity's only ref field.
    static func customerField(_ entity: Entity, _ function: String, range: SourceRange) throws -> String {
        let refs = entity.fields.filter { if case .ref = $0.type { return true } else { return false } }.map(\.name)
        if refs.count == 1 { return refs[0] }
        let fields = entity.fields.map(\.name).joined(separator: ", ")
        if refs.isEmpty {
            throw Diagnostic.semantic("\(entity.name) has no ref field to name the customer; name it with who: (\(entity.name) has \(fields))", range)
        }
        throw Diagnostic.semantic("\(entity.name) has \(refs.count) ref fields (\(refs.joined(separator: ", "))); choose the customer with who:, as in who: \(refs[0])", range)
    }

    /// The event's date when `at:` is not given: the entity's only date or datetime field.
    static func dateField(_ entity: Entity, _ function: String, range: SourceRange) throws -> String {
        let dates = entity.fields.filter { $0.type == .date || $0.type == .datetime }.map(\.name)
        if dates.count == 1 { return dates[0] }
        if dates.isEmpty {
            let fields = entity.fields.map(\.name).joined(separator: ", ")
            throw Diagnostic.semantic("\(entity.name) has no date or datetime field to date its events; name one with at: (\(entity.name) has \(fields))", range)
        }
        throw Diagnostic.semantic("\(entity.name) has \(dates.count) date fields (\(dates.joined(separator: ", "))); choose one with at:, as in at: \(dates[0])", range)
    }

    // MARK: Output

    /// The columns of `retention`: the period, six counts, four rates.
    static let retentionNames = ["period", "active", "new", "active_prev", "retained", "lost", "returning",
                                 "retention_rate", "churn_rate", "growth_rate", "net_growth"]
    static let retentionTypes: [DataType] = [.date] + Array(repeating: .int, count: 6) + Array(repeating: .number, count: 4)
    /// The columns of `cohorts`.
    static let cohortsNames = ["cohort", "period", "customers", "active", "rate"]
    static let cohortsTypes: [DataType] = [.date, .int, .int, .int, .number]

    private static func periodColumn(_ starts: [Int64], _ period: DatePeriod) -> Column {
        var column = Column(type: .date, data: .temporal(starts))
        column.period = period
        return column
    }

    private static func rate(_ part: Int, _ whole: Int) -> Value { whole == 0 ? .null : .number(Double(part) / Double(whole)) }

    static func retentionOutput(_ timeline: CustomerTimeline?, _ events: Events, _ period: DatePeriod) -> QueryOutput {
        var starts: [Int64] = []
        var counts = [[Int64]](repeating: [], count: 7)
        var rates = [[Value]](repeating: [], count: 4)
        if let timeline, let shown = events.shown {
            for p in shown {
                let active = timeline.active[p], new = timeline.new[p], retained = timeline.retained[p]
                let previous = p > 0 ? timeline.active[p - 1] : 0
                let lost = previous - retained
                let returning = active - new - retained
                starts.append(events.start(p))
                for (index, value) in [active, new, previous, retained, lost, returning].enumerated() { counts[index].append(Int64(value)) }
                rates[0].append(rate(retained, previous))
                rates[1].append(rate(lost, previous))
                rates[2].append(rate(new, previous))
                rates[3].append(previous == 0 ? .null : .number(Double(active) / Double(previous) - 1))
            }
        }
        let names = retentionNames
        var columns = [periodColumn(starts, period)]
        for index in 0..<6 { columns.append(Column(type: .int, data: .int(counts[index]))) }
        for index in 0..<4 { columns.append(Column.make(type: .number, values: rates[index])) }
        return QueryOutput(names: names, columns: columns)
    }

    static func cohortsOutput(_ timeline: CustomerTimeline?, _ events: Events, _ period: DatePeriod) -> QueryOutput {
        var cohorts: [Int64] = [], offsets: [Int64] = [], sizes: [Int64] = [], actives: [Int64] = []
        var rates: [Value] = []
        if let timeline, let shown = events.shown {
            for first in shown {
                let size = timeline.new[first]
                for k in 0...(shown.upperBound - first) {
                    let active = timeline.cohortActive[timeline.cohortRow[first - timeline.cohortLow] + k]
                    cohorts.append(events.start(first))
                    offsets.append(Int64(k))
                    sizes.append(Int64(size))
                    actives.append(Int64(active))
                    rates.append(rate(active, size))
                }
            }
        }
        return QueryOutput(names: cohortsNames,
                           columns: [periodColumn(cohorts, period), Column(type: .int, data: .int(offsets)),
                                     Column(type: .int, data: .int(sizes)), Column(type: .int, data: .int(actives)),
                                     Column.make(type: .number, values: rates)])
    }
}
