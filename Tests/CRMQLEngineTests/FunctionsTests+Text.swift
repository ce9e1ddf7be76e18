import XCTest
@testable import CRMQLEngine

final class FunctionsTextTests: XCTestCase {
    func testContainsIgnoresCaseInAsciiText() {
        XCTAssertTrue(TextFunctions.contains("Hello World", "WORLD"))
        XCTAssertTrue(TextFunctions.contains("Hello World", "o w"))
        XCTAssertFalse(TextFunctions.contains("Hello World", "worlds"))
        XCTAssertTrue(TextFunctions.contains("abababc", "ababc"), "needs the search to fall back correctly")
        XCTAssertTrue(TextFunctions.contains("aaaaab", "AAAB"))
        XCTAssertFalse(TextFunctions.contains("aaaaa", "aab"))
        XCTAssertTrue(TextFunctions.contains("x", ""))
        XCTAssertTrue(TextFunctions.contains("", ""))
        XCTAssertFalse(TextFunctions.contains("", "a"))
        XCTAssertFalse(TextFunctions.contains("[@`{", "{`@["), "bytes around the letters are not letters")
        XCTAssertFalse(TextFunctions.contains("@", "`"), "@ and ` differ by the case bit but are no letters")
    }

    func testAccentedText() {
        XCTAssertTrue(TextFunctions.contains("Chloé", "CHLOÉ"))
        XCTAssertTrue(TextFunctions.contains("CHLOÉ DUPONT", "chloé"))
        XCTAssertFalse(TextFunctions.contains("Chloé", "chloe"), "accents are not ignored, only case")
        XCTAssertTrue(TextFunctions.startsWith("Éric Satie", "éRIC"))
        XCTAssertTrue(TextFunctions.endsWith("naïve café", "CAFÉ"))
        XCTAssertTrue(TextFunctions.endsWith("Café", "É"))
        XCTAssertFalse(TextFunctions.endsWith("Café", "e"))
        XCTAssertTrue(TextFunctions.startsWith("naïve", "NAÏ"))
        XCTAssertTrue(TextFunctions.contains("Ødegaard", "øDE"))
    }

    func testFullCaseFolding() {
        XCTAssertTrue(TextFunctions.contains("Straße 5", "STRASSE"))
        XCTAssertTrue(TextFunctions.contains("STRASSE 5", "straße"))
        XCTAssertTrue(TextFunctions.endsWith("Großstraße", "SSE"))
        XCTAssertTrue(TextFunctions.contains("\u{212A}elvin", "kel"), "the Kelvin sign folds to k")
        XCTAssertTrue(TextFunctions.contains("kelvin", "\u{212A}EL"))
        XCTAssertTrue(TextFunctions.contains("ΟΔΥΣΣΕΥΣ", "οδυσσευς"), "final sigma equals sigma")
        XCTAssertTrue(TextFunctions.contains("Максим Иванов", "ИВАНОВ"))
    }

    func testCJKText() {
        XCTAssertTrue(TextFunctions.contains("北京客户名称", "客户"))
        XCTAssertTrue(TextFunctions.startsWith("北京客户", "北京"))
        XCTAssertTrue(TextFunctions.endsWith("北京客户", "客户"))
        XCTAssertFalse(TextFunctions.contains("東京", "京都"))
        XCTAssertFalse(TextFunctions.startsWith("客户", "客户名称"))
        XCTAssertTrue(TextFunctions.contains("ACME 株式会社", "acme 株"))
        XCTAssertFalse(TextFunctions.contains("株式会社", "abc"))
        XCTAssertTrue(TextFunctions.contains("emoji 👍🏽 ok", "👍🏽 OK"))
    }

    func testPrefixAndSuffixEdges() {
        XCTAssertTrue(TextFunctions.startsWith("abc", "ABC"))
        XCTAssertFalse(TextFunctions.startsWith("ab", "abc"))
        XCTAssertFalse(TextFunctions.endsWith("bc", "abc"))
        XCTAssertTrue(TextFunctions.endsWith("abc", ""))
        XCTAssertTrue(TextFunctions.startsWith("", ""))
        XCTAssertFalse(TextFunctions.startsWith("xabc", "abc"))
        XCTAssertTrue(TextFunctions.startsWith("abcé", "ABC"))
        XCTAssertTrue(TextFunctions.endsWith("éabc", "ABC"))
        XCTAssertFalse(TextFunctions.endsWith("éabc", "xabc"))
    }

