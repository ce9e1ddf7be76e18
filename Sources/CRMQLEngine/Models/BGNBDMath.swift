import Foundation
import RealModule

/// The formulas of the BG/NBD model (Fader, Hardie & Lee 2005, "Counting
/// your customers the easy way") and of the Gamma-Gamma spend model (Fader,
/// Hardie & Lee 2005b; Fader & Hardie 2013), in log space where sums of
/// products would overflow.
///
/// A customer is summarised by `x` (repeat purchases), `tx` (time of the
/// last purchase since the first) and `T` (time since the first purchase),
/// all in the model's unit.
///
/// The per-customer terms call the C library's `log` and `exp` directly:
/// they run once per customer per step of the optimiser, and a generic
/// call through `RealModule` is not specialised in debug builds.
enum BGNBDMath {
    struct Parameters: Equatable {
        var r: Double, alpha: Double, a: Double, b: Double
    }

    struct SpendParameters: Equatable {
        var p: Double, q: Double, v: Double
    }

    static func logBeta(_ x: Double, _ y: Double) -> Double {
        Double.logGamma(x) + Double.logGamma(y) - Double.logGamma(x + y)
    }

    /// log(e^u + e^v) without overflow.
    static func logAddExp(_ u: Double, _ v: Double) -> Double {
        if u == -.infinity { return v }
        if v == -.infinity { return u }
        let high = max(u, v)
        return high + log1p(exp(min(u, v) - high))
    }

    /// One customer's log-likelihood (FHL 2005, eq. 6), without the terms
    /// in `x` alone, which `xTerms` supplies once per distinct `x`.
    @inline(__always)
    static func logLikelihood(x: Double, tx: Double, T: Double, _ m: Parameters, xTerm: Double) -> Double {
        let a3 = -(m.r + x) * log(m.alpha + T)
        guard x > 0 else { return xTerm + a3 }
        let a4 = log(m.a) - log(m.b + x - 1) - (m.r + x) * log(m.alpha + tx)
        return xTerm + logAddExp(a3, a4)
    }

    /// The terms of the log-likelihood that depend on `x` only:
    /// ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b).
    static func xTerm(x: Double, _ m: Parameters) -> Double {
        Double.logGamma(m.r + x) - Double.logGamma(m.r) + m.r * Double.log(m.alpha)
            + logBeta(m.a, m.b + x) - logBeta(m.a, m.b)
    }

    /// The probability that a customer is still active at `T` (FHL 2008 note, eq. 2).
    static func pAlive(x: Double, tx: Double, T: Double, _ m: Parameters) -> Double {
        guard x > 0 else { return 1 }
        let logRatio = (m.r + x) * log((m.alpha + T) / (m.alpha + tx)) + log(m.a / (m.b + x - 1))
        return 1 / (1 + exp(logRatio))
    }

    /// Expected repeat purchases in the next `t` units of a customer with
    /// this history (FHL 2005, eq. 10); NaN where the series of 2F1 does
    /// not converge.
    static func expectedPurchases(t: Double, x: Double, tx: Double, T: Double, _ m: Parameters) -> Double {
        guard t > 0 else { return 0 }
        let c = m.a + m.b + x - 1
        let z = t / (m.alpha + T + t)
        let f = Hypergeometric.f21(m.r + x, m.b + x, c, z)
        let first = c / (m.a - 1) * (1 - exp((m.r + x) * log((m.alpha + T) / (m.alpha + T + t))) * f)
        let odds = x > 0 ? m.a / (m.b + x - 1) * exp((m.r + x) * log((m.alpha + T) / (m.alpha + tx))) : 0
        return first / (1 + odds)
    }

    /// `expectedPurchases` at each of `times` (ascending, each > 0) for one
    /// customer, into `out`: the same numbers, with the terms that do not
    /// depend on t (the odds of having dropped out, the 2F1 series'
    /// coefficients) computed once for all the times. `clv` asks for twelve
    /// horizons of every customer.
    static func expectedPurchases(times: [Double], x: Double, tx: Double, T: Double, _ m: Parameters, into out: inout [Double]) {
        let c = m.a + m.b + x - 1
        let zs = times.map { $0 / (m.alpha + T + $0) }
        var series = [Double](repeating: .nan, count: times.count)
        Hypergeometric.f21(m.r + x, m.b + x, c, zs, into: &series)
        let odds = x > 0 ? m.a / (m.b + x - 1) * exp((m.r + x) * log((m.alpha + T) / (m.alpha + tx))) : 0
        for (index, t) in times.enumerated() {
            let first = c / (m.a - 1) * (1 - exp((m.r + x) * log((m.alpha + T) / (m.alpha + T + t))) * series[index])
            out[index] = first / (1 + odds)
        }
    }

