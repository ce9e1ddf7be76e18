import CRMQLCore
import CRMQLStorage
import CRMQLSyntax
import Foundation

/// A session on a database file: opening one (the last checkpoint, then
/// the log replayed), and committing each change to it.
///
/// A statement that changes the session is committed inside `execute`,
/// after it has run and before it reports success: its record (see
/// `LogRecord`) is appended to the log and `fsync`ed. When that fails the
/// statement fails and `execute` rolls the session back, so memory never
/// holds a change the file may not. Statements that replace the whole
/// session (`open "<file>"`, the demo data) and every commit after a failed
/// write are committed by writing a checkpoint instead.
extension Interpreter {
    /// The database file this session writes, if any.
    public var databasePath: String? { durable.file?.path }

    /// What opening the database file repaired (a torn log tail cut), or nil.
    public var databaseOpeningNote: String? { durable.openingNote }

    /// Makes the session that of the database file at `path`, created empty
    /// when missing: its checkpoint, then its log replayed. Unless
    /// `readOnly`, the file is locked against other writers and every later
    /// change is logged to it.
    /// - Parameter fileSystem: the file calls (tests inject failures here).
    /// - Returns: a note when the log's torn tail was cut, else nil.
    /// - Throws: an I/O `Diagnostic`; the session is then unchanged.
    @discardableResult
    public func openDatabase(atPath path: String, readOnly: Bool = false,
                             fileSystem: FileSystem = POSIXFileSystem()) throws -> String? {
        let file = DatabaseFile(path: path, fileSystem: fileSystem, readOnly: readOnly)
        // The checkpoint is decoded once: for its sequence number, then its state.
        var decoded: (store: Store, extra: [UInt8])?
        let opened = try file.open(checkpointSequence: { bytes in
            let found = try Snapshot.decode(bytes, name: path)
            decoded = found
            return try Interpreter.settings(fromExtra: found.extra, name: path).settings.sequence
        })
        let previous = state
        let previousDurable = durable
        let previousLimits = limits
        let previousOverrides = parameterOverrides
        durable = DurableContext()
        // Replay is bounded by nothing a host set for its own statements,
        // and sees the parameters each statement saw, not today's overrides.
        limits = ExecutionLimits()
        parameterOverrides = [:]
        do {
            try restore(checkpoint: opened.checkpoint == nil ? nil : decoded, name: path)
            try replay(opened.records, logName: file.logPath)
        } catch {
            state = previous
            durable = previousDurable
            limits = previousLimits
            parameterOverrides = previousOverrides
            file.release()
            throw error
        }
        limits = previousLimits
        parameterOverrides = previousOverrides
        settle()
        if !file.readOnly, opened.checkpoint == nil {
            // The file exists from the moment it is opened, as users expect.
            do {
                try file.writeCheckpoint(checkpointBytes(sequence: file.lastSequence))
            } catch {
                state = previous
                durable = previousDurable
                file.release()
                throw Diagnostic(.io, error.description, at: nil)
            }
        }
        previousDurable.file.map { closeFile($0) }
        durable.file = file
        durable.openingNote = opened.note
        return opened.note
    }

    /// The state after replay as this session sees it: the host's `today`
    /// unless the file fixed one, each parameter's declared default unless
    /// the host overrides it.
    private func settle() {
        if !state.todayIsSet { state.today = options.today ?? Interpreter.systemToday() }
        state.parameters = state.parameterDefaults
        for (name, text) in parameterOverrides { state.parameters[name] = Interpreter.literal(fromText: text) }
    }

    /// `open database "<file>"`.
    func openDatabase(_ pathExpr: Expr, _ source: SourceFile) throws -> String {
        try requireFiles("open database", pathExpr.range)
        let path = try self.path(pathExpr, source)
        let note: String?
        do {
            note = try openDatabase(atPath: path)
        } catch let diagnostic as Diagnostic {
            throw Diagnostic(.io, diagnostic.message, at: pathExpr.range)
        }
        var message = "opened database \((path as NSString).lastPathComponent): \(state.store.entityNames.count) "
            + (state.store.entityNames.count == 1 ? "entity" : "entities")
        if let note { message += "; " + note }
        return message
    }

    /// Folds the log into the database file now.
    /// - Throws: an I/O `Diagnostic`; the log then still holds everything.
    public func checkpoint() throws {
        guard let file = durable.file, !file.readOnly, !file.isClosed else { return }
        do {
            try file.writeCheckpoint(checkpointBytes(sequence: file.lastSequence))
        } catch {
            throw Diagnostic(.io, error.description, at: nil)
        }
    }

    /// Lets the database file go after a last checkpoint: a clean exit. The
    /// session stays readable; a statement that would change it fails.
    /// - Throws: an I/O `Diagnostic` when the checkpoint failed (the log
    ///   still holds every statement, so nothing is lost).
    public func closeDatabase() throws {
        guard let file = durable.file else { return }
        defer { file.release() }
        if !file.readOnly, !file.isClosed, file.hasLogRecords {
            do {
                try file.writeCheckpoint(checkpointBytes(sequence: file.lastSequence))
            } catch {
                throw Diagnostic(.io, error.description, at: nil)
            }
        }
    }

