import CCRMQL
import CRMQL
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a `crmql_db *` points to: the database (nil when opening failed,
/// so the handle only reports why) and the last failure, which C reads
/// back through `crmql_errcode` and `crmql_errmsg`.
final class DatabaseHandle {
    let database: Database?
    /// Guards `failure`: C programs may share a database between threads.
    /// A POSIX mutex rather than `Mutex`, because the message is a raw
    /// pointer that must stay valid after the lock is released, which a
    /// `Mutex`'s value may not be.
    private let lock: UnsafeMutablePointer<pthread_mutex_t>
    private var failure = FailureRecord()

    init(database: Database?) {
        self.database = database
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_mutex_t())
        pthread_mutex_init(lock, nil)
    }

    deinit {
        failure.message.map { free($0) }
        pthread_mutex_destroy(lock)
        lock.deinitialize(count: 1)
        lock.deallocate()
    }

    /// The last failure. The message is a C string this handle owns, valid
    /// until the next failure or success is recorded.
    private struct FailureRecord {
        var code: Int32 = CRMQL_OK
        var message: UnsafeMutablePointer<CChar>?
        var offset: Int32 = -1
        /// The phase that failed, as `crmql_error_phase` names it.
        var phase: StaticString = "none"
    }

    private func locked<T>(_ body: (inout FailureRecord) -> T) -> T {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return body(&failure)
    }

    /// Records the outcome of a call: a failure with its message, or success.
    func record(_ code: Int32, _ message: String? = nil, offset: Int = -1, phase: StaticString? = nil) {
        let copy = message.flatMap { CString.make($0) }
        let previous = locked { record -> UnsafeMutablePointer<CChar>? in
            let previous = record.message
            record = FailureRecord(code: code, message: copy, offset: Int32(clamping: offset),
                                   phase: phase ?? CStatus.phaseName(of: code))
            return previous
        }
        previous.map { free($0) }
    }

    /// Records a CRMQL error and returns its result code.
    @discardableResult
    func record(_ error: CRMQLError) -> Int32 {
        let code = CStatus.code(of: error.phase)
        record(code, error.description, offset: error.problems.first?.range?.start ?? -1, phase: CStatus.phaseName(of: error.phase))
        return code
    }

    /// Records success and returns `CRMQL_OK`.
    @discardableResult
    func succeeded() -> Int32 {
        record(CRMQL_OK)
        return CRMQL_OK
    }

    var code: Int32 { locked { $0.code } }
    var offset: Int32 { locked { $0.offset } }
    var phase: StaticString { locked { $0.phase } }

    /// The message as C reads it: the recorded one, or the code's description.
    var message: UnsafePointer<CChar>? {
        let (code, message) = locked { ($0.code, $0.message.map { UnsafePointer($0) }) }
        return message ?? crmql_errstr(code)
    }

    /// The handle behind a `crmql_db *`; nil for NULL.
    static func from(_ pointer: OpaquePointer?) -> DatabaseHandle? {
        guard let pointer else { return nil }
        return Unmanaged<DatabaseHandle>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue()
    }
}

/// Result codes for the public error phases.
enum CStatus {
    static func code(of phase: Phase) -> Int32 {
        switch phase {
        case .syntax: return CRMQL_SYNTAX
        case .semantic, .runtime: return CRMQL_ERROR
        case .io: return CRMQL_IO
        case .limit: return CRMQL_LIMIT
        case .interrupted: return CRMQL_INTERRUPT
        }
    }

    /// The name `crmql_error_phase` gives a failed phase.
    static func phaseName(of phase: Phase) -> StaticString {
        switch phase {
        case .syntax: return "syntax"
        case .semantic: return "semantic"
        case .runtime: return "runtime"
        case .io: return "io"
        case .limit: return "limit"
        case .interrupted: return "interrupted"
        }
    }

    /// The phase name of a failure that is not the engine's (a misuse of the interface).
    static func phaseName(of code: Int32) -> StaticString {
        switch code {
        case CRMQL_OK: return "none"
        case CRMQL_SYNTAX: return "syntax"
        case CRMQL_IO: return "io"
        case CRMQL_LIMIT: return "limit"
        case CRMQL_INTERRUPT: return "interrupted"
        case CRMQL_ABORT: return "abort"
        case CRMQL_MISUSE: return "misuse"
        case CRMQL_RANGE: return "range"
        case CRMQL_NOMEM: return "nomem"
        default: return "runtime"
        }
    }
}

/// C strings the library hands out, allocated with `malloc` so that
/// `crmql_free` (which is `free`) releases the ones the caller owns.
enum CString {
    /// A NUL-terminated copy of `text`; nil only when memory runs out.
    static func make(_ text: String) -> UnsafeMutablePointer<CChar>? {
        let bytes = Array(text.utf8)
        guard let raw = malloc(bytes.count + 1) else { return nil }
        let buffer = raw.bindMemory(to: CChar.self, capacity: bytes.count + 1)
        for (index, byte) in bytes.enumerated() { buffer[index] = CChar(bitPattern: byte) }
        buffer[bytes.count] = 0
        return buffer
    }

    /// The text a C caller passed, as UTF-8 (invalid bytes replaced).
    static func read(_ pointer: UnsafePointer<CChar>) -> String {
        String(decoding: UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)), as: UTF8.self)
    }

    /// `count` bytes a C caller passed, as UTF-8.
    static func read(_ pointer: UnsafePointer<CChar>, count: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(start: pointer, count: count), as: UTF8.self)
    }
}
