import CRMQL
import Foundation
import Synchronization
import Testing

/// What a host adds and controls: functions, interrupts from other threads,
/// limits, and errors that keep its parameter values private.
@Suite struct HostTests {
    struct HostError: Error, CustomStringConvertible {
        var description: String { "the host refused" }
    }

    @Test func aRegisteredFunctionIsCallableInQueries() throws {
        let db = try Database.demo()
        try db.register("margin", arity: 2) { arguments in
            guard let revenue = arguments[0].doubleValue, let value = arguments[1].doubleValue, revenue != 0 else { return .null }
            return .number(value / revenue)
        }
        try db.register("shout", returns: .text) { arguments in
            .text(arguments.map(\.description).joined(separator: " ").uppercased())
        }
        #expect(db.registeredFunctions == ["margin", "shout"])
        let result = try db.query("""
            select customers where margin(revenue, value) > 0.2 order by id limit 3
            show name, margin(revenue, value) as margin, shout(name, "!") as loud
            """)
        #expect(result.count == 3)
        #expect(result.columnTypes.map(\.description) == ["text", "number", "text"])
        for row in result {
            #expect(try row.get("margin", as: Double.self) > 0.2)
            #expect(try row.get("loud", as: String.self) == (try row.get("name", as: String.self)).uppercased() + " !")
        }
        let arity = #expect(throws: CRMQLError.self) { try db.query("select customers show margin(revenue)") }
        #expect(arity?.phase == .semantic)

        try db.register("refuse") { _ in throw HostError() }
        let refused = #expect(throws: CRMQLError.self) { try db.query("select customers show refuse(1)") }
        #expect(refused?.message.contains("the host refused") == true)

        db.unregister("margin")
        #expect(throws: CRMQLError.self) { try db.query("select customers show margin(revenue, value)") }
    }

    @Test func aHostStopsAScriptBetweenStatements() throws {
        let db = try Database()
        var statements = try db.statements("""
            create entity notes (id int key)
            insert into notes (id) values (1)
            insert into notes (id) values (2)
            """)
        #expect(try statements.next()?.outputs.isEmpty == true)
        let inserted = try statements.next()
        #expect(inserted?.outputs.map(\.description) == ["1 note inserted"])
        // The host stops here: the third statement never runs.
        #expect(try db.query("select count notes")[0].get(0, as: Int.self) == 1)
    }

    @Test func functionNamesMustNotCollide() throws {
        let db = try Database()
        for name in ["sum", "COALESCE", "select", "1abc", "", "has space", "a-b"] {
            #expect(throws: CRMQLError.self, "\(name)") { try db.register(name) { _ in .null } }
        }
        #expect(throws: CRMQLError.self) { try db.register("ok", arity: -1) { _ in .null } }
        #expect(throws: CRMQLError.self) { try db.register("ok", returns: .ref("customers")) { _ in .null } }
        try db.register("größe") { _ in .int(1) }
    }

    /// A gate a host function waits at, so a test knows the statement is running.
    final class Gate: Sendable {
        let entered = Atomic<Bool>(false)
        let released = Atomic<Bool>(false)

        // Generous deadlines: on a loaded machine the statement may take many
        // seconds to reach the function; a deadline that passes first would
        // interrupt before the statement starts, and test nothing.
        func waitInside() {
            entered.store(true, ordering: .sequentiallyConsistent)
            let deadline = ContinuousClock.now + .seconds(120)
            while !released.load(ordering: .sequentiallyConsistent), ContinuousClock.now < deadline {
                Thread.sleep(forTimeInterval: 0.001)
            }
        }

        func waitUntilEntered() {
            let deadline = ContinuousClock.now + .seconds(120)
            while !entered.load(ordering: .sequentiallyConsistent), ContinuousClock.now < deadline {
                Thread.sleep(forTimeInterval: 0.001)
            }
        }
    }

    /// What a statement run on another thread ended with.
    final class Outcome: Sendable {
        let error = Mutex<CRMQLError?>(nil)
        let done = DispatchSemaphore(value: 0)
    }

    @Test func interruptStopsAStatementFromAnotherThread() throws {
        let db = try Database.demo()
        let gate = Gate()
        try db.register("pause") { arguments in
            gate.waitInside()
            return arguments.first ?? .null
        }
        // A thread of its own, not a task: with the test pool's few threads
        // busy with other suites, a task might not start before the gate's
        // deadline, and the interrupt would come before the statement.
        let outcome = Outcome()
        Thread.detachNewThread {
            do throws(CRMQLError) {
                _ = try db.query("select customers where pause(points) >= 0 show name, revenue")
            } catch {
                outcome.error.withLock { $0 = error }
            }
            outcome.done.signal()
        }
        gate.waitUntilEntered()
        db.interrupt()
        gate.released.store(true, ordering: .sequentiallyConsistent)
        outcome.done.wait()
        let error = outcome.error.withLock { $0 }
        #expect(error?.phase == .interrupted)
        // The database goes on working.
        #expect(try db.query("select count customers")[0].get(0, as: Int.self) > 0)
    }

