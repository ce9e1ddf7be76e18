#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CRMQLCore

/// A failed file call: the call, the file and the system's error number.
public struct FileSystemError: Error, Sendable, CustomStringConvertible {
    /// The call that failed (`write`, `fsync`, `rename`, …).
    public var operation: String
    /// The file it was called on.
    public var path: String
    /// The system's error number (`ENOSPC`, `EIO`, …).
    public var code: Int32

    /// A failure of `operation` on `path` with error number `code`.
    public init(_ operation: String, _ path: String, code: Int32) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    /// `cannot fsync 'shop.crmdb-log': Input/output error`.
    public var description: String {
        "cannot \(operation) '\(path)': \(String(cString: strerror(code)))"
    }
}

/// The file calls a database file makes, as a seam: `POSIXFileSystem` in
/// production; tests put a file system in its place that fails on purpose
/// (no space, I/O errors, failed `fsync`, short writes, a crash between a
/// write and its rename) and check that a database never reports a
/// statement durable that is not.
///
/// Every call either does what it says or throws `FileSystemError`; a
/// `write` may write fewer bytes than asked (it returns how many), as the
/// system call may.
public protocol FileSystem: Sendable {
    /// Opens (with `create`, creates with mode 0600) a file; returns a descriptor.
    func open(_ path: String, write: Bool, create: Bool) throws(FileSystemError) -> Int32
    /// Closes a descriptor; never fails in a way a caller could act on.
    func close(_ descriptor: Int32)
    /// Reads up to `count` bytes at `offset`; an empty result is the end of the file.
    func read(_ descriptor: Int32, count: Int, at offset: UInt64, path: String) throws(FileSystemError) -> [UInt8]
    /// Writes bytes at `offset`; returns how many were written (at least one).
    func write(_ descriptor: Int32, _ bytes: ArraySlice<UInt8>, at offset: UInt64, path: String) throws(FileSystemError) -> Int
    /// Makes everything written to the descriptor durable.
    func sync(_ descriptor: Int32, path: String) throws(FileSystemError)
    /// Cuts or extends the file to `length` bytes.
    func truncate(_ descriptor: Int32, to length: UInt64, path: String) throws(FileSystemError)
    /// The file's size in bytes.
    func size(_ descriptor: Int32, path: String) throws(FileSystemError) -> UInt64
    /// Replaces `target` with `source` in one step.
    func rename(_ source: String, to target: String) throws(FileSystemError)
    /// Removes a file; a missing file is not an error.
    func remove(_ path: String)
    /// Makes the folder's entries (a rename, a new file) durable.
    func syncDirectory(of path: String) throws(FileSystemError)
    /// Whether a file exists.
    func exists(_ path: String) -> Bool
    /// Takes the exclusive lock of a descriptor without waiting; false when
    /// another open file holds it (in this process or another).
    func tryLock(_ descriptor: Int32, path: String) throws(FileSystemError) -> Bool
}

extension FileSystem {
    /// Writes every byte, going on after short writes.
    public func writeAll(_ descriptor: Int32, _ bytes: [UInt8], at offset: UInt64, path: String) throws(FileSystemError) {
        var done = 0
        while done < bytes.count {
            let wrote = try write(descriptor, bytes[done...], at: offset + UInt64(done), path: path)
            guard wrote > 0 else { throw FileSystemError("write", path, code: EIO) }
            done += wrote
        }
    }

    /// The whole file, read from its start.
    public func readAll(_ path: String) throws(FileSystemError) -> [UInt8] {
        let descriptor = try open(path, write: false, create: false)
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        let expected = try size(descriptor, path: path)
        bytes.reserveCapacity(Int(clamping: expected))
        while true {
            let chunk = try read(descriptor, count: 1 << 20, at: UInt64(bytes.count), path: path)
            if chunk.isEmpty { return bytes }
            bytes.append(contentsOf: chunk)
        }
    }

