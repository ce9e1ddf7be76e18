import CCRMQL
import CRMQL
import CRMQLC
import Foundation
import XCTest

/// No statement, on any data, runs past its time limit or ignores an
/// interrupt for long. One statement per family of loop whose length
/// depends on the input, each built to run for seconds: started under a
/// 200 ms time limit it must fail with phase `limit`, and interrupted from
/// another thread at 100 ms it must fail with phase `interrupted`, within
/// `slack` either way, through the Swift API and the C API alike, leaving
/// the store as it was.
final class StatementBoundsTests: XCTestCase {
    /// One statement of a family, and what it must not have left behind.
    struct Family: Sendable {
        var name: String
        var statement: @Sendable (_ scratch: String) -> String
    }

    static let timeLimit: Duration = .milliseconds(200)
    static let interruptAfter: Duration = .milliseconds(100)
    /// How long after the deadline or the interrupt a statement may still
    /// run: the polls are milliseconds apart, the rest is a loaded machine
    /// running a debug build.
    static let slack: Duration = .milliseconds(100)

    static let families: [Family] = [
        Family(name: "scan: matches on a pattern that backtracks along the text") { _ in
            #"select count customers where note matches "(\\w+\\s)*\\d""#
        },
        Family(name: "scan: contains over a computed text") { _ in
            #"select count customers where note || name contains "zzz" and name || note contains "yyy""#
        },
        Family(name: "scan: arithmetic filter") { _ in
            "select count orders where " + (1...60).map { "amount * \($0) + id > -\($0)" }.joined(separator: " and ")
        },
        Family(name: "sort") { _ in
            // Order lines by computed long texts: sorting by stored keys
            // finishes within the limit.
            "select orders order by customer.note || product || customer.note, amount desc offset \(HostileData.orderCount - 5)"
        },
        Family(name: "grouping") { _ in
            // Keys of long texts: grouping by whole-number keys takes a
            // fraction of the time limit, ranking long texts does not.
            "select orders group by customer.note || product as k, customer show k, customer, count() offset \(HostileData.orderCount - 5)"
        },
        Family(name: "relation aggregates") { _ in
            // Filtered children and many of them: seconds even on two threads.
            "select count customers where count(orders) >= 0 and sum(orders.amount) > -1 and avg(orders.amount) > -1 "
                + "and max(orders.amount) > -1 and min(orders.amount) > -1 and "
                + (1...40).map { "count(orders where amount > \($0)) >= 0" }.joined(separator: " and ")
        },
        Family(name: "relation aggregates: count(distinct) of long texts") { _ in
            "select count customers where " + ["", " || customer.city", " || customer.name", " || product"].map {
                "count(distinct orders.customer.note\($0)) > 0"
            }.joined(separator: " and ")
        },
        Family(name: "table function: rules with tiny support") { _ in
            "select rules(orders, item: product, by: customer, support: 0.00001, confidence: 0.01) order by lift desc limit 3"
        },
        Family(name: "table function: sequences (PrefixSpan)") { _ in
            "select sequences(orders, item: product, who: customer, at: ordered_on, support: 0.0001, length: 5) order by lift desc limit 3"
        },
        Family(name: "table function: transitions") { _ in
            "select transitions(customers, of: sum(orders.amount), from: 2025-01-01, to: 2026-01-01) order by count desc limit 3"
        },
        Family(name: "model fit: clusters (k-means)") { _ in
            "model fitted = clusters(orders, k: 200, on: (amount, id % 1000, id % 7))"
        },
        Family(name: "model fit: classifier tree") { _ in
            "model fitted = classifier(orders, target: amount > 50000, from: (\(StatementBoundsTests.classifierInputs)), depth: 12)"
        },
        Family(name: "model fit: classifier logistic regression") { _ in
            "model fitted = classifier(orders, target: amount > 50000, from: (\(StatementBoundsTests.classifierInputs)), method: logistic)"
        },
        Family(name: "model fit: bgnbd with spend") { _ in
            "model fitted = bgnbd(orders, who: customer, at: ordered_on, spend: amount)"
        },
        Family(name: "load") { _ in
            "load more_orders from \"\(HostileData.shared.ordersFile)\""
        },
        Family(name: "export") { scratch in
            "export select orders order by product, amount to \"\(scratch)/export.csv\""
        },
        Family(name: "save") { scratch in
            "save \"\(scratch)/saved.crmqldb\""
        },
    ]

    /// Twelve inputs that tell nothing of the target: a tree grows to its
    /// full depth and Newton's iterations go over many columns.
    static let classifierInputs = [101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157].map { "id % \($0)" }.joined(separator: ", ")

    private func scratchFolder() throws -> String {
        let folder = HostileData.shared.folder + "/scratch-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    private func database() throws -> Database {
        try HostileData.shared.database()
    }

