import Synchronization

/// How far the running statement has got, for a progress bar with a time
/// estimate. Written by the thread doing the work, read by any other.
/// Holds nothing while no countable work runs.
public final class ProgressMeter: Sendable {
    /// Millionths done, or -1 when the work is not countable.
    private let millionths = Atomic<Int>(-1)

    public init() {}

    /// The share done, from 0 to 1, or nil when nothing countable runs.
    public var fraction: Double? {
        let value = millionths.load(ordering: .relaxed)
        return value < 0 ? nil : Double(value) / 1_000_000
    }

    /// Reports `done` of `total` within the phase spanning `phase` of the whole.
    public func report(_ done: Int, of total: Int, phase: ClosedRange<Double> = 0...1) {
        guard total > 0 else { return }
        let inPhase = min(1, max(0, Double(done) / Double(total)))
        let overall = phase.lowerBound + (phase.upperBound - phase.lowerBound) * inPhase
        millionths.store(Int(overall * 1_000_000), ordering: .relaxed)
    }

    /// Forgets the progress: nothing countable runs.
    public func clear() { millionths.store(-1, ordering: .relaxed) }
}
