/// Inputs of a model as columns of doubles, one array per input, and their
/// standardisation to mean 0 and standard deviation 1.
///
/// Distances (k-means) and penalties (logistic regression) treat every
/// input alike only when the inputs share a scale: days of recency would
/// otherwise outweigh a satisfaction ratio a thousandfold.
struct Standardization: Sendable, Equatable {
    /// Each input's mean over the rows it was fitted on.
    var means: [Double]
    /// Each input's population standard deviation (divided by n, not n - 1).
    var deviations: [Double]

    /// The means and population standard deviations of `columns` (all of
    /// one length). Sums are compensated (Kahan–Babuška–Neumaier), so a
    /// million rows give the same figures in any order to the last bits.
    init(columns: [[Double]]) {
        self.init(columns: columns, poll: {})
    }

    /// `init(columns:)`, calling `poll` between stretches of rows; what it
    /// throws ends the work.
    init(columns: [[Double]], poll: () throws -> Void) rethrows {
        means = []
        deviations = []
        for column in columns {
            try poll()
            let n = Double(column.count)
            guard n > 0 else {
                means.append(0)
                deviations.append(0)
                continue
            }
            let mean = Self.sum(column) / n
            try poll()
            // Two passes: the second sums squares about the mean, which is
            // exact where sum(x²) - n·mean² cancels catastrophically.
            var squares = 0.0, compensation = 0.0
            for (index, x) in column.enumerated() {
                if index & Self.pollMask == Self.pollMask { try poll() }
                let d = (x - mean) * (x - mean)
                let t = squares + d
                compensation += abs(squares) >= abs(d) ? (squares - t) + d : (d - t) + squares
                squares = t
            }
            means.append(mean)
            deviations.append(((squares + compensation) / n).squareRoot())
        }
    }

    init(means: [Double], deviations: [Double]) {
        self.means = means
        self.deviations = deviations
    }

    /// The indexes of inputs whose deviation is 0: they cannot be scaled.
    var constantInputs: [Int] { deviations.indices.filter { !(deviations[$0] > 0) } }

    /// `columns` standardised; a constant input becomes all zeros.
    func apply(_ columns: [[Double]]) -> [[Double]] {
        apply(columns, poll: {})
    }

    /// `apply(_:)`, calling `poll` between stretches of rows.
    func apply(_ columns: [[Double]], poll: () throws -> Void) rethrows -> [[Double]] {
        try columns.enumerated().map { index, column in
            let mean = means[index], deviation = deviations[index]
            guard deviation > 0 else { return [Double](repeating: 0, count: column.count) }
            var scaled = [Double](repeating: 0, count: column.count)
            for (row, x) in column.enumerated() {
                if row & Self.pollMask == Self.pollMask { try poll() }
                scaled[row] = (x - mean) / deviation
            }
            return scaled
        }
    }

    /// Rows between two polls.
    /// TUNING: 65,536 rows of one input take well under a millisecond, a
    /// few in a debug build.
    static let pollMask = (1 << 16) - 1

    /// One standardised value of input `index` back in its original units.
    func original(_ value: Double, input index: Int) -> Double {
        value * deviations[index] + means[index]
    }

    /// A Neumaier-compensated sum.
    static func sum(_ values: [Double]) -> Double {
        var sum = 0.0, compensation = 0.0
        for x in values {
            let t = sum + x
            compensation += abs(sum) >= abs(x) ? (sum - t) + x : (x - t) + sum
            sum = t
        }
        return sum + compensation
    }
}
