import CRMQL
import Dispatch
import Foundation

// The libFuzzer entry point: each input is taken as CRMQL text and goes
// through everything a host's text goes through — lexer, parser, semantic
// analysis, planning, execution over a small store, rendering of the
// results, completion and continuation — on a fresh database, in safe mode
// and within limits, so that no input can touch a file or run away. Any trap
// (a failed precondition, an overflow, an index out of range) or a stack
// overflow is a crash libFuzzer reports.
//
// `Tests/CRMQLTests/FuzzRegressionTests.swift` replays inputs the same way;
// keep the two in step.

/// The setup script, read once: the same file the regression tests read.
private let setupText: String = {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("setup.crmql").path
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        fatalError("cannot read the fuzz store's setup script at \(path)")
    }
    return text
}()

/// Safe mode, and limits that keep one statement to half a second.
private let options = Database.Options(
    today: "2026-06-30",
    safe: true,
    limits: Database.Limits(timeLimit: .milliseconds(500), maxResultRows: 100_000, maxMemoryBytes: 512 << 20)
)

/// How long one input may run before a watchdog interrupts it: an input
/// of many statements may take a while, but a statement that ignores both
/// the time limit and the interrupt runs on into libFuzzer's `-timeout`
/// (10 s, `.ci/fuzz`), which reports it as a hang.
private let inputDeadline: Double = 3

private func freshDatabase() -> Database {
    guard let database = try? Database(options: options) else { fatalError("the fuzz options are invalid") }
    var problems: [String] = []
    runEveryStatement(setupText, sourceName: "setup.crmql", on: database, output: { _ in }, failure: { problems.append($0.description) })
    if !problems.isEmpty { fatalError("the fuzz store's setup failed:\n" + problems.joined(separator: "\n")) }
    return database
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let text = String(decoding: bytes, as: UTF8.self)
    let database = freshDatabase()
    let render = RenderOptions(format: .table, terminalWidth: 60, maxRows: 20)
    let watchdog = DispatchWorkItem { database.interrupt() }
    DispatchQueue.global().asyncAfter(deadline: .now() + inputDeadline, execute: watchdog)
    runEveryStatement(text, sourceName: "<fuzz>", on: database, output: { output in
        if case .rows(let result) = output {
            _ = ResultRenderer.render(result, options: render)
            drawEveryChart(result)
        }
    }, failure: { error in
        _ = error.description
    })
    watchdog.cancel()
    _ = InteractiveInput.needsMoreInput(text)
    _ = InteractiveInput.isSingleQuery(text)
    _ = InteractiveInput.refine("select customers", with: text)
    _ = Completion(schema: database.schema).candidates(for: text, cursor: bytes.count / 2)
    return 0
}

/// Every chart kind of a result, as text and as SVG: a kind that does not
/// fit is an error, never a trap. TUNING: only results a chart draws whole
/// (a few hundred rows) are drawn, so that an input's time goes to finding
/// new shapes rather than to long lines.
func drawEveryChart(_ result: ResultSet) {
    guard result.rowCount <= 300 else { return }
    for kind in ChartKind.allCases {
        _ = try? result.chart(kind: kind, width: 40, colors: true)
        _ = try? result.svg(kind: kind)
    }
}

/// Runs every statement of `text`, going on after a failing one, as a
/// notebook runs a cell: each error is reported in its place.
private func runEveryStatement(_ text: String, sourceName: String, on database: Database,
                               output: (StatementOutput) -> Void, failure: (CRMQLError) -> Void) {
    guard var statements = try? database.statements(text, sourceName: sourceName) else { return }
    while true {
        do throws(CRMQLError) {
            guard let statement = try statements.next() else { return }
            statement.outputs.forEach(output)
        } catch {
            failure(error)
        }
    }
}
