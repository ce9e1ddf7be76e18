import CRMQL
import Foundation
import XCTest

/// After a crash at any moment, reopening a database file shows exactly the
/// statements that reported success (and perhaps the one under way, whole
/// or not at all).
///
/// Each round writes a random script (inserts, updates, deletes with
/// cascade, loads, defines, named queries, parameters, settings, indexes),
/// runs it with `crmql FILE.crmdb --timer`, whose `Time:` line after each
/// statement is its acknowledgement, and kills it with SIGKILL at a random
/// moment: during start-up and replay, a statement, an `fsync`, or a
/// checkpoint (the log is folded every few KB). Then it reopens the file in
/// this process and compares everything in it with an in-memory database
/// that ran the acknowledged statements: the two must match, or match once
/// the statement under way is added. The file is never reset between
/// rounds, so each round also recovers from the crashes before it.
///
/// `CRMQL_CRASH_KILLS` sets the number of kills (500 by default).
final class CrashRecoveryTests: XCTestCase {
    private static let today = "2026-06-30"

    func testEveryAcknowledgedStatementSurvivesAKill() throws {
        let kills = ProcessInfo.processInfo.environment["CRMQL_CRASH_KILLS"].flatMap { Int($0) } ?? 500
        let fixture = try Fixture()
        let database = fixture.path("shop.crmdb")
        let setup = """
            create entity items (id int key, name text, qty int, kind enum(a, b, c))
            create entity lines (id int key, item ref items, amount number)
            insert into items (id, name, qty, kind) values (1, "one", 1, a), (2, "two", 2, b)
            """
        let model = try Database(options: Database.Options(today: CrashRecoveryTests.today))
        _ = try model.execute(setup)
        do {
            let opened = try Database(path: database, options: Database.Options(today: CrashRecoveryTests.today))
            _ = try opened.execute(setup)
            try opened.close()
        }
        var workload = Workload(nextItem: 3)
        var generator = SystemRandomNumberGenerator()
        var crashPoints: [String: Int] = [:]
        var acknowledged = 0
        var inFlightFound = 0
        // The time a whole round takes, measured on the first, and the time
        // to start and open the file, measured on an empty script: kills fall
        // anywhere from late in the start-up (replay) to the round's end.
        var roundSeconds = 0.0
        let empty = try fixture.write("empty.crmql", "")
        var startUpSeconds = Double.infinity
        for _ in 0..<3 {
            let started = Date()
            _ = try runChild(database: database, script: empty, killAfter: nil)
            startUpSeconds = min(startUpSeconds, Date().timeIntervalSince(started))
        }
        var round = 0
        var killed = 0
        while killed < kills {
            try workload.resynchronize(with: model)
            let statements = try workload.round(round, fixture: fixture, using: &generator)
            let script = try fixture.write("round-\(round).crmql", statements.joined(separator: "\n") + "\n")
            let earliest = min(startUpSeconds * 0.6, roundSeconds * 0.5)
            let delay = round == 0 ? nil : Double.random(in: earliest..<max(roundSeconds, earliest + 0.02), using: &generator)
            let started = Date()
            let run = try runChild(database: database, script: script, killAfter: delay)
            if round == 0 { roundSeconds = Date().timeIntervalSince(started) * 1.1 }
            // A round that ended before its kill was wasted: aim earlier.
            if round > 0 { roundSeconds *= run.wasKilled ? 1.02 : 0.9 }
            if run.wasKilled { killed += 1 }
            XCTAssertFalse(run.standardError.contains("error:") || run.standardError.contains("Error:"), "round \(round) failed:\n\(run.standardError)")
            let done = run.standardError.split(separator: "\n").filter { $0.hasPrefix("Time: ") }.count

            // The file as the next session finds it, before that session cuts anything.
            let leftTemporary = FileManager.default.fileExists(atPath: database + ".tmp")
            let reopened = try Database(path: database, readOnly: true, options: Database.Options(today: CrashRecoveryTests.today))
            let found = try dump(reopened)
            for statement in statements.prefix(done) { _ = try model.execute(statement) }
            acknowledged += done
            var inFlight = false
            if found != (try dump(model)) {
                guard done < statements.count else {
                    XCTFail("round \(round): every statement ran, yet the file differs from them:\n\(found)\n---\n\(try dump(model))")
                    return
                }
                _ = try model.execute(statements[done])
                guard found == (try dump(model)) else {
                    XCTFail("""
                        round \(round): after \(done) acknowledged statements the file matches neither them nor them \
                        and the next (\(statements[done])):
                        \(found)
                        """)
                    return
                }
                inFlight = true
                inFlightFound += 1
            }
            if run.wasKilled {
                let kind = done < statements.count ? String(statements[done].prefix { $0 != " " }) : "exit"
                let stage = done == 0 ? "start-up" : "statement \(kind)"
                let point = "\(stage), tail \(reopened.recoveryNote == nil ? "whole" : "torn"), "
                    + "\(leftTemporary ? "a checkpoint's temporary file left" : "no temporary file"), \(inFlight ? "in-flight kept" : "in-flight absent")"
                crashPoints[point, default: 0] += 1
            }
            round += 1
        }
        print("crash recovery: \(killed) kills over \(round) rounds, \(crashPoints.count) distinct crash points, "
              + "\(acknowledged) acknowledged statements all found, \(inFlightFound) statements under way found whole")
        for (point, count) in crashPoints.sorted(by: { $0.key < $1.key }) { print("  \(count)\t\(point)") }
        XCTAssertGreaterThan(crashPoints.count, 5, "kills reached several kinds of moment")
        // The file opens for writing after all that, and a last clean close checkpoints it.
        let final = try Database(path: database, options: Database.Options(today: CrashRecoveryTests.today))
        XCTAssertEqual(try dump(final), try dump(model))
        try final.close()
    }

