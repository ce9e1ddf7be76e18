/// How a table's columns share a terminal's width.
///
/// In order of preference: every column at its natural width; the widest
/// columns cut down first (no column below its minimum); for a few rows, one
/// line per field instead (psql's `\x auto`); else as many columns from both
/// ends as fit, with a `…` column standing for the middle ones.
enum TableLayout: Equatable {
    /// A grid of the columns at `columns` (indexes into the result), with
    /// their widths. When `elidedAfter` is set, a `…` column stands after
    /// that many of the shown columns for the ones left out.
    case grid(columns: [Int], widths: [Int], elidedAfter: Int?)
    /// One `field │ value` line per field.
    case vertical

    /// TUNING: a result this short reads better field by field than with its
    /// middle columns left out.
    static let verticalRowLimit = 10
    /// TUNING: text columns are not cut below this many columns (or their
    /// natural width, when narrower): less than that says too little.
    static let minimumTextWidth = 6

    /// TUNING: when columns must be left out, each one counts at its natural
    /// width up to this many columns: showing fewer columns whole reads
    /// better than many cut to a stub, yet one long text column must not
    /// crowd out all the others.
    static let elidedColumnWidthCap = 20

    /// TUNING: text up to this wide (an enum symbol, a short name) and
    /// column names up to this wide are never cut: hiding middle columns
    /// reads better than `individ…` and `platin…`.
    static let shortTextWidth = 12
    /// TUNING: the last column's text wraps rather than being cut when it
    /// has at least this many columns; a cell wraps onto this many lines at
    /// most.
    static let minimumWrapWidth = 16
    static let maximumWrappedLines = 12

    /// The width of the `…` column.
    static let elisionWidth = 1

    /// Chooses the layout.
    /// - Parameters:
    ///   - natural: each column's widest cell, header included.
    ///   - minimum: the narrowest each column may be cut to.
    ///   - terminalWidth: the line width available; nil for no limit.
    ///   - shownRows: the number of rows the table will show.
    static func choose(natural: [Int], minimum: [Int], terminalWidth: Int?, shownRows: Int) -> TableLayout {
        let all = Array(natural.indices)
        guard let terminalWidth else { return .grid(columns: all, widths: natural, elidedAfter: nil) }
        let available = max(0, terminalWidth)
        if let widths = fill(natural: natural, minimum: minimum, budget: available - overhead(columnCount: natural.count, elided: false)) {
            return .grid(columns: all, widths: widths, elidedAfter: nil)
        }
        if shownRows >= 1 && shownRows <= verticalRowLimit { return .vertical }
        return elided(natural: natural, minimum: minimum, available: available)
    }

    /// Borders and padding around `columnCount` columns: `│ a │ b │`.
    static func overhead(columnCount: Int, elided: Bool) -> Int {
        let count = columnCount + (elided ? 1 : 0)
        return 3 * count + 1 + (elided ? elisionWidth : 0)
    }

    /// Widths for columns that fit in `budget` columns in all, shrinking the
    /// widest first and none below its minimum; nil when the minimums do
    /// not fit.
    ///
    /// Water-filling: find the highest level L such that capping every
    /// column at L (but not below its minimum) fits, then hand the columns
    /// left over one each to the capped columns, leftmost first.
    static func fill(natural: [Int], minimum: [Int], budget: Int) -> [Int]? {
        if natural.reduce(0, +) <= budget { return natural }
        let floors = natural.indices.map { min(minimum[$0], natural[$0]) }
        guard floors.reduce(0, +) <= budget else { return nil }
        func widths(at level: Int) -> [Int] {
            natural.indices.map { max(floors[$0], min(natural[$0], level)) }
        }
        var low = 0
        var high = natural.max() ?? 0
        while low < high {
            let mid = low + (high - low + 1) / 2
            if widths(at: mid).reduce(0, +) <= budget { low = mid } else { high = mid - 1 }
        }
        var result = widths(at: low)
        var spare = budget - result.reduce(0, +)
        for index in result.indices where spare > 0 && result[index] < natural[index] {
            result[index] += 1
            spare -= 1
        }
        return result
    }

    /// Columns taken alternately from the left and the right end while they
    /// fit (each counted at its natural width, capped), with a `…` column
    /// between the two groups.
    private static func elided(natural: [Int], minimum: [Int], available: Int) -> TableLayout {
        guard !natural.isEmpty else { return .grid(columns: [], widths: [], elidedAfter: nil) }
        var left: [Int] = [0]
        var right: [Int] = []
        func packingWidth(_ column: Int) -> Int {
            max(min(minimum[column], natural[column]), min(natural[column], elidedColumnWidthCap))
        }
        var used = packingWidth(0)
        var nextLeft = 1
        var nextRight = natural.count - 1
        while nextLeft <= nextRight {
            let takeRight = right.count < left.count
            let candidate = takeRight ? nextRight : nextLeft
            let candidateWidth = packingWidth(candidate)
            let shown = left.count + right.count + 1
            let hidesSome = shown < natural.count
            guard used + candidateWidth + overhead(columnCount: shown, elided: hidesSome) <= available else { break }
            used += candidateWidth
            if takeRight { right.insert(candidate, at: 0); nextRight -= 1 } else { left.append(candidate); nextLeft += 1 }
        }
        let columns = left + right
        let elidedAfter: Int? = columns.count < natural.count ? left.count : nil
        let budget = available - overhead(columnCount: columns.count, elided: elidedAfter != nil)
        let keptNatural = columns.map { natural[$0] }
        let keptMinimum = columns.map { minimum[$0] }
        // On a terminal too narrow for even one column's minimum, cut below it
        // rather than overflow; with no room at all, overflow.
        let widths = fill(natural: keptNatural, minimum: keptMinimum, budget: budget)
            ?? fill(natural: keptNatural, minimum: keptMinimum.map { _ in 1 }, budget: budget)
            ?? keptNatural.map { min($0, 1) }
        return .grid(columns: columns, widths: widths, elidedAfter: elidedAfter)
    }
}