    /// Compares the fast paths with folding both sides whole and searching naively.
    func testAgreesWithAReferenceOnRandomText() {
        let alphabet: [String] = ["a", "A", "b", "s", "S", "ß", "k", "K", "\u{212A}", "é", "É", "客", "户", " ", "σ", "ς", "Σ"]
        var generator = FunctionsTestRandom(seed: 42)
        func randomText(_ maxLength: Int) -> String {
            let length = Int(generator.next() % UInt64(maxLength + 1))
            return (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }.joined()
        }
        func folded(_ text: String) -> [UInt32] {
            var out: [UInt32] = []
            for scalar in text.unicodeScalars { CaseFolding.foldByMapping(scalar.value) { out.append($0) } }
            return out
        }
        for _ in 0..<3000 {
            let haystack = randomText(12)
            let needle = randomText(3)
            let h = folded(haystack)
            let n = folded(needle)
            let contains = n.isEmpty || (h.count >= n.count && (0...(h.count - n.count)).contains { Array(h[$0..<($0 + n.count)]) == n })
            let search = TextSearch(needle)
            XCTAssertEqual(search.isContained(in: haystack), contains, "\(haystack) contains \(needle)")
            XCTAssertEqual(search.isPrefix(of: haystack), h.starts(with: n), "\(haystack) starts with \(needle)")
            XCTAssertEqual(search.isSuffix(of: haystack), h.reversed().starts(with: n.reversed()), "\(haystack) ends with \(needle)")
        }
    }

    /// The shortcuts of `CaseFolding.fold` give what the case mappings give.
    func testFoldShortcutsAgreeWithTheCaseMappings() {
        for value in UInt32(0)..<0xD800 where !(0x3000..<0xA000).contains(value) || value % 97 == 0 {
            var fast: [UInt32] = []
            var slow: [UInt32] = []
            CaseFolding.fold(value) { fast.append($0) }
            CaseFolding.foldByMapping(value) { slow.append($0) }
            XCTAssertEqual(fast, slow, "U+\(String(value, radix: 16))")
        }
        for range in [UInt32(0x3000)..<0xA000, 0xAC00..<0xD7A4] {
            for value in range {
                XCTAssertFalse(Unicode.Scalar(value)?.properties.changesWhenCaseMapped ?? false, "U+\(String(value, radix: 16)) has case")
            }
        }
    }

    func testLongRowsStayLinear() {
        let haystack = String(repeating: "a", count: 200_000) + "b"
        let needle = String(repeating: "a", count: 1000) + "b"
        XCTAssertTrue(TextFunctions.contains(haystack, needle))
        XCTAssertFalse(TextFunctions.contains(haystack, needle + "c"))
        let accented = String(repeating: "é", count: 100_000) + "x"
        XCTAssertTrue(TextFunctions.contains(accented, "ÉX"))
        XCTAssertTrue(TextFunctions.endsWith(accented, "ÉX"))
    }

    // MARK: - Scalar functions

    func testCaseMappingAndLength() {
        XCTAssertEqual(TextFunctions.lower("Chloé ÉTÉ"), "chloé été")
        XCTAssertEqual(TextFunctions.upper("straße"), "STRASSE")
        XCTAssertEqual(TextFunctions.upper("客户"), "客户")
        XCTAssertEqual(TextFunctions.length("Chloé"), 5)
        XCTAssertEqual(TextFunctions.length("Chloe\u{301}"), 5, "a decomposed accent is still one character")
        XCTAssertEqual(TextFunctions.length("客户名称"), 4)
        XCTAssertEqual(TextFunctions.length("👍🏽"), 1)
        XCTAssertEqual(TextFunctions.length(""), 0)
    }

