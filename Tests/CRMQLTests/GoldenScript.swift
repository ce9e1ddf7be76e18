import CRMQL
import Foundation

/// Runs a `.crmql` script the way the golden tests check it: every
/// statement, going on after errors, results as tables, messages and
/// rendered errors in source order.
enum GoldenScript {
    /// The repository's root, found from this file's path.
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var isRecording: Bool { ProcessInfo.processInfo.environment["CRMQL_RECORD"] == "1" }

    /// The scripts of a folder, by name.
    static func scripts(in folder: String) -> [String] {
        let directory = repositoryRoot.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".crmql") }.sorted().map { folder + "/" + $0 }
    }

    /// Runs the script at a path relative to the repository root, in its own
    /// folder (so relative file names in it resolve there).
    static func run(_ relativePath: String, demo: Bool) throws -> String {
        let url = repositoryRoot.appendingPathComponent(relativePath)
        let text = try String(contentsOf: url, encoding: .utf8)
        // Two threads whatever the machine: a plan shows its degree of
        // parallelism, and the expected output is written on one machine.
        let database = try Database(options: Database.Options(today: "2026-06-30", threads: 2))
        if demo || text.hasPrefix("-- setup: demo") { try database.loadDemo() }
        let previousDirectory = FileManager.default.currentDirectoryPath
        _ = FileManager.default.changeCurrentDirectoryPath(url.deletingLastPathComponent().path)
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previousDirectory) }
        var pieces: [String] = []
        // Every statement runs, and every error shows in its place, the way a
        // notebook reports a whole cell.
        var statements = try database.statements(text, sourceName: url.lastPathComponent)
        while true {
            do {
                guard let statement = try statements.next() else { break }
                for output in statement.outputs {
                    switch output {
                    case .rows(let result):
                        pieces.append(ResultRenderer.render(result, options: RenderOptions(format: .table, thousandsSeparators: false)))
                    case .message(let message), .text(let message):
                        pieces.append(message)
                    }
                }
            } catch {
                pieces.append(error.description)
            }
        }
        return pieces.map { $0.hasSuffix("\n") ? $0 : $0 + "\n" }.joined(separator: "\n")
    }

    /// Compares with the `.out` file beside the script, or rewrites it when
    /// `CRMQL_RECORD=1` (never set in CI).
    static func check(_ relativePath: String, demo: Bool) throws -> (expected: String, actual: String) {
        let actual = try run(relativePath, demo: demo)
        let expectedURL = repositoryRoot.appendingPathComponent(String(relativePath.dropLast(".crmql".count)) + ".out")
        if isRecording {
            try actual.write(to: expectedURL, atomically: true, encoding: .utf8)
            return (actual, actual)
        }
        let expected = (try? String(contentsOf: expectedURL, encoding: .utf8)) ?? "<missing \(expectedURL.lastPathComponent): record it with CRMQL_RECORD=1>"
        return (expected, actual)
    }
}
