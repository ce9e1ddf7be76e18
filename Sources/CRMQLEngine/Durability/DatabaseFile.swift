import CRMQLCore
import CRMQLStorage
import Foundation

/// The files of a database, held by the one session that writes it:
///
/// - `shop.crmdb`, the checkpoint: the session as a snapshot (the format
///   `save` writes), replaced atomically, whose extra bytes carry the
///   settings and the sequence number of the last statement it holds;
/// - `shop.crmdb-log`, the write-ahead log of the statements committed
///   since (see `WriteAheadLog`);
/// - `shop.crmdb-lock`, locked while a session writes, so that there is
///   never a second writer. It is never removed: a lock file that is
///   removed and made again can be locked twice.
///
/// Every file is created with mode 0600: the data is personal.
final class DatabaseFile {
    let path: String
    let fileSystem: FileSystem
    let readOnly: Bool
    private var lockDescriptor: Int32?
    private var log: WriteAheadLog?
    /// The sequence number of the last statement the files hold (or may
    /// hold: a failed write burns its number, see `needsCheckpoint`).
    var lastSequence: UInt64 = 0
    /// Set when a write failed: bytes of that statement may lie past the
    /// log's end and reach the disk later, so no record is appended until a
    /// checkpoint (whose sequence number is past theirs) has made them dead.
    var needsCheckpoint = false
    /// Set once the session let the file go; no statement may change it then.
    var isClosed = false
    /// Log bytes past which a commit folds the log into a checkpoint.
    var checkpointThreshold: UInt64

    /// TUNING: 64 MB of log: replaying that much at open takes about as long
    /// as reading a checkpoint of a mid-sized database, and a checkpoint is
    /// a full rewrite, so writing one more often costs more than it saves.
    static let defaultCheckpointThreshold: UInt64 = 64 << 20

    var logPath: String { path + "-log" }
    var lockPath: String { path + "-lock" }

    /// What opening found: the checkpoint's bytes, the log records after
    /// it, and a note when a torn tail was cut.
    struct Opened {
        var checkpoint: [UInt8]?
        var records: [(sequence: UInt64, payload: [UInt8])]
        var note: String?
    }

    init(path: String, fileSystem: FileSystem, readOnly: Bool) {
        self.path = path
        self.fileSystem = fileSystem
        self.readOnly = readOnly
        let environment = ProcessInfo.processInfo.environment["CRMQL_CHECKPOINT_BYTES"].flatMap { UInt64($0) }
        checkpointThreshold = environment ?? DatabaseFile.defaultCheckpointThreshold
    }

    deinit { release() }

    /// Locks the files (unless read-only) and reads them.
    /// - Parameter checkpointSequence: reads a checkpoint's sequence number.
    func open(checkpointSequence: ([UInt8]) throws -> UInt64) throws -> Opened {
        if !readOnly { return try read(checkpointSequence: checkpointSequence) }
        // A reader takes no lock, so a writer may fold its log between the
        // reader's reads of the checkpoint and of the log: read again.
        var attempt = 0
        while true {
            do {
                return try read(checkpointSequence: checkpointSequence)
            } catch let diagnostic as Diagnostic where diagnostic.message.contains("statements in between are missing") && attempt < 5 {
                attempt += 1
            }
        }
    }

