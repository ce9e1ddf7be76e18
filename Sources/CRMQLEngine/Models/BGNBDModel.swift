import CRMQLCore
import CRMQLStorage
import CRMQLSyntax
import Foundation

/// `bgnbd(orders [, who:] [, at:] [, unit: day|week] [, spend: amount])`:
/// the BG/NBD model of repeat buying fitted by maximum likelihood, with the
/// Gamma-Gamma model of spend when `spend:` is given.
enum BGNBDModel: ModelKind {
    static let name = "bgnbd"
    static let usage = "bgnbd(orders, who: customer, at: placed, unit: week, spend: amount)"
    static let functions: [ModelFunctionSignature] = [
        ModelFunctionSignature(name: "p_alive", arguments: [], required: 0, resultType: .number, usage: "p_alive(m, id)"),
        ModelFunctionSignature(name: "expected_orders", arguments: ["t"], required: 1, resultType: .number,
                               usage: "expected_orders(m, id, 13)"),
        ModelFunctionSignature(name: "expected_spend", arguments: [], required: 0, resultType: .number,
                               usage: "expected_spend(m, id)"),
        ModelFunctionSignature(name: "clv", arguments: ["months", "discount"], required: 1, resultType: .number,
                               usage: "clv(m, id, 12, 0.01)"),
    ]

    static func fit(_ fit: ModelFit, runner: QueryRunner, restoring: [String: (Value, SourceRange)]?) throws -> any FittedModel {
        let input = try TableFunctionInput(fit.arguments.first, function: name, usage: usage, runner: runner, range: fit.range)
        var who: Expr?, at: Expr?, unitExpr: Expr?, spendExpr: Expr?
        let labels = ["who", "at", "unit", "spend"]
        for argument in fit.arguments.dropFirst() {
            guard let label = argument.label else {
                throw Diagnostic.semantic("bgnbd takes named arguments after the entity: who:, at:, unit:, spend:", argument.value.range)
            }
            switch label.text.lowercased() {
            case "who": who = argument.value
            case "at": at = argument.value
            case "unit": unitExpr = argument.value
            case "spend": spendExpr = argument.value
            default:
                throw Diagnostic.semantic(Suggestion.message("unknown argument '\(label.text)' of bgnbd; it takes who:, at:, unit:, spend:",
                                                             for: label.text, among: labels), label.range)
            }
        }
        let unit = try TimeUnit(unitExpr)
        let entity = input.entity
        let whoExpr = try who ?? Expr(.identifier(TimelineSource.customerField(entity, name, range: input.range), quoted: true), input.range)
        let atExpr = try at ?? Expr(.identifier(TimelineSource.dateField(entity, name, range: input.range), quoted: true), input.range)
        let whoColumn = try column(whoExpr, input, runner)
        switch whoColumn.type {
        case .int, .text, .ref, .enumeration, .null: break
        default:
            throw Diagnostic.semantic("who: must name each customer by a key-like field (an id, a ref, a text or an int), "
                + "but this is \(whoColumn.type.kindName)", whoExpr.range)
        }
        let atColumn = try column(atExpr, input, runner)
        guard atColumn.type == .date || atColumn.type == .datetime || atColumn.type == .null else {
            throw Diagnostic.semantic("at: needs a date or datetime field, but this is \(atColumn.type.kindName)", atExpr.range)
        }
        var spendColumn: Column?
        if let spendExpr {
            let spend = try column(spendExpr, input, runner)
            guard spend.type.isNumeric else {
                throw Diagnostic.semantic("spend: needs a number field (an amount), but this is \(spend.type.kindName)", spendExpr.range)
            }
            spendColumn = spend
        }
        var today = runner.catalog.today
        if let restoring, let (value, range) = restoring["today"] {
            guard case .date(let day) = value else { throw Diagnostic.semantic("today must be a date", range) }
            today = day
        }
        let check = { try runner.evaluator.services.checkInterrupt() }
        let work = ModelWork(threads: runner.catalog.parallelism.threads, stop: runner.evaluator.services.buildStop, check: check)
        let data: BGNBDData
        do {
            data = try BGNBDData(who: whoColumn, at: atColumn, spend: spendColumn, today: today, work: work)
        } catch let problem as BGNBDData.SpendProblem {
            let range = spendExpr?.range ?? fit.range
            switch problem {
            case .missing:
                throw Diagnostic.runtime("spend: an event on or before today has no spend (null); filter those events out, as in bgnbd(orders where amount is not null, ...)", range)
            case .negative(_, let value, let count):
                throw Diagnostic.runtime("spend: \(count) event\(count == 1 ? " has" : "s have") a negative spend (the first is \(ValueFormatter.number(value))); "
                    + "the Gamma-Gamma model needs positive spends: leave returns out, as in bgnbd(orders where amount > 0, ...)", range)
            case .repeatDayNotPositive(let count):
                throw Diagnostic.runtime("spend: \(count) repeat purchase day\(count == 1 ? " has" : "s have") a total spend of zero; "
                    + "the Gamma-Gamma model needs positive spends: leave them out, as in bgnbd(orders where amount > 0, ...)", range)
            }
        }
        let fitted: BGNBDFitted
        if let restoring {
            fitted = try BGNBDFitted(restoring: restoring, data: data, unit: unit, today: today, hasSpend: spendColumn != nil, range: fit.range,
                                     work: work)
        } else {
            // What the data cannot support is the source's fault; what the
            // spends cannot, the spend field's.
            fitted = try BGNBDFitted(fitting: data, unit: unit, today: today, hasSpend: spendColumn != nil, range: input.range,
                                     spendRange: spendExpr?.range ?? input.range, work: work)
        }
        return fitted
    }

