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
/// `ResultSet.rowCount` of `Database.query`). The engine is columnar and
/// computes a query's columns whole before the first row is handed over;
/// the stream reads those columns row by row, copying nothing, so a row is
/// made only when it is asked for and a stream left unread converts nothing.
public struct ResultStream<Element>: Sendable {
    private let result: ResultSet
    private var position = 0

    /// A stream of `Row`s, or of a `Decodable` type; the public entry
    /// points (`ResultSet.stream`, `Database.stream`, `PreparedStatement.stream`)
    /// only make those.
    init(_ result: ResultSet) {
        self.result = result
    }

    /// The result's column names, in order.
    public var columnNames: [String] { result.columnNames }
    /// The type of each column.
    public var columnTypes: [DataType] { result.columnTypes }

    /// The next row, converted; nil after the last.
    /// - Throws: `CRMQLError` when the row does not convert; the stream
    ///   moves past it, so the next call reads the row after.
    /// - Complexity: O(columns).
    public mutating func next() throws(CRMQLError) -> Element? {
        guard position < result.rowCount else { return nil }
        let row = result[position]
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
