#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CRMQLCore

/// Whole-file reads and crash-safe writes over POSIX calls, with messages
/// that name the file and the system's reason.
public enum FileIO {
    /// The bytes of a regular file.
    ///
    /// Anything else is refused before a byte is read: a folder, a device
    /// (`/dev/urandom` never ends, `/dev/zero` neither), a FIFO (whose
    /// reader would wait for a writer; it is opened without blocking to be
    /// looked at), a socket.
    /// - Parameters:
    ///   - admitSize: given the file's size before reading; what it throws
    ///     (a memory limit) refuses the file.
    ///   - poll: called between chunks of a megabyte; what it throws (an
    ///     interrupt, a time limit) stops the read.
    /// - Throws: a `Diagnostic` (phase `.io`): `cannot read 'x.csv': No such file or directory`.
    public static func read(_ path: String, admitSize: (Int) throws -> Void = { _ in },
                            poll: () throws -> Void = {}) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw failure("cannot read", path) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw failure("cannot read", path) }
        if let kind = irregularKind(info.st_mode) {
            throw Diagnostic(.io, "cannot read '\(path)': it is \(kind), not a regular file", at: nil)
        }
        try admitSize(max(0, Int(info.st_size)))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(max(0, Int(info.st_size)))
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            try poll()
            let got = chunk.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
            if got < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw failure("cannot read", path)
            }
            if got == 0 { break }
            bytes.append(contentsOf: chunk[0..<got])
        }
        return bytes
    }

    /// What a file that is not a regular file is, as a message says it; nil
    /// for a regular file.
    static func irregularKind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a folder"
        case S_IFCHR, S_IFBLK: return "a device"
        case S_IFIFO: return "a pipe (FIFO)"
        case S_IFSOCK: return "a socket"
        default: return "a special file"
        }
    }

    /// Replaces `path` with `bytes` so that a crash leaves either the old
    /// file or the new one, never a mix: the bytes go to a temporary file in
    /// the same folder, which is flushed to disk and then renamed over `path`.
    /// - Parameter poll: called between chunks of 8 MB; what it throws
    ///   stops the write and leaves the old file as it was.
    public static func writeAtomically(_ bytes: [UInt8], to path: String, poll: () throws -> Void = {}) throws {
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure("cannot write", path) }
        var closed = false
        defer { if !closed { close(descriptor); unlink(temporary) } }
        var written = 0
        while written < bytes.count {
            try poll()
            let result = bytes.withUnsafeBytes { buffer in
                systemWrite(descriptor, UnsafeRawBufferPointer(rebasing: buffer[written..<min(written + (8 << 20), buffer.count)]))
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw failure("cannot write", path)
            }
            written += result
        }
        guard fsync(descriptor) == 0 else { throw failure("cannot write", path) }
        closed = true
        guard close(descriptor) == 0 else { unlink(temporary); throw failure("cannot write", path) }
        guard rename(temporary, path) == 0 else {
            let error = failure("cannot write", path)
            unlink(temporary)
            throw error
        }
        // Make the rename itself durable.
        let folder = directory(of: path)
        let folderDescriptor = open(folder, O_RDONLY | O_CLOEXEC)
        if folderDescriptor >= 0 {
            _ = fsync(folderDescriptor)
            close(folderDescriptor)
        }
    }

    /// The folder part of a path (`.` for a bare name).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func failure(_ action: String, _ path: String) -> Diagnostic {
        let reason = String(cString: strerror(errno))
        return Diagnostic(.io, "\(action) '\(path)': \(reason)", at: nil)
    }
}

// Inside `FileIO`, `read` names `FileIO.read`; these reach the POSIX calls.
@inline(__always)
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

@inline(__always)
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer) -> Int {
    write(descriptor, buffer.baseAddress, buffer.count)
}
