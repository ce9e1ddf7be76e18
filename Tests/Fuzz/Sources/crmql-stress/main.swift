import CRMQL
import Foundation
import Synchronization

// Eight readers and one writer on one database for a bounded time, every
// answer checked: reads run in parallel, writes one at a time, and no reader
// may see a write half applied. `.ci/tsan` runs it built with
// ThreadSanitizer, which also fails the run on any data race.
//
// The same workload runs uninstrumented in
// `Tests/CRMQLTests/ConcurrencyStressTests.swift`; keep the two in step.
//
// Usage: crmql-stress [seconds]   (default 10)

let accounts = 50
let startingBalance = 1_000
let total = accounts * startingBalance
let ledgerEntries = 200
let ledgerTotal = (1...ledgerEntries).reduce(0, +)
let readers = 8

let seconds: Double = {
    guard CommandLine.arguments.count > 1 else { return 10 }
    guard let value = Double(CommandLine.arguments[1]), value > 0, value <= 3600 else {
        FileHandle.standardError.write(Data("usage: crmql-stress [seconds, at most 3600]\n".utf8))
        exit(2)
    }
    return value
}()

/// Accounts whose balances always sum to `total`, each with ledger entries
/// (fixed) that make a measure over a relation.
func makeDatabase() throws -> Database {
    let database = try Database(options: Database.Options(today: "2026-06-30"))
    var script = "create entity accounts (id int key, balance int)\n"
    script += "insert into accounts (id, balance) values "
        + (1...accounts).map { "(\($0), \(startingBalance))" }.joined(separator: ", ") + "\n"
    script += "create entity entries (id int key, account ref accounts, amount int)\n"
    script += "insert into entries (id, account, amount) values "
        + (1...ledgerEntries).map { "(\($0), \($0 % accounts + 1), \($0))" }.joined(separator: ", ") + "\n"
    script += "define accounts.twice = balance * 2\n"
    script += "define accounts.ledger = coalesce(sum(entries.amount), 0)\n"
    try database.execute(script)
    return database
}

/// The one statement that moves `amount` from one account to another: both
/// rows change together or not at all.
func transfer(from: Int, to: Int, amount: Int) -> String {
    """
    update accounts set balance = case when id = \(from) then balance - \(amount) \
    when id = \(to) then balance + \(amount) else balance end where id in (\(from), \(to))
    """
}

/// Wrong answers, gathered from every thread; NSLock, not Mutex, so that
/// ThreadSanitizer sees the locking.
final class Failures: Sendable {
    private let lock = NSLock()
    nonisolated(unsafe) private var items: [String] = []
    nonisolated(unsafe) private var count = 0

    func add(_ item: String) {
        lock.withLock {
            count += 1
            if items.count < 20 { items.append(item) }
        }
    }

    var all: (count: Int, first: [String]) { lock.withLock { (count, items) } }
}

/// A cell of a one-row result, or null when the result has no such cell.
func cell(_ result: ResultSet, _ column: Int) -> Value {
    guard result.rowCount > 0, column < result.columnNames.count else { return .null }
    return result.value(row: 0, column: column)
}

func read(_ database: Database, kind: Int, _ failures: Failures) throws {
    switch kind {
    case 0:
        let row = try database.query("select accounts show sum(balance) as total, count() as n")
        let sum = cell(row, 0), count = cell(row, 1)
        // The writer adds an empty account and deletes it again, in two statements.
        if sum != .int(Int64(total)) || (count != .int(Int64(accounts)) && count != .int(Int64(accounts + 1))) {
            failures.add("sum \(sum), count \(count)")
        }
    case 1:
        let row = try database.query("select accounts show sum(twice) as doubled")
        if cell(row, 0) != .int(Int64(2 * total)) { failures.add("a measure from another state: \(cell(row, 0))") }
    case 2:
        let row = try database.query("select accounts where ledger >= 0 show sum(ledger), sum(balance)")
        if cell(row, 0) != .int(Int64(ledgerTotal)) || cell(row, 1) != .int(Int64(total)) {
            failures.add("ledger \(cell(row, 0)), balance \(cell(row, 1))")
        }
    case 3:
        let rows = try database.query("select accounts where balance > \(startingBalance) order by balance desc limit 5")
        if rows.rowCount > 5 { failures.add("limit ignored") }
        var previous = Int64.max
        for row in 0..<rows.rowCount {
            guard case .int(let balance) = rows.value(row: row, column: 1), balance <= previous, balance > Int64(startingBalance) else {
                failures.add("order by or where broken: \(rows.value(row: row, column: 1))")
                break
            }
            previous = balance
        }
    case 4:
        // A filter and sums over the entries: split into morsels on the
        // pool's threads when `CRMQL_MORSEL_ROWS` is small (as `.ci/tsan`
        // sets it), inside readers that run in parallel themselves.
        let row = try database.query("select entries where amount > \(ledgerEntries / 2) show count(), sum(amount)")
        let upper = (ledgerEntries / 2 + 1...ledgerEntries).reduce(0, +)
        if cell(row, 0) != .int(Int64(ledgerEntries / 2)) || cell(row, 1) != .int(Int64(upper)) {
            failures.add("entries \(cell(row, 0)), \(cell(row, 1))")
        }
    default:
        // A prepared statement shared by every reader.
        let rows = try database.query("select count accounts where balance >= $min", parameters: ["min": 0])
        let count = cell(rows, 0)
        if count != .int(Int64(accounts)) && count != .int(Int64(accounts + 1)) { failures.add("count \(count)") }
    }
}