    /// Runs `crmql FILE.crmdb --timer SCRIPT`, killed after `killAfter` seconds when given.
    private func runChild(database: String, script: String, killAfter delay: Double?) throws -> (standardError: String, wasKilled: Bool) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try CrmqlBinary.path())
        process.arguments = ["--db", database, "--timer", "--today", CrashRecoveryTests.today, "--format", "csv", script]
        var environment = ProcessInfo.processInfo.environment
        environment["CRMQL_CHECKPOINT_BYTES"] = "1500"
        process.environment = environment
        let errors = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        if let delay {
            usleep(UInt32(delay * 1_000_000))
            kill(process.processIdentifier, SIGKILL)
        }
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (String(decoding: data, as: UTF8.self), process.terminationReason == .uncaughtSignal)
    }

    /// Everything a database holds, as text: each entity's schema, rows and
    /// computed fields, the indexes, the named queries' rows, the parameters.
    private func dump(_ database: Database) throws -> String {
        let schema = database.schema
        var text = ""
        let csv = RenderOptions(format: .csv)
        func rows(_ query: String) throws -> String {
            guard case .rows(let result)? = try database.execute(query).last else { return "" }
            let lines = ResultRenderer.render(result, options: csv).split(separator: "\n")
            return ([lines.first ?? ""] + lines.dropFirst().sorted()).joined(separator: "\n")
        }
        for entity in schema.entities.sorted(by: { $0.name < $1.name }) {
            let computed = entity.computedFields.filter { !$0.fromPrelude }
            text += "\(entity.name): \(entity.fields.map { "\($0.name) \($0.type)" }.joined(separator: ", "))\n"
            for field in computed { text += "  \(field.name) = \(field.definition)\n" }
            let shown = (entity.fields.map(\.name) + computed.map(\.name)).joined(separator: ", ")
            text += try rows("select \(entity.name) show \(shown)") + "\n"
        }
        text += try rows("show indexes") + "\n"
        for name in schema.namedQueries.sorted() { text += "\(name):\n" + (try rows("select \(name)")) + "\n" }
        text += "parameters: \(schema.parameters.sorted())\n"
        return text
    }
}

