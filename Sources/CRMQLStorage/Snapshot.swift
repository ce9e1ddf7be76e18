import CRMQLCore

/// `save "<file>"` and `open "<file>"`: the whole store in one binary file.
///
/// Layout (all integers little-endian):
/// ```
/// "CRMQLSNP"  format version (UInt32)
/// section*    tag (4 ASCII bytes), payload length (UInt64), payload, CRC-32
///             of tag + length + payload (UInt32)
/// ```
/// Sections, in order: `STOR` (entity count, explicit indexes), one `ENTY`
/// per entity (schema, then each column's null bitmap and values in bulk),
/// `XTRA` (the caller's opaque blob: definitions, named queries) and `END_`
/// (the number of sections before it, so a lost section is noticed).
/// Derived structures (key, ref and sorted indexes) are not stored; they are
/// rebuilt on first use.
public enum Snapshot {
    /// The first eight bytes of every snapshot.
    public static let magic: [UInt8] = Array("CRMQLSNP".utf8)
    /// The format this version writes, and the newest it reads.
    public static let formatVersion: UInt32 = 1

    /// Writes a snapshot; the old file is replaced only once the new one is
    /// complete on disk.
    /// - Parameter extra: bytes the caller wants back from `open`.
    /// - Parameter poll: called between columns and chunks written; what
    ///   it throws stops the save and leaves the old file as it was.
    public static func save(_ store: Store, extra: [UInt8], to path: String, poll: () throws -> Void = {}) throws {
        try FileIO.writeAtomically(encode(store, extra: extra, poll: poll), to: path, poll: poll)
    }

    /// Reads a snapshot.
    /// - Throws: a `Diagnostic` (phase `.io`) for a missing, foreign,
    ///   newer-format, truncated or damaged file.
    public static func open(path: String, poll: () throws -> Void = {}) throws -> (Store, extra: [UInt8]) {
        try decode(FileIO.read(path, poll: poll), name: path)
    }

    /// The bytes of a snapshot.
    /// - Complexity: O(size of the store).
    public static func encode(_ store: Store, extra: [UInt8]) -> [UInt8] {
        encode(store, extra: extra, poll: {})
    }

    /// `encode`, calling `poll` between columns; what it throws stops it.
    public static func encode(_ store: Store, extra: [UInt8], poll: () throws -> Void) rethrows -> [UInt8] {
        var writer = ByteWriter()
        writer.bytes.append(contentsOf: magic)
        writer.append(formatVersion)
        var sections: UInt64 = 0
        func section(_ tag: String, poll: () throws -> Void, _ body: (inout ByteWriter) throws -> Void) rethrows {
            let start = writer.bytes.count
            writer.bytes.append(contentsOf: tag.utf8)
            writer.append(UInt64(0))
            try body(&writer)
            let length = UInt64(writer.bytes.count - start - 12)
            withUnsafeBytes(of: length.littleEndian) { length in
                for index in 0..<8 { writer.bytes[start + 4 + index] = length[index] }
            }
            // A megabyte at a time, so that a large section's checksum can be stopped too.
            var crc: UInt32 = 0
            var from = start
            while from < writer.bytes.count {
                let to = min(from + (1 << 20), writer.bytes.count)
                crc = CRC32.checksum(writer.bytes[from..<to], continuing: crc)
                try poll()
                from = to
            }
            writer.append(crc)
            sections += 1
        }
        let entities = store.allEntities
        try section("STOR", poll: poll) { out in
            out.append(UInt64(entities.count))
            out.append(UInt64(store.explicitIndexes.count))
            for index in store.explicitIndexes {
                out.append(index.entity)
                out.append(index.field)
            }
        }
        for entity in entities {
            try section("ENTY", poll: poll) { out in try encode(entity, to: &out, poll: poll) }
        }
        try section("XTRA", poll: poll) { out in out.append(bytes: extra) }
        let count = sections
        try section("END_", poll: poll) { out in out.append(count) }
        return writer.bytes
    }

