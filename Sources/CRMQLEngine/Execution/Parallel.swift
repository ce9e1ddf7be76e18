#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CRMQLCore
import CRMQLStorage
import Dispatch
import Synchronization

/// How many threads one statement's big column loops may use, and from
/// what size a loop is worth splitting.
///
/// A loop over enough rows is cut into morsels of `morselRows` rows; the
/// threads take the next morsel until none is left. The morsels' size
/// never depends on the thread count, and whatever is not exact (a float
/// sum) is computed per morsel and combined in morsel order, so 1 and 8
/// threads give the same digits. Whether a loop is split depends on its
/// rows alone, so the digits do not depend on the setting either: one
/// thread runs the same morsels one after the other.
struct Parallelism: Sendable, Equatable {
    /// `set threads = N`: the most threads one loop uses (1: the calling
    /// thread alone).
    var threads: Int
    /// TUNING: under 64K rows a loop runs on the calling thread without
    /// morsels: waking a second thread costs tens of microseconds, about
    /// what a column test over that many rows takes, and the microsecond
    /// queries must not pay for it.
    var minimumRows = 65_536
    /// TUNING: 16K rows: a morsel's column slices (64–128 KB) stay in a
    /// core's second-level cache, and a million rows give 62 morsels, so a
    /// thread slowed by another process leaves little work unbalanced.
    var morselRows = 16_384

    /// One thread: every loop as it ran before threads.
    static let serial = Parallelism(threads: 1)

    /// A session's setting: one thread per processor, and loops split from
    /// `CRMQL_MORSEL_ROWS` rows in morsels of as many (a multiple of 64),
    /// read when a session starts, for the tests that run small data
    /// through the morsel kernels (the ThreadSanitizer stress).
    static var sessionDefault: Parallelism {
        var parallelism = Parallelism(threads: machineThreads)
        if let raw = ProcessEnvironment.value("CRMQL_MORSEL_ROWS"), let rows = Int(raw), rows > 0 {
            let morsel = min((rows + 63) / 64 * 64, 1 << 24)
            parallelism.minimumRows = morsel
            parallelism.morselRows = morsel
        }
        return parallelism
    }
    /// The processors this process may run on.
    static let machineThreads: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    /// `set threads` refuses more: beyond this a setting is a typo.
    static let maximumThreads = 256

    /// Whether a loop over `rows` rows is cut into morsels (whatever the
    /// thread count: see the type's comment).
    @inline(__always)
    func splits(_ rows: Int) -> Bool { rows >= minimumRows }

    /// The threads a loop over `rows` rows runs on.
    func degree(rows: Int) -> Int {
        guard threads > 1, splits(rows) else { return 1 }
        return min(threads, morsels(rows))
    }

    /// `degree(rows:)` as `explain` shows it: nil for one thread.
    func shown(rows: Int) -> Int? {
        let degree = degree(rows: rows)
        return degree > 1 ? degree : nil
    }

    /// The filter strategies whose test over every row runs in morsels
    /// (`RowSelection.bits(count:_:where:)`).
    static func splitsFilter(_ strategy: OperatorName) -> Bool {
        strategy == .columnCompare || strategy == .hundredthsCompare || strategy == .dayRangeScan
    }

    /// Number of morsels of `rows` rows.
    func morsels(_ rows: Int) -> Int { (rows &+ morselRows &- 1) / morselRows }

    /// The rows of morsel `index` of a loop over `rows` rows.
    func morsel(_ index: Int, of rows: Int) -> Range<Int> {
        let start = index &* morselRows
        return start..<min(start &+ morselRows, rows)
    }
}

/// What the threads of one parallel loop share: the next morsel to take,
/// whether to stop, and how many threads are done. Its atomics also order
/// the caller's writes before the workers' reads and the workers' writes
/// before the caller's reads, in a way ThreadSanitizer sees (the thread
/// pool's own synchronisation is not instrumented).
private final class MorselQueue: Sendable {
    let next = Atomic<Int>(0)
    let stopped = Atomic<Bool>(false)
    let finished = Atomic<Int>(0)
}

/// Collects the first failure of a parallel loop by morsel, so that the
/// error reported is the one a serial run would meet first.
private final class FirstFailure: Sendable {
    private let failure = Locked<(morsel: Int, error: any Error)?>(nil)

    func note(_ error: any Error, morsel: Int) {
        failure.withLock { current in
            if current == nil || morsel < current!.morsel { current = (morsel, error) }
        }
    }

    func take() -> (any Error)? { failure.withLock { $0?.error } }
}

/// Morsel-driven loops on the process's thread pool.
enum Parallel {
    /// Runs `body` for each morsel in `0..<count` on up to `threads`
    /// threads (the caller's among them), each taking the next morsel not
    /// yet taken; returns when every morsel ran. `body` writes only what
    /// belongs to its morsel. Between morsels each thread asks `stop` (the
    /// statement's interrupt and deadline, readable from any thread) and
    /// takes no more when told; the caller then polls its limits, which
    /// fail the statement. A morsel that throws stops the others, and the
    /// error of the earliest failed morsel is rethrown.
    static func forEach(morsels count: Int, threads: Int, stop: BuildStop?,
                        _ body: (Int) throws -> Void) throws {
        guard count > 0 else { return }
        let threads = max(1, min(threads, count))
        if threads == 1 {
            for morsel in 0..<count {
                if morsel > 0, stop?.shouldStop() == true { return }
                try body(morsel)
            }
            return
        }
        let queue = MorselQueue()
        let failure = FirstFailure()
        queue.next.store(0, ordering: .releasing)
        withoutActuallyEscaping(body) { body in
            let work = UncheckedWork(body: body)
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                while !queue.stopped.load(ordering: .relaxed) {
                    let morsel = queue.next.wrappingAdd(1, ordering: .acquiringAndReleasing).oldValue
                    if morsel >= count { break }
                    if stop?.shouldStop() == true {
                        queue.stopped.store(true, ordering: .relaxed)
                        break
                    }
                    do {
                        try work.body(morsel)
                    } catch {
                        failure.note(error, morsel: morsel)
                        queue.stopped.store(true, ordering: .relaxed)
                    }
                }
                queue.finished.add(1, ordering: .releasing)
            }
            _ = queue.finished.load(ordering: .acquiring)
        }
        if let error = failure.take() { throw error }
    }

    /// `forEach` for a loop over `rows` rows cut by `parallelism`'s
    /// morsels, `body` given each morsel's rows; rows too few to split are
    /// one call over them all.
    static func forEach(rows: Int, _ parallelism: Parallelism, stop: BuildStop?,
                        _ body: (Range<Int>) throws -> Void) throws {
        guard parallelism.splits(rows) else {
            if rows > 0 { try body(0..<rows) }
            return
        }
        try forEach(morsels: parallelism.morsels(rows), threads: parallelism.degree(rows: rows), stop: stop) { index in
            try body(parallelism.morsel(index, of: rows))
        }
    }

    /// `forEach` for loops that cannot fail and need no stop (a few passes
    /// over a column, well under the time a poll would save).
    static func forEach(rows: Int, _ parallelism: Parallelism, _ body: (Range<Int>) -> Void) {
        try? forEach(rows: rows, parallelism, stop: nil) { body($0) }
    }
}

/// A loop body handed to the pool's threads. Unchecked because the
/// compiler cannot see what makes sharing it safe: every morsel writes only
/// its own slice of the output, reads only data no one writes during the
/// loop, and `concurrentPerform` returns only when every thread is done.
private struct UncheckedWork: @unchecked Sendable {
    let body: (Int) throws -> Void
}
