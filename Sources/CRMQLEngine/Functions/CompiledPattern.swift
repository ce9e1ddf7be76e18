import CRMQLCore
import CPCRE2

/// Why a `matches` pattern was refused, or why matching it stopped.
public struct PatternError: Error, Sendable, CustomStringConvertible {
    /// Whether the pattern is wrong, or matching it went past a bound.
    public enum Kind: Sendable {
        /// The pattern is not a valid regular expression, or too long.
        case invalid
        /// Matching one value needed more backtracking or memory than
        /// `CompiledPattern` allows (a pattern such as `(a+)+$`).
        case tooComplex
    }

    /// What is wrong, e.g. `missing closing parenthesis at offset 3`.
    public let message: String
    /// Whether the pattern or its matching was refused.
    public let kind: Kind

    /// A refusal with its reason.
    public init(_ message: String, kind: Kind = .invalid) {
        self.message = message
        self.kind = kind
    }

    /// The reason, as error messages quote it.
    public var description: String { message }
}

/// The regular expression of `text matches pattern`, compiled once per query.
///
/// The engine is PCRE2 (Perl-compatible syntax: classes, anchors,
/// alternation, counted repeats, look-around, back-references, `(?i)` for
/// case-insensitive matching), in UTF-8 mode with Unicode properties, so
/// `.` is one Unicode scalar and `\w`, `\d` and `[[:alpha:]]` know
/// letters and digits beyond ASCII. Matching is case-sensitive unless the
/// pattern says otherwise, and true when the pattern matches anywhere in
/// the text. A pattern made only of ordinary ASCII characters is searched
/// for directly, which is several times faster than any engine.
///
/// A backtracking engine can take time exponential in the text on patterns
/// such as `(a+)+$`; PCRE2 counts its steps from each position where it
/// tries the pattern, and more than `matchLimit` of them (or more than
/// `heapLimitKiB` of memory) stops the match with
/// `PatternError.Kind.tooComplex` instead of hanging. One position then
/// takes at most a few milliseconds, and the engine calls `poll` (through
/// a PCRE2 callout) before each position, so that the interrupt and the
/// time limit stop a long search over a long text too.
///
/// Not `Sendable`: a match writes into buffers the pattern owns. Compile
/// one per query on the thread that runs it.
public struct CompiledPattern {
    /// The pattern as written.
    public let source: String
    private let program: Program?
    /// The pattern's bytes when it is a plain ASCII literal.
    private let literal: [UInt8]?
    private let failure: [Int]

    /// Longer patterns are refused: no real filter needs one, and a limit
    /// keeps compilation time and memory bounded.
    public static let maximumLength = 10_000

    /// Most backtracking steps one match may take. TUNING: measured at a
    /// few milliseconds for the worst patterns (nested repeats) with the
    /// JIT, about 20 ms with the interpreter; an ordinary pattern on a text
    /// of a few kilobytes takes thousands. PCRE2's own default is 10 million.
    public static let matchLimit: UInt32 = 1_000_000

    /// Deepest backtracking nesting of one match (interpreter only: the JIT
    /// bounds its own stack). TUNING: far above any pattern a filter needs.
    public static let depthLimit: UInt32 = 20_000

    /// Most memory one match may take for backtracking: the interpreter's
    /// heap frames, or the JIT's stack. TUNING: 16 MB; PCRE2's default heap
    /// limit is 20 MB.
    public static let heapLimitKiB: UInt32 = 16 * 1024

    /// Deepest nesting of parentheses in a pattern (PCRE2's default is 250).
    public static let parenthesesLimit: UInt32 = 250

    /// Compiles `pattern`.
    /// - Throws: `PatternError` (kind `.invalid`) when the pattern is not a
    ///   valid regular expression or is too long.
    public init(_ pattern: String) throws(PatternError) {
        guard pattern.utf8.count <= Self.maximumLength else {
            throw PatternError("pattern is longer than \(Self.maximumLength) bytes")
        }
        source = pattern
        literal = Self.isPlainLiteral(pattern) ? Array(pattern.utf8) : nil
        failure = literal.map { SubstringSearch.failureTable($0) } ?? []
        // A plain literal is searched for directly and needs no engine.
        program = literal == nil ? try Program(pattern) : nil
    }

