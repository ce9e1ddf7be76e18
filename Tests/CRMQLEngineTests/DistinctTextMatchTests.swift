import XCTest
import CRMQLCore
import CRMQLStorage
import CRMQLSyntax
@testable import CRMQLEngine

/// `matches`, `starts with` and `ends with` over a text field of few
/// distinct texts test each text once (`DistinctTextMatch`); every answer
/// and every error must be the one the row-by-row test gives.
final class DistinctTextMatchTests: XCTestCase {
    private static let names = ["Ann Smith", "Bob Lee", "bob lee", "Carl Smithers", "Dora Lee-Smith", "Émile Lee", "Zoë Smith",
                                "O'Brien Lee", "Straße", "STRASSE", "", "x Smith", "Ann  Smith", "李 Lee"]

    /// Four hundred rows over the names above and nulls: few enough
    /// distinct texts for the dictionary, and a row's name by its id.
    private func interpreter() throws -> Interpreter {
        let interpreter = Interpreter(options: SessionOptions(), interrupt: InterruptFlag())
        let rows = (1...400).map { id -> String in
            let name = id % 9 == 0 ? "null" : "\"\(Self.names[id % Self.names.count])\""
            return "(\(id), \(name))"
        }
        try interpreter.run(SourceFile(name: "<test>", text: """
            create entity people (id int key, name text)
            insert into people (id, name) values \(rows.joined(separator: ", "))
            """)) { _ in }
        return interpreter
    }

    private func outputs(_ interpreter: Interpreter, _ text: String, fastPaths: Bool) -> [String] {
        ScriptCorpus.run(interpreter, SourceFile(name: "<setting>", text: "set fast_paths = \(fastPaths ? "on" : "off")"))
        defer { ScriptCorpus.run(interpreter, SourceFile(name: "<setting>", text: "set fast_paths = on")) }
        return ScriptCorpus.run(interpreter, SourceFile(name: "<test>", text: text))
    }

    private func assertBothWays(_ interpreter: Interpreter, _ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let fast = outputs(interpreter, text, fastPaths: true)
        XCTAssertEqual(fast, outputs(interpreter, text, fastPaths: false), text, file: file, line: line)
    }