    private static func column(_ expr: Expr, _ input: TableFunctionInput, _ runner: QueryRunner) throws -> Column {
        let bound = try runner.binder.bind(expr, in: Scope(entity: input.entity))
        let column = try runner.evaluator.unplanned {
            try runner.evaluator.evaluate(bound, EvalContext(entity: input.entity, rows: input.rows))
        }
        return column.expanded(to: input.rows.count)
    }

    /// `unit: day|week`: the unit time is counted in.
    enum TimeUnit: String {
        case day, week

        init(_ expr: Expr?) throws {
            guard let expr else { self = .week; return }
            var word = ""
            if case .identifier(let name, _) = expr.kind { word = name.lowercased() }
            switch word {
            case "day", "days": self = .day
            case "week", "weeks": self = .week
            case "month", "months", "quarter", "quarters", "year", "years":
                throw Diagnostic.semantic("unit: \(word) is not offered: the model counts time in days or weeks (unit: day or unit: week); "
                    + "a month's expected orders are expected_orders(m, id, 4.345) in weeks", expr.range)
            default:
                throw Diagnostic.semantic(Suggestion.message("unit: takes day or week", for: word, among: ["day", "week"]), expr.range)
            }
        }

        var days: Double { self == .week ? 7 : 1 }
        /// A month in this unit, for `clv`.
        var month: Double { self == .week ? 4.345 : 30 }
    }
}

/// A fitted BG/NBD model (and Gamma-Gamma spend model) with each
/// customer's history.
struct BGNBDFitted: FittedModel {
    let unit: BGNBDModel.TimeUnit
    let today: Int64
    let keys: ModelKeys
    let x: [Double], tx: [Double], T: [Double]
    let monetary: [Double]
    let model: BGNBDMath.Parameters
    let logLikelihood: Double
    let spend: BGNBDMath.SpendParameters?
    let spendLogLikelihood: Double?
    let repeatBuyers: Int
    let events: Int
    /// The customers' distinct (x, tx, T) histories, which `clv` computes
    /// its curves over.
    let histories: BGNBDHistories
    /// Per history, 1 + the odds of having dropped out (the denominator of
    /// `BGNBDMath.expectedPurchases`), which every prediction over the
    /// customers divides by.
    let dropout: [Double]

    private init(data: BGNBDData, unit: BGNBDModel.TimeUnit, today: Int64, model: BGNBDMath.Parameters,
                 spend: BGNBDMath.SpendParameters?, histories: BGNBDHistories, x: [Double], logLikelihood: Double,
                 spendLogLikelihood: Double?) {
        self.unit = unit
        self.today = today
        keys = ModelKeys(data.keys)
        self.x = x
        tx = data.txDays.map { Double($0) / unit.days }
        T = data.tDays.map { Double($0) / unit.days }
        monetary = data.monetary
        self.model = model
        self.spend = spend
        repeatBuyers = data.x.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
        events = data.events
        self.histories = histories
        dropout = (0..<histories.weight.count).map { history in
            let x = histories.distinctX[Int(histories.xIndex[history])], tx = histories.distinctTx[Int(histories.txIndex[history])]
            let T = histories.distinctT[Int(histories.tIndex[history])]
            let odds = x > 0 ? model.a / (model.b + x - 1) * exp((model.r + x) * log((model.alpha + T) / (model.alpha + tx))) : 0
            return 1 + odds
        }
        self.logLikelihood = logLikelihood
        self.spendLogLikelihood = spendLogLikelihood
    }

