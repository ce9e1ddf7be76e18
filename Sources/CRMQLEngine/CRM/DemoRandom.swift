/// The demo data's own random numbers: SplitMix64 (Steele, Lea & Flood,
/// "Fast splittable pseudorandom number generators", 2014).
///
/// The demo must come out identical on every machine and every Swift
/// release, so neither the system generator nor the standard library's
/// `random(in:using:)` (whose algorithm may change) is used: every draw below
/// is spelled out here.
struct DemoRandom {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    /// Uniform in [0, 1), from the top 53 bits.
    mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Uniform in 0..<bound (0 when bound <= 0). Lemire's multiply-high
    /// mapping; its bias (< bound / 2^64) is irrelevant for demo data.
    mutating func below(_ bound: Int) -> Int {
        guard bound > 0 else { return 0 }
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// Uniform in lower...upper (lower when the range is empty).
    mutating func between(_ lower: Int64, _ upper: Int64) -> Int64 {
        guard upper > lower else { return lower }
        return lower + Int64(below(Int(upper - lower) + 1))
    }

    /// True with probability `probability`.
    mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }

    /// Approximately standard normal: the Irwin–Hall sum of four uniforms,
    /// rescaled to variance 1. Its tails stop at ±3.5, which suits scores
    /// that are clamped anyway, and it needs no logarithms.
    mutating func normal() -> Double {
        let sum = unit() + unit() + unit() + unit()
        return (sum - 2) * 1.732_050_807_568_877
    }

    /// An index drawn with the given cumulative weights (ascending, last = total).
    mutating func pick(_ cumulative: [Double]) -> Int {
        guard let total = cumulative.last else { return 0 }
        let target = unit() * total
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] > target { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// The running sums of `weights`, for `pick`.
    static func cumulative(_ weights: [Double]) -> [Double] {
        var total = 0.0
        return weights.map { weight in
            total += max(weight, 0)
            return total
        }
    }
}