    /// A store from snapshot bytes; `name` is for messages.
    public static func decode(_ bytes: [UInt8], name: String) throws -> (Store, extra: [UInt8]) {
        func failure(_ reason: String) -> Diagnostic {
            Diagnostic(.io, "cannot open '\(name)': \(reason)", at: nil)
        }
        guard bytes.count >= 12, bytes.starts(with: magic) else { throw failure("not a crmql snapshot") }
        var header = ByteReader(bytes, range: 8..<12)
        let version: UInt32 = (try? header.read()) ?? 0
        guard version != 0 else { throw failure("not a crmql snapshot") }
        guard version <= formatVersion else {
            throw failure("written by a newer version of crmql (snapshot format \(version); this version reads format \(formatVersion))")
        }

        // Check every section's checksum before trusting any of it.
        var payloads: [(tag: String, range: Range<Int>)] = []
        var offset = 12
        while offset < bytes.count {
            let number = payloads.count + 1
            guard bytes.count - offset >= 12 else { throw failure("the file is truncated (it ends inside section \(number))") }
            var reader = ByteReader(bytes, range: (offset + 4)..<(offset + 12))
            let length: UInt64 = try reader.read()
            guard length <= UInt64(bytes.count - offset - 12), bytes.count - offset - 12 - Int(length) >= 4 else {
                throw failure("the file is truncated (it ends inside section \(number))")
            }
            let payloadEnd = offset + 12 + Int(length)
            var crcReader = ByteReader(bytes, range: payloadEnd..<(payloadEnd + 4))
            let stored: UInt32 = try crcReader.read()
            guard CRC32.checksum(bytes[offset..<payloadEnd]) == stored else {
                throw failure("the file is damaged (checksum mismatch in section \(number))")
            }
            let tag = String(decoding: bytes[offset..<(offset + 4)], as: UTF8.self)
            payloads.append((tag, (offset + 12)..<payloadEnd))
            offset = payloadEnd + 4
            if tag == "END_" { break }
        }
        guard let last = payloads.last, last.tag == "END_" else { throw failure("the file is truncated (its end marker is missing)") }
        guard offset == bytes.count else { throw failure("the file is damaged (bytes after the end marker)") }

        do {
            var endReader = ByteReader(bytes, range: last.range)
            let expectedSections: UInt64 = try endReader.read()
            guard expectedSections == UInt64(payloads.count - 1), payloads.count >= 3, payloads[0].tag == "STOR" else {
                throw DecodeError("sections are missing")
            }
            var storeReader = ByteReader(bytes, range: payloads[0].range)
            let entityCount = try storeReader.readCount(elementSize: 0)
            let indexCount = try storeReader.readCount(elementSize: 16)
            var indexes: [IndexName] = []
            for _ in 0..<indexCount {
                indexes.append(IndexName(entity: try storeReader.readString(), field: try storeReader.readString()))
            }
            guard payloads.count == entityCount + 3, payloads[entityCount + 1].tag == "XTRA" else {
                throw DecodeError("sections are missing")
            }
            var store = Store()
            for number in payloads.indices.dropFirst().prefix(entityCount) {
                guard payloads[number].tag == "ENTY" else { throw DecodeError("unexpected section '\(payloads[number].tag)'") }
                var reader = ByteReader(bytes, range: payloads[number].range)
                let entity = try decodeEntity(&reader)
                guard store[entity.name] == nil else { throw DecodeError("entity '\(entity.name)' appears twice") }
                store[entity.name] = entity
            }
            store.explicitIndexes = indexes.filter { store[$0.entity]?.fieldIndex($0.field) != nil }
            var extraReader = ByteReader(bytes, range: payloads[entityCount + 1].range)
            let extra = try extraReader.readBytes()
            return (store, extra)
        } catch let error as DecodeError {
            throw failure("the file is damaged (\(error.message))")
        }
    }

    // MARK: Entities

    private static func encode(_ entity: Entity, to out: inout ByteWriter, poll: () throws -> Void) rethrows {
        out.append(entity.name)
        out.append(UInt64(entity.fields.count))
        for field in entity.fields {
            out.append(field.name)
            encode(field.type, to: &out)
            out.append(UInt8(field.isKey ? 1 : 0))
        }
        out.append(UInt64(entity.rowCount))
        for column in entity.columns {
            try poll()
            out.append(array: column.nulls.words)
            switch column.data {
            case .int(let values): out.append(UInt8(0)); out.append(array: values)
            case .number(let values): out.append(UInt8(1)); out.append(doubles: values)
            case .text(let values):
                out.append(UInt8(2))
                var ends: [UInt64] = []
                ends.reserveCapacity(values.count)
                var blob: [UInt8] = []
                for (row, value) in values.enumerated() {
                    if row & 0xFFFF == 0xFFFF { try poll() }
                    blob.append(contentsOf: value.utf8)
                    ends.append(UInt64(blob.count))
                }
                out.append(array: ends)
                out.append(bytes: blob)
            case .bool(let values): out.append(UInt8(3)); out.append(array: values.map { $0 ? UInt8(1) : 0 })
            case .temporal(let values): out.append(UInt8(4)); out.append(array: values)
            case .codes(let values):
                switch values.storage {
                case .narrow(let bytes): out.append(UInt8(6)); out.append(array: bytes)
                case .wide(let codes): out.append(UInt8(5)); out.append(array: codes)
                }
            }
        }
    }

