import CRMQL
import Foundation
import Testing

/// Every ```crmql block of the README and of the language reference runs
/// without an error on the demo data, so the documentation cannot drift
/// from the language.
@Suite struct DocumentationExamplesTests {
    static func blocks(in relativePath: String) -> [String] {
        let url = GoldenScript.repositoryRoot.appendingPathComponent(relativePath)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        var blocks: [String] = []
        var current: [String]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line.trimmingCharacters(in: .whitespaces) == "```crmql" {
                current = []
            } else if current != nil, line.trimmingCharacters(in: .whitespaces) == "```" {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(String(line))
            }
        }
        return blocks
    }

    @Test func theReadmeHasExamples() {
        #expect(Self.blocks(in: "README.md").count >= 2)
        #expect(Self.blocks(in: "Grammar/REFERENCE.md").count >= 6)
    }

    /// The language reference's examples, each block run as a script.
    @Test(arguments: blocks(in: "Grammar/REFERENCE.md"))
    func referenceExampleRuns(_ block: String) throws {
        let database = try Database(options: Database.Options(today: "2026-06-30"))
        try database.loadDemo()
        var results = 0
        for case .rows in try database.execute(block, sourceName: "REFERENCE.md") { results += 1 }
        #expect(results > 0)
    }

    @Test(arguments: blocks(in: "README.md"))
    func readmeExampleRuns(_ block: String) throws {
        let database = try Database(options: Database.Options(today: "2026-06-30"))
        try database.loadDemo()
        var results = 0
        for case .rows in try database.execute(block, sourceName: "README.md") { results += 1 }
        #expect(results > 0)
    }
}