    /// True when the pattern matches somewhere in `text`.
    /// - Parameter poll: called at each position of `text` where the
    ///   engine tries the pattern, so that a long search can be stopped:
    ///   what it throws ends the match and is rethrown.
    /// - Throws: `PatternError` (kind `.tooComplex`) when matching this one
    ///   text needed more steps or memory than the bounds above; whatever
    ///   `poll` throws.
    public func matches(_ text: String, poll: () throws -> Void = {}) throws -> Bool {
        if let literal { return literalMatch(literal, in: text) }
        guard let program else { return true }
        return try program.matches(text, poll: poll)
    }

    /// True when every match goes through the regular expression engine,
    /// not the literal search: its cost per value is then bounded only by
    /// `matchLimit`.
    public var usesEngine: Bool { program != nil }

    /// Searches for a plain literal by bytes: the engine matches by
    /// scalars, and an ASCII literal occurs in a text's scalars exactly
    /// where its bytes occur in the text's UTF-8.
    private func literalMatch(_ literal: [UInt8], in text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            SubstringSearch.firstMatchEnd(of: literal, failure: failure, in: bytes.count, { bytes[$0] }) != nil
        }
    }

    /// True for a non-empty pattern of printable ASCII without any
    /// character that regex syntax gives a meaning.
    private static func isPlainLiteral(_ pattern: String) -> Bool {
        !pattern.isEmpty && pattern.utf8.allSatisfy { byte in
            byte >= 0x20 && byte < 0x7F && !"\\^$.|?*+()[]{}#".utf8.contains(byte)
        }
    }
}

/// A pattern compiled by PCRE2, with the buffers and bounds of its matches.
private final class Program {
    private let code: OpaquePointer
    private let data: OpaquePointer
    private let context: OpaquePointer
    private let stack: OpaquePointer?
    /// What the callout calls while a match runs, and what it threw.
    private var poll: (() throws -> Void)?
    private var stopped: (any Error)?