    private func closeFile(_ file: DatabaseFile) {
        if !file.readOnly, !file.isClosed, file.hasLogRecords {
            try? file.writeCheckpoint(checkpointBytes(sequence: file.lastSequence))
        }
        file.release()
    }

    // MARK: Committing

    /// Refuses, before it runs, a change the database file could not keep.
    func checkLoggable(_ statement: Statement, _ source: SourceFile) throws {
        guard let file = durable.file else { return }
        if case .openDatabase = statement.kind { return }
        if file.readOnly {
            throw Diagnostic(.io, "'\((file.path as NSString).lastPathComponent)' is open read-only: no statement may change it",
                             at: statement.range)
        }
        if file.isClosed {
            throw Diagnostic(.io, "'\((file.path as NSString).lastPathComponent)' is closed: no statement may change it",
                             at: statement.range)
        }
        // A host function's result cannot be computed again when the file
        // is opened (the host may not even be there), so a change that
        // calls one could not be replayed.
        guard !hostFunctions.isEmpty else { return }
        let tokens = Lexer.tokenize(SourceFile(name: source.name, text: source.text(of: statement.range))).tokens
        for (index, token) in tokens.enumerated() where token.kind == .identifier && index + 1 < tokens.count
            && tokens[index + 1].kind == .leftParen && hostFunctions[token.text] != nil {
            let start = statement.range.start + token.range.start
            throw Diagnostic.semantic("'\(token.text)' is a host function: a statement that changes a database file cannot call one, "
                                      + "because opening the file again could not repeat its result",
                                      SourceRange(start, statement.range.start + token.range.end))
        }
    }

    /// Makes a statement that has run durable, or throws (and `execute`
    /// rolls it back).
    func commit(_ statement: Statement, _ source: SourceFile, today: Int64, parameters: [String: Value]) throws {
        guard let file = durable.file else { return }
        let loaded = durable.loadedBytes
        durable.loadedBytes = nil
        if case .openDatabase = statement.kind { return }
        let replacesSession: Bool
        if case .open = statement.kind { replacesSession = true } else { replacesSession = false }
        do {
            if replacesSession || file.needsCheckpoint {
                file.lastSequence += 1
                try file.writeCheckpoint(checkpointBytes(sequence: file.lastSequence))
                return
            }
            let record = LogRecord(text: source.text(of: statement.range), today: today, parameters: parameters, loadedBytes: loaded)
            try file.append(record)
        } catch {
            throw Diagnostic(.io, "\(ErrorText.of(error)); the statement was not applied", at: statement.range)
        }
        // The statement is durable; folding the log is housekeeping, and a
        // checkpoint that fails leaves the log as it was.
        if file.logIsFull { try? file.writeCheckpoint(checkpointBytes(sequence: file.lastSequence)) }
    }

    /// Whether a statement is committed as a log record: one that changes
    /// the session, except those that replace it whole (committed by a
    /// checkpoint) or switch files. Replay runs nothing else, so a damaged
    /// or forged log can never make an open read or write another file.
    static func isLogged(_ statement: Statement) -> Bool {
        switch statement.kind {
        case .open, .openDatabase: return false
        default: return !isReadOnly(statement)
        }
    }

    /// The demo data, committed to the database file when there is one.
    public func loadDemoDurably() throws {
        guard let file = durable.file else { return loadDemo() }
        let saved = state
        if file.readOnly || file.isClosed {
            throw Diagnostic(.io, "'\((file.path as NSString).lastPathComponent)' is \(file.readOnly ? "open read-only" : "closed"): "
                             + "no statement may change it", at: nil)
        }
        loadDemo()
        do {
            file.lastSequence += 1
            try file.writeCheckpoint(checkpointBytes(sequence: file.lastSequence))
        } catch {
            state = saved
            throw Diagnostic(.io, "\(ErrorText.of(error)); the demo data was not loaded", at: nil)
        }
    }

    /// A `load`'s file: read from disk, and kept for the statement's log
    /// record; while replaying, the bytes the record kept.
    func loadedFileBytes(_ path: String, read: () throws -> [UInt8]) throws -> [UInt8] {
        if durable.isReplaying {
            // A replayed load never reads a file: its record carries the bytes.
            guard let bytes = durable.replayedLoad else { throw Diagnostic(.io, "the log's record of this load lacks its data", at: nil) }
            return bytes
        }
        let bytes = try read()
        if durable.file != nil { durable.loadedBytes = bytes }
        return bytes
    }

    // MARK: Checkpoints

    /// What a checkpoint keeps besides the snapshot's store, definitions
    /// and named queries.
    struct CheckpointSettings {
        var sequence: UInt64 = 0
        var today: Int64?
        var fiscalYearStart = 1
        var fastPaths = FastPaths.defaultEnabled
        var parameterDefaults: [String: Value] = [:]
    }

    /// Marks the settings after the script's zero byte.
    static let settingsMagic: [UInt8] = Array("CRMQLDB1".utf8)

