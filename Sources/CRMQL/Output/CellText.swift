import CRMQLCore
import CRMQLStorage

/// The text of one cell as a terminal shows it, with its display width.
///
/// A cell is made of pieces that are either the value's own text or marks
/// the renderer adds (the null sign, escapes of control characters, the `…`
/// of a cut): colour mode dims the marks so they cannot pass for data.
struct CellText: Sendable {
    struct Piece: Sendable {
        var text: String
        var isMark: Bool
    }

    /// How null shows in a table: one column wide, and unlike any text a
    /// cell would hold, so it never reads as the empty string.
    static let nullSign = "∅"
    /// Where a cell, a row or a column was left out.
    static let ellipsis = "…"

    // Nearly every cell is one piece: keeping the first out of the array
    // spares a table an allocation per cell.
    private var first: Piece
    private var rest: [Piece]
    private(set) var width: Int

    static let empty = CellText(plain: "")

    /// Text shown as it is (it must hold no control characters).
    init(plain text: String) {
        first = Piece(text: text, isMark: false)
        rest = []
        width = DisplayWidth.of(text)
    }

    /// A mark the renderer adds.
    init(mark text: String) {
        first = Piece(text: text, isMark: true)
        rest = []
        width = DisplayWidth.of(text)
    }

    /// The pieces in order.
    var pieces: [Piece] { first.text.isEmpty ? rest : [first] + rest }

    /// Text whose control characters show as escapes (`\n`, `\t`,
    /// `\u{1b}`), so that a value can never break a line of the grid or
    /// move the cursor. Bidirectional controls are escaped too: they would
    /// reorder the characters of the border around them.
    init(escaping text: String) {
        guard text.unicodeScalars.contains(where: CellText.needsEscape) else {
            self.init(plain: text)
            return
        }
        var builder = Builder()
        var run = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if CellText.needsEscape(scalar) {
                builder.append(String(run), isMark: false)
                run = String.UnicodeScalarView()
                builder.append(CellText.escape(scalar), isMark: true)
            } else {
                run.append(scalar)
            }
        }
        builder.append(String(run), isMark: false)
        self = builder.cell
    }

    /// A value as the table format shows it: numbers as `NumberText`
    /// writes them, dates in ISO 8601, enums as their symbol, null as `∅`.
    init(_ value: Value, style: NumberStyle = .general, isReference: Bool = false,
         format: NumberFormat = .readable, thousandsSeparators: Bool) {
        switch value {
        case .null:
            self.init(mark: CellText.nullSign)
        case .int, .number:
            self.init(plain: NumberText.text(value, style: style, isReference: isReference, format: format,
                                             grouping: thousandsSeparators) ?? "")
        case .text, .symbol:
            self.init(escaping: ValueFormatter.plain(value))
        case .bool, .date, .datetime:
            self.init(plain: ValueFormatter.plain(value))
        }
    }

    /// The cell cut to at most `limit` columns, ending in `…` when anything
    /// was cut. Cuts fall between characters (grapheme clusters), never
    /// inside one, so a cut may leave the cell a column short.
    func fitted(to limit: Int) -> CellText {
        if width <= limit { return self }
        if limit <= 0 { return .empty }
        let room = limit - DisplayWidth.of(CellText.ellipsis)
        var builder = Builder()
        var used = 0
        cutting: for piece in pieces {
            var kept = ""
            for character in piece.text {
                let characterWidth = character.unicodeScalars.reduce(0) { $0 + DisplayWidth.of($1) }
                if used + characterWidth > room {
                    builder.append(kept, isMark: piece.isMark)
                    break cutting
                }
                used += characterWidth
                kept.append(character)
            }
            builder.append(kept, isMark: piece.isMark)
        }
        builder.append(CellText.ellipsis, isMark: true)
        return builder.cell
    }

    /// The cell over lines of at most `limit` columns, broken after a
    /// space where one is near the end of a line; past `maximumLines`, the
    /// last line ends in `…`. Always at least one line.
    func wrapped(to limit: Int, maximumLines: Int) -> [CellText] {
        if width <= limit || limit <= 1 { return [fitted(to: limit)] }
        var characters: [(character: Character, width: Int, isMark: Bool)] = []
        for piece in pieces {
            for character in piece.text {
                characters.append((character, character.unicodeScalars.reduce(0) { $0 + DisplayWidth.of($1) }, piece.isMark))
            }
        }
        var lines: [CellText] = []
        var start = 0
        while start < characters.count {
            var end = start
            var used = 0
            var lastSpace: Int?
            while end < characters.count, used + characters[end].width <= limit {
                if characters[end].character == " " { lastSpace = end }
                used += characters[end].width
                end += 1
            }
            if end == start { end = start + 1 }
            // Break after a space in the line's second half rather than in a word.
            if end < characters.count, let lastSpace, lastSpace > start + (end - start) / 2 { end = lastSpace + 1 }
            var builder = Builder()
            for index in start..<end { builder.append(String(characters[index].character), isMark: characters[index].isMark) }
            if lines.count == maximumLines - 1, end < characters.count {
                var rest = builder
                for index in end..<characters.count { rest.append(String(characters[index].character), isMark: characters[index].isMark) }
                lines.append(rest.cell.fitted(to: limit))
                return lines
            }
            lines.append(builder.cell)
            start = end
            while start < characters.count, characters[start].character == " " { start += 1 }
        }
        return lines.isEmpty ? [.empty] : lines
    }

    /// The cell's text, with marks dimmed when `color` is on.
    func rendered(color: Bool) -> String {
        padded(to: 0, rightAligned: false, color: color)
    }

    /// The cell padded with spaces to `width` columns, on the left when
    /// `rightAligned`.
    func padded(to width: Int, rightAligned: Bool, color: Bool) -> String {
        var out = ""
        appendPadded(to: &out, width: width, rightAligned: rightAligned, color: color)
        return out
    }

    /// Appends the padded cell to `out`.
    func appendPadded(to out: inout String, width: Int, rightAligned: Bool, color: Bool) {
        let padding = max(0, width - self.width)
        if rightAligned && padding > 0 { out += String(repeating: " ", count: padding) }
        func append(_ piece: Piece) {
            guard !piece.text.isEmpty else { return }
            if color && piece.isMark {
                out += ANSI.dim
                out += piece.text
                out += ANSI.normalIntensity
            } else {
                out += piece.text
            }
        }
        append(first)
        for piece in rest { append(piece) }
        if !rightAligned && padding > 0 { out += String(repeating: " ", count: padding) }
    }

    /// Concatenates pieces, merging neighbours of the same kind.
    private struct Builder {
        var cell = CellText.empty

        mutating func append(_ text: String, isMark: Bool) {
            guard !text.isEmpty else { return }
            cell.width += DisplayWidth.of(text)
            if cell.rest.isEmpty && (cell.first.text.isEmpty || cell.first.isMark == isMark) {
                cell.first.text += text
                cell.first.isMark = isMark
            } else if let last = cell.rest.indices.last, cell.rest[last].isMark == isMark {
                cell.rest[last].text += text
            } else {
                cell.rest.append(Piece(text: text, isMark: isMark))
            }
        }
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F...0x9F: return true
        // Line and paragraph separators, and the bidirectional controls.
        case 0x2028, 0x2029, 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    /// The escape a string literal would use for a scalar.
    static func escape(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": return "\\n"
        case "\t": return "\\t"
        case "\r": return "\\r"
        default: return "\\u{" + String(scalar.value, radix: 16) + "}"
        }
    }
}

