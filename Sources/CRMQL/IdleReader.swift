import CRMQLCore
import CRMQLEngine

/// A reader interpreter between two reads.
///
/// A read runs on its own `Interpreter(reading:)` over a snapshot of the
/// session. Taking the snapshot and making and freeing the interpreter took
/// about a tenth of a point lookup by key (0.4 of 4 µs), so the reader of
/// the last read is kept and taken again by the next one, as long as the
/// session's generation has not moved.
///
/// `@unchecked Sendable` because the compiler cannot follow the hand-over:
/// a reader is either in the slot, behind its lock, or taken out by exactly
/// one read, which puts it back when it is done. No two threads ever hold
/// it at once, and a read running in parallel finds the slot empty and
/// makes its own.
final class IdleReader: @unchecked Sendable {
    let interpreter: Interpreter

    init(_ interpreter: Interpreter) {
        self.interpreter = interpreter
    }
}

/// What a read starts from: the kept reader, or a snapshot to make one of.
enum ReaderStart: Sendable {
    case kept(IdleReader)
    case snapshot(SessionSnapshot)
}

/// Holds at most one idle reader, with the session generation it reads.
final class IdleReaderSlot: Sendable {
    private struct Kept {
        var reader: IdleReader?
        var generation = 0
        /// Readers of an older generation are not kept: a write has gone by.
        var oldestAccepted = Int.min
    }

    private let slot = Locked(Kept())

    /// The idle reader, taken out of the slot, when it reads `generation`.
    func take(generation: Int) -> IdleReader? {
        slot.withLock { kept in
            guard let reader = kept.reader, kept.generation == generation else { return nil }
            kept.reader = nil
            return reader
        }
    }

    /// Keeps `reader` for the next read, unless a write has gone by since
    /// its snapshot or a newer reader is kept.
    func put(_ reader: IdleReader, generation: Int) {
        slot.withLock { kept in
            guard generation >= kept.oldestAccepted, kept.reader == nil || kept.generation <= generation else { return }
            kept.reader = reader
            kept.generation = generation
        }
    }

    /// Whether a reader is kept (for tests).
    var isHoldingReader: Bool { slot.withLock { $0.reader != nil } }

    /// Drops the kept reader before a write. A reader holds the session's
    /// columns as they were; were it kept, the first change to a column
    /// would copy all of it instead of changing it in place.
    func drop() {
        slot.withLock { $0.reader = nil }
    }

    /// After a write that left the session at `generation`: readers of
    /// older snapshots, still running, are not kept when they finish.
    func refuse(olderThan generation: Int) {
        slot.withLock { kept in
            kept.oldestAccepted = max(kept.oldestAccepted, generation)
            if kept.reader != nil && kept.generation < generation { kept.reader = nil }
        }
    }
}
