import CRMQLCore

/// A field whose type is known before the file is read, converted batch by
/// batch: one loop per batch and type, parsing straight from the file's
/// bytes, instead of a switch on the type and an intermediate value per cell.
///
/// A class, so that the loader's batch loops mutate it in place.
final class DeclaredColumn {
    let name: String
    let converter: CellConverter
    private var builder: ColumnBuilder
    /// How cells reach the builder; `generic` when the converter's values
    /// and the builder's storage could disagree (then a value of the wrong
    /// kind is stored as null, as `ColumnBuilder.append` does).
    private let path: Path
    /// For a key field on the generic path: each row's converted value,
    /// which the duplicate-key check needs even where the column stored null.
    private(set) var keyCells: [ParsedCell]?

    private enum Path {
        case int, number, bool, date, datetime, text
        case enumeration(ByteKeyTable)
        case intRef(KeyIndex)
        case textRef(KeyIndex)
        case intSelfRef, textSelfRef
        case generic
    }

    init(name: String, type: DataType, keyType: DataType, parentKeys: KeyIndex?, isKey: Bool, capacity: Int) {
        self.name = name
        converter = CellConverter(type: type, keyType: keyType, parentKeys: parentKeys)
        builder = ColumnBuilder(type: type, keyType: keyType, capacity: capacity)
        switch (converter, builder.kind) {
        case (.int, .int): path = .int
        case (.number, .number): path = .number
        case (.bool, .bool): path = .bool
        case (.date, .temporal): path = .date
        case (.datetime, .temporal): path = .datetime
        case (.text, .text): path = .text
        case (.enumeration(_, let table), .codes): path = .enumeration(table)
        case (.ref(_, let keys), .int) where keys.isIntKeyed: path = .intRef(keys)
        case (.ref(_, let keys), .text) where !keys.isIntKeyed: path = .textRef(keys)
        case (.selfRef(true), .int): path = .intSelfRef
        case (.selfRef(false), .text): path = .textSelfRef
        default: path = .generic
        }
        if isKey, case .generic = path { keyCells = [] }
    }

    /// Takes column `column` of every row of a batch (all null when the
    /// file has no such column).
    func take(_ batch: RecordBatch, column source: Int?, failures: inout FailureLog) {
        var builder = self.builder
        self.builder = ColumnBuilder(type: .null)
        defer { self.builder = builder }
        guard let column = source else {
            for _ in 0..<batch.rowCount { builder.appendNull() }
            if keyCells != nil { keyCells?.append(contentsOf: repeatElement(.null, count: batch.rowCount)) }
            return
        }
        switch path {
        case .int:
            convert(batch, column, &builder, &failures) { cell, builder in
                guard let value = CellParser.int(cell, strict: false) else { return false }
                builder.appendInt(value)
                return true
            }
        case .number:
            convert(batch, column, &builder, &failures) { cell, builder in
                guard let value = CellParser.number(cell, strict: false) else { return false }
                builder.appendNumber(value)
                return true
            }
        case .bool:
            convert(batch, column, &builder, &failures) { cell, builder in
                guard let value = CellParser.bool(cell) else { return false }
                builder.appendBool(value)
                return true
            }
        case .date:
            convert(batch, column, &builder, &failures) { cell, builder in
                guard let value = CellParser.date(cell) else { return false }
                builder.appendInt(value)
                return true
            }
        case .datetime:
            convert(batch, column, &builder, &failures) { cell, builder in
                guard let value = CellParser.dateOrDateTime(cell) else { return false }
                builder.appendInt(value)
                return true
            }
        case .text, .textSelfRef:
            convert(batch, column, &builder, &failures) { cell, builder in
                builder.appendText(String(decoding: cell, as: UTF8.self))
                return true
            }
        case .enumeration(let table):
            convert(batch, column, &builder, &failures) { cell, builder in
                guard let code = table.find(cell) else { return false }
                builder.appendCode(code)
                return true
            }
        case .intRef(let keys):
            convert(batch, column, &builder, &failures) { cell, builder in
                guard let key = CellParser.int(cell, strict: false), keys.position(of: key) != nil else { return false }
                builder.appendInt(key)
                return true
            }
        case .textRef(let keys):
            convert(batch, column, &builder, &failures) { cell, builder in
                let key = String(decoding: cell, as: UTF8.self)
                guard keys.position(of: key) != nil else { return false }
                builder.appendText(key)
                return true
            }
        case .intSelfRef:
            convert(batch, column, &builder, &failures) { cell, builder in
                guard let key = CellParser.int(cell, strict: false) else { return false }
                builder.appendInt(key)
                return true
            }
        case .generic:
            for row in 0..<batch.rowCount {
                switch converter.convert(batch.cell(row, column), field: name) {
                case .success(let value):
                    builder.append(value)
                    keyCells?.append(value)
                case .failure(let failure):
                    failures.fail(row: batch.firstRow + row, origin: batch.origins[row], message: failure.message)
                    builder.appendNull()
                    keyCells?.append(.null)
                }
            }
        }
    }

    /// Converts every cell of a batch's column with `append`, which returns
    /// false for a cell that does not fit; such a row fails with the
    /// converter's own message and holds a null until it is taken out.
    @inline(__always)
    private func convert(_ batch: RecordBatch, _ column: Int, _ builder: inout ColumnBuilder, _ failures: inout FailureLog,
                         _ append: (CellBytes, inout ColumnBuilder) -> Bool) {
        for row in 0..<batch.rowCount {
            guard let cell = batch.cell(row, column) else {
                builder.appendNull()
                continue
            }
            if !append(cell, &builder) {
                failures.fail(row: batch.firstRow + row, origin: batch.origins[row], message: converter.failure(cell, field: name))
                builder.appendNull()
            }
        }
    }

    /// The column, once every row is read.
    func column() -> Column { builder.column() }
}