    private func read(checkpointSequence: ([UInt8]) throws -> UInt64) throws -> Opened {
        if !readOnly { try lock() }
        do {
            let checkpoint = fileSystem.exists(path) ? try fileSystem.readAll(path) : nil
            let base = try checkpoint.map(checkpointSequence) ?? 0
            let contents: WriteAheadLog.Contents
            if readOnly {
                contents = try WriteAheadLog.readOnly(logPath, fileSystem: fileSystem)
                if contents.isForeign { throw Diagnostic(.io, "cannot open '\(logPath)': \(contents.reason ?? "it is not a crmql log")", at: nil) }
            } else {
                let (opened, found) = try WriteAheadLog.openForAppending(logPath, fileSystem: fileSystem)
                log = opened
                contents = found
            }
            let records = contents.records.filter { $0.sequence > base }
            if let first = records.first, first.sequence != base + 1 {
                throw Diagnostic(.io, "cannot open '\(path)': its log continues from statement \(first.sequence), "
                                 + "but its checkpoint ends at statement \(base): statements in between are missing", at: nil)
            }
            lastSequence = records.last?.sequence ?? base
            var note: String?
            if contents.droppedBytes > 0 {
                let action = readOnly ? "ignored" : "cut"
                note = "\(action) \(contents.droppedBytes) \(contents.droppedBytes == 1 ? "byte" : "bytes") at the end of "
                    + "\((logPath as NSString).lastPathComponent) (\(contents.reason ?? "a torn record")): "
                    + "a statement that never reported success"
            }
            return Opened(checkpoint: checkpoint, records: records, note: note)
        } catch let error as FileSystemError {
            release()
            throw Diagnostic(.io, error.description, at: nil)
        } catch let error as LogDecodeError {
            release()
            throw Diagnostic(.io, error.message, at: nil)
        } catch {
            release()
            throw error
        }
    }

    private func lock() throws {
        let descriptor: Int32
        do {
            descriptor = try fileSystem.open(lockPath, write: true, create: true)
        } catch {
            throw Diagnostic(.io, error.description, at: nil)
        }
        let locked: Bool
        do {
            locked = try fileSystem.tryLock(descriptor, path: lockPath)
        } catch {
            fileSystem.close(descriptor)
            throw Diagnostic(.io, error.description, at: nil)
        }
        guard locked else {
            fileSystem.close(descriptor)
            throw Diagnostic(.io, "cannot open '\(path)': another session is writing it (one writer at a time); "
                             + "open it read-only to read it meanwhile", at: nil)
        }
        lockDescriptor = descriptor
    }

    /// Lets the files go: closes the log and gives up the lock.
    func release() {
        log = nil
        if let lockDescriptor { fileSystem.close(lockDescriptor) }
        lockDescriptor = nil
        isClosed = true
    }

    /// Appends a statement's record and makes it durable. On failure the
    /// record's number is burned and the next commit is a checkpoint.
    func append(_ record: LogRecord) throws(FileSystemError) {
        guard let log, !needsCheckpoint else { throw FileSystemError("write", logPath, code: EIO) }
        let sequence = lastSequence + 1
        do {
            try log.append(record.encoded(), sequence: sequence)
            lastSequence = sequence
        } catch {
            lastSequence = sequence
            needsCheckpoint = true
            throw error
        }
    }

    /// Whether the log has grown past the size that calls for a checkpoint.
    var logIsFull: Bool { (log?.recordBytes ?? 0) >= checkpointThreshold }

    /// Whether the log holds records a checkpoint would fold in.
    var hasLogRecords: Bool { (log?.recordBytes ?? 0) > 0 || needsCheckpoint }

    /// Writes `checkpoint` (built for sequence number `lastSequence`) over
    /// the database file atomically, then empties the log. Once the rename
    /// is durable the checkpoint holds; a log that cannot be emptied only
    /// means the next commit writes a checkpoint again.
    func writeCheckpoint(_ checkpoint: [UInt8]) throws(FileSystemError) {
        do {
            try fileSystem.replaceAtomically(path, with: checkpoint)
        } catch {
            needsCheckpoint = true
            throw error
        }
        do {
            try log?.reset()
            needsCheckpoint = false
        } catch {
            needsCheckpoint = true
        }
    }
}

/// A session's tie to its database file.
struct DurableContext {
    /// The file every change is logged to; nil for a session in memory.
    var file: DatabaseFile?
    /// Set while a database opens: statements come from its log.
    var isReplaying = false
    /// The bytes the record being replayed says its `load` read.
    var replayedLoad: [UInt8]?
    /// The bytes the running statement's `load` read, for its record.
    var loadedBytes: [UInt8]?
    /// What the last open of a database file had to repair, if anything.
    var openingNote: String?
}
