import Foundation

/// L2-regularised logistic regression on standardised inputs:
/// minimises Σ log(1 + exp(-s·z)) + ½‖w‖² over the training rows (s = ±1,
/// z = b + w·x), the objective of scikit-learn's `LogisticRegression()` with
/// its default C = 1; the intercept is not penalised.
///
/// The objective is strictly convex and has a handful of parameters, so
/// Newton's method (with step halving) reaches its minimum to rounding in a
/// few iterations, where a first-order method would stop at a tolerance.
struct LogisticRegression: Sendable, Equatable {
    /// The inputs' standardisation, fitted on the training rows.
    var scale: Standardization
    /// The weight of each standardised input.
    var weights: [Double]
    var intercept: Double
    /// Newton iterations taken.
    var iterations: Int

    enum Failure: Error, Equatable { case stopped }

    /// TUNING: Newton converges quadratically; 100 iterations is far past
    /// what any data needs and bounds a pathological one.
    static let maximumIterations = 100

    static func fit(columns: [[Double]], target: [Bool], stop: @escaping () -> Bool) throws(Failure) -> LogisticRegression {
        let poll = { () throws(Failure) in if stop() { throw .stopped } }
        let scale: Standardization
        let x: [[Double]]
        do {
            scale = try Standardization(columns: columns, poll: poll)
            x = try scale.apply(columns, poll: poll)
        } catch {
            throw .stopped
        }
        let n = target.count, d = columns.count
        // Parameters: d weights, then the intercept.
        var beta = [Double](repeating: 0, count: d + 1)
        // A row of the gradient and Hessian costs (d + 1)² products, a row
        // of the objective d + 1.
        var newtonPoll = StopPoll(unitsPerStep: (d + 1) * (d + 1), stop)
        var objectivePoll = StopPoll(unitsPerStep: d + 1, stop)
        var loss = try objective(beta, x, target, &objectivePoll)
        var iterations = 0
        while iterations < maximumIterations {
            iterations += 1
            var gradient = [Double](repeating: 0, count: d + 1)
            var hessian = [Double](repeating: 0, count: (d + 1) * (d + 1))
            var row = [Double](repeating: 1, count: d + 1)
            for i in 0..<n {
                if newtonPoll.step() { throw .stopped }
                for j in 0..<d { row[j] = x[j][i] }
                let p = sigmoid(linear(beta, row))
                let residual = p - (target[i] ? 1 : 0)
                let weight = max(p * (1 - p), 1e-300)
                for a in 0...d {
                    gradient[a] += residual * row[a]
                    for b in 0...a { hessian[a * (d + 1) + b] += weight * row[a] * row[b] }
                }
            }
            for j in 0..<d {
                gradient[j] += beta[j]
                hessian[j * (d + 1) + j] += 1
            }
            for a in 0...d { for b in 0..<a { hessian[b * (d + 1) + a] = hessian[a * (d + 1) + b] } }
            guard let step = solve(hessian, gradient, size: d + 1) else { break }
            var factor = 1.0
            var candidate = beta
            var candidateLoss = loss
            // Halving until the objective does not rise keeps Newton safe far
            // from the minimum (it never is needed near it).
            for _ in 0..<60 {
                candidate = zip(beta, step).map { $0 - factor * $1 }
                candidateLoss = try objective(candidate, x, target, &objectivePoll)
                if candidateLoss <= loss { break }
                factor /= 2
            }
            let moved = zip(beta, candidate).map { abs($0 - $1) }.max() ?? 0
            beta = candidate
            let improvement = loss - candidateLoss
            loss = candidateLoss
            if moved < 1e-12 || improvement <= 1e-15 * max(1, abs(loss)) { break }
        }
        return LogisticRegression(scale: scale, weights: Array(beta[0..<d]), intercept: beta[d], iterations: iterations)
    }

    /// The probability that the target holds for inputs `value(i)` in original units.
    func probability(_ value: (Int) -> Double) -> Double {
        var z = intercept
        for j in 0..<weights.count where scale.deviations[j] > 0 {
            z += weights[j] * (value(j) - scale.means[j]) / scale.deviations[j]
        }
        return Self.sigmoid(z)
    }

    static func sigmoid(_ z: Double) -> Double {
        z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
    }

    private static func linear(_ beta: [Double], _ row: [Double]) -> Double {
        var z = 0.0
        for j in 0..<beta.count { z += beta[j] * row[j] }
        return z
    }

    /// Σ log(1 + exp(-s·z)) + ½‖w‖², computed without overflow.
    private static func objective(_ beta: [Double], _ x: [[Double]], _ target: [Bool],
                                  _ poll: inout StopPoll) throws(Failure) -> Double {
        let d = beta.count - 1
        var total = 0.0
        for i in 0..<target.count {
            if poll.step() { throw .stopped }
            var z = beta[d]
            for j in 0..<d { z += beta[j] * x[j][i] }
            let margin = target[i] ? z : -z
            total += margin > 0 ? log1p(exp(-margin)) : -margin + log1p(exp(margin))
        }
        for j in 0..<d { total += 0.5 * beta[j] * beta[j] }
        return total
    }

    /// Solves the symmetric positive definite system by Cholesky; nil when
    /// it is not positive definite.
    private static func solve(_ matrix: [Double], _ vector: [Double], size n: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var sum = matrix[i * n + j]
                for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
                if i == j {
                    guard sum > 0 else { return nil }
                    l[i * n + i] = sum.squareRoot()
                } else {
                    l[i * n + j] = sum / l[j * n + j]
                }
            }
        }
        var y = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var sum = vector[i]
            for k in 0..<i { sum -= l[i * n + k] * y[k] }
            y[i] = sum / l[i * n + i]
        }
        var result = [Double](repeating: 0, count: n)
        for i in stride(from: n - 1, through: 0, by: -1) {
            var sum = y[i]
            for k in (i + 1)..<n { sum -= l[k * n + i] * result[k] }
            result[i] = sum / l[i * n + i]
        }
        return result
    }
}
