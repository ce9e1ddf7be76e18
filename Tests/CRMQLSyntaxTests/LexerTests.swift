import CRMQLCore
import XCTest
@testable import CRMQLSyntax

final class LexerTests: XCTestCase {
    func lex(_ text: String) -> (tokens: [Token], diagnostics: [Diagnostic]) {
        Lexer.tokenize(SourceFile(name: "<test>", text: text))
    }

    func kinds(_ text: String) -> [TokenKind] {
        lex(text).tokens.map(\.kind).dropLast()
    }

    func single(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Token? {
        let (tokens, diagnostics) = lex(text)
        XCTAssertEqual(diagnostics.map(\.message), [], file: file, line: line)
        XCTAssertEqual(tokens.count, 2, "\(tokens.map(\.kind))", file: file, line: line)
        return tokens.first
    }

    func testKeywordsAreCaseInsensitiveWords() {
        let tokens = lex("SELECT Select select").tokens
        XCTAssertEqual(tokens.dropLast().map(\.keyword), ["select", "select", "select"])
        XCTAssertEqual(tokens[0].kind, .identifier)
        XCTAssertEqual(tokens[0].text, "SELECT")
        XCTAssertNil(single("loyalty")?.keyword)
    }

    func testUnicodeIdentifiers() {
        XCTAssertEqual(single("客户名称")?.text, "客户名称")
        XCTAssertEqual(single("café_2")?.text, "café_2")
        XCTAssertEqual(single("_x1")?.text, "_x1")
        // Combining marks keep a Devanagari word whole.
        XCTAssertEqual(single("नमस्ते")?.text, "नमस्ते")
        XCTAssertEqual(kinds("a b"), [.identifier, .identifier])
        // A non-breaking space is a blank.
        XCTAssertEqual(kinds("a\u{00A0}b"), [.identifier, .identifier])
    }

    func testQuotedIdentifiers() {
        let token = single("`first name`")
        XCTAssertEqual(token?.kind, .quotedIdentifier)
        XCTAssertEqual(token?.text, "first name")
        XCTAssertNil(token?.keyword)
        let (_, diagnostics) = lex("``")
        XCTAssertEqual(diagnostics.map(\.message), ["empty quoted identifier"])
        let unterminated = lex("`abc").diagnostics
        XCTAssertEqual(unterminated.map(\.message), ["unterminated quoted identifier"])
        XCTAssertEqual(unterminated.first?.isIncompleteInput, true)
    }

    func testStringsAndEscapes() {
        XCTAssertEqual(kinds("'a''b'"), [.string, .string])
        XCTAssertEqual(single("'north'")?.value, .text("north"))
        XCTAssertEqual(single("\"north\"")?.value, .text("north"))
        XCTAssertEqual(single(#""a\\b\"c\'d\ne\tf""#)?.value, .text("a\\b\"c'd\ne\tf"))
        XCTAssertEqual(single(#"'\u{1F600}\u{41}'"#)?.value, .text("😀A"))
        XCTAssertEqual(single("'line one\nline two'")?.value, .text("line one\nline two"))
        XCTAssertEqual(single("'客户'")?.value, .text("客户"))
        XCTAssertEqual(single("''")?.value, .text(""))
    }

    func testInvalidEscapesAreErrorsWithSpans() {
        let text = #"'ab\qc'"#
        let (tokens, diagnostics) = lex(text)
        XCTAssertEqual(diagnostics.count, 1)
        XCTAssertTrue(diagnostics[0].message.hasPrefix(#"invalid escape sequence '\q'"#), diagnostics[0].message)
        XCTAssertEqual(diagnostics[0].range.map { sourceText(text, $0) }, #"\q"#)
        XCTAssertEqual(tokens[0].hasError, true)

        for bad in [#"'\u{D800}'"#, #"'\u{110000}'"#, #"'\u{}'"#, #"'\u{123456789}'"#] {
            let found = lex(bad).diagnostics
            XCTAssertEqual(found.count, 1, bad)
            XCTAssertEqual(found.first?.message.hasPrefix("invalid Unicode scalar"), true, bad)
            XCTAssertEqual(found.first?.range.map { sourceText(bad, $0) }, String(bad.dropFirst().dropLast()), bad)
        }
        XCTAssertEqual(lex(#"'\u41'"#).diagnostics.first?.message.hasPrefix(#"invalid escape sequence '\u'"#), true)
        XCTAssertEqual(lex(#"'\u{41'"#).diagnostics.first?.message.hasPrefix(#"invalid escape sequence '\u{41'"#), true)
    }

    func testUnterminatedStringIsIncompleteInput() {
        for text in ["'abc", "\"abc\ndef", "'abc\\'", "'"] {
            let diagnostics = lex(text).diagnostics
            XCTAssertEqual(diagnostics.map(\.message), ["unterminated string"], text)
            XCTAssertEqual(diagnostics.first?.isIncompleteInput, true, text)
            XCTAssertEqual(diagnostics.first?.range, SourceRange(0, 1), text)
        }
    }

    func testNumbers() {
        XCTAssertEqual(single("42")?.value, .integer(42))
        XCTAssertEqual(single("1_000_000")?.value, .integer(1_000_000))
        XCTAssertEqual(single("3.14")?.value, .number(3.14))
        XCTAssertEqual(single("1e6")?.value, .number(1e6))
        XCTAssertEqual(single("2.5E-3")?.value, .number(2.5e-3))
        XCTAssertEqual(single("1e+20")?.value, .number(1e20))
        XCTAssertEqual(single("18446744073709551615")?.value, .integer(UInt64.max))
        // Too large even for the magnitude: the parser reports it with a span.
        XCTAssertEqual(single("18446744073709551616")?.value, .integer(nil))
        XCTAssertEqual(kinds("3.x"), [.integer, .dot, .identifier])
        XCTAssertEqual(kinds("1_"), [.invalid])
    }

    func testMalformedNumbers() {
        for (text, message) in [("12abc", "invalid number '12abc'"), ("1e", "invalid number '1e'"),
                                ("1e999", "number '1e999' is out of range"), ("1__0", "invalid number '1__0'")] {
            let diagnostics = lex(text).diagnostics
            XCTAssertEqual(diagnostics.map(\.message), [message], text)
            XCTAssertEqual(diagnostics.first?.range, SourceRange(0, text.utf8.count), text)
        }
    }

    func testDatesAndDatetimes() {
        XCTAssertEqual(single("2026-03-31")?.value, .date(DateParsing.parseDate("2026-03-31")!))
        XCTAssertEqual(single("2026-03-31")?.kind, .date)
        XCTAssertEqual(single("2026-03-31T14:30:00")?.value, .datetime(DateParsing.parseDateTime("2026-03-31T14:30:00")!))
        XCTAssertEqual(single("2026-03-31T14:30")?.kind, .datetime)
        XCTAssertEqual(single("2026-03-31T14:30:00Z")?.value, single("2026-03-31T14:30:00")?.value)
        XCTAssertEqual(single("2026-03-31T14:30:00+08:00")?.value, single("2026-03-31T06:30:00")?.value)
        XCTAssertEqual(single("2026-03-31T14:30:00.250-02:00")?.value, single("2026-03-31T16:30:00")?.value)
        XCTAssertEqual(kinds("10-3"), [.integer, .minus, .integer])
        XCTAssertEqual(kinds("2026 - 03 - 31"), [.integer, .minus, .integer, .minus, .integer])
        XCTAssertEqual(kinds("2026-03-311"), [.integer, .minus, .integer, .minus, .integer])
        XCTAssertEqual(kinds("2026-03-31-1"), [.date, .minus, .integer])
        XCTAssertEqual(kinds("2026-03-31T14:30:00-1"), [.datetime, .minus, .integer])
    }

    func testInvalidDates() {
        let diagnostics = lex("2026-02-30").diagnostics
        XCTAssertEqual(diagnostics.count, 1)
        XCTAssertEqual(diagnostics.first?.message.hasPrefix("invalid date '2026-02-30'"), true)
        XCTAssertEqual(diagnostics.first?.range, SourceRange(0, 10))
        XCTAssertEqual(lex("2026-03-31T25:00").diagnostics.map(\.message), ["invalid datetime '2026-03-31T25:00'"])
        XCTAssertEqual(lex("2026-03-31x").diagnostics.map(\.message), ["invalid date '2026-03-31x'"])
    }

    func testParametersAndOperators() {
        XCTAssertEqual(single("$region")?.value, .text("region"))
        XCTAssertEqual(single("$region")?.kind, .parameter)
        XCTAssertEqual(lex("$ x").diagnostics.map(\.message), ["expected a parameter name after '$'"])
        XCTAssertEqual(kinds("= != <> < <= > >= + - * / % || ( ) , ; . :"),
                       [.equal, .notEqual, .notEqual, .less, .lessEqual, .greater, .greaterEqual, .plus, .minus,
                        .star, .slash, .percent, .concat, .leftParen, .rightParen, .comma, .semicolon, .dot, .colon])
        XCTAssertEqual(kinds("a<=b"), [.identifier, .lessEqual, .identifier])
    }

    func testInvalidCharacters() {
        let text = "a # b → c ! d | e"
        let (tokens, diagnostics) = lex(text)
        XCTAssertEqual(diagnostics.map(\.message), ["unexpected character '#'", "unexpected character '→'",
                                                    "unexpected character '!'", "unexpected character '|'"])
        XCTAssertEqual(diagnostics.compactMap(\.range).map { sourceText(text, $0) }, ["#", "→", "!", "|"])
        XCTAssertEqual(tokens.filter { $0.kind == .invalid }.count, 4)
    }

    func testCommentsAndNewlines() {
        XCTAssertEqual(kinds("a -- comment\nb"), [.identifier, .newline, .identifier])
        XCTAssertEqual(kinds("a /* one\ntwo */ b"), [.identifier, .identifier])
        XCTAssertEqual(kinds("a\r\nb"), [.identifier, .newline, .identifier])
        XCTAssertEqual(kinds("a - -b"), [.identifier, .minus, .minus, .identifier])
        let unterminated = lex("a /* never closed").diagnostics
        XCTAssertEqual(unterminated.map(\.message), ["unterminated block comment"])
        XCTAssertEqual(unterminated.first?.isIncompleteInput, true)
        XCTAssertEqual(unterminated.first?.range, SourceRange(2, 4))
    }

    func testRangesAreByteOffsets() {
        let text = "select 客户 where x >= 1"
        let tokens = lex(text).tokens
        XCTAssertEqual(tokens.dropLast().map { sourceText(text, $0.range) }, ["select", "客户", "where", "x", ">=", "1"])
        XCTAssertEqual(tokens.last?.range, SourceRange(text.utf8.count, text.utf8.count))
    }

    func testHugeStringLiteralLexes() {
        // Bytes rather than a `SourceFile`, to time the lexer alone.
        let size = 100 * 1024 * 1024
        var bytes = [UInt8](repeating: UInt8(ascii: "x"), count: size + 2)
        bytes[0] = UInt8(ascii: "'")
        bytes[size + 1] = UInt8(ascii: "'")
        let start = Date()
        let (tokens, diagnostics) = Lexer.tokenize(bytes: bytes)
        XCTAssertEqual(diagnostics.count, 0)
        XCTAssertEqual(tokens.map(\.kind), [.string, .endOfInput])
        XCTAssertEqual(tokens.first?.text.utf8.count, size)
        XCTAssertLessThan(Date().timeIntervalSince(start), 20)
    }

    func testLargeStringWithEscapesLexes() {
        let text = "'" + String(repeating: "ab\\n\\u{4E2D}", count: 100_000) + "'"
        let (tokens, diagnostics) = lex(text)
        XCTAssertEqual(diagnostics.count, 0)
        XCTAssertEqual(tokens.first?.text, String(repeating: "ab\n中", count: 100_000))
    }
}