    init(_ pattern: String) throws(PatternError) {
        guard let compileContext = cpcre2_compile_context_create() else { throw PatternError("out of memory") }
        defer { cpcre2_compile_context_free(compileContext) }
        _ = cpcre2_set_max_pattern_length(compileContext, CompiledPattern.maximumLength + Program.callout.utf8.count)
        _ = cpcre2_set_parens_nest_limit(compileContext, CompiledPattern.parenthesesLimit)
        var error: Int32 = 0
        var offset = 0
        let (withCallout, at) = Program.insertingCallout(into: pattern)
        var bytes = withCallout
        let compiled = bytes.withUTF8 { buffer in
            cpcre2_compile(buffer.baseAddress, buffer.count, UInt32(PCRE2_UTF | PCRE2_UCP), &error, &offset, compileContext)
        }
        guard let compiled else {
            let original = offset >= at + Program.callout.utf8.count ? offset - Program.callout.utf8.count : min(offset, at)
            throw PatternError("\(Program.message(of: error)) at offset \(original)")
        }
        // Without the JIT (a platform it does not support, or no memory to
        // map) the interpreter matches, under the same bounds.
        _ = cpcre2_jit_compile(compiled)
        guard let data = cpcre2_match_data_create(compiled), let context = cpcre2_match_context_create() else {
            cpcre2_code_free(compiled)
            throw PatternError("out of memory")
        }
        _ = cpcre2_set_match_limit(context, CompiledPattern.matchLimit)
        _ = cpcre2_set_depth_limit(context, CompiledPattern.depthLimit)
        _ = cpcre2_set_heap_limit(context, CompiledPattern.heapLimitKiB)
        stack = cpcre2_jit_stack_assign(context, Int(CompiledPattern.heapLimitKiB) * 1024)
        code = compiled
        self.data = data
        self.context = context
        _ = cpcre2_set_callout(context, { _, data in
            guard let data else { return 0 }
            return Unmanaged<Program>.fromOpaque(data).takeUnretainedValue().calledOut()
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        cpcre2_match_context_free(context)
        if let stack { cpcre2_jit_stack_free(stack) }
        cpcre2_match_data_free(data)
        cpcre2_code_free(code)
    }

    /// The callout the pattern starts with: PCRE2 calls it each time it
    /// tries the pattern at another position of the text. The match limit
    /// counts steps from one such start, not over the whole text, so the
    /// callout is where a long search polls the interrupt and time limit.
    static let callout = "(?C1)"

    /// The pattern with `callout` inserted after its leading option verbs
    /// such as `(*UTF)` or `(*LIMIT_MATCH=1000)`, which must come first;
    /// and where it went, to give compile errors the pattern's own offsets.
    static func insertingCallout(into pattern: String) -> (String, Int) {
        let bytes = Array(pattern.utf8)
        var at = 0
        while at + 2 < bytes.count, bytes[at] == UInt8(ascii: "("), bytes[at + 1] == UInt8(ascii: "*") {
            var end = at + 2
            while end < bytes.count, bytes[end] == UInt8(ascii: "_") || bytes[end] == UInt8(ascii: "=")
                    || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(bytes[end]) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[end]) {
                end += 1
            }
            guard end < bytes.count, end > at + 2, bytes[end] == UInt8(ascii: ")") else { break }
            at = end + 1
        }
        let text = String(decoding: bytes[..<at], as: UTF8.self) + callout + String(decoding: bytes[at...], as: UTF8.self)
        return (text, at)
    }

    private func calledOut() -> Int32 {
        guard let poll else { return 0 }
        do {
            try poll()
            return 0
        } catch {
            stopped = error
            return PCRE2_ERROR_CALLOUT
        }
    }

    func matches(_ text: String, poll: () throws -> Void) throws -> Bool {
        var text = text
        let status = try withoutActuallyEscaping(poll) { poll in
            self.poll = poll
            stopped = nil
            defer { self.poll = nil }
            let status = search(&text)
            if status == PCRE2_ERROR_CALLOUT, let stopped { throw stopped }
            return status
        }
        if status >= 0 { return true }
        switch status {
        case PCRE2_ERROR_NOMATCH, PCRE2_ERROR_PARTIAL:
            return false
        case PCRE2_ERROR_MATCHLIMIT:
            throw PatternError("""
                the regular expression backtracks more than \(CompiledPattern.matchLimit) steps from one position of a value; \
                nested repeats such as (a+)+ do: write it without them
                """, kind: .tooComplex)
        case PCRE2_ERROR_DEPTHLIMIT, PCRE2_ERROR_HEAPLIMIT, PCRE2_ERROR_JIT_STACKLIMIT, PCRE2_ERROR_NOMEMORY:
            throw PatternError("the regular expression needs more memory than allowed to match one value", kind: .tooComplex)
        default:
            throw PatternError(Program.message(of: status), kind: .tooComplex)
        }
    }

    private func search(_ text: inout String) -> Int32 {
        text.withUTF8 { buffer in
            // An empty buffer may have no address; PCRE2 needs one all the same.
            buffer.baseAddress == nil
                ? cpcre2_match(code, [UInt8(0)], 0, data, context)
                : cpcre2_match(code, buffer.baseAddress, buffer.count, data, context)
        }
    }

    /// PCRE2's message for an error code.
    static func message(of error: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let length = cpcre2_error_message(error, &buffer, buffer.count)
        guard length > 0 else { return "invalid regular expression (PCRE2 code \(Int(error)))" }
        return String(decoding: buffer.prefix(Int(length)), as: UTF8.self)
    }
}
