import CRMQLCore

/// A `format(x, "YYYY-MM")` pattern, checked once when the query is bound.
///
/// Letters are case-sensitive and stand for fields by how many are written:
/// `YYYY` year, `YY` its last two digits, `Q` quarter, `MM` month 01–12,
/// `M` month 1–12, `MMM` `Jan`, `MMMM` `January`, `DD` day 01–31, `D` day
/// 1–31, `EEE` `Mon`, `EEEE` `Monday`, `HH` hour 00–23, `mm` minute, `ss`
/// second (00 for a date). Text in single quotes is copied as it is (`''`
/// is one quote); anything else that is not a letter is copied too. Any
/// other letter is an error, so a typo cannot pass for literal text.
public struct DatePattern: Sendable, Equatable {
    enum Piece: Sendable, Equatable {
        case literal(String)
        case year4, year2, quarter, month2, month1, monthShort, monthLong, day2, day1
        case weekdayShort, weekdayLong, hour2, minute2, second2
    }

    let pieces: [Piece]

    /// The letters and what they stand for, as errors and `help dates` list them.
    public static let letters = "YYYY YY Q MM M MMM MMMM DD D EEE EEEE HH mm ss"

    private static let runs: [Character: [Int: Piece]] = [
        "Y": [4: .year4, 2: .year2], "Q": [1: .quarter],
        "M": [1: .month1, 2: .month2, 3: .monthShort, 4: .monthLong],
        "D": [1: .day1, 2: .day2], "E": [3: .weekdayShort, 4: .weekdayLong],
        "H": [2: .hour2], "m": [2: .minute2], "s": [2: .second2],
    ]

    /// Parses `text`; the error names the offending run and the letters
    /// there are.
    public init(_ text: String) throws(PatternError) {
        var pieces: [Piece] = []
        var literal = ""
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == "'" {
                // A quoted run; `''` inside or outside quotes is one quote.
                if index + 1 < characters.count, characters[index + 1] == "'" {
                    literal.append("'")
                    index += 2
                    continue
                }
                index += 1
                while index < characters.count {
                    if characters[index] == "'" {
                        if index + 1 < characters.count, characters[index + 1] == "'" {
                            literal.append("'")
                            index += 2
                            continue
                        }
                        break
                    }
                    literal.append(characters[index])
                    index += 1
                }
                guard index < characters.count else { throw PatternError(message: "a quote in the pattern is not closed") }
                index += 1
                continue
            }
            guard character.isLetter, character.isASCII else {
                literal.append(character)
                index += 1
                continue
            }
            var length = 1
            while index + length < characters.count, characters[index + length] == character { length += 1 }
            let run = String(repeating: character, count: length)
            guard let piece = Self.runs[character]?[length] else {
                // `dd` for `DD`, `yyyy` for `YYYY`: the other case is the usual slip.
                let flipped = character.isUppercase ? character.lowercased() : character.uppercased()
                let hint = flipped.count == 1 && Self.runs[Character(flipped)]?[length] != nil
                    ? "; did you mean '\(String(repeating: flipped, count: length))'?" : ""
                throw PatternError(message: "'\(run)' is not a pattern field (the fields are \(Self.letters); text in single quotes is kept as it is)\(hint)")
            }
            if !literal.isEmpty {
                pieces.append(.literal(literal))
                literal = ""
            }
            pieces.append(piece)
            index += length
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        self.pieces = pieces
    }

    /// Why a pattern does not parse.
    public struct PatternError: Error, Sendable {
        public let message: String
    }

    private static let monthNames = ["January", "February", "March", "April", "May", "June", "July",
                                     "August", "September", "October", "November", "December"]
    private static let weekdayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    /// The text of the instant `seconds` since 1970-01-01T00:00:00 (a date
    /// is its midnight).
    public func format(seconds: Int64) -> String {
        let (days, secondOfDay) = CivilDate.floorDivide(seconds, 86_400)
        let date = CRMCalendar.civil(days)
        var out = ""
        for piece in pieces {
            switch piece {
            case .literal(let text): out += text
            case .year4: out += Self.year(date.year)
            case .year2:
                let (_, lastTwo) = CivilDate.floorDivide(date.year, 100)
                out += Self.padded(lastTwo, 2)
            case .quarter: out += String((date.month - 1) / 3 + 1)
            case .month2: out += Self.padded(date.month, 2)
            case .month1: out += String(date.month)
            case .monthShort: out += String(Self.monthNames[Int(date.month - 1)].prefix(3))
            case .monthLong: out += Self.monthNames[Int(date.month - 1)]
            case .day2: out += Self.padded(date.day, 2)
            case .day1: out += String(date.day)
            case .weekdayShort: out += String(Self.weekdayNames[Int(CRMCalendar.weekday(days) - 1)].prefix(3))
            case .weekdayLong: out += Self.weekdayNames[Int(CRMCalendar.weekday(days) - 1)]
            case .hour2: out += Self.padded(secondOfDay / 3600, 2)
            case .minute2: out += Self.padded(secondOfDay / 60 % 60, 2)
            case .second2: out += Self.padded(secondOfDay % 60, 2)
            }
        }
        return out
    }

    private static func padded(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private static func year(_ year: Int64) -> String {
        (year < 0 ? "-" : "") + padded(Int64(year.magnitude), 4)
    }
}
