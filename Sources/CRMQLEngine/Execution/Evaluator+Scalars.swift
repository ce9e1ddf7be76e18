import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

extension Evaluator {
    /// Built-in scalar functions. Numeric one-argument functions run over the
    /// column's array; the rest go row by row over values, which is fine for
    /// the short argument lists they get.
    func callScalar(_ function: ScalarFunction, _ columns: [Column], _ expr: BoundExpr, _ length: Int) throws -> Column {
        let n = columns.allSatisfy { $0.count == 1 } && !columns.isEmpty ? 1 : length
        switch function {
        case .coalesce, .if:
            if let picked = pickedColumn(function, columns, type: expr.type, n) { return picked }
        case .sqrt, .ln, .exp, .min, .max:
            if let numbers = numberColumn(function, columns, type: expr.type, n) { return numbers }
        default:
            break
        }
        switch function {
        case .coalesce:
            var out: [Value] = []
            out.reserveCapacity(n)
            for row in 0..<n {
                var chosen = Value.null
                for column in columns where !column.null(row) {
                    chosen = column.value(at: column.at(row))
                    break
                }
                out.append(chosen)
            }
            return makeColumn(out, type: expr.type)
        case .if:
            let condition = columns[0]
            let flags = condition.bools
            var out: [Value] = []
            out.reserveCapacity(n)
            for row in 0..<n {
                let at = condition.at(row)
                let pick = !condition.isNull(at) && flags[at] ? columns[1] : columns[2]
                out.append(pick.value(at: pick.at(row)))
            }
            return makeColumn(out, type: expr.type)
        case .trunc:
            return truncate(columns[0], periodWord: columns[1], n)
        case .format:
            return try format(columns[0], pattern: columns[1], expr, n)
        case .year, .quarter, .month, .day, .weekday, .fiscalYear, .fiscalQuarter:
            if columns.count == 1, let parts = datePartColumn(function, columns[0], type: expr.type, n) { return parts }
        default:
            break
        }
        var out: [Value] = []
        out.reserveCapacity(n)
        for row in 0..<n {
            let arguments = columns.map { $0.value(at: $0.at(row)) }
            out.append(try scalar(function, arguments, expr))
        }
        return makeColumn(out, type: expr.type)
    }

    private func scalar(_ function: ScalarFunction, _ args: [Value], _ expr: BoundExpr) throws -> Value {
        if function != .min && function != .max, args.contains(where: \.isNull) { return .null }
        switch function {
        case .abs:
            if case .int(let v) = args[0] {
                guard v != .min else { throw Diagnostic.runtime("integer overflow", expr.range) }
                return .int(Swift.abs(v))
            }
            return number(Swift.abs(args[0].doubleValue ?? 0))
        case .round:
            let digits: Int64
            if args.count > 1, case .int(let d) = args[1] { digits = d } else { digits = 0 }
            if case .int(let v) = args[0] {
                guard digits < 0 else { return .int(v) }
                guard let rounded = MathFunctions.round(Double(v), digits: digits), Swift.abs(rounded) < 9.2e18 else { return .null }
                return .int(Int64(rounded))
            }
            return number(MathFunctions.round(args[0].doubleValue ?? 0, digits: digits))
        case .floor, .ceil:
            if case .int = args[0] { return args[0] }
            let v = args[0].doubleValue ?? 0
            return number(function == .floor ? v.rounded(.down) : v.rounded(.up))
        case .sqrt: return number(MathFunctions.sqrt(args[0].doubleValue ?? 0))
        case .ln: return number(MathFunctions.ln(args[0].doubleValue ?? 0))
        case .exp: return number(MathFunctions.exp(args[0].doubleValue ?? 0))
        case .pow: return number(MathFunctions.pow(args[0].doubleValue ?? 0, args[1].doubleValue ?? 0))
        case .min, .max:
            // Like SQL's least/greatest over present values: nulls are skipped.
            let present = args.filter { !$0.isNull }
            guard var best = present.first else { return .null }
            for value in present.dropFirst() {
                let order = ValueOrder.compare(value, best)
                if function == .min ? order < 0 : order > 0 { best = value }
            }
            return best
        case .lower: return .text(text(args[0]).lowercased())
        case .upper: return .text(text(args[0]).uppercased())
        case .trim: return .text(TextFunctions.trim(text(args[0])))
        case .length: return .int(Int64(text(args[0]).count))
        case .substr:
            guard case .int(let start) = args[1] else { return .null }
            var count: Int64?
            if args.count > 2, case .int(let c) = args[2] { count = c }
            return .text(TextFunctions.substr(text(args[0]), start: start, length: count))
        case .year, .quarter, .month, .day, .weekday, .fiscalYear, .fiscalQuarter:
            guard let days = day(args[0]) else { return .null }
            let start = catalog.fiscalYearStart
            switch function {
            case .year: return .int(CRMCalendar.year(days))
            case .quarter: return .int(CRMCalendar.quarter(days))
            case .month: return .int(CRMCalendar.month(days))
            case .day: return .int(CRMCalendar.day(days))
            case .weekday: return .int(CRMCalendar.weekday(days))
            case .fiscalYear: return .int(CRMCalendar.fiscalYear(days, start: start))
            default: return .int(CRMCalendar.fiscalQuarter(days, start: start))
            }
        case .date:
            if case .text(let t) = args[0] {
                if let d = DateParsing.parseDate(t) { return .date(d) }
                if let s = DateParsing.parseDateTime(t) { return .date(CivilDate.floorDivide(s, 86_400).0) }
                return .null
            }
            return day(args[0]).map { .date($0) } ?? .null
        case .daysBetween:
            guard let a = day(args[0]), let b = day(args[1]) else { return .null }
            return .int(b &- a)
        case .coalesce, .if, .trunc, .format:
            // Whole columns at a time, in `callScalar`.
            return .null
        }
    }

    private func number(_ value: Double?) -> Value {
        guard let value, value.isFinite else { return .null }
        return .number(value)
    }

    private func text(_ value: Value) -> String { ValueFormatter.plain(value) }

    private func day(_ value: Value) -> Int64? {
        switch value {
        case .date(let d): return d
        case .datetime(let s): return CivilDate.floorDivide(s, 86_400).0
        default: return nil
        }
    }
}

/// The order `order by`, `min` and `max` use between two present values.
enum ValueOrder {
    static func compare(_ a: Value, _ b: Value) -> Int {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.text(let x), .text(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.date(let x), .date(let y)), (.datetime(let x), .datetime(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.date(let x), .datetime(let y)): return compare(.datetime(x &* 86_400), .datetime(y))
        case (.datetime(let x), .date(let y)): return compare(.datetime(x), .datetime(y &* 86_400))
        case (.symbol(let x, _), .symbol(let y, _)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (x ? 1 : -1)
        default:
            if let x = a.doubleValue, let y = b.doubleValue { return x < y ? -1 : (x > y ? 1 : 0) }
            let x = ValueFormatter.plain(a), y = ValueFormatter.plain(b)
            return x < y ? -1 : (x > y ? 1 : 0)
        }
    }
}
