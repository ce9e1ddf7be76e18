import CRMQL
import Foundation
import Testing

/// Differential tests: one generated data set of customers and orders goes
/// into crmql and into SQLite (through the `sqlite3` command-line tool), and
/// every CRMQL query must return the rows of its hand-written SQL twin.
///
/// SQLite is a long-tested reference for the SQL semantics CRMQL adopts
/// (three-valued logic, aggregates skipping nulls, `count()` over no rows;
/// Grammar/REFERENCE.md, section 3).
/// Where the contract differs from SQLite by design, the SQL spells the
/// contract's rule out: real division, nulls last ascending and first
/// descending, month arithmetic clamped to the month's end, `tier` in its
/// declared order, and ties kept in insertion order (`rowid`).
@Suite struct SQLiteDifferentialTests {
    @Test func crmqlAgreesWithSQLite() throws {
        guard let sqlite = SQLiteShell.locate() else {
            Issue.record("""
                the sqlite3 command-line tool is not installed: these tests compare crmql with it. \
                Install it (Debian: apt-get install sqlite3; .ci/setup does this).
                """)
            return
        }
        let fixture = try DifferentialFixture(sqlite: sqlite)
        defer { fixture.remove() }
        for query in DifferentialQuery.all {
            if let issue = query.knownIssue {
                withKnownIssue(Comment(rawValue: issue)) { try fixture.check(query) }
            } else {
                do { try fixture.check(query) } catch {
                    Issue.record("\(error)\n  crmql: \(query.crmql)\n  SQL:   \(query.sql)")
                }
            }
        }
    }

    /// The data must exercise what the queries are about, or agreement proves little.
    @Test func generatedDataHasTheEdgeCases() {
        let data = DifferentialData.generate()
        let customers = data.customers.rows, orders = data.orders.rows
        #expect(customers.count == 300 && orders.count == 2_000)
        for column in 1..<DifferentialData.customerColumns.count {
            #expect(customers.contains { $0[column] == nil }, "customers.\(DifferentialData.customerColumns[column].name) has no null")
        }
        for column in 1..<DifferentialData.orderColumns.count {
            #expect(orders.contains { $0[column] == nil }, "orders.\(DifferentialData.orderColumns[column].name) has no null")
        }
        #expect(orders.contains { $0[3]?.hasPrefix("-") == true }, "no negative amount")
        #expect(orders.contains { $0[4] == "0" }, "no zero quantity")
        #expect(orders.contains { $0[2]?.hasSuffix("-31") == true }, "no order on a 31st")
    }
}

// MARK: - Expected values SQLite cannot compute

/// Median, percentile and sample standard deviation as Grammar/REFERENCE.md defines them.
enum Statistics {
    /// `percentile(x, p)`: linear interpolation between the closest ranks; null over no values.
    static func percentile(_ values: [Double], _ fraction: Double) -> Cell {
        let sorted = values.sorted()
        guard let first = sorted.first else { return .null }
        let position = fraction * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down)), upper = Int(position.rounded(.up))
        guard lower >= 0, upper < sorted.count else { return .real(first) }
        return .real(sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower)))
    }

    /// The sample standard deviation; null with fewer than two values.
    static func stddev(_ values: [Double]) -> Cell {
        guard values.count >= 2 else { return .null }
        let mean = values.reduce(0, +) / Double(values.count)
        let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return .real((squares / Double(values.count - 1)).squareRoot())
    }

    /// Consecutive rows with the same first cell, in order.
    static func groups(_ rows: [[Cell]]) -> [(key: Cell, members: [[Cell]])] {
        var groups: [(key: Cell, members: [[Cell]])] = []
        for row in rows {
            guard let key = row.first else { continue }
            if let last = groups.last, last.key == key {
                groups[groups.count - 1].members.append(row)
            } else {
                groups.append((key, [row]))
            }
        }
        return groups
    }
}

// MARK: - Comparing cells

