import CRMQL
import Foundation
import Synchronization
import XCTest

/// A host that lets strangers type statements: eight threads run a rotating
/// set of hostile statements under limits while a ninth keeps asking
/// `select count customers`. Every hostile statement must end with a
/// result or the error its kind allows, the ninth thread must keep getting
/// answers, and memory must stay bounded.
///
/// The run lasts `CRMQL_ADVERSARIAL_SECONDS` seconds: 30 by default when
/// `CI` is set (as `.ci/run` runs in CI), 5 otherwise.
final class AdversarialHostTests: XCTestCase {
    static var duration: Duration {
        if let text = ProcessInfo.processInfo.environment["CRMQL_ADVERSARIAL_SECONDS"], let seconds = Double(text) {
            return .milliseconds(Int(seconds * 1000))
        }
        return ProcessInfo.processInfo.environment["CI"] == nil ? .seconds(5) : .seconds(30)
    }

    static let limits = Database.Limits(timeLimit: .milliseconds(200), maxResultRows: 10_000, maxNestingDepth: 100,
                                        maxMemoryBytes: 64 << 20)

    /// A hostile statement and the error phases it may end with (none: it must answer).
    struct Hostile: Sendable {
        var name: String
        var text: String
        var allowed: Set<Phase>
    }

    static func hostileStatements(fifo: String) -> [Hostile] {
        let deep = String(repeating: "(", count: 150) + "score" + String(repeating: ")", count: 150)
        return [
            Hostile(name: "regex that backtracks exponentially", text: #"select count customers where name matches "^(a+)+$" or note matches "^(\\w+\\s?)*$""#,
                    allowed: [.limit]),
            Hostile(name: "regex that backtracks along long text", text: #"select count customers where note matches "(\\w+\\s)*\\d""#,
                    allowed: [.limit]),
            Hostile(name: "deep nesting", text: "select count customers where \(deep) > 0", allowed: [.limit]),
            Hostile(name: "huge literal", text: "select count customers where name = \"\(String(repeating: "x", count: 1 << 20))\"",
                    allowed: []),
            Hostile(name: "huge limit and offset", text: "select customers limit 9223372036854775807 offset 9223372036854775806",
                    allowed: []),
            Hostile(name: "huge offset on a sort", text: "select customers order by note desc offset 9223372036854775807", allowed: [.limit]),
            Hostile(name: "pathological contains needle",
                    // The first search of a field builds its case-folded copy, which may not fit in 200 ms of a busy debug build.
                    text: "select count customers where note contains \"\(String(repeating: "a", count: 5000))b\"", allowed: [.limit]),
            Hostile(name: "contains over computed long text",
                    text: #"select count customers where note || note || note contains "alpha beta gamma delta zzz""#, allowed: [.limit]),
            Hostile(name: "rules with tiny support",
                    text: "select rules(orders, item: product, by: customer, support: 0.000001, confidence: 0.000001)", allowed: [.limit]),
            Hostile(name: "too many result rows", text: "select orders show id, amount", allowed: [.limit]),
            Hostile(name: "grouping everything", text: "select orders group by customer, product, amount show count()", allowed: [.limit]),
            Hostile(name: "load of a device", text: "load t from \"/dev/urandom\"", allowed: [.io]),
            Hostile(name: "load of a FIFO", text: "load t from \"\(fifo)\"", allowed: [.io]),
        ]
    }

    /// Resident memory in bytes, from /proc (0 where there is none).
    private static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// CPU time of the calling thread.
    private static func threadCPUTime() -> Duration {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return .seconds(time.tv_sec) + .nanoseconds(time.tv_nsec)
    }

    func testEightHostileThreadsLeaveTheHostResponsive() throws {
        let fifo = HostileData.shared.folder + "/fifo-\(UUID().uuidString)"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let db = try HostileData.shared.database()
        db.limits = Self.limits
        let statements = Self.hostileStatements(fifo: fifo)
        let baselineMemory = Self.residentBytes()
        let end = ContinuousClock.now + Self.duration

        struct Outcome: Sendable {
            var statement: String
            var phase: Phase?
            var message: String
            var elapsed: Duration
        }
        let outcomes = Mutex<[Outcome]>([])
        let peakMemory = Atomic<Int>(baselineMemory)
        let group = DispatchGroup()
        for worker in 0..<8 {
            group.enter()
            Thread {
                var next = worker
                while ContinuousClock.now < end {
                    let hostile = statements[next % statements.count]
                    next += 1
                    let started = ContinuousClock.now
                    var phase: Phase?
                    var message = ""
                    do throws(CRMQLError) { _ = try db.execute(hostile.text) } catch {
                        phase = error.phase
                        message = error.message
                    }
                    let outcome = Outcome(statement: hostile.name, phase: phase, message: message, elapsed: ContinuousClock.now - started)
                    outcomes.withLock { $0.append(outcome) }
                    peakMemory.max(Self.residentBytes(), ordering: .relaxed)
                }
                group.leave()
            }.start()
        }

        // The ninth thread: a cheap query, over and over, timed.
        var latencies: [Duration] = []
        var cpuTimes: [Duration] = []
        var failures: [String] = []
        while ContinuousClock.now < end {
            let started = ContinuousClock.now
            let cpuStarted = Self.threadCPUTime()
            do {
                let count = try db.query("select count customers").value(row: 0, column: 0)
                if count != .int(Int64(HostileData.customerCount)) { failures.append("count was \(count)") }
            } catch {
                failures.append(error.description)
            }
            cpuTimes.append(Self.threadCPUTime() - cpuStarted)
            latencies.append(ContinuousClock.now - started)
            Thread.sleep(forTimeInterval: 0.01)
        }
        XCTAssertEqual(group.wait(timeout: .now() + 30), .success, "every hostile thread stops within its last statement's limit")
        unlink(fifo)

        // Every hostile statement ended with a result or the error its kind allows.
        let all = outcomes.withLock { $0 }
        let allowed = Dictionary(uniqueKeysWithValues: statements.map { ($0.name, $0.allowed) })
        for outcome in all {
            if let phase = outcome.phase {
                XCTAssertTrue(allowed[outcome.statement]?.contains(phase) == true,
                              "\(outcome.statement) ended with \(phase): \(outcome.message)")
            }
            // The time limit is 200 ms of wall time; with nine threads on two cores a statement waits for the
            // processor too, so the bound allows for the scheduler, not for a loop that ignores the limit.
            XCTAssertLessThan(outcome.elapsed, .seconds(2), "\(outcome.statement) took \(outcome.elapsed)")
        }
        XCTAssertGreaterThanOrEqual(Set(all.map(\.statement)).count, statements.count, "every kind of hostile statement ran")

        // Responsiveness. The answer itself is cheap: its own CPU time stays
        // far under 50 ms, always, which is what the engine controls (a read
        // never waits for the hostile reads). Wall time also includes waiting
        // for one of two cores shared by nine busy threads, so it is held to
        // 50 ms at the 99th percentile, and to a scheduler's hiccup at worst.
        XCTAssertEqual(failures, [])
        XCTAssertGreaterThan(latencies.count, 10)
        let sorted = latencies.sorted()
        let p99 = sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
        let worstCPU = cpuTimes.max() ?? .zero
        XCTAssertLessThan(worstCPU, .milliseconds(50), "CPU time of the slowest answer")
        XCTAssertLessThan(p99, .milliseconds(50), "99th percentile of \(sorted.count) answers")
        XCTAssertLessThan(sorted.last ?? .zero, .milliseconds(500), "slowest of \(sorted.count) answers")

        // Memory: each statement is held to 64 MB of computed values; eight
        // at once, plus the data, stay well under a gigabyte more than at the start.
        let growth = peakMemory.load(ordering: .relaxed) - baselineMemory
        XCTAssertLessThan(growth, 1 << 30, "resident memory grew by \(growth >> 20) MB")
        print("adversarial run: \(all.count) hostile statements, \(sorted.count) answers, p99 \(p99), slowest \(sorted.last ?? .zero), "
              + "slowest CPU \(worstCPU), memory growth \(growth >> 20) MB")
    }
}
