import CRMQLCore

/// The write-ahead log of a database file: committed statements appended
/// one record at a time and made durable (`fsync`) before the statement
/// reports success.
///
/// Layout (integers little-endian):
/// ```
/// "CRMQLLOG"  format version (UInt32)  zero (UInt32)
/// record*     payload length (UInt64), sequence number (UInt64), payload,
///             CRC-32 of length + sequence + payload (UInt32)
/// ```
/// Sequence numbers rise by one from record to record; the checkpoint
/// names the last one it holds, so records at or below it are skipped when
/// the log is replayed (a crash between a checkpoint and the log's reset
/// leaves them behind). A record that is cut short, fails its checksum or
/// breaks the sequence ends the log: everything from it on is a torn tail.
public final class WriteAheadLog {
    /// The first eight bytes of every log.
    public static let magic: [UInt8] = Array("CRMQLLOG".utf8)
    /// The format this version writes and reads.
    public static let formatVersion: UInt32 = 1
    /// Magic, version and a reserved word.
    public static let headerSize = 16
    /// Length, sequence number and checksum around each payload.
    static let frameOverhead = 20

    let fileSystem: FileSystem
    /// The log file's path.
    public let path: String
    let descriptor: Int32
    /// Where the next record goes: the end of the last whole record.
    public private(set) var end: UInt64

    /// What a log's bytes hold.
    public struct Contents: Sendable {
        /// The whole records, in order.
        public var records: [(sequence: UInt64, payload: [UInt8])]
        /// The end of the last whole record.
        public var validEnd: Int
        /// Bytes after it: a torn or damaged tail.
        public var droppedBytes: Int
        /// Why the tail was dropped, when bytes were.
        public var reason: String?
        /// A whole header that is not this format's: another file, or a
        /// newer program's log. Nothing of it may be replayed or cut.
        public var isForeign = false
    }

    /// Splits a log's bytes into its whole records and the tail after them.
    /// Never fails: a missing or torn header is an empty log with every
    /// byte dropped; the caller decides what a dropped tail means.
    /// - Complexity: O(n).
    public static func scan(_ bytes: [UInt8]) -> Contents {
        guard bytes.count >= headerSize else {
            return Contents(records: [], validEnd: 0, droppedBytes: bytes.count, reason: bytes.isEmpty ? nil : "the header is cut short")
        }
        guard bytes.starts(with: magic) else {
            return Contents(records: [], validEnd: 0, droppedBytes: bytes.count, reason: "it is not a crmql log", isForeign: true)
        }
        var header = ByteReader(bytes, range: 8..<12)
        let version: UInt32 = (try? header.read()) ?? 0
        guard version == formatVersion else {
            return Contents(records: [], validEnd: 0, droppedBytes: bytes.count,
                            reason: "it is in log format \(version); this version reads format \(formatVersion)", isForeign: true)
        }
        var records: [(sequence: UInt64, payload: [UInt8])] = []
        var offset = headerSize
        var reason: String?
        while offset < bytes.count {
            guard bytes.count - offset >= frameOverhead else { reason = "a record is cut short"; break }
            var reader = ByteReader(bytes, range: offset..<(offset + 16))
            guard let length: UInt64 = try? reader.read(), let sequence: UInt64 = try? reader.read() else { reason = "a record is cut short"; break }
            guard length <= UInt64(bytes.count - offset - frameOverhead) else { reason = "a record is cut short"; break }
            let payloadEnd = offset + 16 + Int(length)
            var checksumReader = ByteReader(bytes, range: payloadEnd..<(payloadEnd + 4))
            guard let stored: UInt32 = try? checksumReader.read(),
                  CRC32.checksum(bytes[offset..<payloadEnd]) == stored else { reason = "a record fails its checksum"; break }
            if let previous = records.last?.sequence, sequence != previous &+ 1 { reason = "a record is out of sequence"; break }
            records.append((sequence, Array(bytes[(offset + 16)..<payloadEnd])))
            offset = payloadEnd + 4
        }
        return Contents(records: records, validEnd: offset, droppedBytes: bytes.count - offset, reason: reason)
    }