func write(_ database: Database, round: Int, _ failures: Failures, _ random: inout SystemRandomNumberGenerator) throws {
    if round % 5 == 0 {
        // Every balance changes, then the keys clash: the statement fails and must leave nothing behind.
        if (try? database.execute("update accounts set balance = balance + 1, id = 7")) != nil {
            failures.add("an update giving every row the same key succeeded")
        }
    } else if round % 7 == 0 {
        // Rows come and go without changing the sum.
        try database.execute("insert into accounts (id, balance) values (\(1000 + round), 0)")
        try database.execute("delete accounts where id = \(1000 + round)")
    } else {
        let from = Int.random(in: 1...accounts, using: &random)
        let to = Int.random(in: 1...accounts, using: &random)
        // Never more than the account holds, so every balance stays at or
        // above zero and `balance >= 0` counts every account: a random walk
        // of some thousand transfers otherwise overdraws one now and then.
        // The writer is the only one, so the balance it reads still holds.
        if from != to, case .int(let available) = cell(try database.query("select accounts where id = \(from) show balance"), 0) {
            let amount = min(Int.random(in: 1...50, using: &random), Int(available))
            if amount > 0 { try database.execute(transfer(from: from, to: to, amount: amount)) }
        }
    }
}

func spawn(_ group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
    group.enter()
    // Threads of their own: the shared dispatch pool may have fewer threads than there are workers here.
    Thread {
        body()
        group.leave()
    }.start()
}

func main() throws -> Int32 {
    let database = try makeDatabase()
    let stop = Atomic<Bool>(false)
    let failures = Failures()
    let reads = Atomic<Int>(0)
    let writes = Atomic<Int>(0)
    let group = DispatchGroup()

    for reader in 0..<readers {
        spawn(group) {
            var round = 0
            while !stop.load(ordering: .relaxed) {
                round += 1
                do {
                    try read(database, kind: (reader + round) % 6, failures)
                    reads.add(1, ordering: .relaxed)
                } catch {
                    failures.add("reader \(reader): \(error)")
                }
            }
        }
    }
    spawn(group) {
        var random = SystemRandomNumberGenerator()
        var round = 0
        while !stop.load(ordering: .relaxed) {
            round += 1
            do {
                try write(database, round: round, failures, &random)
                writes.add(1, ordering: .relaxed)
            } catch {
                failures.add("writer: \(error)")
            }
        }
    }

    Thread.sleep(forTimeInterval: seconds)
    stop.store(true, ordering: .relaxed)
    guard group.wait(timeout: .now() + 120) == .success else {
        print("FAIL: a thread did not finish within two minutes of the stop")
        return 1
    }
    let final = try database.query("select accounts show sum(balance), sum(twice), count()")
    if cell(final, 0) != .int(Int64(total)) || cell(final, 1) != .int(Int64(2 * total)) || cell(final, 2) != .int(Int64(accounts)) {
        failures.add("final state: \(cell(final, 0)), \(cell(final, 1)), \(cell(final, 2))")
    }
    let (readCount, writeCount) = (reads.load(ordering: .relaxed), writes.load(ordering: .relaxed))
    if readCount < readers { failures.add("only \(readCount) reads completed") }
    if writeCount < 2 { failures.add("only \(writeCount) writes completed") }

    let (failed, first) = failures.all
    print("\(readers) readers, 1 writer, \(seconds) s: \(readCount) reads, \(writeCount) writes, \(failed) wrong answers")
    for failure in first { print("  " + failure) }
    return failed == 0 ? 0 : 1
}

do {
    exit(try main())
} catch {
    print("FAIL: \(error)")
    exit(1)
}
