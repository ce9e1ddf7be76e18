import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

extension QueryRunner {
    /// `select retention(orders, …) …` or `select cohorts(orders, …) …`
    /// compiled by `compiler` (which an `as of` date has already told which
    /// events to keep): the call's answer a named subquery built from the
    /// distinct (customer, period) pairs of the events, and the clauses
    /// after the call compiled over it as over any table. Also the bound
    /// query, whose items name and type the answer's columns.
    ///
    /// Periods are numbered as `PeriodGrid` numbers them, so "the period
    /// before" is the number minus one and the periods shown are a series
    /// of numbers: every one has its row, also one without events.
    func timelineSQL(_ query: Query, _ kind: TimelineSource.Kind, _ arguments: [Argument], range: SourceRange,
                     compiler: SQLCompiler) throws -> (sql: String, bound: BoundQuery) {
        let timeline = TimelineSource(runner: self, kind: kind)
        let name = kind.rawValue
        // The source as in memory (`TableFunctionInput`), but a stored entity:
        // its rows are the server's table.
        guard let first = arguments.first, first.label == nil else {
            throw Diagnostic.semantic("\(name) needs an entity first: \(timeline.usage)", arguments.first?.value.range ?? range)
        }
        var value = first.value
        var filter: Expr?
        if case .filtered(let inner, let condition) = value.kind {
            value = inner
            filter = condition
        }
        guard case .identifier(let entityName, _) = value.kind else {
            throw Diagnostic.semantic("\(name) needs an entity first: \(timeline.usage)", value.range)
        }
        let entity = try sqlSourceEntity(Query(source: .named(Name(entityName, value.range)), range: value.range))
        let scope = Scope(entity: entity)
        let condition = try filter.map { try binder.bindCondition($0, in: scope, clause: "where") }
        let options = try timeline.options(arguments, entity: entity, sourceRange: first.value.range)
        let who = try binder.bind(options.who, in: scope)
        let at = try binder.bind(options.at, in: scope)
        try TimelineSource.checkAt(at.type, options, entity)
        let dates = try timeline.dates(options)

        let grid = PeriodGrid(options.period)
        let d = compiler.dialect
        func id(_ name: String) -> String { d.identifier(name) }
        let (p, n, whoColumn) = (id("p"), id("n"), id("who"))

        // Each customer's periods with an event, once each.
        let root = compiler.newScope(entity)
        let whoSQL = try compiler.expr(who, root, nil)
        var atSQL = at.type == .null ? "CAST(NULL AS DATE)" : try compiler.expr(at, root, nil)
        if at.type == .datetime { atSQL = d.cast(atSQL, .date) }
        var kept = ["\(whoSQL) IS NOT NULL", "\(atSQL) IS NOT NULL"]
        if let condition { kept.insert(try compiler.expr(condition, root, nil), at: 0) }
        var lines = ["SELECT DISTINCT", "  \(whoSQL) AS \(whoColumn),", "  \(periodNumber(atSQL, grid, d)) AS \(p)"]
        lines += compiler.fromLines(root)
        lines.append("WHERE " + kept.joined(separator: " AND "))
        let events = compiler.cteName("events")
        compiler.ctes.append((events, lines))

        // The periods shown: from:'s (else the first with an event) to to:'s
        // (else the last); none when there is no event to bound them.
        let calendar = CRMCalendar.dayRange
        func shown(_ day: Int64?, _ aggregate: String) -> String {
            guard let day else { return "\(aggregate)(\(p))" }
            return String(grid.ordinal(min(max(day, calendar.lowerBound), calendar.upperBound)))
        }
        let (low, high) = (id("low"), id("high"))
        let periods = compiler.cteName("periods")
        // Two constants need no event: every period between them is shown.
        let bounds = "SELECT \(shown(dates.from, "min")) AS \(low), \(shown(dates.to, "max")) AS \(high)"
            + (dates.from != nil && dates.to != nil ? "" : " FROM \(events)")
        compiler.ctes.append((periods, ["SELECT \(d.series(low, high)) AS \(p)", "FROM (\(bounds)) AS b", "WHERE \(low) <= \(high)"]))

        // A customer's first period over every event, shown or not.
        let firsts = compiler.cteName("first_periods")
        compiler.ctes.append((firsts, ["SELECT \(whoColumn), min(\(p)) AS \(p)", "FROM \(events)", "GROUP BY \(whoColumn)"]))
        func rate(_ part: String, _ whole: String) -> String {
            "CASE WHEN \(whole) = 0 THEN NULL ELSE \(d.cast(part, .number)) / \(d.cast(whole, .number)) END"
        }

        let table: String
        let types: [DataType]
        let names: [String]
        switch kind {
        case .retention:
            names = TimelineSource.retentionNames
            types = TimelineSource.retentionTypes
            let active = compiler.cteName("active_per_period")
            compiler.ctes.append((active, ["SELECT \(p), count(*) AS \(n)", "FROM \(events)", "GROUP BY \(p)"]))
            let new = compiler.cteName("new_per_period")
            compiler.ctes.append((new, ["SELECT \(p), count(*) AS \(n)", "FROM \(firsts)", "GROUP BY \(p)"]))
            let retained = compiler.cteName("retained_per_period")
            compiler.ctes.append((retained, [
                "SELECT e.\(p), count(*) AS \(n)",
                "FROM \(events) AS e",
                "JOIN \(events) AS b ON b.\(whoColumn) = e.\(whoColumn) AND b.\(p) = e.\(p) - 1",
                "GROUP BY e.\(p)",
            ]))
            let counts = compiler.cteName("retention_counts")
            let (activeColumn, newColumn, previous, retainedColumn) = (id("active"), id("new"), id("active_prev"), id("retained"))
            compiler.ctes.append((counts, [
                "SELECT",
                "  s.\(p),",
                "  coalesce(a.\(n), 0) AS \(activeColumn),",
                "  coalesce(f.\(n), 0) AS \(newColumn),",
                "  coalesce(b.\(n), 0) AS \(previous),",
                "  coalesce(r.\(n), 0) AS \(retainedColumn)",
                "FROM \(periods) AS s",
                "LEFT JOIN \(active) AS a ON a.\(p) = s.\(p)",
                "LEFT JOIN \(active) AS b ON b.\(p) = s.\(p) - 1",
                "LEFT JOIN \(new) AS f ON f.\(p) = s.\(p)",
                "LEFT JOIN \(retained) AS r ON r.\(p) = s.\(p)",
            ]))
            table = compiler.cteName("retention")
            let columns = [
                "\(periodStart("c.\(p)", grid, d)) AS \(id("period"))",
                "c.\(activeColumn)", "c.\(newColumn)", "c.\(previous)", "c.\(retainedColumn)",
                "c.\(previous) - c.\(retainedColumn) AS \(id("lost"))",
                "c.\(activeColumn) - c.\(newColumn) - c.\(retainedColumn) AS \(id("returning"))",
                "\(rate("c.\(retainedColumn)", "c.\(previous)")) AS \(id("retention_rate"))",
                "\(rate("c.\(previous) - c.\(retainedColumn)", "c.\(previous)")) AS \(id("churn_rate"))",
                "\(rate("c.\(newColumn)", "c.\(previous)")) AS \(id("growth_rate"))",
                "\(rate("c.\(activeColumn)", "c.\(previous)")) - 1 AS \(id("net_growth"))",
            ]
            compiler.ctes.append((table, ["SELECT"] + Self.listed(columns) + ["FROM \(counts) AS c"]))
        case .cohorts:
            names = TimelineSource.cohortsNames
            types = TimelineSource.cohortsTypes
            let sizes = compiler.cteName("cohort_sizes")
            compiler.ctes.append((sizes, ["SELECT \(p), count(*) AS \(n)", "FROM \(firsts)", "GROUP BY \(p)"]))
            let activity = compiler.cteName("cohort_activity")
            let (cohort, offset) = (id("cohort"), id("k"))
            compiler.ctes.append((activity, [
                "SELECT f.\(p) AS \(cohort), e.\(p) - f.\(p) AS \(offset), count(*) AS \(n)",
                "FROM \(events) AS e",
                "JOIN \(firsts) AS f ON f.\(whoColumn) = e.\(whoColumn)",
                "GROUP BY f.\(p), e.\(p) - f.\(p)",
            ]))
            table = compiler.cteName("cohorts")
            // Each cohort shown, and each period from it to the last shown.
            let columns = [
                "\(periodStart("c.\(p)", grid, d)) AS \(cohort)",
                "q.\(p) - c.\(p) AS \(id("period"))",
                "coalesce(s.\(n), 0) AS \(id("customers"))",
                "coalesce(x.\(n), 0) AS \(id("active"))",
                "\(rate("coalesce(x.\(n), 0)", "coalesce(s.\(n), 0)")) AS \(id("rate"))",
            ]
            compiler.ctes.append((table, ["SELECT"] + Self.listed(columns) + [
                "FROM \(periods) AS c",
                "JOIN \(periods) AS q ON q.\(p) >= c.\(p)",
                "LEFT JOIN \(sizes) AS s ON s.\(p) = c.\(p)",
                "LEFT JOIN \(activity) AS x ON x.\(cohort) = c.\(p) AND x.\(offset) = q.\(p) - c.\(p)",
            ]))
        }

        // The clauses after the call, over the answer as a table of its
        // columns, as in memory (`Entity(derivedFrom:)`); its rows come by
        // period, or by cohort and period.
        let answer = Entity(name: name, fields: zip(names, types).map { Field(name: $0, type: $1) })
        let bound = try bindQuery(query, answer)
        let sql = try compiler.compile(bound, answer, table: table, rowOrder: kind == .retention ? [0] : [0, 1])
        return (sql, bound)
    }

