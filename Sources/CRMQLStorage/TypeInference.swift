import CRMQLCore

/// A column whose type the file decides, inferred and converted in the same
/// pass: the rule of Grammar/REFERENCE.md section 2 (int, else number, else bool,
/// else date / datetime, else text; text with few repeated values is an
/// enum).
///
/// The values are kept in the type the cells so far allow. When a cell rules
/// that type out, the values convert in place where the conversion is exact
/// (int to number, date to datetime); a late switch to text, which needs the
/// cells' original bytes, marks the column for a second reading of the file
/// (`needsRebuild`). Real files decide a column's type on its first value,
/// so that second reading is rare.
///
/// A class, so that the loader's batch loops mutate it in place.
final class InferredColumn {
    /// Which types the column may end with.
    enum Rule {
        /// Any type, enums included.
        case general
        /// The key `id`: int when every value is one, else text.
        case key
        /// `date` when every value is a date, else `datetime` (a value that
        /// is neither fails its row).
        case dateOrDateTime
    }

    /// What the values held so far are.
    private enum Mode { case empty, int, number, bool, date, datetime, text, rebuild }

    let rule: Rule
    let name: String
    // What every value so far could be (strictly parsed: `007` is no int).
    private var canInt = true
    private var canNumber = true
    private var canBool = true
    private var canDate = true
    private var canDateOrDateTime = true
    private var nonNullCount = 0
    private var mode = Mode.empty
    /// An int cell `-0` was seen: as a number it is -0.0, which the int 0
    /// cannot give back, so a switch to number reads the cells again.
    private var negativeZero = false
    private var stale = false
    private var ints: [Int64] = []
    private var numbers: [Double] = []
    private var bools: [Bool] = []
    private var text: TextAccumulator
    private var nulls = NullBitmap()
    private var count = 0
    private let capacity: Int

    init(name: String, rule: Rule, capacity: Int) {
        self.name = name
        self.rule = rule
        self.capacity = capacity
        text = TextAccumulator(encode: rule == .general, capacity: 0)
    }

    // MARK: The type

    /// The type the values read so far give the column.
    var type: DataType {
        switch rule {
        case .dateOrDateTime: return nonNullCount > 0 && canDate ? .date : .datetime
        case .key: return nonNullCount > 0 && canInt ? .int : .text
        case .general:
            guard nonNullCount > 0 else { return .text }
            if canInt { return .int }
            if canNumber { return .number }
            if canBool { return .bool }
            if canDate { return .date }
            if canDateOrDateTime { return .datetime }
            return text.enumType(nonNullCount: nonNullCount).map(DataType.enumeration) ?? .text
        }
    }

    private var targetMode: Mode {
        switch type {
        case .int: return .int
        case .number: return .number
        case .bool: return .bool
        case .date: return .date
        case .datetime: return .datetime
        default: return .text
        }
    }

    /// Whether the values held cannot make the column, so the file must be
    /// read again (`startRebuild`, `rebuild`).
    var needsRebuild: Bool { nonNullCount > 0 && (mode != targetMode || stale) }

    // MARK: Reading

    /// Takes column `column` of every row of a batch.
    func take(_ batch: RecordBatch, column: Int, failures: inout FailureLog) {
        var row = 0
        let rows = batch.rowCount
        while row < rows {
            switch mode {
            case .int: row = runInts(batch, column, from: row)
            case .number: row = runNumbers(batch, column, from: row)
            case .date: row = runDates(batch, column, from: row)
            case .datetime: row = runDateTimes(batch, column, from: row)
            case .text: row = runText(batch, column, from: row)
            case .rebuild:
                // The column will be read again; only the row count matters now.
                count += rows - row
                row = rows
            default: break
            }
            guard row < rows else { break }
            add(batch.cell(row, column), row: batch.firstRow + row, origin: batch.origins[row], failures: &failures)
            row += 1
        }
    }

    /// One cell, whatever it holds.
    private func add(_ cell: CellBytes?, row: Int, origin: RowOrigin, failures: inout FailureLog) {
        guard let cell else {
            appendNull()
            return
        }
        nonNullCount += 1
        if rule == .dateOrDateTime {
            addTemporal(cell, row: row, origin: origin, failures: &failures)
        } else {
            addInferred(cell)
        }
        count += 1
    }