    /// One record's bytes, framed.
    static func frame(_ payload: [UInt8], sequence: UInt64) -> [UInt8] {
        var out = ByteWriter()
        out.append(UInt64(payload.count))
        out.append(sequence)
        out.bytes.append(contentsOf: payload)
        out.append(CRC32.checksum(out.bytes))
        return out.bytes
    }

    /// A new log's header.
    static var header: [UInt8] {
        var out = ByteWriter()
        out.bytes.append(contentsOf: magic)
        out.append(formatVersion)
        out.append(UInt32(0))
        return out.bytes
    }

    /// Opens the log at `path` for appending, creating it (atomically, so a
    /// crash never leaves a log without its header) when it is missing.
    /// A torn tail is cut off the file, durably, before anything is appended.
    /// - Returns: the log and what it held.
    /// - Throws: `FileSystemError`, or `LogDecodeError` for a foreign log
    ///   (left as it is).
    public static func openForAppending(_ path: String, fileSystem: FileSystem) throws -> (WriteAheadLog, Contents) {
        if !fileSystem.exists(path) {
            try fileSystem.replaceAtomically(path, with: header)
        }
        let descriptor = try fileSystem.open(path, write: true, create: false)
        do {
            let contents = try read(descriptor, path: path, fileSystem: fileSystem)
            if contents.isForeign { throw LogDecodeError("cannot open '\(path)': \(contents.reason ?? "it is not a crmql log")") }
            var end = UInt64(contents.validEnd)
            if contents.validEnd < headerSize {
                // A torn header (a crash while the log was made): it starts over.
                try fileSystem.truncate(descriptor, to: 0, path: path)
                try fileSystem.writeAll(descriptor, header, at: 0, path: path)
                try fileSystem.sync(descriptor, path: path)
                end = UInt64(headerSize)
            } else if contents.droppedBytes > 0 {
                try fileSystem.truncate(descriptor, to: end, path: path)
                try fileSystem.sync(descriptor, path: path)
            }
            return (WriteAheadLog(fileSystem: fileSystem, path: path, descriptor: descriptor, end: end), contents)
        } catch {
            fileSystem.close(descriptor)
            throw error
        }
    }

    /// What the log at `path` holds, without changing it (a read-only
    /// open); a missing log is empty.
    public static func readOnly(_ path: String, fileSystem: FileSystem) throws(FileSystemError) -> Contents {
        guard fileSystem.exists(path) else { return Contents(records: [], validEnd: 0, droppedBytes: 0, reason: nil) }
        let descriptor = try fileSystem.open(path, write: false, create: false)
        defer { fileSystem.close(descriptor) }
        return try read(descriptor, path: path, fileSystem: fileSystem)
    }

    private static func read(_ descriptor: Int32, path: String, fileSystem: FileSystem) throws(FileSystemError) -> Contents {
        var bytes: [UInt8] = []
        while true {
            let chunk = try fileSystem.read(descriptor, count: 1 << 20, at: UInt64(bytes.count), path: path)
            if chunk.isEmpty { break }
            bytes.append(contentsOf: chunk)
        }
        return scan(bytes)
    }

    private init(fileSystem: FileSystem, path: String, descriptor: Int32, end: UInt64) {
        self.fileSystem = fileSystem
        self.path = path
        self.descriptor = descriptor
        self.end = end
    }

    deinit { fileSystem.close(descriptor) }

    /// Appends a record and makes it durable. On failure the log's end is
    /// where it was; bytes may lie beyond it, and whether they reach the
    /// disk is unknown, so the caller must not reuse `sequence` in this log
    /// (it starts the log over after a checkpoint instead).
    public func append(_ payload: [UInt8], sequence: UInt64) throws(FileSystemError) {
        let bytes = WriteAheadLog.frame(payload, sequence: sequence)
        try fileSystem.writeAll(descriptor, bytes, at: end, path: path)
        try fileSystem.sync(descriptor, path: path)
        end += UInt64(bytes.count)
    }

    /// Empties the log after a checkpoint has made its records redundant.
    public func reset() throws(FileSystemError) {
        try fileSystem.truncate(descriptor, to: UInt64(WriteAheadLog.headerSize), path: path)
        try fileSystem.sync(descriptor, path: path)
        end = UInt64(WriteAheadLog.headerSize)
    }

    /// Bytes of records in the log.
    public var recordBytes: UInt64 { end - UInt64(WriteAheadLog.headerSize) }
}
