import CRMQLCore

/// How one field's cells become values, with the checks its type implies.
enum CellConverter {
    case int
    case number
    case bool
    case date
    /// Accepts dates too, as their midnight.
    case datetime
    case text
    /// The symbols, and a table finding a cell's code without building text.
    case enumeration(EnumType, ByteKeyTable)
    /// A ref to another entity: the value must be one of its keys.
    case ref(parent: String, keys: KeyIndex)
    /// A ref to the entity being loaded: checked against its keys so far.
    case selfRef(intKeys: Bool)

    init(type: DataType, keyType: DataType, parentKeys: KeyIndex?) {
        switch type {
        case .int: self = .int
        case .number: self = .number
        case .bool: self = .bool
        case .date: self = .date
        case .datetime: self = .datetime
        case .text, .null: self = .text
        case .enumeration(let symbols): self = .enumeration(symbols, ByteKeyTable(symbols: symbols.symbols))
        case .ref(let parent):
            if let parentKeys { self = .ref(parent: parent, keys: parentKeys) } else { self = .selfRef(intKeys: keyType == .int) }
        }
    }

    /// The cell's value, or the reason it does not fit (without the line).
    func convert(_ cell: CellBytes?, field: String) -> Result<ParsedCell, LoadFailure> {
        guard let cell else { return .success(.null) }
        switch self {
        case .int:
            if let value = CellParser.int(cell, strict: false) { return .success(.int(value)) }
        case .number:
            if let value = CellParser.number(cell, strict: false) { return .success(.number(value)) }
        case .bool:
            if let value = CellParser.bool(cell) { return .success(.bool(value)) }
        case .date:
            if let value = CellParser.date(cell) { return .success(.int(value)) }
        case .datetime:
            if let value = CellParser.dateOrDateTime(cell) { return .success(.int(value)) }
        case .text:
            return .success(.text(String(decoding: cell, as: UTF8.self)))
        case .enumeration(let symbols, let codes):
            if let code = codes.find(cell) { return .success(.code(code)) }
            let list = symbols.symbols.prefix(12).joined(separator: ", ") + (symbols.symbols.count > 12 ? ", …" : "")
            return .failure(LoadFailure("\(field): '\(LoadFailure.shown(cell))' is not one of \(list)"))
        case .ref(let parent, let keys):
            if keys.isIntKeyed {
                guard let key = CellParser.int(cell, strict: false) else { break }
                if keys.position(of: key) != nil { return .success(.int(key)) }
            } else {
                let key = String(decoding: cell, as: UTF8.self)
                if keys.position(of: key) != nil { return .success(.text(key)) }
            }
            return .failure(LoadFailure("\(field): no \(parent) row has the key '\(LoadFailure.shown(cell))'"))
        case .selfRef(let intKeys):
            if !intKeys { return .success(.text(String(decoding: cell, as: UTF8.self))) }
            if let key = CellParser.int(cell, strict: false) { return .success(.int(key)) }
        }
        return .failure(LoadFailure(mismatch(cell, field: field)))
    }

    /// Why `cell` failed to convert: what `convert` says about it.
    func failure(_ cell: CellBytes, field: String) -> String {
        if case .failure(let failure) = convert(cell, field: field) { return failure.message }
        return mismatch(cell, field: field)
    }

    /// `field: 'x' is not an int`, for a cell that does not parse as this type.
    func mismatch(_ cell: CellBytes, field: String) -> String {
        "\(field): '\(LoadFailure.shown(cell))' is not \(article(of: self)) \(name(of: self))"
    }

    private func name(of converter: CellConverter) -> String {
        switch converter {
        case .int, .ref, .selfRef: return "int"
        case .number: return "number"
        case .bool: return "bool (true or false)"
        case .date: return "date (YYYY-MM-DD)"
        case .datetime: return "datetime (ISO 8601)"
        case .text: return "text"
        case .enumeration: return "enum"
        }
    }

    private func article(of converter: CellConverter) -> String {
        switch converter {
        case .int, .ref, .selfRef, .enumeration: return "an"
        default: return "a"
        }
    }
}

/// Why a row was refused, before the file and line are put in front.
struct LoadFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }

    /// A cell as messages quote it: cut short when long.
    static func shown(_ cell: some Collection<UInt8>) -> String {
        let text = String(decoding: cell, as: UTF8.self)
        return text.count > 40 ? String(text.prefix(40)) + "…" : text
    }
}

/// How a field's values are gathered during a load.
enum FieldColumn {
    /// The type is known before reading (an existing entity, the standard
    /// model, a ref).
    case declared(DeclaredColumn)
    /// The file decides the type.
    case inferred(InferredColumn)
}

/// What a load will build: the resulting fields, where each field's cells
/// come from in the file, and how they convert.
struct LoadPlan {
    /// The fields; an inferred field's type is known only once the rows are read.
    var fields: [Field]
    /// Per field, the file's column holding it; nil fills the field with null.
    var sources: [Int?]
    var columns: [FieldColumn]
    /// How many cells a sound record has.
    var expectedCells: Int

    var keyField: Int? { fields.firstIndex { $0.isKey } }