    /// The inference of Grammar/REFERENCE.md (section 2), one cell at a time.
    private func addInferred(_ cell: CellBytes) {
        switch mode {
        case .text: text.append(cell); return
        case .rebuild: return
        default: break
        }
        if canInt || canNumber {
            if canInt, let value = CellParser.int(cell, strict: true) {
                canBool = false; canDate = false; canDateOrDateTime = false
                if value == 0, CellParser.hasMinusSign(cell) { negativeZero = true }
                become(.int)
                ints.append(value)
                return
            }
            canInt = false
            if canNumber, let value = CellParser.number(cell, strict: true) {
                canBool = false; canDate = false; canDateOrDateTime = false
                become(.number)
                numbers.append(value)
                return
            }
            canNumber = false
        }
        if canBool {
            if let value = CellParser.bool(cell) {
                canDate = false; canDateOrDateTime = false
                become(.bool)
                bools.append(value)
                return
            }
            canBool = false
        }
        if canDateOrDateTime {
            // A date fits a date column and a datetime one (as its midnight).
            if let days = CellParser.date(cell) {
                if canDate {
                    become(.date)
                    ints.append(days)
                } else {
                    become(.datetime)
                    ints.append(days &* 86_400)
                }
                return
            }
            canDate = false
            if let seconds = CellParser.dateTime(cell) {
                become(.datetime)
                ints.append(seconds)
                return
            }
            canDateOrDateTime = false
        }
        become(.text)
        if mode == .text { text.append(cell) }
    }

    /// A cell of a date-or-datetime column.
    private func addTemporal(_ cell: CellBytes, row: Int, origin: RowOrigin, failures: inout FailureLog) {
        if let days = CellParser.date(cell) {
            if mode == .datetime {
                ints.append(days &* 86_400)
            } else {
                become(.date)
                ints.append(days)
            }
            return
        }
        canDate = false
        become(.datetime)
        if let seconds = CellParser.dateTime(cell) {
            ints.append(seconds)
        } else {
            ints.append(0)
            failures.fail(row: row, origin: origin, message: CellConverter.datetime.mismatch(cell, field: name))
        }
    }

    private func appendNull() {
        switch mode {
        case .empty, .rebuild: break
        case .int, .date, .datetime: ints.append(0)
        case .number: numbers.append(0)
        case .bool: bools.append(false)
        case .text: text.appendNull()
        }
        nulls.set(count)
        count += 1
    }

    /// Moves the values held to `next`, the type the cells now call for.
    /// Called before the current cell is counted in `count`.
    private func become(_ next: Mode) {
        guard next != mode else { return }
        switch (mode, next) {
        case (.empty, .int), (.empty, .date), (.empty, .datetime):
            ints.reserveCapacity(max(capacity, count + 1))
            ints.append(contentsOf: repeatElement(0, count: count))
        case (.empty, .number):
            numbers.reserveCapacity(max(capacity, count + 1))
            numbers.append(contentsOf: repeatElement(0, count: count))
        case (.empty, .bool):
            bools.reserveCapacity(max(capacity, count + 1))
            bools.append(contentsOf: repeatElement(false, count: count))
        case (.empty, .text):
            text = TextAccumulator(encode: rule == .general, capacity: max(capacity, count + 1))
            for _ in 0..<count { text.appendNull() }
        case (.int, .number):
            // Exact: a double rounds an int the way it rounds the int's digits.
            numbers.reserveCapacity(max(capacity, count + 1))
            for value in ints { numbers.append(Double(value)) }
            ints = []
            if negativeZero { stale = true }
        case (.date, .datetime):
            for index in ints.indices { ints[index] &*= 86_400 }
        default:
            // To text with values already held: their bytes are gone.
            ints = []
            numbers = []
            bools = []
            mode = .rebuild
            return
        }
        mode = next
    }

    // MARK: Runs of cells that fit the current type

    // Each run takes cells while they keep the column's type, with the
    // arrays moved into locals so the loop touches no class storage, and
    // stops at the first cell that does not fit (handled by `add`).

