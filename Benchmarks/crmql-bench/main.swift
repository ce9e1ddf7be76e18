// Times the benchmark workload inside one process, through the public
// `Database` API only, so the numbers are what an embedding host sees:
// parsing, binding, planning and execution of each query, but no process
// start-up and no output formatting.
//
//     crmql-bench DATA_DIR [--today 2026-06-30] [--min-runs 5] [--max-runs 50] [--budget-ms 300] [--cold-runs 3] [--slow-ms 1000]
//                 [--threads N]
//
// Standard input holds the workload, one tab-separated line each:
//     setup<TAB>name<TAB>statement   run once after the loads, timed with them
//     query<TAB>name<TAB>query       warm-up run, then timed runs
//     cold<TAB>name<TAB>query        the first query after a load: each of
//                                    --cold-runs runs loads the data afresh
//                                    (untimed) and times the query once
//     statement<TAB>name<TAB>text    like query, for statements (update,
//                                    export, save): their messages are the answer
// Standard output gets one JSON object a line (see `Report`), for
// Benchmarks/bench.py to compare with the SQL engines.
import CRMQL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The command line, parsed by hand: the target depends on `CRMQL` alone.
struct Arguments {
    var dataDirectory = ""
    var today = "2026-06-30"
    var minRuns = 5
    var maxRuns = 50
    var budgetMilliseconds = 300.0
    var coldRuns = 3
    var slowMilliseconds = 1_000.0
    /// `Database.Options.threads`: nil for one per processor.
    var threads: Int?

    static func parse(_ words: [String]) -> Arguments? {
        var result = Arguments()
        var index = 0
        func next() -> String? {
            index += 1
            return index < words.count ? words[index] : nil
        }
        while index < words.count {
            let word = words[index]
            switch word {
            case "--today": guard let value = next() else { return nil }; result.today = value
            case "--min-runs": guard let value = next().flatMap({ Int($0) }), value >= 1 else { return nil }; result.minRuns = value
            case "--max-runs": guard let value = next().flatMap({ Int($0) }), value >= 1 else { return nil }; result.maxRuns = value
            case "--budget-ms": guard let value = next().flatMap({ Double($0) }), value >= 0 else { return nil }; result.budgetMilliseconds = value
            case "--cold-runs": guard let value = next().flatMap({ Int($0) }), value >= 1 else { return nil }; result.coldRuns = value
            case "--slow-ms": guard let value = next().flatMap({ Double($0) }), value >= 0 else { return nil }; result.slowMilliseconds = value
            case "--threads": guard let value = next().flatMap({ Int($0) }), value >= 1 else { return nil }; result.threads = value
            default:
                if word.hasPrefix("-") || !result.dataDirectory.isEmpty { return nil }
                result.dataDirectory = word
            }
            index += 1
        }
        result.maxRuns = max(result.maxRuns, result.minRuns)
        return result.dataDirectory.isEmpty ? nil : result
    }
}

/// One workload line from standard input.
struct WorkloadItem {
    enum Kind: String { case setup, query, cold, statement }
    var kind: Kind
    var name: String
    var text: String
}

func readWorkload() -> [WorkloadItem]? {
    var items: [WorkloadItem] = []
    while let line = readLine() {
        if line.isEmpty { continue }
        let parts = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let kind = WorkloadItem.Kind(rawValue: String(parts[0])) else { return nil }
        items.append(WorkloadItem(kind: kind, name: String(parts[1]), text: String(parts[2])))
    }
    return items
}

/// Milliseconds in a duration, as a double.
func milliseconds(_ duration: Duration) -> Double {
    let (seconds, attoseconds) = duration.components
    return Double(seconds) * 1000 + Double(attoseconds) / 1e15
}