    init(fitting data: BGNBDData, unit: BGNBDModel.TimeUnit, today: Int64, hasSpend: Bool, range: SourceRange,
         spendRange: SourceRange, work: ModelWork) throws {
        guard data.count >= 2 else {
            throw Diagnostic.runtime("bgnbd needs at least two customers with events on or before today (\(CivilDate(days: today).iso)); it has \(data.count)", range)
        }
        guard data.x.contains(where: { $0 > 0 }) else {
            throw Diagnostic.runtime("bgnbd cannot be fitted: no customer bought again on a later day on or before today (\(CivilDate(days: today).iso)), so the data cannot tell how often customers buy or drop out", range)
        }
        let check = work.check
        let x = data.x.map(Double.init)
        let histories = try BGNBDHistories(x: x, tx: data.txDays.map { Double($0) / unit.days }, T: data.tDays.map { Double($0) / unit.days },
                                           check: check)
        let meanT = max(histories.meanT, 1)
        // The likelihood is smooth in the log-parameters and its gradient
        // costs little beside it: quasi-Newton steps take tens of sums over
        // the histories where the simplex took hundreds.
        let result = try Optimizer.minimizeSmooth({ theta in
            let (value, gradient) = try BGNBDFitted.logLikelihood(
                histories, BGNBDMath.Parameters(r: exp(theta[0]), alpha: exp(theta[1]), a: exp(theta[2]), b: exp(theta[3])), gradient: true, work)
            return (-value, gradient.map { -$0 })
        }, start: [0, log(meanT), 0, 0], check: check)
        let model = BGNBDMath.Parameters(r: exp(result.point[0]), alpha: exp(result.point[1]), a: exp(result.point[2]), b: exp(result.point[3]))
        try BGNBDFitted.checkFit(result, ["r", "alpha", "a", "b"], [model.r, model.alpha, model.a, model.b], "BG/NBD", range)
        var spend: BGNBDMath.SpendParameters?
        var spendLogLikelihood: Double?
        if hasSpend {
            let histories = try SpendHistories(x: x, monetary: data.monetary, check: check)
            guard histories.count >= 2 else {
                throw Diagnostic.runtime("the spend model needs at least two customers who bought again; there \(histories.count == 1 ? "is one" : "are none")", spendRange)
            }
            let result = try Optimizer.minimize({ theta in
                -(try BGNBDFitted.spendLogLikelihood(histories, BGNBDMath.SpendParameters(p: exp(theta[0]), q: exp(theta[1]), v: exp(theta[2])), work))
            }, start: [0, log(2), log(max(histories.meanMonetary, 1e-3))], check: check)
            let fitted = BGNBDMath.SpendParameters(p: exp(result.point[0]), q: exp(result.point[1]), v: exp(result.point[2]))
            try BGNBDFitted.checkFit(result, ["p", "q", "v"], [fitted.p, fitted.q, fitted.v], "Gamma-Gamma spend", spendRange)
            spend = fitted
            // The objective at the optimum is the likelihood there, negated: no sum again.
            spendLogLikelihood = -result.value
        }
        self.init(data: data, unit: unit, today: today, model: model, spend: spend, histories: histories, x: x,
                  logLikelihood: -result.value, spendLogLikelihood: spendLogLikelihood)
    }

