import CRMQLCore
import CRMQLStorage

// Money stays exact: a number column whose values are all whole hundredths
// reads as `decimal(places: 2)`, and `+ - *` and `sum` over such columns
// (and ints) are computed in integer units of the result's last place, so
// `revenue - cost` is 4124.52, never 4124.5199999999995. The values remain
// doubles — each the double nearest to its decimal, which prints back as
// that decimal — so every kernel that reads doubles still works; only the
// operations that would add float noise take the integer route.

extension Evaluator {
    /// TUNING: products of decimals keep at most this many places exact;
    /// past it (a fourth factor of money) they are ordinary numbers.
    static let maximumExactPlaces = 4

    /// How a stored field reads: keys are identifiers, a number field of
    /// whole hundredths (`IndexCache.hundredths`) is money. A column of a
    /// derived table carries the style it was computed with.
    func fieldStyle(_ entity: Entity, _ index: Int) -> NumberStyle {
        guard index < entity.fields.count, index < entity.columns.count else { return .general }
        let column = entity.columns[index]
        if column.style != .general { return column.style }
        let field = entity.fields[index]
        if field.isKey, case .int = column.data { return .identifier }
        // Only a stored entity's state has cached hundredths to ask about.
        guard case .number = column.data, catalog.store[entity.name]?.version == entity.version,
              services.indexes.hundredths(of: entity, field: field.name) != nil else { return .general }
        return .decimal(places: 2)
    }

    /// A number literal is a decimal of as many places as it needs, up to
    /// two, so that `amount + 0.5` stays exact.
    static func literalStyle(_ value: Value) -> NumberStyle {
        guard case .number(let v) = value else { return .general }
        return places(of: v).map { .decimal(places: $0) } ?? .general
    }

    /// The fewest places (0...2) that write `v` exactly, if any do.
    static func places(of v: Double) -> Int? {
        guard v.isFinite, v.magnitude < 1e13 else { return nil }
        for places in 0...2 {
            let scale = pow10(places)
            if Double((v * scale).rounded()) / scale == v { return places }
        }
        return nil
    }

    static func pow10(_ places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<max(0, places) { scale *= 10 }
        return scale
    }

    /// The places of a column that holds exact decimals: an int column's
    /// are 0; nil for a column of ordinary numbers.
    static func exactPlaces(_ column: Column) -> Int? {
        switch column.data {
        case .int: return column.type == .int ? 0 : nil
        case .number: if case .decimal(let places) = column.style { return places } else { return nil }
        default: return nil
        }
    }

    /// `l op r` computed in integer units of the result's last place when
    /// both sides are exact decimals (at least one not an int); nil when
    /// they are not, or when a value leaves the range where the units and
    /// the doubles are exact (then the double arithmetic answers).
    func exactArithmetic(_ op: ArithmeticOperator, _ l: Column, _ r: Column, _ length: Int) -> Column? {
        guard op == .add || op == .subtract || op == .multiply,
              let leftPlaces = Self.exactPlaces(l), let rightPlaces = Self.exactPlaces(r),
              leftPlaces + rightPlaces > 0 else { return nil }
        let places = op == .multiply ? leftPlaces + rightPlaces : max(leftPlaces, rightPlaces)
        guard places <= Self.maximumExactPlaces else { return nil }
        // Sums align both sides to the result's places; a product's places
        // are the sum of its factors'.
        let leftShift = op == .multiply ? 0 : places - leftPlaces
        let rightShift = op == .multiply ? 0 : places - rightPlaces
        let n = (l.count == 1 && r.count == 1) ? 1 : length
        if op != .multiply, leftPlaces == rightPlaces, l.count == n, r.count == n, !l.nulls.hasNulls, !r.nulls.hasNulls,
           case .number(let xs) = l.data, case .number(let ys) = r.data,
           let column = Self.decimalSum(subtract: op == .subtract, xs, ys, places: places) {
            return column
        }
        guard let a = Self.units(l, places: leftPlaces, shift: leftShift),
              let b = Self.units(r, places: rightPlaces, shift: rightShift) else { return nil }
        let nulls = unionNulls(l, r, count: n)
        let scale = Self.pow10(places)
        var out = [Double](repeating: 0, count: n)
        for row in 0..<n {
            if nulls.isNull(row) { continue }
            let x = a[l.at(row)], y = b[r.at(row)]
            let result: (partialValue: Int64, overflow: Bool)
            switch op {
            case .add: result = x.addingReportingOverflow(y)
            case .subtract: result = x.subtractingReportingOverflow(y)
            default: result = x.multipliedReportingOverflow(by: y)
            }
            guard !result.overflow, result.partialValue.magnitude < Self.exactUnitLimit else { return nil }
            out[row] = Double(result.partialValue) / scale
        }
        var column = Column(type: .number, data: .number(out), nulls: nulls)
        column.style = .decimal(places: places)
        return column
    }