/// The ANSI sequences colour mode uses.
enum ANSI {
    static let bold = "\u{1B}[1m"
    static let dim = "\u{1B}[2m"
    /// Ends bold and dim alike.
    static let normalIntensity = "\u{1B}[22m"
}

/// Thousands separators for the table format.
enum NumberGrouping {
    /// Four digits and up are grouped (`8,500` as `25,000`); years and keys
    /// are not grouped at all (`NumberStyle.identifier`).
    static let minimumDigits = 4

    /// `1234567.5` → `1,234,567.5`. Text that is not a plain decimal
    /// (`1e+20`, `inf`) comes back unchanged.
    static func grouped(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var start = 0
        if start < bytes.count, bytes[start] == UInt8(ascii: "-") { start += 1 }
        var end = start
        while end < bytes.count, bytes[end] >= UInt8(ascii: "0"), bytes[end] <= UInt8(ascii: "9") { end += 1 }
        let digitCount = end - start
        guard digitCount >= minimumDigits else { return text }
        let rest = bytes[end...]
        if let first = rest.first {
            guard first == UInt8(ascii: "."),
                  rest.dropFirst().allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return text }
        }
        var out: [UInt8] = Array(bytes[..<start])
        out.reserveCapacity(bytes.count + digitCount / 3)
        for index in start..<end {
            let remaining = end - index
            if index > start, remaining % 3 == 0 { out.append(UInt8(ascii: ",")) }
            out.append(bytes[index])
        }
        out.append(contentsOf: rest)
        return String(decoding: out, as: UTF8.self)
    }
}