    init(restoring saved: [String: (Value, SourceRange)], data: BGNBDData, unit: BGNBDModel.TimeUnit, today: Int64, hasSpend: Bool,
         range: SourceRange, work: ModelWork) throws {
        func parameter(_ name: String) throws -> Double {
            guard let (value, at) = saved[name] else { throw Diagnostic.semantic("fitted (...) needs \(name)", range) }
            guard let number = value.doubleValue, number > 0, number.isFinite else {
                throw Diagnostic.semantic("\(name) must be a positive number", at)
            }
            return number
        }
        let model = BGNBDMath.Parameters(r: try parameter("r"), alpha: try parameter("alpha"), a: try parameter("a"), b: try parameter("b"))
        let spend = hasSpend ? BGNBDMath.SpendParameters(p: try parameter("p"), q: try parameter("q"), v: try parameter("v")) : nil
        let x = data.x.map(Double.init)
        let histories = try BGNBDHistories(x: x, tx: data.txDays.map { Double($0) / unit.days }, T: data.tDays.map { Double($0) / unit.days },
                                           check: work.check)
        let logLikelihood = try BGNBDFitted.logLikelihood(histories, model, work).value
        let spendHistories = try SpendHistories(x: x, monetary: data.monetary, check: work.check)
        let spendLogLikelihood = try spend.map { try BGNBDFitted.spendLogLikelihood(spendHistories, $0, work) }
        self.init(data: data, unit: unit, today: today, model: model, spend: spend, histories: histories, x: x,
                  logLikelihood: logLikelihood, spendLogLikelihood: spendLogLikelihood)
    }

    /// Refuses a fit that did not converge or ran off to the edge of the
    /// parameter space (the data cannot identify the model).
    private static func checkFit(_ result: Optimizer.Result, _ names: [String], _ values: [Double], _ what: String,
                                 _ range: SourceRange) throws {
        // TUNING: a parameter beyond e^±9 (about 8,000 or 1/8,000) while the
        // search has not converged, or beyond 1e8 at all, means the
        // likelihood kept improving toward an edge: it has no finite maximum.
        let runaway = zip(names, values).filter { !$0.1.isFinite || $0.1 > 1e8 || $0.1 < 1e-8
            || (!result.converged && abs(log($0.1)) > 9) }
        if !runaway.isEmpty {
            let list = runaway.map { "\($0.0) → \($0.1 < 1 ? "0" : "infinity")" }.joined(separator: ", ")
            throw Diagnostic.runtime("the \(what) model cannot be identified from this data: its likelihood keeps rising as \(list); "
                + "more customers, more repeat buyers or a longer history may help", range)
        }
        guard result.converged else {
            throw Diagnostic.runtime("the \(what) fit did not converge after \(result.iterations) iterations (gradient \(ValueFormatter.number(result.gradientNorm))); "
                + "the data may be too few or too regular for the model", range)
        }
    }

    // MARK: Likelihoods

    /// Histories between two polls of a fit's limits where a loop runs on
    /// the calling thread alone.
    static let historiesPerPoll = 1 << 13

    // MARK: FittedModel

    var parameters: [(name: String, value: Value)] {
        var rows: [(String, Value)] = [("r", .number(model.r)), ("alpha", .number(model.alpha)), ("a", .number(model.a)), ("b", .number(model.b)),
                                      ("log_likelihood", .number(logLikelihood))]
        if let spend, let spendLogLikelihood {
            rows += [("p", .number(spend.p)), ("q", .number(spend.q)), ("v", .number(spend.v)), ("spend_log_likelihood", .number(spendLogLikelihood))]
        }
        rows += [("customers", .number(Double(keys.count))), ("repeat_buyers", .number(Double(repeatBuyers))), ("events", .number(Double(events)))]
        return rows
    }

    var savedParameters: [(name: String, value: Value)] {
        var rows: [(String, Value)] = [("today", .date(today)), ("r", .number(model.r)), ("alpha", .number(model.alpha)),
                                      ("a", .number(model.a)), ("b", .number(model.b))]
        if let spend { rows += [("p", .number(spend.p)), ("q", .number(spend.q)), ("v", .number(spend.v))] }
        return rows
    }

    var summary: String {
        "\(keys.count) customers, \(repeatBuyers) repeat buyers, in \(unit.rawValue)s to \(CivilDate(days: today).iso)"
    }

