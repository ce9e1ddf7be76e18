import CRMQL
import Dispatch
import Foundation
import Synchronization
import XCTest

/// Many threads on one database: reads run in parallel, writes one at a
/// time, and no reader ever sees a write half applied. The readers-and-writer
/// workload also runs built with ThreadSanitizer, as
/// `Tests/Fuzz/Sources/crmql-stress` (`.ci/tsan`); keep the two in step.
final class ConcurrencyStressTests: XCTestCase {
    private static let accounts = 50
    private static let startingBalance = 1_000
    private static var total: Int { accounts * startingBalance }
    /// How long the threads hammer the database; bounded, so the test is too.
    private static let duration: Duration = .seconds(3)

    /// Accounts whose balances always sum to `total`, each with ledger
    /// entries (fixed) that make a measure over a relation.
    private func makeDatabase() throws -> Database {
        let database = try Database(options: Database.Options(today: "2026-06-30"))
        var script = "create entity accounts (id int key, balance int)\n"
        script += "insert into accounts (id, balance) values "
            + (1...Self.accounts).map { "(\($0), \(Self.startingBalance))" }.joined(separator: ", ") + "\n"
        script += "create entity entries (id int key, account ref accounts, amount int)\n"
        script += "insert into entries (id, account, amount) values "
            + (1...200).map { "(\($0), \($0 % Self.accounts + 1), \($0))" }.joined(separator: ", ") + "\n"
        script += "define accounts.twice = balance * 2\n"
        script += "define accounts.ledger = coalesce(sum(entries.amount), 0)\n"
        try database.execute(script)
        return database
    }

    /// The one statement that moves `amount` from one account to another:
    /// both rows change together or not at all.
    private static func transfer(from: Int, to: Int, amount: Int) -> String {
        """
        update accounts set balance = case when id = \(from) then balance - \(amount) \
        when id = \(to) then balance + \(amount) else balance end where id in (\(from), \(to))
        """
    }

    func testReadersOnlySeeWholeWrites() throws {
        let database = try makeDatabase()
        let ledgerTotal = (1...200).reduce(0, +)
        let stop = Atomic<Bool>(false)
        let failures = Failures()
        let reads = Atomic<Int>(0)
        let writes = Atomic<Int>(0)
        let group = DispatchGroup()

        @Sendable func record(_ message: String) { failures.add(message) }

        // Threads of their own: the shared dispatch pool may have fewer threads than there are workers here.
        for reader in 0..<8 {
            spawn(group) {
                var round = 0
                while !stop.load(ordering: .relaxed) {
                    round += 1
                    do {
                        switch (reader + round) % 4 {
                        case 0:
                            let row = try database.query("select accounts show sum(balance) as total, count() as n")
                            let total = cell(row, 0), count = cell(row, 1)
                            // The writer adds an empty account and deletes it again, in two statements.
                            if total != .int(Int64(Self.total)) || (count != .int(Int64(Self.accounts)) && count != .int(Int64(Self.accounts + 1))) {
                                record("sum \(total), count \(count)")
                            }
                        case 1:
                            let row = try database.query("select accounts show sum(twice) as doubled")
                            if cell(row, 0) != .int(Int64(2 * Self.total)) {
                                record("a measure from another state: \(cell(row, 0))")
                            }
                        case 2:
                            let row = try database.query("select accounts where ledger >= 0 show sum(ledger), sum(balance)")
                            if cell(row, 0) != .int(Int64(ledgerTotal)) || cell(row, 1) != .int(Int64(Self.total)) {
                                record("ledger \(cell(row, 0)), balance \(cell(row, 1))")
                            }
                        default:
                            let rows = try database.query("select accounts where balance > \(Self.startingBalance) order by balance desc limit 5")
                            if rows.rowCount > 5 { record("limit ignored") }
                        }
                        reads.add(1, ordering: .relaxed)
                    } catch {
                        record("reader \(reader): \(error)")
                    }
                }
            }
        }

        spawn(group) {
            var random = SystemRandomNumberGenerator()
            var round = 0
            while !stop.load(ordering: .relaxed) {
                round += 1
                let from = Int.random(in: 1...Self.accounts, using: &random)
                let to = Int.random(in: 1...Self.accounts, using: &random)
                do {
                    if round % 5 == 0 {
                        // Every balance changes, then the keys clash: the statement fails and must leave nothing behind.
                        if (try? database.execute("update accounts set balance = balance + 1, id = 7")) != nil {
                            record("an update giving every row the same key succeeded")
                        }
                    } else if round % 7 == 0 {
                        // Rows come and go without changing the sum.
                        try database.execute("insert into accounts (id, balance) values (\(1000 + round), 0)")
                        try database.execute("delete accounts where id = \(1000 + round)")
                    } else if from != to,
                              case .int(let available) = cell(try database.query("select accounts where id = \(from) show balance"), 0) {
                        // Never more than the account holds, as in `crmql-stress`,
                        // whose readers count every account with `balance >= 0`.
                        let amount = min(Int.random(in: 1...50, using: &random), Int(available))
                        if amount > 0 { try database.execute(Self.transfer(from: from, to: to, amount: amount)) }
                    }
                    writes.add(1, ordering: .relaxed)
                } catch {
                    record("writer: \(error)")
                }
            }
        }

        Thread.sleep(forTimeInterval: Double(Self.duration.components.seconds))
        stop.store(true, ordering: .relaxed)
        XCTAssertEqual(group.wait(timeout: .now() + 60), .success, "every thread finished")
        XCTAssertEqual(failures.all, [])
        XCTAssertGreaterThan(reads.load(ordering: .relaxed), 8, "readers ran")
        XCTAssertGreaterThan(writes.load(ordering: .relaxed), 2, "the writer ran")
        let final = try database.query("select accounts show sum(balance), sum(twice)")
        XCTAssertEqual(cell(final, 0), .int(Int64(Self.total)))
        XCTAssertEqual(cell(final, 1), .int(Int64(2 * Self.total)))
    }

