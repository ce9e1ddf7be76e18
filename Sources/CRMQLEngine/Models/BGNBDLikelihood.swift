import CRMQLCore
import CRMQLStorage
import Foundation

/// Where a model's long loops run (a fit's likelihood sums, a function
/// over every customer): the session's threads and the statement's stop,
/// readable from any thread, beside the caller's poll of its limits.
struct ModelWork {
    var threads: Int
    var stop: BuildStop?
    var check: () throws -> Void

    /// Items per chunk of a sum, and between two looks at the stop.
    /// TUNING: 8,192 histories, a few hundred microseconds of logs: well
    /// inside the time a stop may take, and a million customers give a
    /// hundred chunks to share between the threads.
    static let chunk = 1 << 13

    /// Runs `body` over `count` items in chunks on the threads; each chunk
    /// writes only its own items' results.
    func forEach(count: Int, _ body: (Range<Int>) -> Void) throws {
        _ = try sum(count: count, width: 0) { range, _ in body(range) }
    }

    /// Sums `width` running totals over `count` items: `body` adds the
    /// items of one chunk into the `width` slots it is given (zeroed), the
    /// chunks run on the threads, and their totals are added in chunk
    /// order. The chunks' bounds depend on `count` alone, so any thread
    /// count adds the same numbers in the same order.
    func sum(count: Int, width: Int, _ body: (Range<Int>, UnsafeMutablePointer<Double>) -> Void) throws -> [Double] {
        let chunks = (count + Self.chunk - 1) / Self.chunk
        var partials = [Double](repeating: 0, count: max(chunks * width, 1))
        var done = [Bool](repeating: false, count: chunks)
        try check()
        try partials.withUnsafeMutableBufferPointer { partials in
            try done.withUnsafeMutableBufferPointer { done in
                let base = partials.baseAddress!, flags = done.baseAddress!
                try Parallel.forEach(morsels: chunks, threads: threads, stop: stop) { index in
                    let start = index * Self.chunk
                    body(start..<min(start + Self.chunk, count), base + index * width)
                    flags[index] = true
                }
            }
        }
        // A stop seen between chunks is the statement's limit or interrupt,
        // which the poll reports; a sum missing chunks is never returned.
        try check()
        if done.contains(false) { throw Diagnostic(.interrupted, "interrupted", at: nil) }
        var totals = [Double](repeating: 0, count: width)
        for index in 0..<chunks {
            for slot in 0..<width { totals[slot] += partials[index * width + slot] }
        }
        return totals
    }
}

