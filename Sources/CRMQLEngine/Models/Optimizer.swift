import Foundation

/// Maximum-likelihood fitting: Nelder-Mead over unconstrained
/// (log-scale) parameters, then Newton steps on a finite-difference
/// Hessian to polish the optimum and to test that it is one.
///
/// Nelder-Mead needs no derivatives and does not diverge on the flat,
/// badly scaled surfaces likelihoods of small samples have; Newton then
/// converges quadratically from where the simplex stopped, and the size of
/// the gradient there is the convergence test.
enum Optimizer {
    struct Result {
        var point: [Double]
        /// The objective at `point` (a negative log-likelihood).
        var value: Double
        var iterations: Int
        /// The largest absolute component of the gradient at `point`.
        var gradientNorm: Double
        var converged: Bool
    }

    /// TUNING: the gradient (per unit of log-parameter) below which the
    /// minimum counts as found, relative to the objective's size; the
    /// likelihood's own rounding makes tighter tests meaningless.
    static let gradientTolerance = 1e-6

    /// Minimises `objective` from `start`. `objective` returns +infinity
    /// (or NaN) where it is not defined; `check` may throw to stop (an
    /// interrupt), and so may `objective`, which over many histories is
    /// long enough to have to poll too.
    static func minimize(_ objective: ([Double]) throws -> Double, start: [Double], maxIterations: Int = 3_000,
                         check: () throws -> Void) throws -> Result {
        func f(_ x: [Double]) throws -> Double {
            let value = try objective(x)
            return value.isNaN ? .infinity : value
        }
        let n = start.count
        // The simplex: the start and one step along each axis.
        var simplex: [[Double]] = [start]
        for axis in 0..<n {
            var vertex = start
            vertex[axis] += 0.5
            simplex.append(vertex)
        }
        var values = try simplex.map(f)
        var iterations = 0
        while iterations < maxIterations {
            try check()
            iterations += 1
            let order = (0...n).sorted { values[$0] < values[$1] }
            simplex = order.map { simplex[$0] }
            values = order.map { values[$0] }
            let spread = abs(values[n] - values[0])
            let size = (1...n).map { i in zip(simplex[i], simplex[0]).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0
            // TUNING: the simplex only has to come near the optimum; Newton
            // steps below finish from there in a few steps.
            if spread <= 1e-9 * (abs(values[0]) + 1e-9) || size < 1e-7 { break }
            var centroid = [Double](repeating: 0, count: n)
            for vertex in simplex.prefix(n) { for i in 0..<n { centroid[i] += vertex[i] / Double(n) } }
            func along(_ t: Double) -> [Double] { (0..<n).map { centroid[$0] + t * (simplex[n][$0] - centroid[$0]) } }
            let reflected = along(-1), reflectedValue = try f(reflected)
            if reflectedValue < values[0] {
                let expanded = along(-2), expandedValue = try f(expanded)
                if expandedValue < reflectedValue {
                    simplex[n] = expanded; values[n] = expandedValue
                } else {
                    simplex[n] = reflected; values[n] = reflectedValue
                }
            } else if reflectedValue < values[n - 1] {
                simplex[n] = reflected; values[n] = reflectedValue
            } else {
                let outside = reflectedValue < values[n]
                let contracted = along(outside ? -0.5 : 0.5), contractedValue = try f(contracted)
                if contractedValue < min(values[n], reflectedValue) {
                    simplex[n] = contracted; values[n] = contractedValue
                } else {
                    for i in 1...n {
                        simplex[i] = (0..<n).map { simplex[0][$0] + 0.5 * (simplex[i][$0] - simplex[0][$0]) }
                        values[i] = try f(simplex[i])
                    }
                }
            }
        }
        let best = values.indices.min { values[$0] < values[$1] } ?? 0
        var point = simplex[best], value = values[best]
        // Newton polish.
        var gradient = try self.gradient(f, point)
        for _ in 0..<20 {
            try check()
            if gradient.map(abs).max() ?? 0 < gradientTolerance * max(1, abs(value)) { break }
            let hessian = try self.hessian(f, point)
            guard let step = solve(hessian, gradient.map { -$0 }) else { break }
            // Halve the step until it improves: Newton may overshoot far from the optimum.
            var scale = 1.0, improved = false
            while scale > 1e-6 {
                let candidate = (0..<n).map { point[$0] + scale * step[$0] }
                let candidateValue = try f(candidate)
                if candidateValue <= value {
                    point = candidate; value = candidateValue; improved = true
                    break
                }
                scale /= 2
            }
            gradient = try self.gradient(f, point)
            if !improved { break }
        }
        let norm = gradient.map(abs).max() ?? 0
        let converged = value.isFinite && norm < 1e-4 * max(1, abs(value))
        return Result(point: point, value: value, iterations: iterations, gradientNorm: norm, converged: converged)
    }

    /// Minimises a smooth `objective` that returns its value and its
    /// gradient: quasi-Newton (BFGS) steps from `start`, each as long as
    /// the line search lets it (at most `maximumStep` in any coordinate, so
    /// the first steps stay where the objective is defined), then Newton
    /// steps on a Hessian from differences of the gradient to polish the
    /// optimum. Tens of evaluations where `minimize` takes hundreds; the
    /// same convergence test on the gradient at the end.
    static func minimizeSmooth(_ objective: ([Double]) throws -> (value: Double, gradient: [Double]), start: [Double],
                               maxIterations: Int = 500, check: () throws -> Void) throws -> Result {
        func fg(_ x: [Double]) throws -> (value: Double, gradient: [Double]) {
            let (value, gradient) = try objective(x)
            if !value.isFinite || gradient.contains(where: { !$0.isFinite }) { return (.infinity, gradient) }
            return (value, gradient)
        }
        func dot(_ u: [Double], _ v: [Double]) -> Double { zip(u, v).reduce(0) { $0 + $1.0 * $1.1 } }
        let n = start.count
        var point = start
        var (value, gradient) = try fg(point)
        var iterations = 0
        guard value.isFinite else {
            return Result(point: point, value: value, iterations: 0, gradientNorm: .infinity, converged: false)
        }
        func flat() -> Bool { gradient.map(abs).max() ?? 0 < gradientTolerance * max(1, abs(value)) }
        var inverse = identity(n)
        var scaled = false
        while iterations < maxIterations, !flat() {
            try check()
            iterations += 1
            var direction = (0..<n).map { i in -dot(inverse[i], gradient) }
            var slope = dot(gradient, direction)
            if !(slope < 0) {
                // The approximation lost its curvature: start it again.
                inverse = identity(n)
                scaled = false
                direction = gradient.map { -$0 }
                slope = dot(gradient, direction)
            }
            guard let (next, nextValue, nextGradient) = try lineSearch(fg, point, value, direction, slope) else { break }
            let s = (0..<n).map { next[$0] - point[$0] }, y = (0..<n).map { nextGradient[$0] - gradient[$0] }
            let sy = dot(s, y)
            if sy > 1e-12 * (dot(s, s) * dot(y, y)).squareRoot() {
                if !scaled {
                    // The first step's curvature sets the scale of the start.
                    inverse = identity(n).map { $0.map { $0 * sy / dot(y, y) } }
                    scaled = true
                }
                let hy = (0..<n).map { i in dot(inverse[i], y) }
                let yhy = dot(y, hy)
                for i in 0..<n {
                    for j in 0..<n {
                        inverse[i][j] += ((sy + yhy) * s[i] * s[j]) / (sy * sy) - (hy[i] * s[j] + s[i] * hy[j]) / sy
                    }
                }
            }
            let improvement = value - nextValue
            (point, value, gradient) = (next, nextValue, nextGradient)
            // Steps that no longer move the objective beyond its rounding: the Newton steps finish.
            if improvement <= 1e-15 * abs(value) { break }
        }
        // Newton polish on the Hessian of the gradients' central differences.
        // One step at least, even where the gradient passes the test: the
        // quasi-Newton iterate is only as close as that test, a Newton step
        // from there lands much closer.
        for round in 0..<20 {
            try check()
            if round > 0, flat() { break }
            var hessian = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
            for i in 0..<n {
                let h = 1e-5 * max(1, abs(point[i]))
                var up = point, down = point
                up[i] += h; down[i] -= h
                let (upValue, upGradient) = try fg(up), (downValue, downGradient) = try fg(down)
                guard upValue.isFinite, downValue.isFinite else { break }
                for j in 0..<n { hessian[i][j] = (upGradient[j] - downGradient[j]) / (2 * h) }
            }
            for i in 0..<n { for j in 0..<i { hessian[i][j] = (hessian[i][j] + hessian[j][i]) / 2; hessian[j][i] = hessian[i][j] } }
            guard let step = solve(hessian, gradient.map { -$0 }) else { break }
            let slope = dot(gradient, step)
            guard slope < 0, let (next, nextValue, nextGradient) = try lineSearch(fg, point, value, step, slope) else { break }
            (point, value, gradient) = (next, nextValue, nextGradient)
        }
        let norm = gradient.map(abs).max() ?? 0
        let converged = value.isFinite && norm < 1e-4 * max(1, abs(value))
        return Result(point: point, value: value, iterations: iterations, gradientNorm: norm, converged: converged)
    }

    /// TUNING: the longest step of `minimizeSmooth` in any coordinate; on
    /// log-parameters a factor of e, which keeps the first steps (the
    /// gradient of a million customers' likelihood is in the millions)
    /// where the likelihood is defined.
    static let maximumStep = 1.0

    /// Backtracks along `direction` from `point` until the objective falls
    /// enough (Armijo's condition); nil when no step does.
    private static func lineSearch(_ fg: ([Double]) throws -> (value: Double, gradient: [Double]), _ point: [Double], _ value: Double,
                                   _ direction: [Double], _ slope: Double) throws -> ([Double], Double, [Double])? {
        let longest = direction.map(abs).max() ?? 0
        var t = longest > maximumStep ? maximumStep / longest : 1
        for _ in 0..<50 {
            let candidate = (0..<point.count).map { point[$0] + t * direction[$0] }
            let (candidateValue, candidateGradient) = try fg(candidate)
            if candidateValue.isFinite, candidateValue <= value + 1e-4 * t * slope { return (candidate, candidateValue, candidateGradient) }
            t /= 2
        }
        return nil
    }

    private static func identity(_ n: Int) -> [[Double]] {
        (0..<n).map { i in (0..<n).map { $0 == i ? 1 : 0 } }
    }

    /// Central differences.
    static func gradient(_ f: ([Double]) throws -> Double, _ x: [Double]) rethrows -> [Double] {
        try (0..<x.count).map { i in
            let h = 1e-5 * max(1, abs(x[i]))
            var up = x, down = x
            up[i] += h; down[i] -= h
            return (try f(up) - f(down)) / (2 * h)
        }
    }

    static func hessian(_ f: ([Double]) throws -> Double, _ x: [Double]) rethrows -> [[Double]] {
        let n = x.count
        var result = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        let h = (0..<n).map { 1e-4 * max(1, abs(x[$0])) }
        let center = try f(x)
        for i in 0..<n {
            for j in i..<n {
                let value: Double
                if i == j {
                    var up = x, down = x
                    up[i] += h[i]; down[i] -= h[i]
                    value = (try f(up) - 2 * center + f(down)) / (h[i] * h[i])
                } else {
                    var pp = x, pm = x, mp = x, mm = x
                    pp[i] += h[i]; pp[j] += h[j]
                    pm[i] += h[i]; pm[j] -= h[j]
                    mp[i] -= h[i]; mp[j] += h[j]
                    mm[i] -= h[i]; mm[j] -= h[j]
                    value = (try f(pp) - f(pm) - f(mp) + f(mm)) / (4 * h[i] * h[j])
                }
                result[i][j] = value
                result[j][i] = value
            }
        }
        return result
    }

    /// Solves `a x = b` by Gaussian elimination with partial pivoting; nil
    /// when `a` is singular or not finite.
    static func solve(_ a: [[Double]], _ b: [Double]) -> [Double]? {
        let n = b.count
        var m = a, v = b
        for column in 0..<n {
            guard let pivot = (column..<n).max(by: { abs(m[$0][column]) < abs(m[$1][column]) }),
                  abs(m[pivot][column]) > 1e-300, m[pivot][column].isFinite else { return nil }
            m.swapAt(column, pivot); v.swapAt(column, pivot)
            for row in (column + 1)..<n where row < n {
                let factor = m[row][column] / m[column][column]
                for k in column..<n { m[row][k] -= factor * m[column][k] }
                v[row] -= factor * v[column]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var sum = v[row]
            for k in (row + 1)..<n where k < n { sum -= m[row][k] * x[k] }
            x[row] = sum / m[row][row]
        }
        return x.allSatisfy(\.isFinite) ? x : nil
    }
}