    func table() -> QueryOutput? {
        var keyColumn = keys.column
        if case .ref = keyColumn.type { keyColumn.style = .identifier }
        let n = keys.count
        let frequency = Column(type: .int, data: .int(x.map { Int64($0) }))
        var monetaryColumn = Column(type: .number, data: .number(monetary.map { $0.isNaN ? 0 : $0 }))
        var spendNulls = NullBitmap()
        var expected = [Double](repeating: 0, count: n)
        for row in 0..<n {
            if monetary[row].isNaN { monetaryColumn.nulls.set(row) }
            if let spend { expected[row] = BGNBDMath.expectedSpend(x: x[row], mx: monetary[row], spend) } else { spendNulls.set(row) }
        }
        let alive = (0..<n).map { BGNBDMath.pAlive(x: x[$0], tx: tx[$0], T: T[$0], model) }
        return QueryOutput(names: ["id", "frequency", "recency", "T", "monetary", "p_alive", "expected_spend"], columns: [
            keyColumn, frequency,
            Column(type: .number, data: .number(tx)), Column(type: .number, data: .number(T)),
            monetaryColumn, Column(type: .number, data: .number(alive)),
            Column(type: .number, data: .number(expected), nulls: spendNulls),
        ])
    }

    func evaluate(_ function: String, keys keyColumn: Column, arguments: [Column], rows: Int, work: ModelWork) throws -> Column {
        let check = work.check
        let positions = keys.positions(of: keyColumn.expanded(to: rows))
        var out = [Double](repeating: 0, count: rows)
        var nulls = NullBitmap()
        let argumentValues = arguments.map { $0.doubles }
        func value(_ index: Int, _ row: Int, default fallback: Double? = nil) -> Double? {
            guard index < arguments.count else { return fallback }
            let column = arguments[index]
            if column.null(row) { return nil }
            return argumentValues[index][column.at(row)]
        }
        // Every customer at once where the rows ask for most of them (a
        // measure over the customers); a few rows are cheaper one by one.
        let most = rows * 2 >= x.count
        if most, arguments.allSatisfy({ $0.count == 1 }) {
            let m = model
            switch function {
            case "p_alive":
                return try perHistory(positions, work) { BGNBDMath.pAlive(x: $0, tx: $1, T: $2, m) }
            case "expected_orders":
                if let t = value(0, 0), t > 0 { return try expectedOrders(positions, t: t, work) }
                if let t = value(0, 0), t == 0 {
                    return try perHistory(positions, work) { BGNBDMath.expectedPurchases(t: t, x: $0, tx: $1, T: $2, m) }
                }
            default:
                break
            }
        }
        if most, function == "clv", let spend, arguments.allSatisfy({ $0.count == 1 }),
           let months = value(0, 0), let discount = value(1, 0, default: 0.01), months >= 0, months <= 1200, discount > -1 {
            return try clv(positions, months: months, discount: discount, spend, work)
        }
        // clv's horizons and discount factors, kept while the rows ask for
        // the same months and discount (as a measure's rows all do).
        var horizons: [Double] = [], factors: [Double] = [], curve: [Double] = []
        var curveFor: (months: Double, discount: Double)?
        for row in 0..<rows {
            if row & 0x3FFF == 0 { try check() }
            let position = Int(positions[row])
            var result: Double?
            if position >= 0 {
                let (cx, ctx, cT) = (x[position], tx[position], T[position])
                switch function {
                case "p_alive":
                    result = BGNBDMath.pAlive(x: cx, tx: ctx, T: cT, model)
                case "expected_orders":
                    if let t = value(0, row), t >= 0 { result = BGNBDMath.expectedPurchases(t: t, x: cx, tx: ctx, T: cT, model) }
                case "expected_spend":
                    if let spend { result = BGNBDMath.expectedSpend(x: cx, mx: monetary[position], spend) }
                case "clv":
                    if let spend, let months = value(0, row), let discount = value(1, row, default: 0.01),
                       months >= 0, months <= 1200, discount > -1 {
                        if curveFor == nil || curveFor! != (months, discount) {
                            let count = Int(months.rounded(.down))
                            horizons = (0..<count).map { Double($0 + 1) * unit.month }
                            factors = (0..<count).map { pow(1 + discount, Double($0 + 1)) }
                            curve = [Double](repeating: 0, count: count)
                            curveFor = (months, discount)
                        }
                        let perOrder = BGNBDMath.expectedSpend(x: cx, mx: monetary[position], spend)
                        BGNBDMath.expectedPurchases(times: horizons, x: cx, tx: ctx, T: cT, model, into: &curve)
                        var total = 0.0, before = 0.0
                        for month in 0..<curve.count {
                            let after = curve[month]
                            total += perOrder * (after - before) / factors[month]
                            before = after
                        }
                        result = total
                    }
                default:
                    result = nil
                }
            }
            if let result, result.isFinite { out[row] = result } else { nulls.set(row) }
        }
        return Column(type: .number, data: .number(out), nulls: nulls)
    }
}