    /// Replaces `path` with `bytes` the way `save` does: a temporary file in
    /// the same folder, written, `fsync`ed, renamed over `path`, then the
    /// folder `fsync`ed. A crash leaves the old file or the new one.
    public func replaceAtomically(_ path: String, with bytes: [UInt8]) throws(FileSystemError) {
        let temporary = path + ".tmp"
        remove(temporary)
        let descriptor = try open(temporary, write: true, create: true)
        do throws(FileSystemError) {
            try writeAll(descriptor, bytes, at: 0, path: temporary)
            try sync(descriptor, path: temporary)
        } catch {
            close(descriptor)
            remove(temporary)
            throw error
        }
        close(descriptor)
        do throws(FileSystemError) {
            try rename(temporary, to: path)
        } catch {
            remove(temporary)
            throw error
        }
        try syncDirectory(of: path)
    }
}

/// The file calls of the operating system.
public struct POSIXFileSystem: FileSystem {
    /// The operating system's file calls.
    public init() {}

    public func open(_ path: String, write: Bool, create: Bool) throws(FileSystemError) -> Int32 {
        var flags = (write ? O_RDWR : O_RDONLY) | O_CLOEXEC
        if create { flags |= O_CREAT }
        while true {
            // 0600: the data is personal; only its owner may read it.
            let descriptor = systemOpen(path, flags, 0o600)
            if descriptor >= 0 { return descriptor }
            if errno != EINTR { throw FileSystemError("open", path, code: errno) }
        }
    }

    public func close(_ descriptor: Int32) { systemClose(descriptor) }

    public func read(_ descriptor: Int32, count: Int, at offset: UInt64, path: String) throws(FileSystemError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        while true {
            let got = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, off_t(offset)) }
            if got >= 0 { return Array(buffer[0..<got]) }
            if errno != EINTR { throw FileSystemError("read", path, code: errno) }
        }
    }

    public func write(_ descriptor: Int32, _ bytes: ArraySlice<UInt8>, at offset: UInt64, path: String) throws(FileSystemError) -> Int {
        while true {
            let wrote = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, off_t(offset)) }
            if wrote >= 0 { return wrote }
            if errno != EINTR { throw FileSystemError("write", path, code: errno) }
        }
    }

    public func sync(_ descriptor: Int32, path: String) throws(FileSystemError) {
        // Not retried on EINTR or anything else: after a failed fsync the
        // kernel may have dropped the dirty pages, and a second fsync that
        // succeeds would say nothing about them.
        if fsync(descriptor) != 0 { throw FileSystemError("fsync", path, code: errno) }
    }

    public func truncate(_ descriptor: Int32, to length: UInt64, path: String) throws(FileSystemError) {
        while ftruncate(descriptor, off_t(length)) != 0 {
            if errno != EINTR { throw FileSystemError("truncate", path, code: errno) }
        }
    }

    public func size(_ descriptor: Int32, path: String) throws(FileSystemError) -> UInt64 {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw FileSystemError("stat", path, code: errno) }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw FileSystemError("read", path, code: EISDIR) }
        return UInt64(max(0, info.st_size))
    }

    public func rename(_ source: String, to target: String) throws(FileSystemError) {
        if systemRename(source, target) != 0 { throw FileSystemError("rename", target, code: errno) }
    }

    public func remove(_ path: String) { _ = unlink(path) }

    public func syncDirectory(of path: String) throws(FileSystemError) {
        let folder = FileIO.directory(of: path)
        let descriptor = systemOpen(folder, O_RDONLY | O_CLOEXEC, 0)
        guard descriptor >= 0 else { throw FileSystemError("open", folder, code: errno) }
        defer { systemClose(descriptor) }
        if fsync(descriptor) != 0 { throw FileSystemError("fsync", folder, code: errno) }
    }

    public func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    public func tryLock(_ descriptor: Int32, path: String) throws(FileSystemError) -> Bool {
        // flock, not fcntl: its lock belongs to the open file, so a second
        // open of the same database in this very process is refused too.
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            if errno == EWOULDBLOCK { return false }
            if errno != EINTR { throw FileSystemError("lock", path, code: errno) }
        }
        return true
    }
}

// Inside `POSIXFileSystem`, `open`, `close` and `rename` name its own
// methods; these reach the system calls.
private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }
private func systemClose(_ descriptor: Int32) { _ = close(descriptor) }
private func systemRename(_ source: String, _ target: String) -> Int32 { rename(source, target) }
