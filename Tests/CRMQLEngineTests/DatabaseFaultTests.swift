import CRMQLCore
import CRMQLStorage
import Foundation
import XCTest
@testable import CRMQLEngine

/// A database file through a file layer that fails on purpose: no space, I/O
/// errors on write and on read, a failed `fsync`, short writes, a crash
/// between a checkpoint's write and its rename. A failed write fails its
/// statement and leaves the session as it was; the log's failed bytes are
/// never `fsync`ed again as if they were durable; the next open finds every
/// statement that succeeded and none that failed.
final class DatabaseFaultTests: XCTestCase {
    private var folder: URL!
    private var path: String { folder.appendingPathComponent("shop.crmdb").path }

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("crmql-faults-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func session() -> Interpreter {
        Interpreter(options: SessionOptions(today: DateParsing.parseDate("2026-06-30")), interrupt: InterruptFlag())
    }

    private func run(_ interpreter: Interpreter, _ text: String) throws {
        try interpreter.run(SourceFile(name: "<test>", text: text)) { _ in }
    }

    /// The rows of a query, one line each.
    private func rows(_ interpreter: Interpreter, _ query: String) throws -> [String] {
        var lines: [String] = []
        try interpreter.run(SourceFile(name: "<test>", text: query)) { output in
            guard case .rows(_, let columns) = output else { return }
            for row in 0..<(columns.first?.count ?? 0) {
                lines.append(columns.map { $0.value(at: row).description }.joined(separator: ","))
            }
        }
        return lines
    }

    /// A database with one entity and two rows, through `fileSystem`.
    private func opened(_ fileSystem: FileSystem) throws -> Interpreter {
        let interpreter = session()
        try interpreter.openDatabase(atPath: path, fileSystem: fileSystem)
        try run(interpreter, """
            create entity items (id int key, qty int)
            insert into items (id, qty) values (1, 10), (2, 20)
            """)
        return interpreter
    }

    /// The file as a fresh session on the real file system finds it.
    private func reopened() throws -> Interpreter {
        let interpreter = session()
        try interpreter.openDatabase(atPath: path, readOnly: true)
        return interpreter
    }

    private func assertFailsAndLeavesTheSession(_ interpreter: Interpreter, _ statement: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try rows(interpreter, "select items show id, qty")
        XCTAssertThrowsError(try run(interpreter, statement), file: file, line: line) { error in
            XCTAssertEqual((error as? Diagnostic)?.phase, .io, "\(error)", file: file, line: line)
            XCTAssertTrue("\(error)".contains("was not applied"), "\(error)", file: file, line: line)
        }
        XCTAssertEqual(try rows(interpreter, "select items show id, qty"), before, "the session is as it was", file: file, line: line)
    }

    func testAFailedFsyncFailsTheStatementAndIsNeverTakenForDurable() throws {
        let files = FaultyFileSystem()
        let interpreter = try opened(files)
        files.arm(.failNext(.sync, EIO, onPathEnding: "-log"))
        try assertFailsAndLeavesTheSession(interpreter, "update items set qty = 99 where id = 1")

        // The next change is committed by a checkpoint, whose sequence number
        // is past the failed record's: the log it wrote is never synced
        // again as though that had made it durable.
        let mark = files.mark
        try run(interpreter, "update items set qty = 11 where id = 1")
        let calls = files.calls(since: mark)
        XCTAssertFalse(calls.contains("sync shop.crmdb-log") && calls.firstIndex(of: "sync shop.crmdb-log")! < (calls.firstIndex(of: "rename shop.crmdb") ?? 0),
                       "no fsync of the log before the checkpoint: \(calls)")
        XCTAssertTrue(calls.contains("rename shop.crmdb"), "a checkpoint committed it: \(calls)")
        // And appending works again after that checkpoint.
        try run(interpreter, "update items set qty = 21 where id = 2")
        XCTAssertEqual(try rows(reopened(), "select items show id, qty"), ["1,11", "2,21"])
    }

