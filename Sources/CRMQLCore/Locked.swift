#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A value that only one thread at a time may touch, guarded by a POSIX mutex.
///
/// It has the shape of `Synchronization.Mutex`, and the same checks: the
/// value goes in and out of `withLock` as `sending`, so the compiler refuses
/// code that would let it escape the lock. It exists because on Linux
/// `Mutex` locks with raw futex calls that ThreadSanitizer cannot see, so
/// every access a `Mutex` guards is reported as a race and a TSan run of the
/// concurrency tests would drown real races in false ones; `pthread_mutex_*`
/// calls are intercepted, so TSan knows what this lock orders.
///
/// `@unchecked Sendable` because the compiler cannot see that the mutex
/// guards `value`: every access to it is inside `withLock`.
public final class Locked<Value: ~Copyable>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    // Unchecked: the mutex already makes every access exclusive, and the
    // runtime's check cost more than the lock on the shortest queries.
    @exclusivity(unchecked) private var value: Value

    /// Guards `initialValue` from now on.
    public init(_ initialValue: consuming sending Value) {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        value = initialValue
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with the value while holding the lock.
    public func withLock<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