    /// One item a line, comma-separated, indented.
    private static func listed(_ items: [String]) -> [String] {
        items.enumerated().map { "  " + $1 + ($0 < items.count - 1 ? "," : "") }
    }

    /// The number of the period holding a date, as `PeriodGrid.ordinal`
    /// numbers it: months counted from year 0 (shifted by the fiscal
    /// offset) over the period's length; weeks from the Monday 1969-12-29.
    /// Floors of doubles hold these small integers exactly, in every
    /// dialect (whose integer divisions differ).
    private func periodNumber(_ date: String, _ grid: PeriodGrid, _ d: SQLDialect) -> String {
        if grid.months == 0 {
            let days = d.daysBetween("DATE '1970-01-01'", date)
            return d.cast("floor(\(d.cast("\(days) + 3", .number)) / 7)", .int)
        }
        let month = "EXTRACT(YEAR FROM \(date)) * 12 + EXTRACT(MONTH FROM \(date)) - \(1 + grid.offset)"
        if grid.months == 1 { return d.cast(month, .int) }
        return d.cast("floor(\(d.cast(month, .number)) / \(grid.months))", .int)
    }

    /// The first day of the period numbered `ordinal`, as `PeriodGrid.start`.
    private func periodStart(_ ordinal: String, _ grid: PeriodGrid, _ d: SQLDialect) -> String {
        if grid.months == 0 { return d.addDays("DATE '1970-01-01'", "\(ordinal) * 7 - 3") }
        let month = "\(ordinal) * \(grid.months)" + (grid.offset == 0 ? "" : " + \(grid.offset)")
        let year = "floor(\(d.cast(month, .number)) / 12)"
        return "make_date(CAST(\(year) AS INTEGER), CAST(\(month) - 12 * \(year) AS INTEGER) + 1, 1)"
    }
}