    func testTrim() {
        XCTAssertEqual(TextFunctions.trim("  Ada  "), "Ada")
        XCTAssertEqual(TextFunctions.trim("\t\nAda Lovelace\r\n"), "Ada Lovelace")
        XCTAssertEqual(TextFunctions.trim("\u{00A0}客户\u{3000}"), "客户", "no-break and ideographic spaces")
        XCTAssertEqual(TextFunctions.trim("   "), "")
        XCTAssertEqual(TextFunctions.trim(""), "")
        XCTAssertEqual(TextFunctions.trim("Ada"), "Ada")
    }

    func testSubstrFollowsSQL() {
        XCTAssertEqual(TextFunctions.substr("Chloé", start: 1, length: 3), "Chl")
        XCTAssertEqual(TextFunctions.substr("Chloé", start: 4, length: nil), "oé")
        XCTAssertEqual(TextFunctions.substr("Chloé", start: 5, length: 1), "é")
        XCTAssertEqual(TextFunctions.substr("Chloé", start: 6, length: 1), "")
        XCTAssertEqual(TextFunctions.substr("abc", start: 0, length: 2), "a", "position 0 uses up one of the length")
        XCTAssertEqual(TextFunctions.substr("abc", start: -5, length: 7), "a")
        XCTAssertEqual(TextFunctions.substr("abc", start: -5, length: nil), "abc")
        XCTAssertEqual(TextFunctions.substr("abc", start: 2, length: 0), "")
        XCTAssertEqual(TextFunctions.substr("abc", start: 2, length: -1), "")
        XCTAssertEqual(TextFunctions.substr("abc", start: 2, length: 100), "bc")
        XCTAssertEqual(TextFunctions.substr("客户名称", start: 2, length: 2), "户名")
        XCTAssertEqual(TextFunctions.substr("abc", start: .max, length: .max), "")
        XCTAssertEqual(TextFunctions.substr("abc", start: .min, length: .max), "")
        XCTAssertEqual(TextFunctions.substr("abc", start: .min, length: .min), "")
        XCTAssertEqual(TextFunctions.substr("abc", start: 2, length: .max), "bc")
        XCTAssertEqual(TextFunctions.substr("", start: 1, length: 1), "")
    }

    // MARK: - Regular expressions

    func testMatchesAnywhere() throws {
        XCTAssertTrue(try CompiledPattern("b+c").matches("abbbcd"))
        XCTAssertFalse(try CompiledPattern("^b").matches("abc"))
        XCTAssertTrue(try CompiledPattern("^A.*z$").matches("Abc xyz"))
        XCTAssertTrue(try CompiledPattern("\\d{3}-\\d{4}").matches("call 555-1234 now"))
        XCTAssertFalse(try CompiledPattern("chloé").matches("CHLOÉ"), "case-sensitive by default")
        XCTAssertTrue(try CompiledPattern("(?i)chloé").matches("CHLOÉ"))
        XCTAssertTrue(try CompiledPattern("客户").matches("北京客户"))
        XCTAssertTrue(try CompiledPattern("").matches("anything"))
        XCTAssertTrue(try CompiledPattern("[[:alpha:]]+").matches("abc"))
    }

    func testLiteralPatternsAgreeWithTheRegexEngine() throws {
        XCTAssertTrue(try CompiledPattern("abc").matches("xxabcxx"))
        XCTAssertFalse(try CompiledPattern("abc").matches("xxabxcx"))
        XCTAssertFalse(try CompiledPattern("ABC").matches("abc"))
        XCTAssertTrue(try CompiledPattern("Chlo").matches("Chloé"))
        // Scalar semantics: a combining accent after "e" is a scalar of its own.
        XCTAssertTrue(try CompiledPattern("Chloe").matches("Chloe\u{301}"))
        XCTAssertTrue(try CompiledPattern("(Chloe)").matches("Chloe\u{301}"))
        XCTAssertFalse(try CompiledPattern("Chloe").matches("Chloé"))
    }