    /// `x + y` or `x - y` of two columns of decimals of the same places
    /// without nulls, in one pass with no arrays of units between: the
    /// general route wrote and read two arrays of 8 M counts for `amount -
    /// cost` over order lines. Each value is a decimal of `places`, so its
    /// count of units is the nearest integer, found by adding a half and
    /// truncating. Nil when a count leaves the exact range.
    static func decimalSum(subtract: Bool, _ xs: [Double], _ ys: [Double], places: Int) -> Column? {
        let scale = pow10(places)
        let count = min(xs.count, ys.count)
        var exact = true
        let out = xs.withUnsafeBufferPointer { xs in
            ys.withUnsafeBufferPointer { ys in
                [Double](unsafeUninitializedCapacity: count) { out, initialized in
                    for row in 0..<count {
                        let a = xs[row] * scale, b = ys[row] * scale
                        guard a.magnitude < 1e15, b.magnitude < 1e15 else { exact = false; break }
                        let x = Int64(a + (a < 0 ? -0.5 : 0.5)), y = Int64(b + (b < 0 ? -0.5 : 0.5))
                        let units = subtract ? x - y : x + y
                        out[row] = Double(units) / scale
                    }
                    initialized = count
                }
            }
        }
        guard exact else { return nil }
        var column = Column(type: .number, data: .number(out), nulls: NullBitmap())
        column.style = .decimal(places: places)
        return column
    }

    /// Below 2^53 every count of units is a double exactly, and the
    /// division by a power of ten rounds once, to the nearest double.
    static let exactUnitLimit: UInt64 = 1 << 53

    /// Each value as a count of units of `10^-places`, times `10^shift`;
    /// nil when one does not fit.
    static func units(_ column: Column, places: Int, shift: Int) -> [Int64]? {
        let factor = Int64(pow10(shift))
        switch column.data {
        case .int(let values):
            let total = Int64(pow10(places + shift))
            var out = [Int64](repeating: 0, count: values.count)
            for index in values.indices {
                let (scaled, overflow) = values[index].multipliedReportingOverflow(by: total)
                if overflow { return nil }
                out[index] = scaled
            }
            return out
        case .number(let values):
            let scale = pow10(places)
            var out = [Int64](repeating: 0, count: values.count)
            for index in values.indices {
                let count = (values[index] * scale).rounded()
                guard count.magnitude < 1e15 else {
                    if column.isNull(index) { continue }
                    return nil
                }
                let (scaled, overflow) = Int64(count).multipliedReportingOverflow(by: factor)
                if overflow { return nil }
                out[index] = scaled
            }
            return out
        default:
            return nil
        }
    }

    /// The style of a scalar function's result: those that pick or round
    /// values keep or set the places of money; `year` names a year.
    func scalarStyle(_ function: ScalarFunction, _ columns: [Column], _ result: Column) -> NumberStyle {
        guard case .number = result.data else {
            switch function {
            case .year, .fiscalYear: return .identifier
            default: return .general
            }
        }
        switch function {
        case .coalesce, .min, .max:
            // Picks one of its arguments: exact when every one is.
            var places = 0
            for column in columns {
                guard let columnPlaces = Self.exactPlaces(column) else { return .general }
                places = max(places, columnPlaces)
            }
            return .decimal(places: places)
        case .if:
            guard columns.count == 3, let a = Self.exactPlaces(columns[1]), let b = Self.exactPlaces(columns[2]) else { return .general }
            return .decimal(places: max(a, b))
        case .abs:
            return columns.first.map { Self.exactPlaces($0).map { .decimal(places: $0) } ?? .general } ?? .general
        case .round:
            // `round(x, 2)` is a value of at most two places.
            guard columns.count == 2, case .int(let digits) = columns[1].data, digits.count == 1,
                  (0...Int64(Self.maximumExactPlaces)).contains(digits[0]) else { return .general }
            return .decimal(places: Int(digits[0]))
        default:
            return .general
        }
    }
}

extension Aggregation {
    /// Each segment's exact sum of a column of decimals, in units of its
    /// last place; nil when a value or a total leaves the exact range.
    static func decimalSums(_ values: Column, places: Int, _ segments: [Int32], _ segmentCount: Int) -> (sums: [Int64], counts: [Int])? {
        guard let units = Evaluator.units(values, places: places, shift: 0) else { return nil }
        var sums = [Int64](repeating: 0, count: segmentCount)
        var counts = [Int](repeating: 0, count: segmentCount)
        for (index, segment) in segments.enumerated() where index < units.count && !values.isNull(index) {
            let s = Int(segment)
            guard s >= 0, s < segmentCount else { continue }
            let (sum, overflow) = sums[s].addingReportingOverflow(units[index])
            if overflow || sum.magnitude >= Evaluator.exactUnitLimit { return nil }
            sums[s] = sum
            counts[s] += 1
        }
        return (sums, counts)
    }

    /// Sums in units of `places` as decimals, null where a segment had no
    /// values; an average is their ratio, shown rounded to the same places.
    static func decimalResults(_ function: AggregateFunction, _ sums: [Int64], _ counts: [Int], places: Int) -> Column {
        let scale = Evaluator.pow10(places)
        let average = function == .avg
        let results = sums.indices.map { s in
            average ? Double(sums[s]) / (scale * Double(max(counts[s], 1))) : Double(sums[s]) / scale
        }
        var column = Column(type: .number, data: .number(results), nulls: NullBitmap(count: sums.count) { counts[$0] == 0 })
        column.style = average ? .rounded(places: places) : .decimal(places: places)
        return column
    }
}
