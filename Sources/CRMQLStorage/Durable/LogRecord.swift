import CRMQLCore

/// One committed statement as the write-ahead log keeps it: its text and
/// everything outside the session its effect depends on, so that running
/// the text again over the state it ran on gives the same state.
///
/// A statement's effect depends on the session (replay rebuilds it record
/// by record) and on three things the session does not hold: the value of
/// `today`, the parameters' values (a host binds them per statement, and
/// `--param` changes between runs), and the bytes of a loaded file (which
/// may change or vanish after the load). The record carries all three. Any
/// statement the language gains (a `model` fit, say) is logged the same way,
/// as long as its effect depends on nothing else.
public struct LogRecord: Equatable, Sendable {
    /// The statement's text, exactly one statement.
    public var text: String
    /// `today` when it ran, in days since 1970-01-01.
    public var today: Int64
    /// The parameters' values when it ran.
    public var parameters: [String: Value]
    /// The bytes a `load` read, so that replay never reads the file again.
    public var loadedBytes: [UInt8]?

    /// A record of a statement.
    public init(text: String, today: Int64, parameters: [String: Value], loadedBytes: [UInt8]? = nil) {
        self.text = text
        self.today = today
        self.parameters = parameters
        self.loadedBytes = loadedBytes
    }

    /// The kind byte of a statement record; other kinds are refused, so a
    /// newer program's log is never half understood.
    static let statementKind: UInt8 = 1

    /// The record's payload bytes.
    public func encoded() -> [UInt8] {
        var out = ByteWriter()
        out.append(LogRecord.statementKind)
        out.append(text)
        out.append(today)
        out.append(UInt64(parameters.count))
        for name in parameters.keys.sorted() {
            out.append(name)
            ValueCoding.encode(parameters[name] ?? .null, to: &out)
        }
        if let loadedBytes {
            out.append(UInt8(1))
            out.append(bytes: loadedBytes)
        } else {
            out.append(UInt8(0))
        }
        return out.bytes
    }

    /// A record from its payload.
    /// - Throws: `LogDecodeError` for bytes no version of this program wrote.
    public static func decode(_ bytes: [UInt8]) throws(LogDecodeError) -> LogRecord {
        var reader = ByteReader(bytes, range: 0..<bytes.count)
        do {
            let kind: UInt8 = try reader.read()
            guard kind == statementKind else { throw LogDecodeError("unknown record kind \(kind)") }
            let text = try reader.readString()
            let today: Int64 = try reader.read()
            let count = try reader.readCount(elementSize: 9)
            var parameters: [String: Value] = [:]
            for _ in 0..<count {
                let name = try reader.readString()
                parameters[name] = try ValueCoding.decode(&reader)
            }
            let hasBytes: UInt8 = try reader.read()
            let loaded: [UInt8]?
            switch hasBytes {
            case 0: loaded = nil
            case 1: loaded = try reader.readBytes()
            default: throw LogDecodeError("bad load marker")
            }
            guard reader.remaining == 0 else { throw LogDecodeError("trailing bytes") }
            return LogRecord(text: text, today: today, parameters: parameters, loadedBytes: loaded)
        } catch let error as LogDecodeError {
            throw error
        } catch let error as DecodeError {
            throw LogDecodeError(error.message)
        } catch {
            throw LogDecodeError("\(ErrorText.of(error))")
        }
    }
}

/// Why a log record's payload could not be read.
public struct LogDecodeError: Error, Sendable, CustomStringConvertible {
    /// What was wrong.
    public var message: String
    /// A failure described by `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

/// Values in binary, for log records and a database file's settings.
public enum ValueCoding {
    static func encode(_ value: Value, to out: inout ByteWriter) {
        switch value {
        case .null: out.append(UInt8(0))
        case .int(let v): out.append(UInt8(1)); out.append(v)
        case .number(let v): out.append(UInt8(2)); out.append(v.bitPattern)
        case .text(let v): out.append(UInt8(3)); out.append(v)
        case .bool(let v): out.append(UInt8(4)); out.append(UInt8(v ? 1 : 0))
        case .date(let v): out.append(UInt8(5)); out.append(v)
        case .datetime(let v): out.append(UInt8(6)); out.append(v)
        case .symbol(let code, let type):
            out.append(UInt8(7))
            out.append(code)
            out.append(UInt64(type.symbols.count))
            for symbol in type.symbols { out.append(symbol) }
        }
    }

    static func decode(_ reader: inout ByteReader) throws -> Value {
        let tag: UInt8 = try reader.read()
        switch tag {
        case 0: return .null
        case 1: return .int(try reader.read())
        case 2: return .number(Double(bitPattern: try reader.read()))
        case 3: return .text(try reader.readString())
        case 4:
            let flag: UInt8 = try reader.read()
            return .bool(flag != 0)
        case 5: return .date(try reader.read())
        case 6: return .datetime(try reader.read())
        case 7:
            let code: Int32 = try reader.read()
            let count = try reader.readCount(elementSize: 8)
            var symbols: [String] = []
            for _ in 0..<count { symbols.append(try reader.readString()) }
            guard code >= 0, Int(code) < symbols.count else { throw DecodeError("an enum code is out of range") }
            return .symbol(code, EnumType(symbols))
        default:
            throw DecodeError("unknown value tag \(tag)")
        }
    }

    /// Named values as bytes.
    public static func encode(_ values: [String: Value]) -> [UInt8] {
        var out = ByteWriter()
        out.append(UInt64(values.count))
        for name in values.keys.sorted() {
            out.append(name)
            encode(values[name] ?? .null, to: &out)
        }
        return out.bytes
    }

    /// Named values from `encode(_:)`'s bytes.
    public static func decode(_ bytes: [UInt8]) throws(LogDecodeError) -> [String: Value] {
        var reader = ByteReader(bytes, range: 0..<bytes.count)
        do {
            let count = try reader.readCount(elementSize: 9)
            var values: [String: Value] = [:]
            for _ in 0..<count {
                let name = try reader.readString()
                values[name] = try decode(&reader)
            }
            guard reader.remaining == 0 else { throw LogDecodeError("trailing bytes") }
            return values
        } catch let error as LogDecodeError {
            throw error
        } catch let error as DecodeError {
            throw LogDecodeError(error.message)
        } catch {
            throw LogDecodeError("\(ErrorText.of(error))")
        }
    }
}
