import Foundation
import Testing
@testable import CRMQLEngine

/// The numerics under the lifetime value models, against closed forms.
@Suite struct ModelNumericsTests {
    @Test(arguments: [0.0, 0.1, 0.5, 0.9, 0.99])
    func hypergeometricMatchesClosedForms(_ z: Double) {
        // 2F1(1, 1; 2; z) = -ln(1 - z) / z
        let log = z == 0 ? 1 : -Foundation.log(1 - z) / z
        #expect(abs(Hypergeometric.f21(1, 1, 2, z) - log) < 1e-12 * log)
        // 2F1(a, b; b; z) = (1 - z)^-a
        let power = pow(1 - z, -0.75)
        #expect(abs(Hypergeometric.f21(0.75, 3.2, 3.2, z) - power) < 1e-12 * power)
    }

    @Test func hypergeometricRefusesWhatItCannotAnswer() {
        #expect(Hypergeometric.f21(1, 1, 2, 1).isNaN)
        #expect(Hypergeometric.f21(1, 1, -0.5, 0.5).isNaN)
    }

    @Test func theOptimiserFindsAMinimumAndSaysSo() throws {
        // A badly scaled bowl around (3, -2, 0.5).
        let result = try Optimizer.minimize({ x in
            let a = x[0] - 3, b = x[1] + 2, c = x[2] - 0.5
            return 100 * a * a + b * b + 0.01 * c * c + 0.5 * a * b + 7
        }, start: [0, 0, 0], check: {})
        #expect(result.converged)
        #expect(abs(result.point[0] - 3) < 1e-4 && abs(result.point[1] + 2) < 1e-4 && abs(result.point[2] - 0.5) < 1e-3)
        #expect(abs(result.value - 7) < 1e-9)
    }

    @Test func aFunctionWithoutAMinimumDoesNotConverge() throws {
        let result = try Optimizer.minimize({ x in exp(-x[0]) + x[1] * x[1] }, start: [0, 1], maxIterations: 200, check: {})
        #expect(!result.converged || result.point[0] > 9)
    }

    /// p_alive and the conditional expectation at their limits: no repeat
    /// purchases, and no time ahead.
    @Test func bgnbdFormulasAtTheirEdges() {
        let m = BGNBDMath.Parameters(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426)
        #expect(BGNBDMath.pAlive(x: 0, tx: 0, T: 30, m) == 1)
        #expect(BGNBDMath.expectedPurchases(t: 0, x: 2, tx: 30.43, T: 38.86, m) == 0)
        // More recent buying means more likely alive.
        #expect(BGNBDMath.pAlive(x: 3, tx: 30, T: 38, m) > BGNBDMath.pAlive(x: 3, tx: 10, T: 38, m))
        // The expectation grows with the horizon.
        let e1 = BGNBDMath.expectedPurchases(t: 10, x: 2, tx: 30.43, T: 38.86, m)
        let e2 = BGNBDMath.expectedPurchases(t: 20, x: 2, tx: 30.43, T: 38.86, m)
        #expect(e1 > 0 && e2 > e1)
        // Gamma-Gamma: with no repeat purchases, the population mean p v / (q - 1).
        let s = BGNBDMath.SpendParameters(p: 6.25, q: 3.74, v: 15.44)
        #expect(abs(BGNBDMath.expectedSpend(x: 0, mx: .nan, s) - 6.25 * 15.44 / 2.74) < 1e-12)
    }
}
