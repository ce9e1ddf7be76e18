#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Lets the statement that happens to build an index stop the build.
///
/// Indexes are built on first use, wherever that use is: the planner
/// probing a sorted index, the evaluator resolving a ref, a load making its
/// entity ready to query. Most of those places cannot throw, and a build
/// over tens of millions of rows takes longer than the 100 ms a host may
/// wait after an interrupt or a time limit. So the running statement binds
/// a `BuildStop` for its duration, and every build asks it every
/// `IndexBuild.pollRows` rows; a build told to stop gives up, returns nil
/// and is not cached. A nil index is what any caller already handles (it
/// takes the path without the index), and the statement's own next poll of
/// its limits fails it: the conditions a `BuildStop` reports are the same
/// ones that poll checks, and they stay true.
public final class BuildStop: Sendable {
    private let check: @Sendable () -> Bool

    /// A stop that asks `check` whether the statement must end.
    public init(_ check: @escaping @Sendable () -> Bool) {
        self.check = check
    }

    /// True once the statement that bound this stop must end.
    public func shouldStop() -> Bool { check() }
}

/// The `BuildStop` of the statement running on this thread, if any.
///
/// A thread-local slot rather than a task-local: binding a task-local
/// allocates, and every statement binds its stop, so the microsecond
/// queries paid for it on each run. A statement runs synchronously on one
/// thread, which is all the slot needs; a worker thread that builds an
/// index for a statement binds that statement's stop itself.
public enum IndexBuild {
    private static let slot: pthread_key_t = {
        var key = pthread_key_t()
        // Without a key the slot reads nil: builds then never stop early,
        // which is what running outside a statement means.
        _ = pthread_key_create(&key, nil)
        return key
    }()

    /// The stop bound on this thread (`withStop`), or nil outside statements.
    public static var current: BuildStop? {
        guard let raw = pthread_getspecific(slot) else { return nil }
        return Unmanaged<BuildStop>.fromOpaque(raw).takeUnretainedValue()
    }

    /// Runs `body` with `stop` as this thread's stop, then restores the
    /// one bound before (statements nest: a measure's body, a named query).
    /// Not generic, so a call from another module costs no metadata look-up.
    public static func withStop(_ stop: BuildStop?, _ body: () throws -> Void) rethrows {
        let previous = pthread_getspecific(slot)
        _ = pthread_setspecific(slot, stop.map { UnsafeRawPointer(Unmanaged.passUnretained($0).toOpaque()) })
        defer { _ = pthread_setspecific(slot, previous) }
        // The slot holds the stop unretained: `stop` must outlive `body`.
        try withExtendedLifetime(stop) { try body() }
    }

    /// How many rows a build handles between two questions to its stop.
    /// TUNING: 65,536 rows of an index loop take well under a millisecond;
    /// the question costs a thread-local read and a clock read.
    static let pollRows = 1 << 16

    /// True when the running statement must end; false outside statements.
    static func shouldStop() -> Bool {
        current?.shouldStop() ?? false
    }

    /// True when `row` starts a new stretch of `pollRows` rows and the
    /// running statement must end.
    @inline(__always)
    static func shouldStop(at row: Int) -> Bool {
        row & (pollRows - 1) == 0 && shouldStop()
    }
}