/// Customers' (x, tx, T) as distinct triples with how many customers share
/// each (the likelihood is evaluated once per history), each triple's x,
/// tx and T as indexes into their distinct values: a base of a million
/// customers has hundreds of thousands of histories but only thousands of
/// distinct day counts.
struct BGNBDHistories {
    var weight: [Double] = []
    var xIndex: [Int32] = [], txIndex: [Int32] = [], tIndex: [Int32] = []
    var distinctX: [Double] = [], distinctTx: [Double] = [], distinctT: [Double] = []
    /// Each customer's history: an index into `weight`.
    var customerHistory: [Int32] = []
    /// Each history's (x, T) pair, an index into `pairX` and `pairT`
    /// (indexes into `distinctX` and `distinctT`): the series of the
    /// predictions depend on the pair alone.
    var pairOfHistory: [Int32] = [], pairX: [Int32] = [], pairT: [Int32] = []
    var meanT = 0.0

    init(x: [Double], tx: [Double], T: [Double], check: () throws -> Void) rethrows {
        struct Triple: Hashable { var x: Double, tx: Double, T: Double }
        var slot: [Triple: Int] = [:]
        // Room for every customer a history of its own: growing the table
        // by doubling rehashed it a score of times.
        slot.reserveCapacity(x.count)
        customerHistory.reserveCapacity(x.count)
        var xSlot: [Double: Int32] = [:], txSlot: [Double: Int32] = [:], tSlot: [Double: Int32] = [:]
        var pairSlot: [Int64: Int32] = [:]
        func number(_ value: Double, _ slots: inout [Double: Int32], _ values: inout [Double]) -> Int32 {
            if let known = slots[value] { return known }
            slots[value] = Int32(values.count)
            values.append(value)
            return Int32(values.count - 1)
        }
        for index in 0..<x.count {
            if index % BGNBDFitted.historiesPerPoll == BGNBDFitted.historiesPerPoll - 1 { try check() }
            meanT += T[index] / Double(x.count)
            let triple = Triple(x: x[index], tx: tx[index], T: T[index])
            if let known = slot[triple] {
                weight[known] += 1
                customerHistory.append(Int32(known))
                continue
            }
            slot[triple] = weight.count
            customerHistory.append(Int32(weight.count))
            weight.append(1)
            let xi = number(x[index], &xSlot, &distinctX), ti = number(T[index], &tSlot, &distinctT)
            xIndex.append(xi)
            txIndex.append(number(tx[index], &txSlot, &distinctTx))
            tIndex.append(ti)
            let pair = Int64(xi) << 32 | Int64(ti)
            if let known = pairSlot[pair] {
                pairOfHistory.append(known)
            } else {
                pairSlot[pair] = Int32(pairX.count)
                pairOfHistory.append(Int32(pairX.count))
                pairX.append(xi)
                pairT.append(ti)
            }
        }
    }
}

/// Repeat buyers' purchase counts and mean spends, for the Gamma-Gamma fit.
struct SpendHistories {
    var x: [Double] = [], m: [Double] = []
    var logX: [Double] = [], logM: [Double] = []
    var xIndex: [Int32] = []
    var distinctX: [Double] = []
    var count: Int { x.count }
    var meanMonetary: Double { m.isEmpty ? 1 : m.reduce(0, +) / Double(m.count) }

    init(x allX: [Double], monetary: [Double], check: () throws -> Void) rethrows {
        var xSlot: [Double: Int32] = [:]
        for index in 0..<allX.count where allX[index] > 0 && monetary[index] > 0 {
            if index % BGNBDFitted.historiesPerPoll == BGNBDFitted.historiesPerPoll - 1 { try check() }
            x.append(allX[index])
            m.append(monetary[index])
            logX.append(log(allX[index]))
            logM.append(log(monetary[index]))
            if let known = xSlot[allX[index]] { xIndex.append(known) } else {
                xSlot[allX[index]] = Int32(distinctX.count)
                xIndex.append(Int32(distinctX.count))
                distinctX.append(allX[index])
            }
        }
    }
}