/// The random statements of the rounds, always valid over the state the
/// statements before them leave.
private struct Workload {
    var nextItem: Int
    var nextLine = 1
    var items: [Int] = []
    var lines: [Int] = []
    var indexed = false

    /// What the model holds now: rounds cut short leave less than planned.
    mutating func resynchronize(with model: Database) throws {
        func ids(_ query: String) throws -> [Int] {
            guard case .rows(let result)? = try model.execute(query).last else { return [] }
            return result.map { row in
                if case .int(let id) = row.values[0] { return Int(id) }
                return -1
            }
        }
        items = try ids("select items show id")
        lines = try ids("select lines show id")
        guard case .rows(let indexes)? = try model.execute("show indexes").last else { return }
        indexed = indexes.contains { row in row.values.contains { "\($0)" == "qty" } && row.values.contains { "\($0)" == "items" } }
    }

    mutating func round(_ round: Int, fixture: Fixture, using random: inout some RandomNumberGenerator) throws -> [String] {
        var statements = ["param $step = \(round % 5 + 1)"]
        for _ in 0..<12 {
            switch Int.random(in: 0..<16, using: &random) {
            case 0, 1, 2:
                let count = Int.random(in: 1...3, using: &random)
                let values = (0..<count).map { _ -> String in
                    defer { nextItem += 1 }
                    items.append(nextItem)
                    return "(\(nextItem), \"item \(nextItem)\", \(Int.random(in: 0..<100, using: &random)), \(["a", "b", "c"].randomElement(using: &random)!))"
                }
                statements.append("insert into items (id, name, qty, kind) values " + values.joined(separator: ", "))
            case 3, 4:
                guard let item = items.randomElement(using: &random) else { continue }
                statements.append("insert into lines (id, item, amount) values (\(nextLine), \(item), \(Double(Int.random(in: 0..<10_000, using: &random)) / 100))")
                lines.append(nextLine)
                nextLine += 1
            case 5, 6:
                statements.append("update items set qty = qty + $step where id % \(Int.random(in: 2...5, using: &random)) = 0")
            case 7:
                statements.append("update items set kind = \(["a", "b", "c"].randomElement(using: &random)!) where qty > \(Int.random(in: 0..<100, using: &random))")
            case 8:
                guard let item = items.randomElement(using: &random) else { continue }
                statements.append("delete items where id = \(item) cascade")
                items.removeAll { $0 == item }
            case 9:
                statements.append("delete lines where amount > \(Int.random(in: 50..<100, using: &random))")
            case 10:
                let rows = (0..<Int.random(in: 1...4, using: &random)).map { _ -> String in
                    defer { nextItem += 1 }
                    items.append(nextItem)
                    return "\(nextItem),loaded \(nextItem),\(Int.random(in: 0..<100, using: &random)),b"
                }
                let file = try fixture.write("load-\(round)-\(statements.count).csv", "id,name,qty,kind\n" + rows.joined(separator: "\n") + "\n")
                statements.append("load items from \"\(file)\"")
            case 11:
                // Names come from small pools, redefined again and again, so
                // the session (and each reopen) stays the same size over rounds.
                statements.append("define items.d\(Int.random(in: 0..<4, using: &random)) = qty * \(Int.random(in: 2...9, using: &random))")
            case 12:
                statements.append("let q\(Int.random(in: 0..<4, using: &random)) = select items where qty > \(Int.random(in: 0..<100, using: &random)) show id, qty")
            case 13:
                statements.append(indexed ? "drop index on items(qty)" : "create index on items(qty)")
                indexed.toggle()
            case 14:
                statements.append("param $p\(Int.random(in: 0..<4, using: &random)) = \(Int.random(in: 0..<1000, using: &random))")
            default:
                statements.append("set fiscal_year_start = \(Int.random(in: 1...12, using: &random))")
            }
        }
        return statements
    }
}