    /// The literal shortcut answers as the engine does, also next to
    /// combining marks and other non-ASCII text: the same pattern inside a
    /// group (which the shortcut does not take) must agree.
    func testLiteralShortcutAgreesWithTheEngineOnRandomText() throws {
        let patternAlphabet: [String] = ["a", "b", " ", "-", ",", "e"]
        let textAlphabet: [String] = ["a", "b", " ", "-", "e", "\u{301}", "é", "客", "\u{200D}", "\r", "\n"]
        var generator = FunctionsTestRandom(seed: 3)
        for _ in 0..<2000 {
            let pattern = (0..<(1 + Int(generator.next() % 3))).map { _ in patternAlphabet[Int(generator.next() % 6)] }.joined()
            let text = (0..<Int(generator.next() % 8)).map { _ in textAlphabet[Int(generator.next() % UInt64(textAlphabet.count))] }.joined()
            let literal = try CompiledPattern(pattern)
            let engine = try CompiledPattern("(?:" + pattern + ")")
            XCTAssertFalse(literal.usesEngine)
            XCTAssertTrue(engine.usesEngine)
            XCTAssertEqual(try literal.matches(text), try engine.matches(text), "\(text.debugDescription) matches \(pattern.debugDescription)")
        }
    }

    func testInvalidPatternsThrowInsteadOfCrashing() {
        XCTAssertThrowsError(try CompiledPattern("a(b")) { error in
            XCTAssertEqual((error as? PatternError)?.kind, .invalid)
            XCTAssertEqual("\(error)", "missing closing parenthesis at offset 3")
        }
        XCTAssertThrowsError(try CompiledPattern("[z-a]"))
        XCTAssertThrowsError(try CompiledPattern("*"))
        XCTAssertThrowsError(try CompiledPattern(String(repeating: "(", count: 10_000)))
        XCTAssertThrowsError(try CompiledPattern(String(repeating: "(", count: 300) + "a" + String(repeating: ")", count: 300))) { error in
            XCTAssertTrue("\(error)".contains("parentheses are too deeply nested"), "\(error)")
        }
        XCTAssertThrowsError(try CompiledPattern(String(repeating: "x", count: CompiledPattern.maximumLength + 1)))
        // Brackets inside a class are ordinary characters to PCRE2: no nesting, no deep recursion.
        XCTAssertNoThrow(try CompiledPattern(String(repeating: "[a", count: 3000) + String(repeating: "]", count: 3000)))
        XCTAssertNoThrow(try CompiledPattern(String(repeating: "[0-9]", count: 500)))
        XCTAssertNoThrow(try CompiledPattern(String(repeating: "[[:alpha:]]", count: 500)))
        XCTAssertNoThrow(try CompiledPattern("[\\]a]" + String(repeating: "[^\\]b]", count: 100)))
    }

    /// Exponential backtracking stops at the step bound with a clear error,
    /// quickly, instead of running for the age of the universe.
    func testCatastrophicBacktrackingStopsAtTheStepBound() throws {
        let pattern = try CompiledPattern("^(a+)+$")
        XCTAssertTrue(try pattern.matches("aaaa"))
        let started = ContinuousClock.now
        XCTAssertThrowsError(try pattern.matches(String(repeating: "a", count: 30) + "!")) { error in
            XCTAssertEqual((error as? PatternError)?.kind, .tooComplex)
            XCTAssertTrue("\(error)".contains("backtracks more than"), "\(error)")
        }
        XCTAssertLessThan(ContinuousClock.now - started, .milliseconds(100), "the blow-up stops within milliseconds")
        for nested in ["(a|a)*$", "^(a|aa)+$", "^(a+a+)+$", "^(\\w+\\s?)*$"] {
            XCTAssertThrowsError(try CompiledPattern(nested).matches(String(repeating: "a", count: 40) + "!"), nested)
        }
        // Linear patterns on long text stay well inside the bound.
        let long = String(repeating: "lorem ipsum dolor ", count: 5000) + "acme gmbh"
        XCTAssertTrue(try CompiledPattern("ac[a-z]e\\s+gmbh$").matches(long))
        XCTAssertTrue(try CompiledPattern("^(\\w+ )*acme").matches(long))
    }
}

/// A small deterministic generator, so failures reproduce.
struct FunctionsTestRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