/// A result cell as both sides can express it: dates and enum symbols as
/// text, booleans as 0 / 1 (SQLite has neither dates nor booleans).
enum Cell: Equatable, Sendable, CustomStringConvertible {
    case null
    case int(Int64)
    case real(Double)
    case text(String)

    init(_ value: Value) {
        switch value {
        case .null: self = .null
        case .int(let number): self = .int(number)
        case .number(let number): self = .real(number)
        case .text(let text): self = .text(text)
        case .bool(let flag): self = .int(flag ? 1 : 0)
        default: self = .text(value.description)
        }
    }

    var number: Double? {
        switch self {
        case .int(let value): Double(value)
        case .real(let value): value
        default: nil
        }
    }

    /// Equal, with numbers equal when within a relative 1e-9 of each other
    /// (absolute below 1, where sums of cents added in another order may
    /// differ in the last bits around zero). An int equals the same real.
    func agrees(with other: Cell) -> Bool {
        switch (self, other) {
        case (.null, .null): return true
        case (.text(let left), .text(let right)): return left == right
        case (.int(let left), .int(let right)): return left == right
        default:
            guard let left = number, let right = other.number else { return false }
            return abs(left - right) <= 1e-9 * max(1, abs(left), abs(right))
        }
    }

    var description: String {
        switch self {
        case .null: "null"
        case .int(let value): String(value)
        case .real(let value): String(value)
        case .text(let text): "\"\(text)\""
        }
    }

    /// What first differs between two results, or nil when they agree.
    static func firstDifference(actual: [[Cell]], actualColumns: Int, expected: [[Cell]]) -> String? {
        // SQLite prints no header for no rows, so only a non-empty result tells its width.
        if let width = expected.first?.count, width != actualColumns {
            return "crmql gives \(actualColumns) columns, SQLite \(width)"
        }
        let shared = min(actual.count, expected.count)
        let index = (0..<shared).first { rowIndex in
            !zip(actual[rowIndex], expected[rowIndex]).allSatisfy { $0.agrees(with: $1) }
        } ?? shared
        if index == actual.count, index == expected.count { return nil }
        func show(_ rows: [[Cell]]) -> String {
            index < rows.count ? "(" + rows[index].map(\.description).joined(separator: ", ") + ")" : "no row"
        }
        let counts = actual.count == expected.count ? "" : "crmql gives \(actual.count) rows, SQLite \(expected.count); "
        return "\(counts)first difference at row \(index + 1): crmql \(show(actual)), SQLite \(show(expected))"
    }
}

// MARK: - Running both sides

struct DifferentialError: Error, CustomStringConvertible {
    let description: String
}

/// The `sqlite3` command-line tool.
struct SQLiteShell {
    let executable: URL

