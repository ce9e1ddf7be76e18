#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Facts about the terminal the program talks to.
public enum Terminal {
    /// Whether a file descriptor is a terminal.
    public static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }

    /// The width in columns of the terminal on `descriptor`, when it is one
    /// and reports a width; otherwise `COLUMNS` when set to a number.
    public static func width(of descriptor: Int32 = STDOUT_FILENO) -> Int? {
        var size = winsize()
        if ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            return Int(size.ws_col)
        }
        if let columns = getenv("COLUMNS").map({ String(cString: $0) }), let value = Int(columns), value > 0 {
            return value
        }
        return nil
    }

    /// The height in lines of the terminal on `descriptor`, when it is one
    /// and reports a height; otherwise `LINES` when set to a number.
    public static func height(of descriptor: Int32 = STDOUT_FILENO) -> Int? {
        var size = winsize()
        if ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0 {
            return Int(size.ws_row)
        }
        if let lines = getenv("LINES").map({ String(cString: $0) }), let value = Int(lines), value > 0 {
            return value
        }
        return nil
    }

    /// Columns `text` takes on a terminal: wide East Asian characters and
    /// most emoji take two, combining marks none. An approximation that
    /// suits laying out completion lists; result tables use the engine's own.
    public static func displayWidth(_ text: some StringProtocol) -> Int {
        var width = 0
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x20 || (value >= 0x7F && value < 0xA0) { continue }
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .enclosingMark, .format: continue
            default: break
            }
            width += wideRanges.contains { $0.contains(value) } ? 2 : 1
        }
        return width
    }

    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
        0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE6F, 0xFF00...0xFF60,
        0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD,
    ]
}
