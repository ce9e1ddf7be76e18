import CRMQLCore

/// A stored field of an entity.
public struct Field: Sendable, Hashable {
    public var name: String
    public var type: DataType
    public var isKey: Bool

    public init(name: String, type: DataType, isKey: Bool = false) {
        self.name = name
        self.type = type
        self.isKey = isKey
    }
}

/// A named table: fields and one column per field, all the same length.
///
/// A value type: a statement mutates a copy of the store and commits it only
/// when it succeeds, so a failed statement leaves nothing behind. Swift's
/// copy-on-write keeps the untouched columns shared.
public struct Entity: Sendable {
    public var name: String
    public private(set) var fields: [Field]
    public private(set) var columns: [Column]
    public private(set) var rowCount: Int
    /// Bumped by every change, so caches keyed by it (indexes, adjacency,
    /// measures) can never serve stale data.
    public private(set) var version: UInt64
    /// Each column's own version: the entity's version when that column
    /// last changed. A structure built from one column (a field's index, its
    /// dictionary) stays valid while an `update` changes other fields.
    public private(set) var columnVersions: [UInt64]

    public init(name: String, fields: [Field]) {
        self.name = name
        self.fields = fields
        self.columns = fields.map { Column(empty: $0.type) }
        self.rowCount = 0
        self.version = Entity.nextVersion()
        self.columnVersions = Array(repeating: version, count: fields.count)
    }

    /// Builds an entity from ready columns (a load, a snapshot).
    public init(name: String, fields: [Field], columns: [Column]) {
        precondition(fields.count == columns.count)
        self.name = name
        self.fields = fields
        self.columns = columns
        self.rowCount = columns.first?.count ?? 0
        self.version = Entity.nextVersion()
        self.columnVersions = Array(repeating: version, count: fields.count)
    }

    public func fieldIndex(_ name: String) -> Int? { fields.firstIndex { $0.name == name } }
    public var keyFieldIndex: Int? { fields.firstIndex { $0.isKey } }

    public mutating func replaceColumns(fields: [Field], columns: [Column]) {
        self.fields = fields
        self.columns = columns
        self.rowCount = columns.first?.count ?? 0
        touch()
    }

    public mutating func setColumn(_ index: Int, _ column: Column) {
        columns[index] = column
        let others = columnVersions
        touch()
        for other in others.indices where other != index { columnVersions[other] = others[other] }
    }

    /// Appends rows given as one value per field, already of the fields' types.
    public mutating func append(rows: [[Value]]) {
        for fieldIndex in fields.indices {
            var column = columns[fieldIndex]
            columns[fieldIndex] = Column(empty: .null)
            for row in rows { column.append(row[fieldIndex]) }
            columns[fieldIndex] = column
        }
        rowCount += rows.count
        touch()
    }

    /// Keeps only the rows whose positions are in `keep` (ascending).
    public mutating func keepRows(_ keep: [Int32]) {
        columns = columns.map { $0.gather(keep) }
        rowCount = keep.count
        touch()
    }

    /// A new version for the entity and every column.
    public mutating func touch() {
        version = Entity.nextVersion()
        columnVersions = Array(repeating: version, count: columns.count)
    }

    private static let counter = VersionCounter()
    static func nextVersion() -> UInt64 { counter.next() }
}

import Synchronization

final class VersionCounter: Sendable {
    private let value = Atomic<UInt64>(0)
    func next() -> UInt64 { value.add(1, ordering: .relaxed).newValue }
}