    /// The tool on `PATH`; nil when it is not installed.
    static func locate() -> SQLiteShell? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init) + ["/usr/bin"]
        for folder in folders {
            let candidate = URL(fileURLWithPath: folder).appendingPathComponent("sqlite3")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return SQLiteShell(executable: candidate) }
        }
        return nil
    }

    /// Runs the tool without a `.sqliterc` (which could change the output
    /// mode) and returns its standard output; throws when it fails.
    func run(_ arguments: [String], input: URL? = nil, scratch: URL) throws -> String {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["-batch", "-bail", "-init", "/dev/null"] + arguments
        // Files, not pipes: a large result cannot fill a pipe and stall the tool.
        let outputURL = scratch.appendingPathComponent(UUID().uuidString + ".out")
        let errorURL = scratch.appendingPathComponent(UUID().uuidString + ".err")
        defer {
            try? FileManager.default.removeItem(at: outputURL)
            try? FileManager.default.removeItem(at: errorURL)
        }
        guard FileManager.default.createFile(atPath: outputURL.path, contents: nil),
              FileManager.default.createFile(atPath: errorURL.path, contents: nil) else {
            throw DifferentialError(description: "cannot create files in \(scratch.path)")
        }
        let output = try FileHandle(forWritingTo: outputURL), errors = try FileHandle(forWritingTo: errorURL)
        defer { try? output.close(); try? errors.close() }
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = try input.map { try FileHandle(forReadingFrom: $0) } ?? FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = (try? String(contentsOf: errorURL, encoding: .utf8)) ?? ""
            throw DifferentialError(description: "sqlite3 exited with status \(process.terminationStatus): \(message)")
        }
        return try String(contentsOf: outputURL, encoding: .utf8)
    }

    /// Rows of `.mode quote` output: text in single quotes (`''` for a
    /// quote), `NULL`, bare numbers; one row a line.
    static func rows(_ output: String) throws -> [[Cell]] {
        let bytes = Array(output.utf8)
        let quote = UInt8(ascii: "'"), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n")
        var rows: [[Cell]] = [], row: [Cell] = [], index = 0
        while index < bytes.count {
            if bytes[index] == newline {
                rows.append(row)
                row = []
                index += 1
                continue
            }
            if bytes[index] == quote {
                var text: [UInt8] = []
                index += 1
                while true {
                    guard index < bytes.count else { throw DifferentialError(description: "unterminated text in sqlite3 output") }
                    if bytes[index] == quote {
                        guard index + 1 < bytes.count, bytes[index + 1] == quote else { index += 1; break }
                        index += 1
                    }
                    text.append(bytes[index])
                    index += 1
                }
                row.append(.text(String(decoding: text, as: UTF8.self)))
            } else {
                let start = index
                while index < bytes.count, bytes[index] != comma, bytes[index] != newline { index += 1 }
                let token = String(decoding: bytes[start..<index], as: UTF8.self)
                if token == "NULL" {
                    row.append(.null)
                } else if let integer = Int64(token) {
                    row.append(.int(integer))
                } else if let real = Double(token) {
                    row.append(.real(real))
                } else {
                    throw DifferentialError(description: "unexpected value '\(token)' in sqlite3 output")
                }
            }
            if index < bytes.count, bytes[index] == comma { index += 1 }
        }
        if !row.isEmpty { rows.append(row) }
        return rows
    }
}

/// The same data loaded into a crmql database and into an SQLite file, in a
/// temporary folder that `remove()` deletes.
struct DifferentialFixture {
    let folder: URL
    let sqlite: SQLiteShell
    let sqliteFile: URL
    let database: Database

    init(sqlite: SQLiteShell) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("crmql-differential-" + UUID().uuidString)
        self.sqlite = sqlite
        sqliteFile = folder.appendingPathComponent("data.sqlite")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        do {
            let data = DifferentialData.generate()
            let customersURL = folder.appendingPathComponent("customers.csv")
            let ordersURL = folder.appendingPathComponent("orders.csv")
            let scriptURL = folder.appendingPathComponent("data.sql")
            try data.customers.csv.write(to: customersURL, atomically: true, encoding: .utf8)
            try data.orders.csv.write(to: ordersURL, atomically: true, encoding: .utf8)
            try data.sqliteScript.write(to: scriptURL, atomically: true, encoding: .utf8)
            database = try Database(options: Database.Options(today: DifferentialData.today))
            try database.execute("""
                load customers from \(Self.literal(customersURL.path))
                load orders from \(Self.literal(ordersURL.path))
                """)
            _ = try sqlite.run([sqliteFile.path], input: scriptURL, scratch: folder)
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
    }

    /// A CRMQL string literal.
    static func literal(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// Runs both sides of a query and records an issue naming the query and
    /// the first differing row when they disagree.
    func check(_ query: DifferentialQuery) throws {
        let result = try database.query(query.crmql)
        let actual = result.rows.map { $0.map(Cell.init) }
        let output = try sqlite.run(["-readonly", "-quote", sqliteFile.path, query.sql], scratch: folder)
        let raw = try SQLiteShell.rows(output)
        let expected = query.expected?(raw) ?? raw
        if let difference = Cell.firstDifference(actual: actual, actualColumns: result.columnNames.count, expected: expected) {
            Issue.record("""
                crmql and SQLite disagree: \(difference)
                  crmql: \(query.crmql)
                  SQL:   \(query.sql)
                """)
        }
    }
}
