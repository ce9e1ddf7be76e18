import CRMQL
import Foundation
import Testing

/// Each limit a host sets stops a statement with phase `.limit` and a message
/// naming the limit, and the store is byte for byte what it was before the
/// statement: the saved snapshot before and after is the same file.
@Suite struct LimitsTests {
    private static let rows = 2_000

    /// `items` with `rows` rows and a slow host function.
    private func makeDatabase() throws -> Database {
        let db = try Database(options: Database.Options(today: "2026-06-30"))
        try db.register("slow", arity: 1) { arguments in
            Thread.sleep(forTimeInterval: 0.02)
            return arguments[0]
        }
        try db.execute("create entity items (id int key, name text, size int)")
        let values = (1...Self.rows).map { "(\($0), \"item \($0)\", \($0 % 17))" }.joined(separator: ", ")
        try db.execute("insert into items (id, name, size) values " + values)
        return db
    }

    /// The store as `save` writes it.
    private func snapshot(_ db: Database) throws -> Data {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("crmql-limits-\(UUID().uuidString).snapshot").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let limits = db.limits
        db.limits = Database.Limits()
        defer { db.limits = limits }
        try db.execute("save \"\(path)\"")
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    /// Runs `statement` under `limits`: it must fail with phase `.limit` and
    /// a message containing `fragment`, and change nothing.
    private func expectLimit(_ limits: Database.Limits, _ statement: String, _ fragment: String,
                             sourceLocation: SourceLocation = #_sourceLocation) throws {
        let db = try makeDatabase()
        let before = try snapshot(db)
        db.limits = limits
        let error = #expect(throws: CRMQLError.self, sourceLocation: sourceLocation) { try db.execute(statement) }
        #expect(error?.phase == .limit, "\(statement): \(error?.description ?? "")", sourceLocation: sourceLocation)
        #expect(error?.description.contains(fragment) == true, "\(error?.description ?? "")", sourceLocation: sourceLocation)
        #expect(try snapshot(db) == before, "\(statement) left the store as it was", sourceLocation: sourceLocation)
        // The database goes on working under the same limits.
        #expect(try db.query("select count items where id = 1").value(row: 0, column: 0) == .int(1), sourceLocation: sourceLocation)
    }

    @Test func theTimeLimitStopsAWriteAndKeepsTheStore() throws {
        try expectLimit(Database.Limits(timeLimit: .milliseconds(20)),
                        "update items set size = slow(size) + 1 where id <= 10", "time limit of 20 ms")
        try expectLimit(Database.Limits(timeLimit: .milliseconds(20)),
                        "insert into items (id, name, size) values (9001, \"new\", slow(1)), (9002, \"new\", slow(2))", "time limit")
    }

    @Test func theMemoryLimitStopsAWriteAndKeepsTheStore() throws {
        try expectLimit(Database.Limits(maxMemoryBytes: 4 << 10),
                        "update items set name = name || \"!\", size = size * 2", "memory than the limit of 4 KB")
        try expectLimit(Database.Limits(maxMemoryBytes: 4 << 10),
                        "delete items where size * 2 + 1 > 3", "memory")
    }

    @Test func theMemoryLimitStopsAQuery() throws {
        let db = try makeDatabase()
        db.limits = Database.Limits(maxMemoryBytes: 1 << 20)
        // Two computed columns of 2,000 values fit in a megabyte, not in 8 KB.
        #expect(try db.query("select items show name || \"x\" as n, size * 2 as s").rowCount == Self.rows)
        db.limits = Database.Limits(maxMemoryBytes: 8 << 10)
        let error = #expect(throws: CRMQLError.self) { try db.query("select items show name || \"x\" as n, size * 2 as s") }
        #expect(error?.phase == .limit)
        #expect(error?.description.contains("8 KB") == true)
    }

    @Test func theDepthLimitRefusesAWriteAndKeepsTheStore() throws {
        try expectLimit(Database.Limits(maxNestingDepth: 3),
                        "update items set size = 1 + (2 + (3 + (4 + size)))", "nested more than 3 deep")
        try expectLimit(Database.Limits(maxNestingDepth: 2), "delete items where not (size > 1 and id < 5)", "nested more than 2 deep")
    }

    @Test func theRowLimitStopsAResultAndKeepsTheStore() throws {
        try expectLimit(Database.Limits(maxResultRows: 100), "select items", "more than the limit of 100")
        try expectLimit(Database.Limits(maxResultRows: 5), "describe items; select items order by size", "limit of 5")
    }

    @Test func anInterruptedWriteKeepsTheStore() throws {
        let db = try makeDatabase()
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        try db.register("wait_here", arity: 1) { arguments in
            entered.signal()
            _ = release.wait(timeout: .now() + 30)
            return arguments[0]
        }
        let before = try snapshot(db)
        let outcome = Outcome()
        let finished = DispatchSemaphore(value: 0)
        Thread {
            do {
                // The function runs once, on one row; the interrupt is seen at the next column operation.
                try db.execute("update items set size = wait_here(size) + 1, name = name || \"?\" where id = 1")
            } catch let error as CRMQLError {
                outcome.set(error)
            } catch {
                Issue.record("an error that is not a CRMQLError: \(error)")
            }
            finished.signal()
        }.start()
        #expect(entered.wait(timeout: .now() + 30) == .success, "the update is inside the function")
        db.interrupt()
        release.signal()
        #expect(finished.wait(timeout: .now() + 30) == .success)
        #expect(outcome.error?.phase == .interrupted)
        #expect(try snapshot(db) == before, "the interrupted update left the store as it was")
    }

    @Test func aStatementWithinTheLimitsRuns() throws {
        let db = try makeDatabase()
        db.limits = Database.Limits(timeLimit: .seconds(30), maxResultRows: Self.rows, maxNestingDepth: 8, maxMemoryBytes: 64 << 20)
        try db.execute("update items set size = size + 1 where id <= 10")
        #expect(try db.query("select items show sum(size) as total").rowCount == 1)
        #expect(try db.query("select items").rowCount == Self.rows)
    }
}

/// The error a statement on another thread ended with.
private final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    // Guarded by `lock`.
    private var stored: CRMQLError?

    func set(_ error: CRMQLError) { lock.withLock { stored = error } }
    var error: CRMQLError? { lock.withLock { stored } }
}
