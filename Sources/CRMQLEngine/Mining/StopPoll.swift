/// Paces the polls of a long numeric loop (a model fit, a mining pass):
/// the cores in `Mining/`, `Models/` and `CRM/` know nothing of statements,
/// so their caller hands them `stop`, which answers whether the running
/// statement was interrupted or ran out of time, and this asks it once per
/// `stride` units of work.
///
/// A unit is the loop's innermost step (a coordinate of a distance, a row
/// of a pass, a history's likelihood): nanoseconds in a release build,
/// up to a few hundred in a debug build, so a stride takes well under a
/// millisecond to a few milliseconds, and `stop` (an atomic read and a
/// clock read, tens of nanoseconds) stays out of sight.
struct StopPoll {
    /// TUNING: 16,384 units between two polls, as `AssociationRules.StopCheck`.
    static let stride = 1 << 14

    private let stop: () -> Bool
    private let unitsPerStep: Int
    private var work = 0

    /// A poll for a loop whose every `step()` costs `unitsPerStep` units;
    /// the first step polls.
    init(unitsPerStep: Int = 1, _ stop: @escaping () -> Bool) {
        self.stop = stop
        self.unitsPerStep = max(unitsPerStep, 1)
        work = Self.stride
    }

    /// One step of the loop; true when the loop must end.
    @inline(__always)
    mutating func step() -> Bool {
        add(unitsPerStep)
    }

    /// `units` more units of work; true when the loop must end.
    @inline(__always)
    mutating func add(_ units: Int) -> Bool {
        work &+= units
        guard work >= Self.stride else { return false }
        work = 0
        return stop()
    }

    /// Asks at once, whatever the work since the last poll.
    func now() -> Bool { stop() }
}