    func testKeepsTheRowsAndValuesTheGeneralPathGives() throws {
        let interpreter = try interpreter()
        let conditions = [
            #"name matches "^[A-Z][a-z]+ (Smith|Lee)$""#, #"name matches "smith""#, #"name matches "(?i)smith""#,
            #"name matches "^\\w+ Lee$""#, #"name matches "é|ß""#, #"name matches "^$""#, #"name matches "Lee""#,
            #"name starts with "ann""#, #"name starts with "É""#, #"name starts with "strasse""#, #"name starts with """#,
            #"name ends with "LEE""#, #"name ends with "smith""#, #"name ends with "ë smith""#,
        ]
        for condition in conditions {
            assertBothWays(interpreter, """
                select people where \(condition) show id
                select people where id > 200 and \(condition) show id
                select people where id % 3 = 0 or \(condition) show id
                select people where not (\(condition)) show id
                select people show id, \(condition) as hit
                select count people where id < 50 and \(condition)
                """)
        }
        XCTAssertEqual(outputs(interpreter, #"select count people where name matches "^[A-Z][a-z]+ (Smith|Lee)$""#, fastPaths: true),
                       ["count()\n51\n"])
    }

    func testExplainNamesTheOperator() throws {
        let interpreter = try interpreter()
        for condition in [#"name matches "Lee$""#, #"name starts with "ann""#, #"name ends with "lee""#] {
            let plan = outputs(interpreter, "explain select count people where \(condition)", fastPaths: true).joined()
            XCTAssertTrue(plan.contains("[DistinctTextMatch]"), plan)
            let general = outputs(interpreter, "explain select count people where \(condition)", fastPaths: false).joined()
            XCTAssertFalse(general.contains("DistinctTextMatch"), general)
        }
        let contains = outputs(interpreter, #"explain select count people where name contains "lee""#, fastPaths: true).joined()
        XCTAssertTrue(contains.contains("[FoldedTextScan]"), contains)
    }

    /// A pattern that does not compile, one that backtracks past the step
    /// bound on a text the rows hold, and an interrupt fail the statement
    /// as row by row; a text only rows out of question hold is not tested.
    func testErrorsAndBoundsAreTheGeneralPathsOwn() throws {
        let interpreter = try interpreter()
        try interpreter.run(SourceFile(name: "<test>", text: """
            insert into people (id, name) values (1000, "\(String(repeating: "a", count: 40))!")
            """)) { _ in }
        for text in [#"select people where name matches "(unclosed" show id"#,
                     #"select count people where name matches "^(a+)+$""#,
                     #"select people show id, name matches "^(a+)+$" as hit"#,
                     #"select count people where id < 1000 and name matches "^(a+)+$""#] {
            assertBothWays(interpreter, text)
        }
        let failed = outputs(interpreter, #"select count people where name matches "^(a+)+$""#, fastPaths: true).joined()
        XCTAssertTrue(failed.contains("backtracks more than"), failed)
        let subset = outputs(interpreter, #"select count people where id < 1000 and name matches "^(a+)+$""#, fastPaths: true)
        XCTAssertEqual(subset, ["count()\n0\n"])

        let flag = InterruptFlag()
        let interrupted = Interpreter(options: SessionOptions(), interrupt: flag)
        try interrupted.run(SourceFile(name: "<test>", text: """
            create entity people (id int key, name text)
            insert into people (id, name) values \((1...64).map { "(\($0), \"n\($0 % 4)\")" }.joined(separator: ", "))
            """)) { _ in }
        flag.set()
        let stopped = outputs(interrupted, #"select count people where name matches "n[12]""#, fastPaths: true).joined()
        XCTAssertTrue(stopped.hasPrefix("error:"), stopped)
    }

    /// A precomposed é and an e with a combining accent are one text to
    /// `String`'s equality, two to a pattern: each row is tested as the
    /// bytes it holds.
    func testCanonicallyEquivalentTextsAreTestedApart() throws {
        let interpreter = Interpreter(options: SessionOptions(), interrupt: InterruptFlag())
        let rows = (1...40).map { "(\($0), \"caf\($0 % 2 == 0 ? "\u{E9}" : "e\u{301}")\")" }
        try interpreter.run(SourceFile(name: "<test>", text: """
            create entity cafes (id int key, name text)
            insert into cafes (id, name) values \(rows.joined(separator: ", "))
            """)) { _ in }
        for condition in ["name matches \"\u{E9}$\"", "name matches \"e\u{301}\"", "name ends with \"\u{E9}\"",
                          "name contains \"\u{E9}\"", "name matches \"^caf.$\""] {
            let query = "select count cafes where \(condition)"
            assertBothWays(interpreter, query)
            XCTAssertTrue(outputs(interpreter, "explain \(query)", fastPaths: true).joined().contains("Text"), condition)
        }
        XCTAssertEqual(outputs(interpreter, "select count cafes where name matches \"\u{E9}$\"", fastPaths: true), ["count()\n20\n"])
    }

    /// The dictionary follows the column: after an update the new texts
    /// are the ones tested.
    func testAnUpdatedFieldIsTestedAnew() throws {
        let interpreter = try interpreter()
        let query = #"select count people where name ends with "lee""#
        let before = outputs(interpreter, query, fastPaths: true)
        ScriptCorpus.run(interpreter, SourceFile(name: "<test>", text: #"update people set name = "Zed Lee" where id <= 100"#))
        let after = outputs(interpreter, query, fastPaths: true)
        XCTAssertNotEqual(before, after)
        assertBothWays(interpreter, query)
    }
}