    func testNoSpaceFailsTheStatementCleanly() throws {
        let files = FaultyFileSystem()
        let interpreter = try opened(files)
        files.arm(.failNext(.write, ENOSPC, onPathEnding: "-log"))
        XCTAssertThrowsError(try run(interpreter, "insert into items (id, qty) values (3, 30)")) { error in
            XCTAssertTrue("\(error)".contains("No space left on device"), "\(error)")
        }
        XCTAssertEqual(try rows(interpreter, "select items show id, qty"), ["1,10", "2,20"])
        XCTAssertEqual(try rows(reopened(), "select items show id, qty"), ["1,10", "2,20"], "no trace of the failed insert")
        try run(interpreter, "insert into items (id, qty) values (4, 40)")
        XCTAssertEqual(try rows(reopened(), "select items show id, qty"), ["1,10", "2,20", "4,40"])
    }

    func testAnIOErrorOnWriteFailsTheStatementCleanly() throws {
        let files = FaultyFileSystem()
        let interpreter = try opened(files)
        files.arm(.failNext(.write, EIO, onPathEnding: "-log"))
        try assertFailsAndLeavesTheSession(interpreter, "delete items where id = 2")
        XCTAssertEqual(try rows(reopened(), "select items show id, qty"), ["1,10", "2,20"])
    }

    func testShortWritesStillCommitWholeRecords() throws {
        let files = FaultyFileSystem()
        files.shortWrites = 7
        let interpreter = try opened(files)
        try run(interpreter, "update items set qty = qty + 1; define items.twice = qty * 2")
        XCTAssertEqual(try rows(reopened(), "select items show id, qty, twice"), ["1,11,22", "2,21,42"])
    }

    func testAnIOErrorOnReadFailsTheOpenAndLeavesTheSession() throws {
        try opened(POSIXFileSystem()).closeDatabase()
        let files = FaultyFileSystem()
        files.arm(.failNext(.read, EIO, onPathEnding: "-log"))
        let interpreter = session()
        try run(interpreter, "create entity other (id int)")
        XCTAssertThrowsError(try interpreter.openDatabase(atPath: path, fileSystem: files)) { error in
            XCTAssertTrue("\(error)".contains("Input/output error"), "\(error)")
        }
        XCTAssertNil(interpreter.databasePath)
        XCTAssertEqual(interpreter.store.entityNames, ["other"], "the session is as it was")
        // The failed open let the lock go: the file opens now.
        try interpreter.openDatabase(atPath: path)
        XCTAssertEqual(try rows(interpreter, "select items show id, qty"), ["1,10", "2,20"])
    }

    func testACrashBetweenACheckpointsWriteAndItsRenameLosesNothing() throws {
        let files = FaultyFileSystem()
        var interpreter: Interpreter? = try opened(files)
        try run(interpreter!, "update items set qty = 12 where id = 1")
        files.arm(.crashAt(.rename, onPathEnding: "shop.crmdb"))
        XCTAssertThrowsError(try interpreter!.checkpoint())
        interpreter = nil // the process "died"; its descriptors close
        XCTAssertTrue(FileManager.default.fileExists(atPath: path + ".tmp"), "the crash left the new checkpoint unrenamed")
        XCTAssertEqual(try rows(reopened(), "select items show id, qty"), ["1,12", "2,20"])
        let writer = session()
        try writer.openDatabase(atPath: path)
        try run(writer, "update items set qty = 13 where id = 1")
        try writer.closeDatabase()
        XCTAssertEqual(try rows(reopened(), "select items show id, qty"), ["1,13", "2,20"])
    }

