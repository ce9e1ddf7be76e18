import CRMQLCore
import CRMQLEngine

/// A reader interpreter between two reads.
///
/// A read runs on its own `Interpreter(reading:)` over a snapshot of the
/// session. Taking the snapshot and making the interpreter are most of what
/// a short query costs (a point lookup by key takes about 4 µs, and this
/// about a tenth of it), so the reader of the last read is kept and taken
/// again by the next one, as long as the session's generation has not moved.
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

/// Holds at most one idle reader, with the session generation it reads.
final class IdleReaderSlot: Sendable {
    private let slot = Locked<(reader: IdleReader, generation: Int)?>(nil)

    /// The idle reader, taken out of the slot, when it reads `generation`.
    func take(generation: Int) -> IdleReader? {
        slot.withLock { slot in
            guard let kept = slot, kept.generation == generation else { return nil }
            slot = nil
            return kept.reader
        }
    }

    /// Keeps `reader` for the next read; a reader of an older generation
    /// than the one kept is dropped.
    func put(_ reader: IdleReader, generation: Int) {
        slot.withLock { slot in
            if let kept = slot, kept.generation - generation > 0 { return }
            slot = (reader, generation)
        }
    }
}