    private static func decodeEntity(_ reader: inout ByteReader) throws -> Entity {
        let name = try reader.readString()
        let fieldCount = try reader.readCount(elementSize: 10)
        var fields: [Field] = []
        for _ in 0..<fieldCount {
            let fieldName = try reader.readString()
            let type = try decodeType(&reader)
            let isKey: UInt8 = try reader.read()
            fields.append(Field(name: fieldName, type: type, isKey: isKey == 1))
        }
        let rowCount = try reader.readCount(elementSize: 0)
        guard rowCount < Int(Int32.max) else { throw DecodeError("entity '\(name)' has too many rows") }
        var columns: [Column] = []
        for field in fields {
            let words = try reader.readArray(UInt64.self)
            var nulls = NullBitmap()
            for (wordIndex, word) in words.enumerated() where word != 0 {
                var bits = word
                while bits != 0 {
                    let row = wordIndex * 64 + bits.trailingZeroBitCount
                    if row < rowCount { nulls.set(row) }
                    bits &= bits - 1
                }
            }
            let kind: UInt8 = try reader.read()
            let data: ColumnData
            switch kind {
            case 0: data = .int(try reader.readArray(Int64.self))
            case 1: data = .number(try reader.readDoubles())
            case 2:
                let ends = try reader.readArray(UInt64.self)
                let blob = try reader.readBytes()
                var texts: [String] = []
                texts.reserveCapacity(ends.count)
                var start = 0
                for end in ends {
                    guard end <= UInt64(blob.count), Int(end) >= start else { throw DecodeError("a text runs past its column") }
                    texts.append(String(decoding: blob[start..<Int(end)], as: UTF8.self))
                    start = Int(end)
                }
                data = .text(texts)
            case 3: data = .bool(try reader.readArray(UInt8.self).map { $0 != 0 })
            case 4: data = .temporal(try reader.readArray(Int64.self))
            case 5, 6:
                // 5: four bytes a code; 6: one byte a code.
                let codes = kind == 5 ? EnumCodes(try reader.readArray(Int32.self)) : EnumCodes(narrow: try reader.readArray(UInt8.self))
                if case .enumeration(let symbols) = field.type {
                    let limit = Int32(clamping: symbols.symbols.count)
                    guard codes.allSatisfy({ $0 >= 0 && $0 < limit }) else { throw DecodeError("an enum code of '\(field.name)' is out of range") }
                }
                data = .codes(codes)
            default:
                throw DecodeError("unknown column kind \(kind)")
            }
            guard data.count == rowCount else { throw DecodeError("column '\(field.name)' of '\(name)' has \(data.count) rows, not \(rowCount)") }
            guard fits(data, field.type) else { throw DecodeError("column '\(field.name)' of '\(name)' does not hold its type") }
            columns.append(Column(type: field.type, data: data, nulls: nulls))
        }
        guard reader.remaining == 0 else { throw DecodeError("entity '\(name)' has trailing bytes") }
        return Entity(name: name, fields: fields, columns: columns)
    }

    /// Whether stored data has the kind a field's type needs.
    private static func fits(_ data: ColumnData, _ type: DataType) -> Bool {
        switch (type, data) {
        case (.int, .int), (.number, .number), (.text, .text), (.null, .text), (.bool, .bool),
             (.date, .temporal), (.datetime, .temporal), (.enumeration, .codes),
             (.ref, .int), (.ref, .text):
            return true
        default:
            return false
        }
    }

    // MARK: Types

    private static func encode(_ type: DataType, to out: inout ByteWriter) {
        switch type {
        case .int: out.append(UInt8(0))
        case .number: out.append(UInt8(1))
        case .text: out.append(UInt8(2))
        case .bool: out.append(UInt8(3))
        case .date: out.append(UInt8(4))
        case .datetime: out.append(UInt8(5))
        case .enumeration(let symbols):
            out.append(UInt8(6))
            out.append(UInt64(symbols.symbols.count))
            for symbol in symbols.symbols { out.append(symbol) }
        case .ref(let entity):
            out.append(UInt8(7))
            out.append(entity)
        case .null: out.append(UInt8(8))
        }
    }

    private static func decodeType(_ reader: inout ByteReader) throws -> DataType {
        let tag: UInt8 = try reader.read()
        switch tag {
        case 0: return .int
        case 1: return .number
        case 2: return .text
        case 3: return .bool
        case 4: return .date
        case 5: return .datetime
        case 6:
            let count = try reader.readCount(elementSize: 8)
            var symbols: [String] = []
            for _ in 0..<count { symbols.append(try reader.readString()) }
            return .enumeration(EnumType(symbols))
        case 7: return .ref(try reader.readString())
        case 8: return .null
        default: throw DecodeError("unknown type tag \(tag)")
        }
    }
}
