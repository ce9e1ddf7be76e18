import CRMQLCore

/// Decodes one row into a `Decodable` type: keyed by column name for a
/// struct, or a single value when the row has one column
/// (`try db.query("select count customers", as: Int.self)`).
struct RowDecoder: Decoder {
    let row: Row
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(RowContainer<Key>(row: row))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Value].self, DecodingError.Context(
            codingPath: [], debugDescription: "a row decodes into a struct keyed by column names, or one column's value"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        guard row.count == 1 else {
            throw DecodingError.typeMismatch(Value.self, DecodingError.Context(
                codingPath: [], debugDescription: "only a row of one column decodes as a single value; this one has \(row.count)"))
        }
        return ValueContainer(value: row[0], codingPath: [ColumnKey(row.columnNames[0])])
    }

    /// A `DecodingError` as the public error, naming the column and types
    /// but never a cell's value.
    static func publicError(_ error: DecodingError, decoding type: Any.Type) -> CRMQLError {
        func column(_ context: DecodingError.Context) -> String {
            context.codingPath.first.map { "column '\($0.stringValue)'" } ?? "the row"
        }
        let message: String
        switch error {
        case .keyNotFound(let key, _):
            message = "cannot decode \(type): the result has no column '\(key.stringValue)' (show it, or make the property optional)"
        case .valueNotFound(let expected, let context):
            message = "cannot decode \(type): \(column(context)) is null; make the property optional (\(expected)?)"
        case .typeMismatch(let expected, let context):
            if context.codingPath.isEmpty {
                message = "cannot decode \(type): \(context.debugDescription)"
            } else {
                message = "cannot decode \(type): \(column(context)) does not convert to \(expected)"
            }
        case .dataCorrupted(let context):
            message = "cannot decode \(type): \(column(context)) holds a value \(type) does not accept"
        @unknown default:
            message = "cannot decode \(type) from the row"
        }
        return CRMQLError(phase: .runtime, message: message)
    }
}

/// A column name as a coding key, for error paths.
struct ColumnKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// A row's columns by the decoded type's property names.
struct RowContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let row: Row
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { row.columnNames.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { index(key) != nil }

    private func index(_ key: Key) -> Int? { row.result.lookup.index(forKey: key.stringValue) }

    /// The cell a property reads, as a single-value container.
    private func cell(_ key: Key) throws -> ValueContainer {
        guard let column = index(key) else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(codingPath: [], debugDescription: "no column"))
        }
        return ValueContainer(value: row[column], codingPath: [ColumnKey(row.columnNames[column])])
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let column = index(key) else { return true }
        return row[column].isNull
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try cell(key).decode(type) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try cell(key).decode(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try cell(key).decode(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try cell(key).decode(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try cell(key).decode(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try cell(key).decode(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try cell(key).decode(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try cell(key).decode(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try cell(key).decode(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try cell(key).decode(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try cell(key).decode(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try cell(key).decode(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try cell(key).decode(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try cell(key).decode(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try cell(key).decode(type) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        throw DecodingError.typeMismatch(type, DecodingError.Context(codingPath: [key], debugDescription: "a column holds one value"))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Value].self, DecodingError.Context(codingPath: [key], debugDescription: "a column holds one value"))
    }

    func superDecoder() throws -> any Decoder { RowDecoder(row: row) }
    func superDecoder(forKey key: Key) throws -> any Decoder { try cell(key) }
}

/// One cell: what a property of a row's struct decodes from. Also a decoder
/// of its own, for types that decode from one value (an enum with a raw
/// value, a wrapper struct).
struct ValueContainer: SingleValueDecodingContainer, Decoder {
    let value: Value
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func decodeNil() -> Bool { value.isNull }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if let convertible = type as? any ValueConvertible.Type {
            return try convert(convertible, as: type)
        }
        if value.isNull {
            throw DecodingError.valueNotFound(type, DecodingError.Context(codingPath: codingPath, debugDescription: "null"))
        }
        return try T(from: self)
    }

    /// A cell through its `ValueConvertible` conversion.
    private func convert<T>(_ convertible: any ValueConvertible.Type, as type: T.Type) throws -> T {
        if let converted = convertible.init(crmqlValue: value) as? T { return converted }
        if value.isNull {
            throw DecodingError.valueNotFound(type, DecodingError.Context(codingPath: codingPath, debugDescription: "null"))
        }
        throw DecodingError.typeMismatch(type, DecodingError.Context(codingPath: codingPath, debugDescription: value.dataType.kindName))
    }

    /// A fixed-width integer through `Int64`, when it fits.
    private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let wide = try convert(Int64.self, as: Int64.self)
        guard let narrow = T(exactly: wide) else {
            throw DecodingError.typeMismatch(type, DecodingError.Context(codingPath: codingPath, debugDescription: "out of range"))
        }
        return narrow
    }

    func decode(_ type: Bool.Type) throws -> Bool { try convert(Bool.self, as: type) }
    func decode(_ type: String.Type) throws -> String { try convert(String.self, as: type) }
    func decode(_ type: Double.Type) throws -> Double { try convert(Double.self, as: type) }
    func decode(_ type: Float.Type) throws -> Float { Float(try convert(Double.self, as: Double.self)) }
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    // MARK: Decoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        throw DecodingError.typeMismatch(type, DecodingError.Context(codingPath: codingPath, debugDescription: "a column holds one value"))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Value].self, DecodingError.Context(codingPath: codingPath, debugDescription: "a column holds one value"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }
}
