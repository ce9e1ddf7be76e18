import CRMQLCore
import Foundation
import XCTest
@testable import CRMQLSyntax

/// Grammar/crmql.ebnf documents the keywords; these tests keep it honest.
final class GrammarTests: XCTestCase {
    func grammarText() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("Grammar/crmql.ebnf"), encoding: .utf8)
    }

    /// The words between `BEGIN <title>` and `END <title>`.
    func words(in text: String, section title: String) -> [String] {
        guard let begin = text.range(of: "BEGIN \(title)\n"), let end = text.range(of: "END \(title)", range: begin.upperBound..<text.endIndex)
        else { return [] }
        return text[begin.upperBound..<end.lowerBound].split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
    }

    func testKeywordListsMatchTheGrammar() throws {
        let text = try grammarText()
        let reserved = words(in: text, section: "RESERVED KEYWORDS")
        let contextual = words(in: text, section: "CONTEXTUAL KEYWORDS")
        XCTAssertFalse(reserved.isEmpty)
        XCTAssertFalse(contextual.isEmpty)
        XCTAssertEqual(reserved, reserved.sorted(), "keep the grammar's lists sorted")
        XCTAssertEqual(contextual, contextual.sorted(), "keep the grammar's lists sorted")
        XCTAssertEqual(Set(reserved), Keywords.reserved)
        XCTAssertEqual(Set(contextual), Keywords.contextual)
        XCTAssertEqual((reserved + contextual).sorted(), Keywords.all)
        XCTAssertTrue(Keywords.reserved.isDisjoint(with: Keywords.contextual))
    }

    func testEveryQuotedKeywordOfTheGrammarIsKnown() throws {
        // Every 'word' the productions quote must be a keyword (or a symbol).
        let text = try grammarText()
        let productions = text.components(separatedBy: "(* BEGIN RESERVED")[0]
        let pattern = try NSRegularExpression(pattern: "'([a-z_]+)'")
        let range = NSRange(productions.startIndex..., in: productions)
        let quoted = Set(pattern.matches(in: productions, range: range).compactMap { match in
            Range(match.range(at: 1), in: productions).map { String(productions[$0]) }
        })
        let known = Set(Keywords.all)
        let exceptions: Set<String> = ["_", "e", "n", "t", "u", "E", "T", "Z"]
        XCTAssertEqual(quoted.subtracting(known).subtracting(exceptions), [])
    }

    func testWarmUpTextParses() {
        let (expr, diagnostics) = Parser.parseExpression(SourceFile(name: "t", text: Parser.warmUpText))
        XCTAssertNotNil(expr)
        XCTAssertEqual(diagnostics.map(\.message), [])
    }

    func testKeywordsUsedByTheParserAreListed() {
        let known = Set(Keywords.all)
        XCTAssertTrue(Set(Keywords.statements).isSubset(of: known))
        XCTAssertTrue(Set(Keywords.clauses).isSubset(of: Keywords.reserved))
        XCTAssertTrue(Keywords.continuing.isSubset(of: known))
        XCTAssertTrue(Set(Keywords.scalarTypes).isSubset(of: known))
        for unit in DurationUnit.allCases {
            XCTAssertTrue(known.contains(unit.rawValue) && known.contains(unit.rawValue + "s"))
        }
    }
}