    /// The session as a snapshot whose extra bytes are the session's script,
    /// a zero byte, and the settings: a database file is a snapshot that
    /// `open "<file>"` also reads.
    func checkpointBytes(sequence: UInt64) -> [UInt8] {
        var extra = Array(sessionScript().utf8)
        extra.append(0)
        extra.append(contentsOf: Interpreter.settingsMagic)
        withUnsafeBytes(of: sequence.littleEndian) { extra.append(contentsOf: $0) }
        extra.append(state.todayIsSet ? 1 : 0)
        withUnsafeBytes(of: state.today.littleEndian) { extra.append(contentsOf: $0) }
        extra.append(UInt8(clamping: state.fiscalYearStart))
        extra.append(state.fastPaths ? 1 : 0)
        extra.append(contentsOf: ValueCoding.encode(state.parameterDefaults))
        return Snapshot.encode(state.store, extra: extra)
    }

    /// The session script and settings a checkpoint's extra bytes hold; a
    /// plain snapshot's settings are the defaults.
    private static func settings(fromExtra extra: [UInt8], name: String) throws -> (script: String, settings: CheckpointSettings) {
        guard let zero = extra.firstIndex(of: 0) else { return (String(decoding: extra, as: UTF8.self), CheckpointSettings()) }
        let script = String(decoding: extra[..<zero], as: UTF8.self)
        let tail = Array(extra[(zero + 1)...])
        let damaged = Diagnostic(.io, "cannot open '\(name)': the file is damaged (its settings cannot be read)", at: nil)
        guard tail.starts(with: settingsMagic), tail.count >= settingsMagic.count + 19 else { throw damaged }
        var offset = settingsMagic.count
        func integer<T: FixedWidthInteger>(_: T.Type) -> T {
            var value: T = 0
            withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: tail[offset..<(offset + MemoryLayout<T>.size)]) }
            offset += MemoryLayout<T>.size
            return T(littleEndian: value)
        }
        var settings = CheckpointSettings()
        settings.sequence = integer(UInt64.self)
        let todayIsSet = integer(UInt8.self) == 1
        let today = integer(Int64.self)
        settings.today = todayIsSet ? today : nil
        settings.fiscalYearStart = Int(integer(UInt8.self))
        settings.fastPaths = integer(UInt8.self) == 1
        guard (1...12).contains(settings.fiscalYearStart) else { throw damaged }
        do {
            settings.parameterDefaults = try ValueCoding.decode(Array(tail[offset...]))
        } catch {
            throw damaged
        }
        return (script, settings)
    }

    /// The state a checkpoint holds (empty without one).
    private func restore(checkpoint: (store: Store, extra: [UInt8])?, name: String) throws {
        var next = SessionState(today: options.today ?? Interpreter.systemToday())
        // The threads are the machine's and the session's, not the file's.
        next.parallelism = state.parallelism
        guard let (store, extra) = checkpoint else {
            state = next
            return
        }
        let (script, settings) = try Interpreter.settings(fromExtra: extra, name: name)
        next.store = store
        next.fiscalYearStart = settings.fiscalYearStart
        next.fastPaths = settings.fastPaths
        next.parameterDefaults = settings.parameterDefaults
        next.parameters = settings.parameterDefaults
        if let today = settings.today {
            next.today = today
            next.todayIsSet = true
        }
        state = next
        do {
            try run(SourceFile(name: (name as NSString).lastPathComponent, text: script)) { _ in }
        } catch {
            throw Diagnostic(.io, "'\(name)' holds definitions that no longer work: \(ErrorText.of(error))", at: nil)
        }
        loadPreludeIfReady()
    }

    /// Runs the log's records over the checkpoint's state, each with the
    /// `today`, parameters and loaded bytes it ran with.
    private func replay(_ records: [(sequence: UInt64, payload: [UInt8])], logName: String) throws {
        durable.isReplaying = true
        defer {
            durable.isReplaying = false
            durable.replayedLoad = nil
        }
        let name = (logName as NSString).lastPathComponent
        for (sequence, payload) in records {
            let record: LogRecord
            do {
                record = try LogRecord.decode(payload)
            } catch {
                throw Diagnostic(.io, "cannot open '\(logName)': statement \(sequence) cannot be read (\(error.message))", at: nil)
            }
            let source = SourceFile(name: "\(name)#\(sequence)", text: record.text)
            let (script, diagnostics) = Parser.parse(source)
            guard diagnostics.isEmpty, script.statements.count == 1, let statement = script.statements.first,
                  Interpreter.isLogged(statement) else {
                throw Diagnostic(.io, "cannot open '\(logName)': statement \(sequence) is not one statement this version logs", at: nil)
            }
            state.today = record.today
            state.parameters = record.parameters
            durable.replayedLoad = record.loadedBytes
            do {
                try execute(statement, source) { _ in }
            } catch {
                let reason = (error as? Diagnostic)?.message ?? "\(ErrorText.of(error))"
                throw Diagnostic(.io, "cannot open '\(logName)': statement \(sequence) (\(record.text)) no longer applies: \(reason)", at: nil)
            }
        }
    }
}
