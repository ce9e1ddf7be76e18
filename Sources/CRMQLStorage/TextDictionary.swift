import CRMQLCore

/// A text column of few distinct texts (names, cities, product titles), as
/// each distinct text once and each row the number of its text. A test of
/// every row's text (`matches`, `starts with`) then runs once per distinct
/// text, and the rows are kept by reading two bytes each: a million
/// customers' names are about two thousand texts.
public struct TextDictionary: Sendable {
    /// The distinct texts in order of first appearance; nil stands for null.
    public let texts: [String?]
    /// Each row's number in `texts`.
    public let codes: [UInt16]

    /// The column's dictionary; nil for another kind of column, or one with
    /// too many distinct texts for a test per text to pay.
    /// - Complexity: O(n) hash lookups.
    public init?(column: Column) {
        var stopped = false
        self.init(column: column, stopped: &stopped)
    }

    /// `init(column:)`, giving up (nil, `stopped` set) when the running
    /// statement must end (`IndexBuild`): a nil that must not be kept as
    /// the column's answer.
    public init?(column: Column, stopped: inout Bool) {
        guard case .text(let texts) = column.data,
              let (codes, distinct) = TextDictionary.distinctCodes(column, texts, stopped: &stopped) else { return nil }
        self.texts = distinct
        self.codes = codes
    }

    /// Number of rows.
    public var count: Int { codes.count }

    /// Each row's number among the column's distinct texts (null one of
    /// them), and those texts; nil when there are too many for it to pay.
    static func distinctCodes(_ column: Column, _ texts: [String], stopped: inout Bool) -> ([UInt16], [String?])? {
        // TUNING: a row's code costs 2 bytes to read where its text costs
        // its length and more (14 bytes for a name); past a distinct text
        // for every 4 rows, testing the distinct texts costs about as
        // much as the rows saved. Codes are 16 bits wide.
        let limit = min(Int(UInt16.max), texts.count / 4)
        guard limit > 0 else { return nil }
        // Texts are told apart by their bytes, not by `String`'s equality,
        // which takes canonically equivalent texts (a precomposed é and an
        // e with a combining accent) for one: a pattern tells them apart,
        // so a row must be tested as the very text it holds. Hashing the
        // bytes also costs less: a million names' first `matches` took
        // 44 ms with this table, 108 ms with a `[String: UInt16]`.
        var numbers = ByteKeyTable(capacity: 1024)
        // The table numbers the texts; `distinct` also holds the null entry.
        var numberCodes: [UInt16] = []
        var distinct: [String?] = []
        var nullCode: UInt16?
        var codes = [UInt16](repeating: 0, count: texts.count)
        for row in texts.indices {
            if IndexBuild.shouldStop(at: row) {
                stopped = true
                return nil
            }
            if column.isNull(row) {
                if nullCode == nil {
                    nullCode = UInt16(distinct.count)
                    distinct.append(nil)
                }
                codes[row] = nullCode!
                continue
            }
            var text = texts[row]
            let known = numbers.count
            let number = Int(text.withUTF8 { numbers.code(of: $0) })
            if numbers.count == known {
                codes[row] = numberCodes[number]
                continue
            }
            guard distinct.count < limit else { return nil }
            let code = UInt16(distinct.count)
            numberCodes.append(code)
            distinct.append(text)
            codes[row] = code
        }
        return (codes, distinct)
    }
}
