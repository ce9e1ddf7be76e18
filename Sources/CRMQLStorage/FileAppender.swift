#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CRMQLCore

/// A file written a piece at a time, for output too large to hold whole
/// (`FileIO.writeAtomically` takes all the bytes at once). The pieces go to
/// a temporary file beside `path`, which `finish()` renames over `path`: a
/// reader never sees a half-written file, and an appender dropped before
/// `finish()` removes its temporary file.
public final class FileAppender {
    private let path: String
    private let temporary: String
    private var descriptor: Int32
    /// The bytes appended so far.
    public private(set) var byteCount = 0

    /// Creates the temporary file.
    /// - Throws: a `Diagnostic` (phase `.io`) naming `path` and the system's reason.
    public init(path: String) throws {
        self.path = path
        temporary = path + ".tmp-\(getpid())"
        descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Self.failure("cannot write", path) }
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
            unlink(temporary)
        }
    }

    /// Appends `bytes`.
    public func append(_ bytes: [UInt8]) throws {
        guard descriptor >= 0 else { throw Diagnostic(.io, "cannot write '\(path)': already finished", at: nil) }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                appenderWrite(descriptor, UnsafeRawBufferPointer(rebasing: buffer[written...]))
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw Self.failure("cannot write", path)
            }
            written += result
        }
        byteCount += bytes.count
    }

    /// Closes the temporary file and renames it over `path`.
    public func finish() throws {
        guard descriptor >= 0 else { return }
        let closing = descriptor
        descriptor = -1
        guard close(closing) == 0 else {
            let error = Self.failure("cannot write", path)
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let error = Self.failure("cannot write", path)
            unlink(temporary)
            throw error
        }
    }

    /// Creates `directory` and any missing folder above it, as `mkdir -p` does.
    /// - Throws: a `Diagnostic` (phase `.io`) when a part cannot be made or is a file.
    public static func makeDirectory(_ directory: String) throws {
        var prefix = directory.hasPrefix("/") ? "/" : ""
        for part in directory.split(separator: "/") {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + part
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw failure("cannot create folder", prefix)
            }
            var info = stat()
            guard stat(prefix, &info) == 0 else { throw failure("cannot create folder", prefix) }
            if (info.st_mode & S_IFMT) != S_IFDIR {
                throw Diagnostic(.io, "cannot create folder '\(prefix)': a file of that name exists", at: nil)
            }
        }
    }

    private static func failure(_ action: String, _ path: String) -> Diagnostic {
        let reason = String(cString: strerror(errno))
        return Diagnostic(.io, "\(action) '\(path)': \(reason)", at: nil)
    }
}

// Inside `FileAppender`, `write` would not name the POSIX call.
@inline(__always)
private func appenderWrite(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer) -> Int {
    write(descriptor, buffer.baseAddress, buffer.count)
}