    /// Runs `family` under `limits`, interrupting it after `interruptAfter`
    /// when given; returns the error and how long the statement took.
    private func run(_ family: Family, on db: Database, interruptAfter: Duration?) throws -> (CRMQLError?, Duration) {
        let scratch = try scratchFolder()
        let statement = family.statement(scratch)
        let interrupter = interruptAfter.map { delay in
            Thread {
                Thread.sleep(forTimeInterval: Double(delay.components.attoseconds) / 1e18 + Double(delay.components.seconds))
                db.interrupt()
            }
        }
        let started = ContinuousClock.now
        interrupter?.start()
        var failure: CRMQLError?
        do { try db.execute(statement) } catch { failure = error }
        let elapsed = ContinuousClock.now - started
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch)
        XCTAssertEqual(left, [], "\(family.name): a stopped statement writes no file")
        return (failure, elapsed)
    }

    func testEveryFamilyStopsAtTheTimeLimit() throws {
        let db = try database()
        let before = try HostileData.fingerprint(db)
        for family in Self.families {
            db.limits = Database.Limits(timeLimit: Self.timeLimit)
            let (error, elapsed) = try run(family, on: db, interruptAfter: nil)
            XCTAssertEqual(error?.phase, .limit, "\(family.name): \(error?.description ?? "no error after \(elapsed)")")
            XCTAssertTrue(error?.message.contains("time limit of 200 ms") == true, "\(family.name): \(error?.message ?? "")")
            XCTAssertLessThanOrEqual(elapsed, Self.timeLimit + Self.slack, "\(family.name) stopped \(elapsed) after it started")
            XCTAssertEqual(try HostileData.fingerprint(db), before, "\(family.name) left the store as it was")
        }
    }

    func testEveryFamilyStopsAtAnInterrupt() throws {
        let db = try database()
        let before = try HostileData.fingerprint(db)
        for family in Self.families {
            let (error, elapsed) = try run(family, on: db, interruptAfter: Self.interruptAfter)
            XCTAssertEqual(error?.phase, .interrupted, "\(family.name): \(error?.description ?? "no error after \(elapsed)")")
            XCTAssertLessThanOrEqual(elapsed, Self.interruptAfter + Self.slack, "\(family.name) stopped \(elapsed) after it started")
            XCTAssertEqual(try HostileData.fingerprint(db), before, "\(family.name) left the store as it was")
        }
    }

    /// The same through `crmql.h`: `crmql_limit` and `crmql_interrupt`
    /// stop each family with `CRMQL_LIMIT` and `CRMQL_INTERRUPT`.
    func testEveryFamilyStopsThroughTheCInterface() throws {
        var handle: OpaquePointer?
        XCTAssertEqual(crmqlOpenV2(HostileData.shared.snapshot, 0, "2026-06-30", &handle), CRMQL_OK)
        defer { _ = crmqlClose(handle) }
        for family in Self.families {
            let scratch = try scratchFolder()
            _ = crmqlLimit(handle, CRMQL_LIMIT_TIME_MS, 200)
            var started = ContinuousClock.now
            XCTAssertEqual(exec(handle, family.statement(scratch)), CRMQL_LIMIT, "\(family.name): \(message(handle))")
            XCTAssertLessThanOrEqual(ContinuousClock.now - started, Self.timeLimit + Self.slack, family.name)

            _ = crmqlLimit(handle, CRMQL_LIMIT_TIME_MS, Int64.max)
            // A pointer's bits cross to the other thread: crmql_interrupt is the one call made from any thread.
            let bits = Int(bitPattern: handle)
            let interrupter = Thread {
                Thread.sleep(forTimeInterval: 0.1)
                crmqlInterrupt(OpaquePointer(bitPattern: bits))
            }
            started = ContinuousClock.now
            interrupter.start()
            XCTAssertEqual(exec(handle, family.statement(scratch)), CRMQL_INTERRUPT, "\(family.name): \(message(handle))")
            XCTAssertLessThanOrEqual(ContinuousClock.now - started, Self.interruptAfter + Self.slack, family.name)
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch), [], family.name)
        }
        XCTAssertEqual(exec(handle, "select count customers"), CRMQL_OK)
    }

    /// The two inputs that once froze a host, as its report gave them:
    /// a one-line CSV whose text makes a nested pattern backtrack, under a
    /// 1 s limit, and a load of `/dev/urandom`. Each ends at once with a
    /// clear error, and the handle answers the next statement.
    func testTheReportedHangsEndPromptlyThroughTheCInterface() throws {
        let folder = try scratchFolder()
        let csv = folder + "/one-row.csv"
        try "id,name\n1,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\n".write(toFile: csv, atomically: true, encoding: .utf8)
        var handle: OpaquePointer?
        XCTAssertEqual(crmqlOpenV2(nil, 0, "2026-06-30", &handle), CRMQL_OK)
        defer { _ = crmqlClose(handle) }
        XCTAssertEqual(exec(handle, "load t from \"\(csv)\""), CRMQL_OK, message(handle))
        _ = crmqlLimit(handle, CRMQL_LIMIT_TIME_MS, 1000)
        var started = ContinuousClock.now
        XCTAssertEqual(exec(handle, #"select count t where name matches "^(a+)+$""#), CRMQL_LIMIT)
        XCTAssertLessThanOrEqual(ContinuousClock.now - started, Self.slack)
        XCTAssertTrue(message(handle).contains("backtracks more than"), message(handle))

        started = ContinuousClock.now
        XCTAssertEqual(exec(handle, #"load u from "/dev/urandom""#), CRMQL_IO)
        XCTAssertLessThanOrEqual(ContinuousClock.now - started, Self.slack)
        XCTAssertTrue(message(handle).contains("it is a device, not a regular file"), message(handle))
        XCTAssertEqual(exec(handle, "select count t"), CRMQL_OK, message(handle))
    }

    private func exec(_ handle: OpaquePointer?, _ text: String) -> Int32 {
        crmqlExec(handle, text, nil, nil, nil)
    }

    private func message(_ handle: OpaquePointer?) -> String {
        crmqlErrmsg(handle).map { String(cString: $0) } ?? ""
    }
}
