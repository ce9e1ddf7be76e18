import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

extension Evaluator {
    func negate(_ column: Column, _ expr: BoundExpr) throws -> Column {
        switch column.data {
        case .int(let values):
            var out: [Int64] = []
            out.reserveCapacity(values.count)
            for (row, value) in values.enumerated() {
                if value == .min && !column.isNull(row) { throw Diagnostic.runtime("integer overflow", expr.range) }
                out.append(value == .min ? 0 : -value)
            }
            return Column(type: .int, data: .int(out), nulls: column.nulls)
        case .number(let values):
            return Column(type: .number, data: .number(values.map { -$0 }), nulls: column.nulls)
        default:
            return column
        }
    }

    func arithmetic(_ op: ArithmeticOperator, _ l: Column, _ r: Column, _ expr: BoundExpr, _ length: Int) throws -> Column {
        let n = (l.count == 1 && r.count == 1) ? 1 : length
        var nulls = unionNulls(l, r, count: n)
        if l.type.isTemporal, r.type.isTemporal {
            let a = l.ints, b = r.ints
            let lDatetime = l.type == .datetime, rDatetime = r.type == .datetime
            var out = [Int64](repeating: 0, count: n)
            for row in 0..<n {
                var x = a[l.at(row)], y = b[r.at(row)]
                if lDatetime { x = CivilDate.floorDivide(x, 86_400).0 }
                if rDatetime { y = CivilDate.floorDivide(y, 86_400).0 }
                out[row] = x &- y
            }
            return Column(type: .int, data: .int(out), nulls: nulls)
        }
        if expr.type == .int, case .int(let a) = l.data, case .int(let b) = r.data {
            var out = [Int64](repeating: 0, count: n)
            for row in 0..<n {
                if nulls.isNull(row) { continue }
                let x = a[l.at(row)], y = b[r.at(row)]
                let result: (partialValue: Int64, overflow: Bool)
                switch op {
                case .add: result = x.addingReportingOverflow(y)
                case .subtract: result = x.subtractingReportingOverflow(y)
                case .multiply: result = x.multipliedReportingOverflow(by: y)
                case .modulo:
                    if y == 0 { nulls.set(row); continue }
                    result = x.remainderReportingOverflow(dividingBy: y)
                case .divide: result = (0, false)
                }
                if result.overflow { throw Diagnostic.runtime("integer overflow", expr.range) }
                out[row] = result.partialValue
            }
            return Column(type: .int, data: .int(out), nulls: nulls)
        }
        let a = l.doubles, b = r.doubles
        if n > 1, let (values, nonFinite) = ElementwiseKernels.arithmetic(op, a, b, count: n, parallelism) {
            return Column(type: .number, data: .number(values), nulls: nulls.union(nonFinite))
        }
        var out = [Double](repeating: 0, count: n)
        for row in 0..<n {
            let x = a[l.at(row)], y = b[r.at(row)]
            var value: Double
            switch op {
            case .add: value = x + y
            case .subtract: value = x - y
            case .multiply: value = x * y
            case .divide:
                if y == 0 { nulls.set(row); continue }
                value = x / y
            case .modulo:
                if y == 0 { nulls.set(row); continue }
                value = x.truncatingRemainder(dividingBy: y)
            }
            if !value.isFinite { nulls.set(row); value = 0 }
            out[row] = value
        }
        return Column(type: .number, data: .number(out), nulls: nulls)
    }

    func shift(_ column: Column, amount: Int64, unit: DurationUnit, _ expr: BoundExpr) throws -> Column {
        let isDatetime = column.type == .datetime
        var out: [Int64] = []
        out.reserveCapacity(column.count)
        for (row, value) in column.ints.enumerated() {
            if column.isNull(row) { out.append(0); continue }
            let shifted = isDatetime
                ? CRMCalendar.addDuration(seconds: value, amount: amount, unit: unit)
                : CRMCalendar.addDuration(days: value, amount: amount, unit: unit)
            guard let shifted else { throw Diagnostic.runtime("date out of range", expr.range) }
            out.append(shifted)
        }
        return Column(type: isDatetime ? .datetime : .date, data: .temporal(out), nulls: column.nulls)
    }