    /// Gamma-Gamma: one repeat buyer's log-likelihood of `x` purchases of
    /// mean value `mx` (Fader & Hardie 2013, eq. 6 over the mean).
    static func spendLogLikelihood(x: Double, mx: Double, _ s: SpendParameters) -> Double {
        spendLogLikelihood(x: x, mx: mx, logMx: log(mx), logX: log(x), s, xTerm: spendXTerm(x: x, s))
    }

    /// The same with the logs of the data and the terms in `x` alone
    /// (`spendXTerm`) computed beforehand.
    @inline(__always)
    static func spendLogLikelihood(x: Double, mx: Double, logMx: Double, logX: Double, _ s: SpendParameters, xTerm: Double) -> Double {
        let px = s.p * x
        return xTerm + s.q * log(s.v) + (px - 1) * logMx + px * logX - (px + s.q) * log(x * mx + s.v)
    }

    /// ln Γ(px + q) − ln Γ(px) − ln Γ(q).
    static func spendXTerm(x: Double, _ s: SpendParameters) -> Double {
        Double.logGamma(s.p * x + s.q) - Double.logGamma(s.p * x) - Double.logGamma(s.q)
    }

    /// The expected value of a customer's purchases given `x` purchases of
    /// mean `mx` (Fader & Hardie 2013, eq. 5); the population mean p·v/(q−1)
    /// when `x` is 0.
    static func expectedSpend(x: Double, mx: Double, _ s: SpendParameters) -> Double {
        let weight = s.p * x / (s.p * x + s.q - 1)
        let population = s.p * s.v / (s.q - 1)
        return (1 - weight) * population + (x > 0 ? weight * mx : 0)
    }
}

/// The Gaussian hypergeometric function 2F1(a, b; c; z) for 0 <= z < 1, by
/// its power series.
enum Hypergeometric {
    /// TUNING: the series converges like z^n; at z = 0.99 it needs about
    /// 3,700 terms to reach the double's precision, so 100,000 terms leave
    /// only z within 4e-4 of 1 (t of 2,500 times α + T) unanswered.
    static let maximumTerms = 100_000

    static func f21(_ a: Double, _ b: Double, _ c: Double, _ z: Double) -> Double {
        guard z >= 0, z < 1, c > 0 else { return .nan }
        var term = 1.0, sum = 1.0
        var n = 0.0
        for _ in 0..<maximumTerms {
            term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z
            sum += term
            if abs(term) <= 1e-16 * abs(sum) { return sum }
            n += 1
        }
        return .nan
    }

    /// `f21(a, b, c, z)` for each of `zs` into `out`, term by term together:
    /// the series share their coefficients, so each costs a multiplication
    /// per term rather than a division. Each series stops at its own last
    /// term, so the results equal `f21`'s.
    static func f21(_ a: Double, _ b: Double, _ c: Double, _ zs: [Double], into out: inout [Double]) {
        let count = zs.count
        var terms = [Double](repeating: 1, count: count), sums = [Double](repeating: 1, count: count)
        var open = 0
        for index in 0..<count {
            if zs[index] >= 0, zs[index] < 1, c > 0 { open += 1 } else { terms[index] = .nan }
        }
        var n = 0.0
        var step = 0
        while open > 0 && step < maximumTerms {
            let coefficient = (a + n) * (b + n) / ((c + n) * (n + 1))
            for index in 0..<count where !terms[index].isNaN {
                terms[index] *= coefficient * zs[index]
                sums[index] += terms[index]
                if terms[index].isNaN {
                    // Left NaN in `out`, as `f21` answers a series that never settles.
                    open -= 1
                } else if abs(terms[index]) <= 1e-16 * abs(sums[index]) {
                    out[index] = sums[index]
                    terms[index] = .nan
                    open -= 1
                }
            }
            n += 1
            step += 1
        }
        for index in 0..<count where !terms[index].isNaN { out[index] = .nan }
    }
}
