import CRMQLStorage
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The operating system's file calls, failing on purpose where a test says:
/// the seam a database file's writes go through.
final class FaultyFileSystem: FileSystem, @unchecked Sendable {
    /// A call that can be made to fail.
    enum Call: String, Sendable { case open, read, write, sync, truncate, rename, syncDirectory }

    /// What goes wrong.
    enum Fault {
        /// The next call of this kind fails with this error number.
        case failNext(Call, Int32, onPathEnding: String = "")
        /// From the next call of this kind on, the process is as good as
        /// dead: that call and every later one fail, so the files stay as a
        /// crash at that moment leaves them.
        case crashAt(Call, onPathEnding: String = "")
    }

    private let base = POSIXFileSystem()
    // Guarded by `lock`: tests arm faults from the thread that runs the statements.
    private let lock = NSLock()
    private var faults: [Fault] = []
    private var dead = false
    /// Each write writes at most this many bytes, as a short write does.
    var shortWrites: Int?
    /// Every call made, in order, as `call path`.
    private(set) var journal: [String] = []

    func arm(_ fault: Fault) { lock.withLock { faults.append(fault) } }

    /// Calls made since `mark`.
    func calls(since mark: Int) -> [String] { lock.withLock { Array(journal[mark...]) } }
    var mark: Int { lock.withLock { journal.count } }

    private func check(_ call: Call, _ path: String) throws(FileSystemError) {
        let failure: Int32? = lock.withLock {
            journal.append("\(call.rawValue) \((path as NSString).lastPathComponent)")
            if dead { return EIO }
            for (index, fault) in faults.enumerated() {
                switch fault {
                case .failNext(let kind, let code, let suffix) where kind == call && path.hasSuffix(suffix):
                    faults.remove(at: index)
                    return code
                case .crashAt(let kind, let suffix) where kind == call && path.hasSuffix(suffix):
                    faults.remove(at: index)
                    dead = true
                    return EIO
                default:
                    continue
                }
            }
            return nil
        }
        if let failure { throw FileSystemError(call.rawValue, path, code: failure) }
    }

    func open(_ path: String, write: Bool, create: Bool) throws(FileSystemError) -> Int32 {
        try check(.open, path)
        return try base.open(path, write: write, create: create)
    }

    func close(_ descriptor: Int32) { base.close(descriptor) }

    func read(_ descriptor: Int32, count: Int, at offset: UInt64, path: String) throws(FileSystemError) -> [UInt8] {
        try check(.read, path)
        return try base.read(descriptor, count: count, at: offset, path: path)
    }

    func write(_ descriptor: Int32, _ bytes: ArraySlice<UInt8>, at offset: UInt64, path: String) throws(FileSystemError) -> Int {
        try check(.write, path)
        let limited = shortWrites.map { bytes.prefix($0) } ?? bytes
        return try base.write(descriptor, limited, at: offset, path: path)
    }

    func sync(_ descriptor: Int32, path: String) throws(FileSystemError) {
        try check(.sync, path)
        try base.sync(descriptor, path: path)
    }

    func truncate(_ descriptor: Int32, to length: UInt64, path: String) throws(FileSystemError) {
        try check(.truncate, path)
        try base.truncate(descriptor, to: length, path: path)
    }

    func size(_ descriptor: Int32, path: String) throws(FileSystemError) -> UInt64 {
        try base.size(descriptor, path: path)
    }

    func rename(_ source: String, to target: String) throws(FileSystemError) {
        try check(.rename, target)
        try base.rename(source, to: target)
    }

    func remove(_ path: String) {
        if lock.withLock({ dead }) { return }
        base.remove(path)
    }

    func syncDirectory(of path: String) throws(FileSystemError) {
        try check(.syncDirectory, path)
        try base.syncDirectory(of: path)
    }

    func exists(_ path: String) -> Bool { base.exists(path) }

    func tryLock(_ descriptor: Int32, path: String) throws(FileSystemError) -> Bool {
        try base.tryLock(descriptor, path: path)
    }
}
