import CRMQLCore
@testable import CRMQLEngine
import CRMQLStorage
import Foundation
import Testing

/// The statements a snapshot carries run over the prelude, in whatever
/// order a file holds them, and a failure says which one and why in words.
@Suite(.serialized) struct SnapshotScriptTests {
    private func snapshot(_ script: String) throws -> String {
        let interpreter = Interpreter(options: SessionOptions(today: DemoData.today), interrupt: InterruptFlag())
        interpreter.loadDemo()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("crmql-script-\(UUID().uuidString).db").path
        try Snapshot.save(interpreter.store, extra: Array(script.utf8), to: path)
        return path
    }

    @Test func definitionsSavedBeforeWhatTheyUseStillOpen() throws {
        // Files written before saves kept dependency order hold this.
        let path = try snapshot("define customers.b = if(a, 1, 0);\ndefine customers.a = revenue > 5000")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let interpreter = Interpreter(options: SessionOptions(today: DemoData.today), interrupt: InterruptFlag())
        try interpreter.openSnapshot(atPath: path)
        let names = (interpreter.definitions["customers"] ?? []).filter { !$0.fromPrelude }.map(\.name)
        #expect(Set(names) == ["a", "b"])
        #expect(interpreter.definitions["customers"]?.contains { $0.name == "revenue" && $0.fromPrelude } == true)
    }

    @Test func aDefinitionThatCannotRunIsNamedInWords() throws {
        let path = try snapshot("define customers.x = nosuchfield * 2")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let interpreter = Interpreter(options: SessionOptions(today: DemoData.today), interrupt: InterruptFlag())
        interpreter.loadDemo()
        do {
            try interpreter.openSnapshot(atPath: path)
            Issue.record("the open should have failed")
        } catch let diagnostic as Diagnostic {
            #expect(diagnostic.message.contains("holds a definition that no longer works: 'define customers.x = nosuchfield * 2': unknown field 'nosuchfield'"),
                    "\(diagnostic.message)")
            #expect(!diagnostic.message.contains("Diagnostic("))
        }
        // The session is as it was: the demo data, no `x`.
        #expect(interpreter.store["customers"]?.rowCount == 10_000)
        #expect(interpreter.definitions["customers"]?.contains { $0.name == "x" } == false)
    }

    @Test func errorsInterpolatedIntoMessagesReadAsSentences() {
        let diagnostic = Diagnostic(.semantic, "unknown field 'revenue'", at: nil)
        #expect("\(diagnostic)" == "unknown field 'revenue'")
        #expect(ErrorText.of(DiagnosticList([diagnostic, diagnostic])) == "unknown field 'revenue'; unknown field 'revenue'")
        #expect(ErrorText.of(CocoaError(.fileNoSuchFile)).contains("Domain=") == false)
        struct Reflected: Error { let code = 4 }
        #expect(!ErrorText.of(Reflected()).contains("code:"))
    }

    /// No message in the sources quotes an error by interpolating it as it
    /// is: `\(error)` prints a debug dump for many error types.
    @Test func noSourceInterpolatesAnErrorDirectly() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
        #expect(!files.isEmpty)
        let pattern = #"\\\((error|failure|diagnostic|problem)\)"#
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where !line.trimmingCharacters(in: .whitespaces).hasPrefix("//") && line.range(of: pattern, options: .regularExpression) != nil {
                Issue.record("\(file.lastPathComponent):\(number + 1) interpolates an error: \(line)")
            }
        }
    }
}