    func compare(_ op: ComparisonOperator, _ l: Column, _ r: Column, _ length: Int) -> Column {
        let n = (l.count == 1 && r.count == 1) ? 1 : length
        let nulls = unionNulls(l, r, count: n)
        @inline(__always) func run<T: Comparable>(_ a: [T], _ b: [T]) -> [Bool] {
            var out = [Bool](repeating: false, count: n)
            let aOne = a.count == 1, bOne = b.count == 1
            switch op {
            case .equal: for i in 0..<n { out[i] = a[aOne ? 0 : i] == b[bOne ? 0 : i] }
            case .notEqual: for i in 0..<n { out[i] = a[aOne ? 0 : i] != b[bOne ? 0 : i] }
            case .less: for i in 0..<n { out[i] = a[aOne ? 0 : i] < b[bOne ? 0 : i] }
            case .lessEqual: for i in 0..<n { out[i] = a[aOne ? 0 : i] <= b[bOne ? 0 : i] }
            case .greater: for i in 0..<n { out[i] = a[aOne ? 0 : i] > b[bOne ? 0 : i] }
            case .greaterEqual: for i in 0..<n { out[i] = a[aOne ? 0 : i] >= b[bOne ? 0 : i] }
            }
            return out
        }
        if l.type == .null || r.type == .null { return Column.nulls(n, type: .bool) }
        if n > 1, let result = wholeColumnCompare(op, l, r, n) { return makeBool(result, nulls: nulls) }
        let result: [Bool]
        switch (l.data, r.data) {
        case (.int(let a), .int(let b)): result = run(a, b)
        case (.number(let a), .number(let b)): result = run(a, b)
        case (.temporal(let a), .temporal(let b)): result = run(a, b)
        case (.codes(let a), .codes(let b)):
            if case .narrow(let x) = a.storage, case .narrow(let y) = b.storage { result = run(x, y) } else { result = run(a.wide, b.wide) }
        case (.text(let a), .text(let b)): result = run(a, b)
        case (.bool(let a), .bool(let b)): result = run(a.map { $0 ? 1 : 0 }, b.map { $0 ? 1 : 0 })
        case (.int, .number), (.number, .int): result = run(l.doubles, r.doubles)
        default: result = run(l.texts, r.texts)
        }
        return makeBool(result, nulls: nulls)
    }

    /// `compare` through the elementwise kernels, for the kinds they serve.
    private func wholeColumnCompare(_ op: ComparisonOperator, _ l: Column, _ r: Column, _ n: Int) -> [Bool]? {
        switch (l.data, r.data) {
        case (.int(let a), .int(let b)): return ElementwiseKernels.compare(op, a, b, count: n, parallelism)
        case (.number(let a), .number(let b)): return ElementwiseKernels.compare(op, a, b, count: n, parallelism)
        case (.temporal(let a), .temporal(let b)): return ElementwiseKernels.compare(op, a, b, count: n, parallelism)
        case (.int(let a), .number(let b)): return ElementwiseKernels.compare(op, a.map(Double.init), b, count: n, parallelism)
        case (.number(let a), .int(let b)): return ElementwiseKernels.compare(op, a, b.map(Double.init), count: n, parallelism)
        default: return nil
        }
    }

    /// Three-valued `and` / `or`: false and x is false, true or x is true,
    /// otherwise null wins.
    func logic(isAnd: Bool, _ l: Column, _ r: Column, _ length: Int) -> Column {
        let n = (l.count == 1 && r.count == 1) ? 1 : length
        if n > 1, l.count == n, r.count == n, case .bool(let a) = l.data, case .bool(let b) = r.data {
            return Self.logic(isAnd: isAnd, a, l.nulls, b, r.nulls, n)
        }
        let a = l.bools, b = r.bools
        var out = [Bool](repeating: false, count: n)
        var nulls = NullBitmap()
        for row in 0..<n {
            let la = l.at(row), rb = r.at(row)
            let lNull = l.isNull(la), rNull = r.isNull(rb)
            let x = a.isEmpty ? false : a[la], y = b.isEmpty ? false : b[rb]
            if isAnd {
                if (!lNull && !x) || (!rNull && !y) { out[row] = false } else if lNull || rNull { nulls.set(row) } else { out[row] = true }
            } else {
                if (!lNull && x) || (!rNull && y) { out[row] = true } else if lNull || rNull { nulls.set(row) } else { out[row] = false }
            }
        }
        return makeBool(out, nulls: nulls)
    }