    private func runInts(_ batch: RecordBatch, _ column: Int, from start: Int) -> Int {
        var values = ints; ints = []
        var sawNegativeZero = false
        let row = run(&values, batch, column, from: start) { cell in
            guard let value = CellParser.int(cell, strict: true) else { return nil }
            if value == 0, CellParser.hasMinusSign(cell) { sawNegativeZero = true }
            return value
        }
        ints = values
        if sawNegativeZero { negativeZero = true }
        return row
    }

    private func runNumbers(_ batch: RecordBatch, _ column: Int, from start: Int) -> Int {
        var values = numbers; numbers = []
        let row = run(&values, batch, column, from: start) { CellParser.number($0, strict: true) }
        numbers = values
        return row
    }

    private func runDates(_ batch: RecordBatch, _ column: Int, from start: Int) -> Int {
        var values = ints; ints = []
        let row = run(&values, batch, column, from: start) { CellParser.date($0) }
        ints = values
        return row
    }

    /// Dates (as their midnight) and datetimes.
    private func runDateTimes(_ batch: RecordBatch, _ column: Int, from start: Int) -> Int {
        var values = ints; ints = []
        let row = run(&values, batch, column, from: start) { cell in
            if let days = CellParser.date(cell) { return days &* 86_400 }
            return CellParser.dateTime(cell)
        }
        ints = values
        return row
    }

    /// Appends cells to `values` while `parse` accepts them (an empty cell is
    /// a null and always fits); returns the first row it did not take.
    @inline(__always)
    private func run<T: ExpressibleByIntegerLiteral>(_ values: inout [T], _ batch: RecordBatch, _ column: Int, from start: Int,
                                                     parse: (CellBytes) -> T?) -> Int {
        var nulls = self.nulls; self.nulls = NullBitmap()
        var count = self.count
        var nonNull = nonNullCount
        var row = start
        while row < batch.rowCount {
            guard let cell = batch.cell(row, column) else {
                values.append(0); nulls.set(count); count += 1; row += 1
                continue
            }
            guard let value = parse(cell) else { break }
            values.append(value); count += 1; nonNull += 1; row += 1
        }
        self.nulls = nulls; self.count = count; nonNullCount = nonNull
        return row
    }

    private func runText(_ batch: RecordBatch, _ column: Int, from start: Int) -> Int {
        var text = self.text; self.text = TextAccumulator(encode: false, capacity: 0)
        var nulls = self.nulls; self.nulls = NullBitmap()
        var count = self.count
        var nonNull = nonNullCount
        for row in start..<batch.rowCount {
            if let cell = batch.cell(row, column) {
                text.append(cell)
                nonNull += 1
            } else {
                text.appendNull()
                nulls.set(count)
            }
            count += 1
        }
        self.text = text; self.nulls = nulls; self.count = count; nonNullCount = nonNull
        return batch.rowCount
    }

    // MARK: Reading again

    /// Drops the values held, before `rebuild` reads every row again in the
    /// final type.
    func startRebuild() {
        mode = targetMode
        let type = self.type
        ints = []; numbers = []; bools = []
        nulls = NullBitmap()
        count = 0
        // Recounted, since rows after the switch were skipped uncounted.
        nonNullCount = 0
        stale = false
        if mode == .text {
            text = TextAccumulator(encode: type != .text || rule == .general, capacity: capacity)
        }
    }

    /// Column `column` of a batch, in the final type (every cell fits it).
    func rebuild(_ batch: RecordBatch, column: Int) {
        for row in 0..<batch.rowCount {
            guard let cell = batch.cell(row, column) else {
                switch mode {
                case .text: text.appendNull()
                case .number: numbers.append(0)
                case .bool: bools.append(false)
                default: ints.append(0)
                }
                nulls.set(count)
                count += 1
                continue
            }
            nonNullCount += 1
            switch mode {
            case .text: text.append(cell)
            case .number: numbers.append(CellParser.number(cell, strict: false) ?? 0)
            case .bool: bools.append(CellParser.bool(cell) ?? false)
            case .int: ints.append(CellParser.int(cell, strict: false) ?? 0)
            case .date: ints.append(CellParser.date(cell) ?? 0)
            default: ints.append(CellParser.dateOrDateTime(cell) ?? 0)
            }
            count += 1
        }
    }

