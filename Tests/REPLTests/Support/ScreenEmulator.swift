/// A small terminal emulator: enough of xterm for what libedit and the REPL
/// send (cursor moves, erase, insert and delete characters, insert mode,
/// wide characters), so tests can assert on the screen a person would see
/// rather than on the raw byte stream.
struct ScreenEmulator {
    let columns: Int
    let rows: Int
    /// Cells row by row; a wide character's second cell holds `nil`.
    private(set) var cells: [[Character?]]
    private(set) var cursorRow = 0
    private(set) var cursorColumn = 0
    /// Everything ever printed, escape sequences removed, for assertions on
    /// text that has scrolled away.
    private(set) var transcript = ""
    private var insertMode = false
    private var pendingWrap = false
    private var undecoded: [UInt8] = []
    private var escape: [UInt8]?

    init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
        cells = Array(repeating: Array(repeating: " ", count: columns), count: rows)
    }

    /// The text of a row, trailing spaces removed.
    func line(_ row: Int) -> String {
        guard row >= 0, row < rows else { return "" }
        var text = String(cells[row].compactMap { $0 })
        while text.last == " " { text.removeLast() }
        return text
    }

    /// The row the cursor is on.
    var currentLine: String { line(cursorRow) }

    /// Every row, trailing empty rows removed.
    var text: String {
        var lines = (0..<rows).map(line)
        while lines.last == "" { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    mutating func feed(_ bytes: [UInt8]) {
        for byte in bytes { feed(byte) }
    }

    private mutating func feed(_ byte: UInt8) {
        if var sequence = escape {
            sequence.append(byte)
            escape = sequence
            finishEscapeIfComplete()
            return
        }
        if !undecoded.isEmpty || byte >= 0x80 {
            undecoded.append(byte)
            let expected = undecoded[0] >= 0xF0 ? 4 : undecoded[0] >= 0xE0 ? 3 : undecoded[0] >= 0xC0 ? 2 : 1
            if undecoded.count >= expected {
                let text = String(decoding: undecoded, as: UTF8.self)
                undecoded = []
                for character in text { put(character) }
            }
            return
        }
        switch byte {
        case 0x1B: escape = []
        case 0x0D: cursorColumn = 0; pendingWrap = false
        case 0x0A: lineFeed(); transcript.append("\n")
        case 0x08: cursorColumn = max(0, cursorColumn - 1); pendingWrap = false
        case 0x09: cursorColumn = min(columns - 1, (cursorColumn / 8 + 1) * 8)
        case 0x07: break
        case 0x20...0x7E: put(Character(Unicode.Scalar(byte)))
        default: break
        }
    }

    private mutating func finishEscapeIfComplete() {
        guard let sequence = escape, let first = sequence.first else { return }
        if first != UInt8(ascii: "[") {
            // Two-byte sequences (ESC = , ESC >, ESC 7) and ESC ( B.
            if first == UInt8(ascii: "("), sequence.count < 2 { return }
            escape = nil
            return
        }
        guard sequence.count >= 2, let final = sequence.last, (0x40...0x7E).contains(final) else { return }
        escape = nil
        let body = String(decoding: sequence[1..<(sequence.count - 1)], as: UTF8.self)
        let isPrivate = body.hasPrefix("?")
        let numbers = body.drop(while: { $0 == "?" }).split(separator: ";", omittingEmptySubsequences: false).map { Int($0) }
        let n = max(1, (numbers.first ?? nil) ?? 1)
        let raw = (numbers.first ?? nil) ?? 0
        pendingWrap = false
        switch Character(Unicode.Scalar(final)) {
        case "A": cursorRow = max(0, cursorRow - n)
        case "B": cursorRow = min(rows - 1, cursorRow + n)
        case "C": cursorColumn = min(columns - 1, cursorColumn + n)
        case "D": cursorColumn = max(0, cursorColumn - n)
        case "G": cursorColumn = min(columns - 1, n - 1)
        case "d": cursorRow = min(rows - 1, n - 1)
        case "H", "f":
            cursorRow = min(rows - 1, max(1, (numbers.first ?? nil) ?? 1) - 1)
            cursorColumn = min(columns - 1, max(1, (numbers.count > 1 ? numbers[1] : nil) ?? 1) - 1)
        case "K":
            let range: Range<Int> = raw == 1 ? 0..<(cursorColumn + 1) : raw == 2 ? 0..<columns : cursorColumn..<columns
            for column in range where column < columns { cells[cursorRow][column] = " " }
        case "J":
            if raw == 2 {
                cells = Array(repeating: Array(repeating: " ", count: columns), count: rows)
            } else {
                for column in cursorColumn..<columns { cells[cursorRow][column] = " " }
                for row in (cursorRow + 1)..<rows { cells[row] = Array(repeating: " ", count: columns) }
            }
        case "P":
            for _ in 0..<min(n, columns - cursorColumn) {
                cells[cursorRow].remove(at: cursorColumn)
                cells[cursorRow].append(" ")
            }
        case "@":
            for _ in 0..<min(n, columns - cursorColumn) {
                cells[cursorRow].insert(" ", at: cursorColumn)
                cells[cursorRow].removeLast()
            }
        case "X":
            for column in cursorColumn..<min(columns, cursorColumn + n) { cells[cursorRow][column] = " " }
        case "h", "l":
            if !isPrivate, raw == 4 { insertMode = final == UInt8(ascii: "h") }
        default:
            break
        }
    }

    private mutating func put(_ character: Character) {
        transcript.append(character)
        let width = ScreenEmulator.width(of: character)
        guard width > 0 else { return }
        if pendingWrap || cursorColumn + width > columns {
            cursorColumn = 0
            lineFeed()
            pendingWrap = false
        }
        if insertMode {
            for _ in 0..<width {
                cells[cursorRow].insert(" ", at: cursorColumn)
                cells[cursorRow].removeLast()
            }
        }
        // Overwriting half of a wide character blanks its other half.
        if cursorColumn > 0, cells[cursorRow][cursorColumn] == nil { cells[cursorRow][cursorColumn - 1] = " " }
        cells[cursorRow][cursorColumn] = character
        if width == 2 { cells[cursorRow][cursorColumn + 1] = nil }
        if cursorColumn + width < columns, cells[cursorRow][cursorColumn + width] == nil {
            cells[cursorRow][cursorColumn + width] = " "
        }
        cursorColumn += width
        if cursorColumn >= columns {
            cursorColumn = columns - 1
            pendingWrap = true
        }
    }

    private mutating func lineFeed() {
        if cursorRow == rows - 1 {
            cells.removeFirst()
            cells.append(Array(repeating: " ", count: columns))
        } else {
            cursorRow += 1
        }
    }

    /// Two columns for East Asian wide characters, as terminals draw them.
    static func width(of character: Character) -> Int {
        guard let scalar = character.unicodeScalars.first else { return 0 }
        let value = scalar.value
        let wide: [ClosedRange<UInt32>] = [0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD]
        return wide.contains { $0.contains(value) } ? 2 : 1
    }
}