/// A line of `/proc/self/status` in kilobytes (`VmHWM` is the peak resident
/// set, `VmRSS` the current one); nil where there is no such file.
func memoryKilobytes(_ field: String) -> Int? {
    #if canImport(Glibc)
    guard let file = fopen("/proc/self/status", "r") else { return nil }
    defer { fclose(file) }
    var buffer = [CChar](repeating: 0, count: 512)
    while fgets(&buffer, Int32(buffer.count), file) != nil {
        let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard line.hasPrefix(field + ":") else { continue }
        let digits = line.dropFirst(field.count + 1).filter(\.isNumber)
        return Int(digits)
    }
    return nil
    #else
    return nil
    #endif
}

/// JSON text, written by hand to keep Foundation out of the measured process.
enum JSON {
    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    static func number(_ value: Double) -> String {
        value.isFinite ? "\(value)" : "null"
    }

    static func optional(_ value: Int?) -> String {
        value.map(String.init) ?? "null"
    }

    /// A result cell: numbers stay numbers; dates and enum symbols become
    /// their text, which is what the SQL engines return for them.
    static func value(_ value: Value) -> String {
        switch value {
        case .null: return "null"
        case .int(let number): return String(number)
        case .number(let number): return JSON.number(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .text(let text): return string(text)
        case .date, .datetime, .symbol: return string(value.description)
        }
    }

    static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }
}

func emit(_ fields: [(String, String)]) {
    print(JSON.object(fields))
}

func fail(_ message: String) -> Never {
    emit([("event", JSON.string("error")), ("name", JSON.string("setup")), ("message", JSON.string(message))])
    exit(1)
}

/// A CRMQL string literal holding `text`.
func literal(_ text: String) -> String {
    var out = "\""
    for character in text {
        if character == "\\" || character == "\"" { out.append("\\") }
        out.append(character)
    }
    return out + "\""
}

guard let arguments = Arguments.parse(Array(CommandLine.arguments.dropFirst())) else {
    print("usage: crmql-bench DATA_DIR [--today YYYY-MM-DD] [--min-runs N] [--max-runs N] [--budget-ms MS] [--cold-runs N] [--slow-ms MS] [--threads N] < workload.tsv")
    exit(2)
}
guard let workload = readWorkload() else { fail("malformed workload line: expected kind<TAB>name<TAB>text") }

let clock = ContinuousClock()
let directory = arguments.dataDirectory.hasSuffix("/") ? String(arguments.dataDirectory.dropLast()) : arguments.dataDirectory

/// A database with the three files loaded and the setup statements run,
/// each step timed.
func loadedDatabase() -> (Database, [(String, Double, Int?)]) {
    let database: Database
    do {
        database = try Database(options: Database.Options(today: arguments.today, threads: arguments.threads))
    } catch {
        fail(error.description)
    }
    // The three files in dependency order (refs need their parent first),
    // then the setup statements (indexes), all counted as load time.
    var steps: [(String, Double, Int?)] = []
    var loadStatements = ["customers", "orders", "interactions"].map { ("load \($0)", "load \($0) from \(literal(directory + "/" + $0 + ".csv"))") }
    loadStatements += workload.filter { $0.kind == .setup }.map { ($0.name, $0.text) }
    for (name, statement) in loadStatements {
        let start = clock.now
        do {
            try database.execute(statement)
        } catch {
            fail("\(name): \(error.description)")
        }
        steps.append((name, milliseconds(clock.now - start), memoryKilobytes("VmHWM")))
    }
    return (database, steps)
}

let residentBefore = memoryKilobytes("VmRSS")
let (database, steps) = loadedDatabase()
let loadMilliseconds = steps.reduce(0) { $0 + $1.1 }
emit([
    ("event", JSON.string("load")),
    ("ms", JSON.number(loadMilliseconds)),
    ("steps", "[" + steps.map { JSON.object([("name", JSON.string($0.0)), ("ms", JSON.number($0.1)), ("hwm_kb", JSON.optional($0.2))]) }.joined(separator: ",") + "]"),
    ("rss_before_kb", JSON.optional(residentBefore)),
    ("rss_after_load_kb", JSON.optional(memoryKilobytes("VmRSS"))),
    ("hwm_after_load_kb", JSON.optional(memoryKilobytes("VmHWM"))),
])