    /// Fields that refer to the entity being loaded.
    var selfRefFields: [Int] {
        columns.indices.filter { field in
            if case .declared(let column) = columns[field], case .selfRef = column.converter { return true }
            return false
        }
    }

    /// A load into an entity that exists: its declared types decide.
    /// - Parameter capacity: about how many rows the file has.
    static func existing(_ entity: Entity, columnNames: [String], headerLine: Int?, byName: Bool, store: Store,
                         fileName: String, capacity: Int) throws -> LoadPlan {
        var sources = [Int?](repeating: nil, count: entity.fields.count)
        let expected: Int
        if byName {
            for (column, name) in columnNames.enumerated() {
                guard let field = entity.fieldIndex(name) else {
                    let place = headerLine.map { "\(fileName):\($0)" } ?? fileName
                    let message = Suggestion.message("\(entity.name) has no field '\(name)'", for: name, among: entity.fields.map(\.name))
                    throw Diagnostic(.io, "\(place): \(message)", at: nil)
                }
                sources[field] = column
            }
            if let key = entity.keyFieldIndex, sources[key] == nil {
                throw Diagnostic(.io, "\(fileName): the file has no column '\(entity.fields[key].name)', the key of \(entity.name)", at: nil)
            }
            expected = columnNames.count
        } else {
            for field in sources.indices { sources[field] = field }
            expected = entity.fields.count
        }
        var columns: [FieldColumn] = []
        for field in entity.fields {
            let (keyType, parentKeys) = try refTarget(of: field, loading: entity.name, store: store, fileName: fileName)
            columns.append(.declared(DeclaredColumn(name: field.name, type: field.type, keyType: keyType, parentKeys: parentKeys,
                                                    isKey: field.isKey, capacity: capacity)))
        }
        return LoadPlan(fields: entity.fields, sources: sources, columns: columns, expectedCells: expected)
    }

    /// The parent's key type and index for a ref field (nil index for a ref
    /// to the entity being loaded).
    private static func refTarget(of field: Field, loading entityName: String, store: Store, fileName: String) throws -> (DataType, KeyIndex?) {
        guard case .ref(let parentName) = field.type else { return (.int, nil) }
        guard let parent = store[parentName], let keyField = parent.keyFieldIndex else {
            throw Diagnostic(.io, "\(fileName): field '\(field.name)' refers to \(parentName), which has no key", at: nil)
        }
        let keyColumn = parent.columns[keyField]
        let keyType: DataType = parent.fields[keyField].type == .text ? .text : .int
        if parentName == entityName { return (keyType, nil) }
        guard let keys = KeyIndex(column: keyColumn) else {
            throw Diagnostic(.io, "\(fileName): field '\(field.name)' refers to \(parentName), whose key is neither int nor text", at: nil)
        }
        return (keyType, keys)
    }

    /// A load that creates the entity: types come from the standard model,
    /// the naming rules (`id`, `customer`) and inference over the sound
    /// records, which happens while they are read.
    /// - Parameter capacity: about how many rows the file has.
    static func new(entityName: String, columnNames names: [String], store: Store, fileName: String, capacity: Int) throws -> LoadPlan {
        guard !names.isEmpty else { throw Diagnostic(.io, "\(fileName): the file has no columns to load", at: nil) }
        var plan = LoadPlan(fields: [], sources: [], columns: [], expectedCells: names.count)
        // A column named like another entity in the singular refers to it,
        // when that entity has an int or text key to refer to.
        let others = store.entityNames.filter { $0 != entityName }
        for (column, name) in names.enumerated() {
            var parent: (name: String, keys: KeyIndex)?
            if name != "id", let candidate = Naming.referencedEntity(column: name, among: others),
               let target = store[candidate], let key = target.keyFieldIndex,
               let keys = KeyIndex(column: target.columns[key]) {
                parent = (candidate, keys)
            }
            let fieldColumn: FieldColumn
            var type: DataType = .text
            if let parent {
                type = .ref(parent.name)
                fieldColumn = .declared(DeclaredColumn(name: name, type: type, keyType: parent.keys.isIntKeyed ? .int : .text,
                                                       parentKeys: parent.keys, isKey: false, capacity: capacity))
            } else if name == "id" {
                fieldColumn = .inferred(InferredColumn(name: name, rule: .key, capacity: capacity))
            } else {
                switch StandardModel.rule(entity: entityName, field: name) {
                case .type(let standard):
                    type = standard
                    fieldColumn = .declared(DeclaredColumn(name: name, type: standard, keyType: .int, parentKeys: nil,
                                                           isKey: false, capacity: capacity))
                case .dateOrDateTime:
                    fieldColumn = .inferred(InferredColumn(name: name, rule: .dateOrDateTime, capacity: capacity))
                case nil:
                    fieldColumn = .inferred(InferredColumn(name: name, rule: .general, capacity: capacity))
                }
            }
            plan.fields.append(Field(name: name, type: type, isKey: name == "id"))
            plan.sources.append(column)
            plan.columns.append(fieldColumn)
        }
        return plan
    }
}