    /// `and`/`or` of two whole columns of flags, with the same three-valued
    /// answers as the row-by-row loop above (a false side decides `and`, a
    /// true side `or`; else a null side makes null), over the arrays:
    /// the conditions of a `case` over a million customers (`r_score >= 4
    /// and f_score >= 4 and …`) spent most of their time in that loop.
    static func logic(isAnd: Bool, _ a: [Bool], _ aNulls: NullBitmap, _ b: [Bool], _ bNulls: NullBitmap, _ n: Int) -> Column {
        if aNulls.hasNulls || bNulls.hasNulls { return ElementwiseKernels.logic(isAnd: isAnd, a, aNulls, b, bNulls, count: n) }
        let out = a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                [Bool](unsafeUninitializedCapacity: n) { out, initialized in
                    if isAnd {
                        for row in 0..<n { out[row] = a[row] && b[row] }
                    } else {
                        for row in 0..<n { out[row] = a[row] || b[row] }
                    }
                    initialized = n
                }
            }
        }
        return makeBool(out)
    }

    func concat(_ l: Column, _ r: Column, _ length: Int) throws -> Column {
        let n = (l.count == 1 && r.count == 1) ? 1 : length
        let a = l.texts, b = r.texts
        var out = [String](repeating: "", count: n)
        let nulls = unionNulls(l, r, count: n)
        for row in 0..<n where !nulls.isNull(row) {
            // Texts have no bound on their length: poll as rows go by.
            if row & 1023 == 0 { try services.checkInterrupt() }
            out[row] = a[l.at(row)] + b[r.at(row)]
        }
        return Column(type: .text, data: .text(out), nulls: nulls)
    }

    func textMatch(_ kind: TextMatch, _ l: Column, _ r: Column, _ length: Int, _ expr: BoundExpr) throws -> Column {
        let n = (l.count == 1 && r.count == 1) ? 1 : length
        let a = l.texts, b = r.texts
        let nulls = unionNulls(l, r, count: n)
        var out = [Bool](repeating: false, count: n)
        if r.count == 1 {
            if r.isNull(0) { return Column.nulls(n, type: .bool) }
            let needle = b[0]
            switch kind {
            case .matches:
                let pattern = try compiledPattern(needle, expr)
                let poll = services.checkInterrupt as () throws -> Void
                for row in 0..<n where !nulls.isNull(row) {
                    out[row] = try patternMatch(pattern, a[l.at(row)], poll, expr)
                    if row & 1023 == 0 { try services.checkInterrupt() }
                }
            default:
                let folded = TextSearch(needle)
                for row in 0..<n where !nulls.isNull(row) {
                    if row & 1023 == 0 { try services.checkInterrupt() }
                    let text = a[l.at(row)]
                    out[row] = kind == .contains ? folded.isContained(in: text) : kind == .startsWith ? folded.isPrefix(of: text) : folded.isSuffix(of: text)
                }
            }
            return makeBool(out, nulls: nulls)
        }
        for row in 0..<n where !nulls.isNull(row) {
            if row & 1023 == 0 { try services.checkInterrupt() }
            let text = a[l.at(row)], needle = b[r.at(row)]
            switch kind {
            case .matches:
                guard let pattern = try? CompiledPattern(needle) else { throw Diagnostic.runtime("invalid regular expression '\(needle)'", expr.range) }
                out[row] = try patternMatch(pattern, text, services.checkInterrupt, expr)
                try services.checkInterrupt()
            case .contains: out[row] = TextSearch(needle).isContained(in: text)
            case .startsWith: out[row] = TextSearch(needle).isPrefix(of: text)
            case .endsWith: out[row] = TextSearch(needle).isSuffix(of: text)
            }
        }
        return makeBool(out, nulls: nulls)
    }

    /// `EnumSymbolTest`: a text test of an enum's text, made once per
    /// symbol and read back per row by code. Nil when the operand is not
    /// an enum after all.
    func enumSymbolTest(_ kind: TextMatch, _ operand: BoundExpr, _ needle: BoundExpr, _ context: EvalContext,
                        _ expr: BoundExpr) throws -> Column? {
        guard case .toText(let inner) = operand.node, case .constant(.text(let text)) = needle.node else { return nil }
        let column = try evaluate(inner, context)
        guard case .codes(let codes) = column.data, case .enumeration(let enumType) = column.type else { return nil }
        record(.enumSymbolTest)
        let symbols = enumType.symbols
        let answers = try textMatch(kind, Column(type: .text, data: .text(symbols)), Column(type: .text, data: .text([text])),
                                    symbols.count, expr)
        let flags = answers.bools
        // A code past the symbols (none is stored) reads as false.
        var table = [Bool](repeating: false, count: 256)
        if symbols.count <= 256 {
            for index in 0..<min(symbols.count, flags.count) { table[index] = flags[index] && !answers.isNull(index) }
        }
        var out = [Bool](repeating: false, count: codes.count)
        switch codes.storage {
        case .narrow(let values) where symbols.count <= 256:
            table.withUnsafeBufferPointer { table in
                for row in 0..<values.count { out[row] = table[Int(values[row])] }
            }
        default:
            let wide = codes.wide
            for row in 0..<wide.count {
                let code = Int(wide[row])
                out[row] = code >= 0 && code < flags.count && flags[code] && !answers.isNull(code)
            }
        }
        return makeBool(out, nulls: column.nulls)
    }

    /// The pattern of `matches` with a constant right side; a pattern that
    /// does not compile fails the statement, whether or not a row is tested.
    func compiledPattern(_ pattern: String, _ expr: BoundExpr) throws -> CompiledPattern {
        do { return try CompiledPattern(pattern) } catch {
            throw Diagnostic.runtime("invalid regular expression: \(ErrorText.of(error))", expr.range)
        }
    }

    /// One value's `matches`, polling the interrupt and time limit as the
    /// engine moves along the text; a match that went past the engine's
    /// bounds fails the statement with phase `limit`, pointing at the operator.
    func patternMatch(_ pattern: CompiledPattern, _ text: String, _ poll: () throws -> Void,
                              _ expr: BoundExpr) throws -> Bool {
        do {
            return try pattern.matches(text, poll: poll)
        } catch let error as PatternError {
            throw Diagnostic(.limit, error.message, at: expr.range)
        }
    }

    func callHost(_ name: String, _ columns: [Column], _ expr: BoundExpr, _ length: Int) throws -> Column {
        guard let function = catalog.hostFunction(name) else { throw Diagnostic.runtime("unknown function '\(name)'", expr.range) }
        let n = columns.allSatisfy { $0.count == 1 } && !columns.isEmpty ? 1 : length
        var out: [Value] = []
        out.reserveCapacity(n)
        for row in 0..<n {
            let arguments = columns.map { $0.value(at: $0.at(row)) }
            do { out.append(try function.body(arguments)) } catch {
                throw Diagnostic.runtime("\(name): \(ErrorText.of(error))", expr.range)
            }
        }
        return makeColumn(out.map { conform($0, to: expr.type) }, type: expr.type)
    }

    /// A host's value converted to the declared return type (null when it does not fit).
    private func conform(_ value: Value, to type: DataType) -> Value {
        switch (value, type) {
        case (.int(let v), .number): return .number(Double(v))
        case (.int, .int), (.number, .number), (.text, .text), (.bool, .bool), (.date, .date), (.datetime, .datetime), (.null, _): return value
        default: return .null
        }
    }
}
