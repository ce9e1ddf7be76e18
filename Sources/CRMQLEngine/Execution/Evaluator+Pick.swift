import CRMQLCore
import CRMQLStorage

extension Evaluator {
    /// `if(c, a, b)` and `coalesce(a, b, …)` over whole columns of numbers,
    /// whole numbers, dates or flags: each row's value copied from the
    /// argument it picks, where the general loop made a `Value` per row and
    /// built the column back from them (`if(order_count > 0, revenue,
    /// null)` over a million customers is part of every RFM score). Nil for
    /// other kinds (texts, enums), which take the general loop.
    func pickedColumn(_ function: ScalarFunction, _ columns: [Column], type: DataType, _ n: Int) -> Column? {
        guard n > 1 else { return nil }
        let sources = function == .if ? Array(columns.dropFirst()) : columns
        guard function == .coalesce || columns.count == 3,
              columns.allSatisfy({ $0.count == 1 || $0.count == n }) else { return nil }
        // Which source each row takes: its index, or -1 for null.
        var chosen = [Int8](repeating: -1, count: n)
        if function == .if {
            let condition = columns[0]
            guard case .bool(let flags) = condition.data, condition.count == n || condition.count == 1 else { return nil }
            let nulls = condition.nulls
            let checkNulls = nulls.hasNulls, constant = condition.count == 1
            flags.withUnsafeBufferPointer { flags in
                chosen.withUnsafeMutableBufferPointer { chosen in
                    for row in 0..<n {
                        let at = constant ? 0 : row
                        chosen[row] = flags[at] && !(checkNulls && nulls.isNull(at)) ? 0 : 1
                    }
                }
            }
        } else {
            guard sources.count < 100 else { return nil }
            for (index, source) in sources.enumerated().reversed() where source.type != .null {
                // Later sources first, so an earlier present one overwrites.
                if source.count == 1 {
                    if !source.isNull(0) { chosen.withUnsafeMutableBufferPointer { $0.update(repeating: Int8(index)) } }
                    continue
                }
                let nulls = source.nulls
                for row in 0..<n where !nulls.isNull(row) { chosen[row] = Int8(index) }
            }
        }
        switch type {
        case .number:
            let arrays = sources.map { source -> [Double]?? in
                switch source.data {
                case .number(let values): return .some(values)
                case .int(let values): return .some(values.map(Double.init))
                default: return source.type == .null ? .some(nil) : nil
                }
            }
            return pick(sources, arrays, chosen, n, zero: 0.0).map { Column(type: .number, data: .number($0.values), nulls: $0.nulls) }
        case .int:
            let arrays = sources.map { source -> [Int64]?? in
                if case .int(let values) = source.data { return .some(values) }
                return source.type == .null ? .some(nil) : nil
            }
            return pick(sources, arrays, chosen, n, zero: Int64(0)).map { Column(type: .int, data: .int($0.values), nulls: $0.nulls) }
        case .date, .datetime:
            let arrays = sources.map { source -> [Int64]?? in
                if case .temporal(let values) = source.data, source.type == type { return .some(values) }
                return source.type == .null ? .some(nil) : nil
            }
            return pick(sources, arrays, chosen, n, zero: Int64(0)).map { Column(type: type, data: .temporal($0.values), nulls: $0.nulls) }
        case .bool:
            let arrays = sources.map { source -> [Bool]?? in
                if case .bool(let values) = source.data { return .some(values) }
                return source.type == .null ? .some(nil) : nil
            }
            return pick(sources, arrays, chosen, n, zero: false).map { Column(type: .bool, data: .bool($0.values), nulls: $0.nulls) }
        default:
            return nil
        }
    }

    /// Each row's value from the source `chosen` names (a source without
    /// an array is a null constant); a null row holds `zero`. Nil when a
    /// source's values are of another kind.
    private func pick<T>(_ sources: [Column], _ arrays: [[T]??], _ chosen: [Int8], _ n: Int, zero: T) -> (values: [T], nulls: NullBitmap)? {
        var present: [[T]?] = []
        for array in arrays {
            guard let array else { return nil }
            present.append(array)
        }
        // Every row null until its source gives it a present value; one
        // pass over the choices per source, each a bare loop.
        var nullWords = ElementwiseKernels.allNullWords(n)
        var values = [T](repeating: zero, count: n)
        for (index, array) in present.enumerated() {
            guard let array else { continue }
            let constant = sources[index].count == 1
            let nulls = sources[index].nulls
            let checkNulls = nulls.hasNulls
            let mine = Int8(index)
            values.withUnsafeMutableBufferPointer { values in
                nullWords.withUnsafeMutableBufferPointer { nullWords in
                    array.withUnsafeBufferPointer { array in
                        chosen.withUnsafeBufferPointer { chosen in
                            for row in 0..<n where chosen[row] == mine {
                                let at = constant ? 0 : row
                                if checkNulls && nulls.isNull(at) { continue }
                                values[row] = array[at]
                                nullWords[row >> 6] &= ~(1 << UInt64(row & 63))
                            }
                        }
                    }
                }
            }
        }
        return (values, ElementwiseKernels.bitmap(nullWords))
    }
}

extension Evaluator {
    /// `sqrt`, `ln` and `exp` of a whole column of numbers, and `min`/`max`
    /// of numbers across arguments (nulls skipped, as SQL's least and
    /// greatest), over the arrays: `churn_risk`'s `exp(-recency / …)` and
    /// `max(0.5, …)` over a million customers made a `Value` per row. The
    /// same functions of the same doubles, so the same answers. Nil for
    /// other functions and kinds.
    func numberColumn(_ function: ScalarFunction, _ columns: [Column], type: DataType, _ n: Int) -> Column? {
        guard n > 1, type == .number, !columns.isEmpty else { return nil }
        var arrays: [[Double]?] = []
        for column in columns {
            switch column.data {
            case .number(let values): arrays.append(values)
            case .int(let values): arrays.append(values.map(Double.init))
            default:
                guard column.type == .null else { return nil }
                arrays.append(nil)
            }
            guard column.count == 1 || column.count == n else { return nil }
        }
        var nullWords = [UInt64](repeating: 0, count: (n + 63) >> 6)
        var out = [Double](repeating: 0, count: n)
        switch function {
        case .sqrt, .ln, .exp:
            guard columns.count == 1, let values = arrays[0] else { return nil }
            let source = columns[0]
            let constant = source.count == 1
            let f: (Double) -> Double?
            switch function {
            case .sqrt: f = { MathFunctions.sqrt($0) }
            case .ln: f = { MathFunctions.ln($0) }
            default: f = { MathFunctions.exp($0) }
            }
            for row in 0..<n {
                let at = constant ? 0 : row
                if !source.nulls.isNull(at), let value = f(values[at]) {
                    out[row] = value
                } else {
                    nullWords[row >> 6] |= 1 << UInt64(row & 63)
                }
            }
        case .min, .max:
            let isMin = function == .min
            for row in 0..<n {
                var best = 0.0, found = false
                for (index, column) in columns.enumerated() {
                    guard let values = arrays[index] else { continue }
                    let at = column.count == 1 ? 0 : row
                    if column.nulls.isNull(at) { continue }
                    let value = values[at]
                    if !found || (isMin ? value < best : value > best) {
                        best = value
                        found = true
                    }
                }
                if found { out[row] = best } else { nullWords[row >> 6] |= 1 << UInt64(row & 63) }
            }
        default:
            return nil
        }
        return Column(type: .number, data: .number(out), nulls: ElementwiseKernels.bitmap(nullWords))
    }
}