extension BGNBDFitted {
    /// The full log-likelihood (FHL 2005, eq. 6) summed over the histories,
    /// with its gradient in the log-parameters (ln r, ln α, ln a, ln b)
    /// when asked. Each history costs one `exp` and one `log1p`: the
    /// logarithms of α + T and α + t_x are taken once per distinct day
    /// count (a few thousand) and the terms in x once per distinct x. A fit
    /// evaluates this tens of times over up to a million histories, on the
    /// threads of `work`.
    static func logLikelihood(_ h: BGNBDHistories, _ m: BGNBDMath.Parameters, gradient: Bool = false,
                              _ work: ModelWork) throws -> (value: Double, gradient: [Double]) {
        let xTerms = h.distinctX.map { BGNBDMath.xTerm(x: $0, m) }
        let rx = h.distinctX.map { m.r + $0 }
        let logOdds = h.distinctX.map { $0 > 0 ? log(m.a) - log(m.b + $0 - 1) : -.infinity }
        let logT = h.distinctT.map { log(m.alpha + $0) }
        let logTx = h.distinctTx.map { log(m.alpha + $0) }
        // The derivatives of the terms in x: differences of digammas at
        // whole steps apart, so sums of reciprocals.
        var xTermGradient: [(Double, Double, Double)] = []
        var inverseT: [Double] = [], inverseTx: [Double] = [], inverseB: [Double] = []
        if gradient {
            let largest = Int(h.distinctX.max() ?? 0)
            var sumR = [Double](repeating: 0, count: largest + 1)
            var sumB = sumR, sumAB = sumR
            if largest > 0 {
                for k in 1...largest {
                    sumR[k] = sumR[k - 1] + 1 / (m.r + Double(k - 1))
                    sumB[k] = sumB[k - 1] + 1 / (m.b + Double(k - 1))
                    sumAB[k] = sumAB[k - 1] + 1 / (m.a + m.b + Double(k - 1))
                }
            }
            xTermGradient = h.distinctX.map { x in
                let k = Int(x)
                return (sumR[k] + log(m.alpha), -sumAB[k], sumB[k] - sumAB[k])
            }
            inverseT = h.distinctT.map { 1 / (m.alpha + $0) }
            inverseTx = h.distinctTx.map { 1 / (m.alpha + $0) }
            inverseB = h.distinctX.map { $0 > 0 ? 1 / (m.b + $0 - 1) : 0 }
        }
        let totals = try h.weight.withUnsafeBufferPointer { weight in
            try h.xIndex.withUnsafeBufferPointer { xIndex in
                try h.tIndex.withUnsafeBufferPointer { tIndex in
                    try h.txIndex.withUnsafeBufferPointer { txIndex in
                        try work.sum(count: weight.count, width: gradient ? 5 : 1) { range, out in
                            var total = 0.0
                            var dr = 0.0, dAlpha = 0.0, da = 0.0, db = 0.0
                            for index in range {
                                let xi = Int(xIndex[index]), ti = Int(tIndex[index])
                                let a3 = -rx[xi] * logT[ti]
                                var term = xTerms[xi] + a3
                                // The share of the likelihood that says the customer is still active.
                                var active = 1.0
                                if logOdds[xi] > -.infinity {
                                    let a4 = logOdds[xi] - rx[xi] * logTx[Int(txIndex[index])]
                                    // BGNBDMath.logAddExp, its exp kept for the shares.
                                    let high = max(a3, a4), share = exp(min(a3, a4) - high)
                                    term = xTerms[xi] + (a3 == -.infinity ? a4 : a4 == -.infinity ? a3 : high + log1p(share))
                                    active = a3 >= a4 ? 1 / (1 + share) : share / (1 + share)
                                }
                                total += weight[index] * term
                                if gradient {
                                    let w = weight[index], dropped = 1 - active
                                    let (gr, ga, gb) = xTermGradient[xi]
                                    var lr = -active * logT[ti], lAlpha = -rx[xi] * active * inverseT[ti]
                                    if dropped > 0 {
                                        let txi = Int(txIndex[index])
                                        lr -= dropped * logTx[txi]
                                        lAlpha -= rx[xi] * dropped * inverseTx[txi]
                                    }
                                    dr += w * (gr + lr)
                                    dAlpha += w * lAlpha
                                    da += w * (ga + dropped / m.a)
                                    db += w * (gb - dropped * inverseB[xi])
                                }
                            }
                            out[0] = total
                            if gradient {
                                out[1] = dr; out[2] = dAlpha; out[3] = da; out[4] = db
                            }
                        }
                    }
                }
            }
        }
        guard gradient else { return (totals[0], []) }
        // The terms r ln α and the like hold r and α beyond the histories'
        // share: dα of the terms in x is r/α per customer.
        let customers = h.weight.reduce(0, +)
        return (totals[0], [m.r * totals[1], m.alpha * (totals[2] + customers * m.r / m.alpha), m.a * totals[3], m.b * totals[4]])
    }

    /// The spend log-likelihood summed over the repeat buyers, in chunks
    /// on the threads of `work` as `logLikelihood` is.
    static func spendLogLikelihood(_ h: SpendHistories, _ s: BGNBDMath.SpendParameters, _ work: ModelWork) throws -> Double {
        let xTerms = h.distinctX.map { BGNBDMath.spendXTerm(x: $0, s) }
        // The terms of BGNBDMath.spendLogLikelihood in the same order, with
        // q·ln v taken once rather than per buyer.
        let qLogV = s.q * log(s.v)
        return try work.sum(count: h.x.count, width: 1) { range, out in
            var total = 0.0
            h.x.withUnsafeBufferPointer { xs in
                h.m.withUnsafeBufferPointer { ms in
                    for index in range {
                        let x = xs[index], mx = ms[index]
                        let px = s.p * x
                        total += xTerms[Int(h.xIndex[index])] + qLogV + (px - 1) * h.logM[index] + px * h.logX[index]
                            - (px + s.q) * log(x * mx + s.v)
                    }
                }
            }
            out[0] = total
        }[0]
    }
}