    func testACheckpointCommitThatCrashesBeforeItsRenameIsNotApplied() throws {
        let snapshot = folder.appendingPathComponent("other.snapshot").path
        let other = session()
        try run(other, "create entity items (id int key, qty int); insert into items (id, qty) values (7, 70); save \"\(snapshot)\"")
        let files = FaultyFileSystem()
        var interpreter: Interpreter? = try opened(files)
        files.arm(.crashAt(.rename, onPathEnding: "shop.crmdb"))
        XCTAssertThrowsError(try run(interpreter!, "open \"\(snapshot)\""))
        XCTAssertEqual(try rows(interpreter!, "select items show id, qty"), ["1,10", "2,20"], "the session is as it was")
        interpreter = nil
        XCTAssertEqual(try rows(reopened(), "select items show id, qty"), ["1,10", "2,20"])
    }

    func testAFailedFolderSyncAfterACheckpointLeavesAConsistentFile() throws {
        let files = FaultyFileSystem()
        let interpreter = try opened(files)
        files.arm(.failNext(.sync, EIO, onPathEnding: "-log"))
        try assertFailsAndLeavesTheSession(interpreter, "update items set qty = 0")
        // The commit after a failure is a checkpoint; its folder sync fails too.
        files.arm(.failNext(.syncDirectory, EIO))
        try assertFailsAndLeavesTheSession(interpreter, "update items set qty = 1")
        // The rename happened, so the file may hold that statement (its
        // outcome is in doubt), but it opens, whole, one way or the other;
        // the next commit settles it with another checkpoint.
        let found = try rows(reopened(), "select items show id, qty")
        XCTAssertTrue(found == ["1,10", "2,20"] || found == ["1,1", "2,1"], "\(found)")
        try run(interpreter, "update items set qty = 5 where id = 2")
        XCTAssertEqual(try rows(reopened(), "select items show id, qty"), ["1,10", "2,5"])
    }

    func testTheLogIsFoldedIntoTheFileWhenItPassesItsSize() throws {
        let files = FaultyFileSystem()
        let interpreter = try opened(files)
        interpreter.durable.file?.checkpointThreshold = 300
        let mark = files.mark
        for round in 1...20 { try run(interpreter, "update items set qty = \(round) where id = 1") }
        XCTAssertGreaterThan(files.calls(since: mark).filter { $0 == "rename shop.crmdb" }.count, 2, "checkpoints were written")
        let log = try FileManager.default.attributesOfItem(atPath: path + "-log")[.size] as? NSNumber
        XCTAssertLessThan(log?.intValue ?? .max, 600, "the log stays near its size")
        XCTAssertEqual(try rows(reopened(), "select items show id, qty"), ["1,20", "2,20"])
    }

    func testATornLogTailIsCutAtTheLastWholeRecordWithAMessage() throws {
        let interpreter = try opened(POSIXFileSystem())
        try run(interpreter, "update items set qty = 15 where id = 1")
        let log = path + "-log"
        let whole = try Data(contentsOf: URL(fileURLWithPath: log))
        try run(interpreter, "update items set qty = 16 where id = 1")
        let longer = try Data(contentsOf: URL(fileURLWithPath: log))
        try interpreter.closeDatabase()
        // As if the process had died while writing the last record, before
        // any checkpoint: the log holds every record, the last one torn.
        try FileManager.default.removeItem(atPath: path)
        let cut = whole.count + (longer.count - whole.count) / 2
        try longer.prefix(cut).write(to: URL(fileURLWithPath: log))
        let reader = session()
        let note = try reader.openDatabase(atPath: path)
        XCTAssertEqual(note, "cut \(cut - whole.count) bytes at the end of shop.crmdb-log (a record is cut short): a statement that never reported success")
        XCTAssertEqual(try rows(reader, "select items show id, qty"), ["1,15", "2,20"])
        // The tail is gone from the files: the next open has nothing to cut.
        let again = try reopened()
        XCTAssertNil(again.databaseOpeningNote)
        XCTAssertEqual(try rows(again, "select items show id, qty"), ["1,15", "2,20"])
    }
}