/// The median of `samples`.
func median(_ samples: [Double]) -> Double {
    let sorted = samples.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

func emitQuery(_ name: String, median: Double, minimum: Double, cold: Double, runs: Int, columns: [String], rows: [String]) {
    emit([
        ("event", JSON.string("query")),
        ("name", JSON.string(name)),
        ("median_ms", JSON.number(median)),
        ("min_ms", JSON.number(minimum)),
        ("cold_ms", JSON.number(cold)),
        ("runs", String(runs)),
        ("columns", "[" + columns.map(JSON.string).joined(separator: ",") + "]"),
        ("rows", "[" + rows.joined(separator: ",") + "]"),
    ])
}

/// A statement's answer: its messages, one row each.
func messageRows(_ outputs: [StatementOutput]) -> [String] {
    outputs.map { output in
        switch output {
        case .message(let text), .text(let text): return "[" + JSON.string(text) + "]"
        case .rows(let result): return "[" + JSON.string("\(result.count) rows") + "]"
        }
    }
}

// Cold queries first, each on a database of its own: the first query that
// needs a measure after a load pays for computing it, and no other query
// of the workload may have computed it before.
for item in workload where item.kind == .cold {
    var samples: [Double] = []
    var answer: ResultSet?
    for _ in 0..<arguments.coldRuns {
        let (fresh, _) = loadedDatabase()
        do {
            let start = clock.now
            let result = try fresh.query(item.text)
            samples.append(milliseconds(clock.now - start))
            answer = result
        } catch {
            emit([("event", JSON.string("error")), ("name", JSON.string(item.name)), ("message", JSON.string(error.description))])
            break
        }
    }
    guard let answer, samples.count == arguments.coldRuns else { continue }
    let rows = answer.rows.map { "[" + $0.map(JSON.value).joined(separator: ",") + "]" }
    emitQuery(item.name, median: median(samples), minimum: samples.min() ?? 0, cold: samples[0], runs: samples.count,
              columns: answer.columnNames, rows: rows)
}

// Queries: the first run is reported apart as `cold_ms` (it pays for any
// index built on first use); the median covers the runs after it, at least
// `minRuns`, more while the time budget lasts, so sub-millisecond queries
// get enough samples to be stable.
for item in workload where item.kind == .query || item.kind == .statement {
    do {
        // One run: a query's rows, or a statement's messages. Only the run
        // is timed; its answer is written out as JSON once, afterwards.
        enum Answer { case rows(ResultSet), messages([StatementOutput]) }
        func run() throws(CRMQLError) -> Answer {
            if item.kind == .statement { return .messages(try database.execute(item.text)) }
            return .rows(try database.query(item.text))
        }
        let coldStart = clock.now
        let answer = try run()
        let cold = milliseconds(clock.now - coldStart)
        let (columns, rows): ([String], [String])
        switch answer {
        case .messages(let outputs): (columns, rows) = (["message"], messageRows(outputs))
        case .rows(let result): (columns, rows) = (result.columnNames, result.rows.map { "[" + $0.map(JSON.value).joined(separator: ",") + "]" })
        }
        var samples: [Double] = []
        var spent = 0.0
        // A query slower than --slow-ms on its first run is timed once more only.
        let least = cold < arguments.slowMilliseconds ? arguments.minRuns : 1
        while samples.count < least || (samples.count < arguments.maxRuns && spent < arguments.budgetMilliseconds) {
            let start = clock.now
            _ = try run()
            let elapsed = milliseconds(clock.now - start)
            samples.append(elapsed)
            spent += elapsed
        }
        emitQuery(item.name, median: median(samples), minimum: samples.min() ?? 0, cold: cold, runs: samples.count,
                  columns: columns, rows: rows)
    } catch {
        emit([("event", JSON.string("error")), ("name", JSON.string(item.name)), ("message", JSON.string(error.description))])
    }
}
emit([("event", JSON.string("done")), ("hwm_kb", JSON.optional(memoryKilobytes("VmHWM")))])
