/// A span of source text as UTF-8 byte offsets, half-open: `start..<end`.
///
/// Byte offsets keep tokens cheap to make; line and column are computed only
/// when a diagnostic is rendered.
public struct SourceRange: Hashable, Sendable, CustomStringConvertible {
    public var start: Int
    public var end: Int

    public init(_ start: Int, _ end: Int) {
        self.start = start
        self.end = max(start, end)
    }

    /// The smallest range covering both.
    public func union(_ other: SourceRange) -> SourceRange {
        SourceRange(min(start, other.start), max(end, other.end))
    }

    public var isEmpty: Bool { start == end }
    public var description: String { "\(start)..<\(end)" }
}

/// One piece of CRMQL text with a name for messages (a file path, `<input>`,
/// `<command line>`), and the means to turn byte offsets into lines and columns.
public final class SourceFile: Sendable {
    public let name: String
    public let text: String
    /// The text as UTF-8 bytes; every `SourceRange` indexes into this.
    public let bytes: [UInt8]
    /// Byte offset at which each line starts; line 1 starts at 0.
    public let lineStarts: [Int]

    public init(name: String, text: String) {
        self.name = name
        self.text = text
        let bytes = Array(text.utf8)
        self.bytes = bytes
        // A plain indexed loop over the buffer: a 100 MB statement must not
        // cost more to index than to lex.
        var starts = [0]
        bytes.withUnsafeBufferPointer { buffer in
            var offset = 0
            let count = buffer.count
            while offset < count {
                if buffer[offset] == 10 { starts.append(offset + 1) }
                offset += 1
            }
        }
        self.lineStarts = starts
    }

    /// 1-based line number of a byte offset.
    public func line(of offset: Int) -> Int {
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return low + 1
    }

    /// 1-based column of a byte offset, counted in Unicode characters so that
    /// a column number means the same to a person as to an editor.
    public func column(of offset: Int) -> Int {
        let lineStart = lineStarts[line(of: offset) - 1]
        let clamped = min(max(offset, lineStart), bytes.count)
        return String(decoding: bytes[lineStart..<clamped], as: UTF8.self).unicodeScalars.count + 1
    }

    /// The text of a 1-based line, without its line break.
    public func lineText(_ line: Int) -> String {
        guard line >= 1, line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }

    /// The exact source text of a range.
    public func text(of range: SourceRange) -> String {
        let start = min(max(range.start, 0), bytes.count)
        let end = min(max(range.end, start), bytes.count)
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
