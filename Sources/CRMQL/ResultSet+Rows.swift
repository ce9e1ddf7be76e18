import CRMQLCore

extension ResultSet: RandomAccessCollection {
    /// The first row's position, 0.
    public var startIndex: Int { 0 }
    /// One past the last row's position: `rowCount`.
    public var endIndex: Int { rowCount }

    /// The row at `position`, a view into the columns.
    /// - Complexity: O(1).
    public subscript(position: Int) -> Row { Row(result: self, position: position) }

    /// Every row decoded as `type` (see `Row.decode`).
    /// - Throws: `CRMQLError` naming the first column that does not fit.
    /// - Complexity: O(rows × columns).
    public func decode<T: Decodable>(_ type: T.Type) throws(CRMQLError) -> [T] {
        var decoded: [T] = []
        decoded.reserveCapacity(rowCount)
        for row in self { decoded.append(try row.decode(type)) }
        return decoded
    }

    /// The rows one at a time, each decoded as `type` only when it is
    /// reached: for results too large to hold as an array of structs.
    public func stream<T: Decodable>(as type: T.Type) -> ResultStream<T> {
        ResultStream(self)
    }

    /// The rows one at a time.
    public func stream() -> ResultStream<Row> {
        ResultStream(self)
    }
}
