import CRMQLCore
import CRMQLSyntax

extension Binder {
    /// Checks a built-in scalar function's arguments and gives its type.
    func typeScalar(_ function: ScalarFunction, _ args: [BoundExpr], _ range: SourceRange) throws -> BoundExpr {
        func arity(_ allowed: ClosedRange<Int>) throws {
            guard allowed.contains(args.count) else {
                let expected = allowed.lowerBound == allowed.upperBound ? "\(allowed.lowerBound)" : "\(allowed.lowerBound) to \(allowed.upperBound)"
                throw Diagnostic.semantic("\(function.rawValue) takes \(expected) argument\(allowed.upperBound == 1 ? "" : "s"), not \(args.count)", range)
            }
        }
        func numeric(_ index: Int) throws {
            let arg = args[index]
            guard arg.type.isNumeric || arg.type == .null else {
                throw Diagnostic.semantic("\(function.rawValue) needs a number, but this is \(arg.type.kindName)", arg.range)
            }
        }
        func text(_ index: Int) throws -> BoundExpr {
            let arg = args[index]
            guard arg.type == .text || arg.type == .null || isEnum(arg.type) else {
                throw Diagnostic.semantic("\(function.rawValue) needs text, but this is \(arg.type.kindName)", arg.range)
            }
            return asText(arg)
        }
        func temporal(_ index: Int) throws {
            let arg = args[index]
            guard arg.type.isTemporal || arg.type == .null else {
                throw Diagnostic.semantic("\(function.rawValue) needs a date, but this is \(arg.type.kindName)", arg.range)
            }
        }
        func make(_ type: DataType, _ arguments: [BoundExpr]? = nil) -> BoundExpr {
            BoundExpr(.call(function, arguments ?? args), type, range)
        }
        switch function {
        case .abs:
            try arity(1...1); try numeric(0)
            return make(args[0].type == .int ? .int : .number)
        case .round:
            try arity(1...2); try numeric(0)
            if args.count == 2 {
                guard args[1].type == .int || args[1].type == .null else {
                    throw Diagnostic.semantic("the digits of round must be a whole number", args[1].range)
                }
            }
            return make(args[0].type == .int ? .int : .number)
        case .floor, .ceil:
            try arity(1...1); try numeric(0)
            return make(args[0].type == .int ? .int : .number)
        case .sqrt, .ln, .exp:
            try arity(1...1); try numeric(0)
            return make(.number)
        case .pow:
            try arity(2...2); try numeric(0); try numeric(1)
            return make(.number)
        case .min, .max, .coalesce:
            guard args.count >= (function == .coalesce ? 1 : 2) else {
                throw Diagnostic.semantic("\(function.rawValue) takes at least \(function == .coalesce ? 1 : 2) arguments", range)
            }
            var type: DataType = .null
            for arg in args { type = try unify(type, arg, arg.range) }
            return make(type, args.map { widen($0, to: type) })
        case .lower, .upper, .trim:
            try arity(1...1)
            return make(.text, [try text(0)])
        case .length:
            try arity(1...1)
            return make(.int, [try text(0)])
        case .substr:
            try arity(2...3)
            let t = try text(0)
            for index in 1..<args.count where !(args[index].type == .int || args[index].type == .null) {
                throw Diagnostic.semantic("substr's start and length are whole numbers", args[index].range)
            }
            return make(.text, [t] + args.dropFirst())
        case .if:
            try arity(3...3)
            try requireBool(args[0], "if")
            var type: DataType = .null
            type = try unify(type, args[1], args[1].range)
            type = try unify(type, args[2], args[2].range)
            return make(type, [args[0], widen(args[1], to: type), widen(args[2], to: type)])
        case .year, .quarter, .month, .day, .weekday, .fiscalYear, .fiscalQuarter:
            try arity(1...1); try temporal(0)
            return make(.int)
        case .date:
            try arity(1...1)
            guard args[0].type.isTemporal || args[0].type == .text || args[0].type == .null else {
                throw Diagnostic.semantic("date needs a date, datetime or ISO text, but this is \(args[0].type.kindName)", args[0].range)
            }
            return make(.date)
        case .daysBetween:
            try arity(2...2); try temporal(0); try temporal(1)
            return make(.int)
        case .trunc:
            // `bindTrunc` reads the period word; a bound call arrives here only when instantiated again.
            try arity(2...2); try temporal(0)
            return make(.date)
        case .format:
            try arity(2...2); try temporal(0)
            return make(.text)
        }
    }
}