    /// A read blocked inside a host function holds no lock: other reads
    /// and a write complete meanwhile, and the blocked read still answers
    /// from the state it started on.
    func testReadsDoNotWaitForReadsAndWritesDoNotWaitForReads() throws {
        let database = try makeDatabase()
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let blocked = Atomic<Bool>(false)
        try database.register("gate", arity: 1, returns: .int) { arguments in
            if !blocked.exchange(true, ordering: .relaxed) {
                entered.signal()
                _ = release.wait(timeout: .now() + 30)
            }
            return arguments[0]
        }
        let answer = Failures()
        let group = DispatchGroup()
        spawn(group) {
            do {
                let rows = try database.query("select accounts where gate(id) > 0 show count()")
                answer.add("\(cell(rows, 0))")
            } catch {
                answer.add("\(error)")
            }
        }
        XCTAssertEqual(entered.wait(timeout: .now() + 30), .success, "the first read is inside the host function")

        let others = DispatchGroup()
        let results = Failures()
        spawn(others) {
            do {
                results.add("\(cell(try database.query("select count accounts"), 0))")
                try database.execute("insert into accounts (id, balance) values (999, 0)")
                results.add("\(cell(try database.query("select count accounts"), 0))")
            } catch {
                results.add("\(error)")
            }
        }
        let finished = others.wait(timeout: .now() + 30)
        release.signal()
        XCTAssertEqual(finished, .success, "a read and a write ran while another read was blocked")
        XCTAssertEqual(results.all, ["\(Value.int(Int64(Self.accounts)))", "\(Value.int(Int64(Self.accounts + 1)))"])
        XCTAssertEqual(group.wait(timeout: .now() + 30), .success)
        XCTAssertEqual(answer.all, ["\(Value.int(Int64(Self.accounts)))"], "the blocked read answers from the state it started on")
    }

    /// `interrupt()` stops the statements running on every thread, and
    /// leaves statements started afterwards alone.
    func testInterruptStopsEveryRunningStatement() throws {
        let database = try makeDatabase()
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        try database.register("wait_here", arity: 1, returns: .int) { arguments in
            entered.signal()
            _ = release.wait(timeout: .now() + 30)
            return arguments[0]
        }
        let outcomes = Failures()
        let group = DispatchGroup()
        for _ in 0..<2 {
            spawn(group) {
                do {
                    // Both threads wait inside the function at once, which only parallel reads allow; the
                    // interrupt is seen at the next column operation, `show`'s.
                    _ = try database.query("select accounts where id = 1 and wait_here(id) > 0 show id + 1 as x")
                    outcomes.add("finished")
                } catch let error as CRMQLError {
                    outcomes.add("\(error.phase)")
                } catch {
                    outcomes.add("\(error)")
                }
            }
        }
        for _ in 0..<2 { XCTAssertEqual(entered.wait(timeout: .now() + 30), .success) }
        database.interrupt()
        release.signal()
        release.signal()
        XCTAssertEqual(group.wait(timeout: .now() + 30), .success)
        XCTAssertEqual(outcomes.all.sorted(), ["interrupted", "interrupted"])
        XCTAssertEqual(cell(try database.query("select count accounts"), 0), .int(Int64(Self.accounts)), "later statements run")
    }
}

/// Strings gathered from several threads.
private final class Failures: Sendable {
    private let lock = NSLock()
    // Guarded by `lock`; NSLock, not Mutex, so that ThreadSanitizer sees the locking.
    nonisolated(unsafe) private var items: [String] = []

    func add(_ item: String) { lock.withLock { if items.count < 20 { items.append(item) } } }
    var all: [String] { lock.withLock { items } }
}

/// Runs `body` on a new thread, as part of `group`.
private func spawn(_ group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
    group.enter()
    Thread {
        body()
        group.leave()
    }.start()
}

/// A cell of a one-row result, or null when the result has no such cell.
private func cell(_ result: ResultSet, _ column: Int) -> Value {
    guard result.rowCount > 0, column < result.columnNames.count else { return .null }
    return result.value(row: 0, column: column)
}
