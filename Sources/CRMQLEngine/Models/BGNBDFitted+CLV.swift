import CRMQLStorage
import Foundation

extension BGNBDFitted {
    /// A function of the history alone (`p_alive`, `expected_orders` at
    /// one horizon) for every row: computed once per distinct history, in
    /// chunks on the threads, then given to each row of that history; the
    /// same numbers as row by row. A value that is not finite is null.
    func perHistory(_ positions: [Int32], _ work: ModelWork, _ value: @escaping (Double, Double, Double) -> Double) throws -> Column {
        let h = histories
        var byHistory = [Double](repeating: .nan, count: h.weight.count)
        try byHistory.withUnsafeMutableBufferPointer { byHistory in
            let out = byHistory.baseAddress
            try work.forEach(count: h.weight.count) { histories in
                for history in histories {
                    out![history] = value(h.distinctX[Int(h.xIndex[history])], h.distinctTx[Int(h.txIndex[history])],
                                          h.distinctT[Int(h.tIndex[history])])
                }
            }
        }
        return try perHistory(positions, byHistory, work)
    }

    /// `expected_orders(m, id, t)` for every row with one t > 0: the
    /// series once per (x, T) pair (`curves`), as `perHistory` otherwise.
    func expectedOrders(_ positions: [Int32], t: Double, _ work: ModelWork) throws -> Column {
        let (pairOfHistory, numerators, denominators) = try curves([t], work)
        let byHistory = (0..<denominators.count).map { numerators[Int(pairOfHistory[$0])] / denominators[$0] }
        return try perHistory(positions, byHistory, work)
    }

    /// Each row's value from its customer's history's, NaN where it has none.
    private func perHistory(_ positions: [Int32], _ byHistory: [Double], _ work: ModelWork) throws -> Column {
        let byCustomer = histories.customerHistory.map { byHistory[Int($0)] }
        return try numberColumn(gather(byCustomer, positions, work))
    }

    /// Values as a column, null where a value is not finite (a row of no
    /// customer, or of no history).
    private func numberColumn(_ values: [Double]) -> Column {
        var values = values
        var nulls = NullBitmap()
        for row in 0..<values.count where !values[row].isFinite {
            values[row] = 0
            nulls.set(row)
        }
        return Column(type: .number, data: .number(values), nulls: nulls)
    }

    /// Each row's customer's value, NaN for a row of no customer.
    private func gather(_ byCustomer: [Double], _ positions: [Int32], _ work: ModelWork) throws -> [Double] {
        var values = [Double](repeating: .nan, count: positions.count)
        try values.withUnsafeMutableBufferPointer { values in
            let out = values.baseAddress
            try work.forEach(count: positions.count) { rows in
                for row in rows where positions[row] >= 0 { out![row] = byCustomer[Int(positions[row])] }
            }
        }
        return values
    }

    /// `BGNBDMath.expectedPurchases(times:...)` of every history split in
    /// two: its numerator at each of `times` per distinct (x, T) pair (the
    /// 2F1 series and the powers, the costly part), and `dropout` per
    /// history; the value at time k of a history is
    /// `numerators[pairOfHistory[h] * times.count + k] / denominators[h]`,
    /// the same expressions as the function's.
    func curves(_ times: [Double], _ work: ModelWork) throws -> (pairOfHistory: [Int32], numerators: [Double], denominators: [Double]) {
        let m = model, h = histories
        let count = times.count
        let horizons = times
        let pairX = h.pairX, pairT = h.pairT
        // Per pair, BGNBDMath.expectedPurchases(times:...)'s numerator at each horizon.
        var numerators = [Double](repeating: 0, count: pairX.count * count)
        try numerators.withUnsafeMutableBufferPointer { numerators in
            let out = numerators.baseAddress
            try work.forEach(count: pairX.count) { pairs in
                var series = [Double](repeating: .nan, count: count)
                for pair in pairs {
                    let x = h.distinctX[Int(pairX[pair])], T = h.distinctT[Int(pairT[pair])]
                    let c = m.a + m.b + x - 1
                    let zs = horizons.map { $0 / (m.alpha + T + $0) }
                    for index in 0..<count { series[index] = .nan }
                    Hypergeometric.f21(m.r + x, m.b + x, c, zs, into: &series)
                    for (index, t) in horizons.enumerated() {
                        out![pair * count + index] = c / (m.a - 1) * (1 - exp((m.r + x) * log((m.alpha + T) / (m.alpha + T + t))) * series[index])
                    }
                }
            }
        }
        return (h.pairOfHistory, numerators, dropout)
    }

    /// `clv(m, id, months, discount)` for every row, with one `months` and
    /// `discount` for all: the same numbers as the row-by-row path of
    /// `evaluate`, computed once per distinct history rather than per
    /// customer. The expected purchases of a history split into a part in
    /// (x, T) alone (the 2F1 series and the powers at each horizon, the
    /// costly part, shared by all the histories of a pair) and the odds of
    /// having dropped out, in (x, tx, T); a customer then costs a few
    /// divisions per month. Each part runs in chunks on the threads.
    func clv(_ positions: [Int32], months: Double, discount: Double, _ spend: BGNBDMath.SpendParameters,
             _ work: ModelWork) throws -> Column {
        let h = histories
        let count = Int(months.rounded(.down))
        let horizons = (0..<count).map { Double($0 + 1) * unit.month }
        let factors = (0..<count).map { pow(1 + discount, Double($0 + 1)) }
        let (pairOfHistory, numerators, denominators) = try curves(horizons, work)
        // Per customer, as `evaluate` adds the months, in the customers'
        // order: their arrays read in sequence, their histories (numbered
        // in the same order of first appearance) nearly so.
        var byCustomer = [Double](repeating: .nan, count: x.count)
        try byCustomer.withUnsafeMutableBufferPointer { byCustomer in
            let out = byCustomer.baseAddress
            try work.forEach(count: x.count) { customers in
                for customer in customers {
                    let history = Int(h.customerHistory[customer])
                    let base = Int(pairOfHistory[history]) * count, denominator = denominators[history]
                    let perOrder = BGNBDMath.expectedSpend(x: x[customer], mx: monetary[customer], spend)
                    var total = 0.0, before = 0.0
                    for month in 0..<count {
                        let after = numerators[base + month] / denominator
                        total += perOrder * (after - before) / factors[month]
                        before = after
                    }
                    out![customer] = total
                }
            }
        }
        return try numberColumn(gather(byCustomer, positions, work))
    }
}