    @Test func limitsStopStatementsThatGoTooFar() throws {
        let db = try Database.demo()
        db.limits = Database.Limits(maxResultRows: 5)
        let rows = #expect(throws: CRMQLError.self) { try db.query("select customers") }
        #expect(rows?.phase == .limit)
        #expect(try db.query("select customers limit 5").count == 5)

        db.limits = Database.Limits(timeLimit: .milliseconds(20))
        try db.register("slow") { arguments in
            Thread.sleep(forTimeInterval: 0.2)
            return arguments.first ?? .null
        }
        let slow = #expect(throws: CRMQLError.self) { try db.query("select customers where points > slow(0) show name") }
        #expect(slow?.phase == .limit)

        db.limits = Database.Limits()
        #expect(db.limits == Database.Limits())
        let sandboxed = try Database(options: Database.Options(safe: true, limits: Database.Limits(maxNestingDepth: 3)))
        let deep = #expect(throws: CRMQLError.self) { try sandboxed.execute("select customers where points > 1 + (2 + (3 + (4 + 5)))") }
        #expect(deep?.phase == .limit)
        let file = #expect(throws: CRMQLError.self) { try sandboxed.execute("load customers from \"customers.csv\"") }
        #expect(file?.phase == .io)
    }

    // MARK: Privacy

    @Test func errorsDoNotShowBoundValues() throws {
        let db = try Database()
        try db.execute("create entity people (id int key, email text, level enum(low, high))")
        let insert = try db.prepare("insert into people (id, email, level) values ($id, $email, $level)")
        try insert.execute(parameters: ["id": 424_242, "email": "ann@example.com", "level": "low"])

        // The engine's message would quote the duplicate key.
        let duplicate = #expect(throws: CRMQLError.self) {
            try insert.execute(parameters: ["id": 424_242, "email": "bo@example.com", "level": "low"])
        }
        #expect(duplicate?.description.contains("424242") == false)
        #expect(duplicate?.description.contains("$id") == true)

        // … and a value that is not one of the enum's symbols.
        let level = #expect(throws: CRMQLError.self) {
            try insert.execute(parameters: ["id": 7, "email": "cy@example.com", "level": "ultra-secret-level"])
        }
        #expect(level?.description.contains("ultra-secret-level") == false)
        #expect(level?.problems.allSatisfy { !$0.message.contains("ultra-secret-level") && !$0.rendered.contains("ultra-secret-level") } == true)

        // … and a bad pattern.
        let pattern = #expect(throws: CRMQLError.self) {
            try db.query("select people where email matches $pattern", parameters: ["pattern": "(secret-pattern"])
        }
        #expect(pattern?.description.contains("secret-pattern") == false)

        // Values the host gave when opening are hidden too.
        let opened = try Database(options: Database.Options(parameters: ["mail": "private@example.com"]))
        try opened.execute("create entity people (email text key, visits int)")
        let again = #expect(throws: CRMQLError.self) {
            try opened.execute("""
                param $mail = "x"
                insert into people (email, visits) values ($mail, 1), ($mail, 2)
                """)
        }
        #expect(again?.description.contains("private@example.com") == false)
    }

    @Test func hidingAValueLeavesOtherTextAlone() throws {
        let db = try Database()
        try db.execute("create entity items (id int key, size int)")
        let error = #expect(throws: CRMQLError.self) {
            try db.execute("insert into items (id, size) values (17, 1), (17, $n)", parameters: ["n": 7])
        }
        // 7 is the bound value; 17 is in the text and stays.
        #expect(error?.description.contains("17") == true)
    }

    // MARK: Threads

    @Test func theAPICrossesThreads() async throws {
        let db = try Database.demo()
        let statement = try db.prepare("select count customers where points >= $min")
        let counts = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for minimum in [0, 500, 1000, 2000, 4000, 8000] {
                group.addTask { (minimum, try statement.query(parameters: ["min": minimum])[0].get(0)) }
            }
            var counts: [Int: Int] = [:]
            for try await (minimum, count) in group { counts[minimum] = count }
            return counts
        }
        let ordered = counts.sorted { $0.key < $1.key }.map(\.value)
        #expect(ordered == ordered.sorted(by: >))
        let result = try db.query("select customers limit 10")
        let names = await Task.detached { result.map { $0["name"]?.description ?? "" } }.value
        #expect(names.count == 10)
    }
}