    // MARK: The result

    /// The column, once every row is read.
    func finish() -> Column {
        let type = self.type
        let data: ColumnData
        switch type {
        case .int: data = .int(filled(ints))
        case .number: data = .number(numbers.count == count ? numbers : [Double](repeating: 0, count: count))
        case .bool: data = .bool(bools.count == count ? bools : [Bool](repeating: false, count: count))
        case .date, .datetime: data = .temporal(filled(ints))
        case .enumeration(let symbols): data = .codes(text.codes(for: symbols))
        default: data = .text(mode == .text ? text.strings() : [String](repeating: "", count: count))
        }
        return Column(type: type, data: data, nulls: nulls)
    }

    /// The ints held, or placeholders when the column had no values.
    private func filled(_ values: [Int64]) -> [Int64] {
        values.count == count ? values : [Int64](repeating: 0, count: count)
    }
}

/// Text cells of one column, dictionary-encoded while they have few
/// distinct values: that is both the enum test (Grammar/REFERENCE.md: at most 256
/// symbols, each repeated on average) and, for an enum, its codes, without
/// building a string per cell.
struct TextAccumulator {
    /// Text columns with more distinct values than this are not enums.
    static let maximumEnumSymbols = 256

    /// Distinct texts → code in order of first appearance; nil once there
    /// are too many for an enum.
    private var dictionary: ByteKeyTable?
    /// Per row, the code of its text, or -1 for null.
    private var codeRows: [Int32] = []
    /// Per row, its text, once the dictionary is gone.
    private var texts: [String] = []

    /// - Parameter encode: false for a column that can never be an enum.
    init(encode: Bool, capacity: Int) {
        if encode {
            dictionary = ByteKeyTable()
            codeRows.reserveCapacity(capacity)
        } else {
            texts.reserveCapacity(capacity)
        }
    }

    @inline(__always)
    mutating func append(_ cell: CellBytes) {
        if dictionary != nil {
            let code = dictionary?.code(of: cell) ?? 0
            codeRows.append(code)
            if let count = dictionary?.count, count > TextAccumulator.maximumEnumSymbols { decode() }
        } else {
            texts.append(String(decoding: cell, as: UTF8.self))
        }
    }

    @inline(__always)
    mutating func appendNull() {
        if dictionary != nil { codeRows.append(-1) } else { texts.append("") }
    }

    /// Too many distinct values for an enum: from now on, plain text.
    private mutating func decode() {
        texts = strings()
        codeRows = []
        dictionary = nil
    }

    /// The enum the values make, if they are few and repeated enough.
    func enumType(nonNullCount: Int) -> EnumType? {
        guard let dictionary, dictionary.count <= nonNullCount / 2 else { return nil }
        return EnumType(dictionary.texts.sorted())
    }

    /// Every row's text, "" for null.
    func strings() -> [String] {
        guard let dictionary else { return texts }
        let symbols = dictionary.texts
        var result: [String] = []
        result.reserveCapacity(codeRows.count)
        for code in codeRows { result.append(code >= 0 && Int(code) < symbols.count ? symbols[Int(code)] : "") }
        return result
    }

    /// Every row's code in `symbols` (the sorted texts), 0 for null.
    func codes(for symbols: EnumType) -> EnumCodes {
        guard let dictionary else { return EnumCodes(repeating: 0, count: texts.count) }
        var position: [String: Int32] = [:]
        for (code, symbol) in symbols.symbols.enumerated() { position[symbol] = Int32(truncatingIfNeeded: code) }
        let recode = dictionary.texts.map { position[$0] ?? 0 }
        // An inferred enum has at most 256 symbols, so its codes take a byte.
        if recode.allSatisfy(EnumCodes.fitsNarrow) {
            let narrow = recode.map { UInt8(truncatingIfNeeded: $0) }
            return EnumCodes(narrow: codeRows.map { $0 >= 0 && Int($0) < narrow.count ? narrow[Int($0)] : 0 })
        }
        return EnumCodes(codeRows.map { $0 >= 0 && Int($0) < recode.count ? recode[Int($0)] : 0 })
    }
}
