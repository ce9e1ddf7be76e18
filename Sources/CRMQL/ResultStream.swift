import CRMQLCore
import CRMQLEngine

/// A query's rows handed over one at a time, each converted (decoded into a
/// struct) only when it is reached, so a host never holds a large result as
/// an array of structs, and stops reading whenever it likes.
///
/// Read it as a cursor, like a database library's row cursor: with `next()`,
/// or with `for try await` in async code, where cancelling the task ends the
/// stream:
///
/// ```swift
/// var customers = try db.stream("select customers", as: Customer.self)
/// while let customer = try customers.next() { … }
/// ```
///
/// What the stream promises is a cursor's contract: rows come in order, a
/// row that fails to convert throws from `next()` without ending the
/// stream, and the total is not known ahead (count the rows, or ask
/// `ResultSet.rowCount` of `Database.query`).
///
/// A stream from `Database.stream` or `PreparedStatement.stream` really
/// streams: the query's filter, sort and limit run when the stream is made,
/// and its shown columns are computed a chunk of rows at a time as the
/// rows are read (chunks grow from 256 rows to 16,384), so reading the first
/// rows of a large answer computes little, and a stream left unread
/// computes nothing more. Each chunk is bounded like a statement (time and
/// memory limits, `Database.interrupt()`); a chunk that fails throws from
/// `next()` and is tried again by the next call. The stream reads the
/// session as it was when it was made, whatever changes afterwards.
public struct ResultStream<Element>: Sendable {
    fileprivate enum Rows: Sendable {
        case result(ResultSet)
        case cursor(CursorReader)
    }

    fileprivate let rows: Rows
    fileprivate var position = 0
    /// For a cursor: the chunk of rows holding `position`, and where it starts.
    fileprivate var chunk: ResultSet?
    fileprivate var chunkStart = 0

    /// A stream over a computed result.
    init(_ result: ResultSet) {
        rows = .result(result)
    }

    /// A stream over a query's cursor; `error` turns the engine's
    /// diagnostics into the public error, with parameter values hidden.
    init(cursor: RowCursor, error: @escaping @Sendable ([Diagnostic]) -> CRMQLError) {
        rows = .cursor(CursorReader(cursor: cursor, error: error))
    }

    /// The result's column names, in order.
    public var columnNames: [String] {
        switch rows {
        case .result(let result): return result.columnNames
        case .cursor(let reader): return reader.cursor.names
        }
    }

    /// The type of each column.
    public var columnTypes: [DataType] {
        switch rows {
        case .result(let result): return result.columnTypes
        case .cursor(let reader): return reader.cursor.types
        }
    }

    /// The next row, converted; nil after the last.
    /// - Throws: `CRMQLError` when the row does not convert (the stream
    ///   moves past it, so the next call reads the row after), or when the
    ///   chunk holding it cannot be computed (the next call tries again).
    /// - Complexity: O(columns), and a chunk's computation every so often.
    public mutating func next() throws(CRMQLError) -> Element? {
        let row: Row
        switch rows {
        case .result(let result):
            guard position < result.rowCount else { return nil }
            row = result[position]
        case .cursor(let reader):
            guard position < reader.cursor.rowCount else { return nil }
            if chunk.map({ position >= chunkStart + $0.rowCount }) ?? true {
                let size = chunk.map { Swift.min($0.rowCount * 2, CursorReader.largestChunk) } ?? CursorReader.firstChunk
                chunk = try reader.chunk(position..<(position + size))
                chunkStart = position
            }
            guard let chunk else { return nil }
            row = chunk[position - chunkStart]
        }
        position += 1
        if let row = row as? Element { return row }
        // Decoded through the metatype rather than a stored closure, so the
        // stream stays Sendable whatever the element type.
        guard let decodable = Element.self as? any Decodable.Type,
              let element = try row.decode(decodable) as? Element else {
            throw CRMQLError(phase: .runtime, message: "cannot decode \(Element.self) from a row")
        }
        return element
    }
}

extension ResultStream where Element == Row {
    /// The same rows, each decoded as `type` when it is reached.
    func decoding<T: Decodable>(_ type: T.Type) -> ResultStream<T> {
        switch rows {
        case .result(let result): return ResultStream<T>(result)
        case .cursor(let reader): return ResultStream<T>(reader: reader)
        }
    }
}

extension ResultStream {
    fileprivate init(reader: CursorReader) {
        rows = .cursor(reader)
    }
}

/// A query's cursor with the conversion of its errors.
final class CursorReader: Sendable {
    // TUNING: a first chunk small enough to show the first rows at once,
    // doubling to one that amortises the work per chunk.
    static let firstChunk = 256
    static let largestChunk = 16_384

    let cursor: RowCursor
    let error: @Sendable ([Diagnostic]) -> CRMQLError

    init(cursor: RowCursor, error: @escaping @Sendable ([Diagnostic]) -> CRMQLError) {
        self.cursor = cursor
        self.error = error
    }

    /// The rows of `range`, computed now.
    func chunk(_ range: Range<Int>) throws(CRMQLError) -> ResultSet {
        do {
            return ResultSet(columnNames: cursor.names, columns: try cursor.columns(range))
        } catch let list as DiagnosticList {
            throw error(list.diagnostics)
        } catch let diagnostic as Diagnostic {
            throw error([diagnostic])
        } catch {
            throw CRMQLError(phase: .runtime, message: ErrorText.of(error))
        }
    }
}

extension ResultStream: AsyncSequence {
    /// Reads the stream from where it stood when iteration began.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var stream: ResultStream

        /// The next row, converted; nil after the last or once the task is cancelled.
        public mutating func next() async throws(CRMQLError) -> Element? {
            if Task.isCancelled { return nil }
            return try stream.next()
        }
    }

    /// An iterator over the rows not read yet.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(stream: self) }
}
