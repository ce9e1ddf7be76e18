import CRMQLCore

/// Derived structures (key indexes, ref resolution, enum postings, sorted
/// indexes) built on first use and kept until the column they come from
/// changes.
///
/// Each entry remembers the version of the column it was built from
/// (`Entity.columnVersions`; for a ref, the ref column's and the parent's
/// key column's), and a lookup with any other version rebuilds it: an index
/// can never be stale, and nobody has to remember to invalidate. An
/// `update` of one field leaves the other fields' entries in use. One entry is kept per (kind, entity, field), so old versions
/// do not pile up. Safe to share between threads.
public final class IndexCache: Sendable {
    private enum Kind: Hashable, Sendable { case key, ref, postings, sorted, prefix, folded, dictionary, statistics, scaled }

    private struct Slot: Hashable, Sendable {
        var kind: Kind
        var entity: String
        var field: String
    }

    private enum Built: Sendable {
        case key(KeyIndex)
        case ref(RefIndex)
        case postings(PostingLists)
        case sorted(SortedIndex)
        case folded(FoldedText)
        /// Nil when the column has too many distinct texts, kept so that
        /// the column is not read again to find that out.
        case dictionary(TextDictionary?)
        case statistics(ColumnStatistics)
        /// Nil when the column is not whole hundredths, kept so that the
        /// column is not read again to find that out.
        case scaled(ScaledDecimals?)
    }

    /// The versions an entry was built from: the entity's, and for a ref
    /// the parent's too. Two fields, not a list: a lookup, made for every
    /// point query, should not allocate.
    private struct Versions: Equatable, Sendable {
        var entity: UInt64
        var parent: UInt64 = 0
    }

    private struct Entry: Sendable {
        var versions: Versions
        var built: Built
    }

    // `Locked`, not `Mutex`, so that ThreadSanitizer sees what the lock orders.
    private let entries = Locked<[Slot: Entry]>([:])

    /// Entities that hold a subset of another entity's rows, by name: their
    /// ref indexes are derived from the other's (`RefIndex.keeping`).
    private let subsets: [String: RowSubset]

    /// An empty cache.
    public init() { subsets = [:] }

    /// An empty cache whose ref indexes of the entities in `subsets` are
    /// gathered from the full entities' indexes in their own cache, built
    /// there first when missing, instead of resolved by key again.
    public init(subsets: [String: RowSubset]) { self.subsets = subsets }

    /// The index of an entity's key; nil when it has no int or text key.
    /// - Complexity: O(1) when cached, O(n) to build.
    public func keyIndex(of entity: Entity) -> KeyIndex? {
        guard let keyField = entity.keyFieldIndex else { return nil }
        let slot = Slot(kind: .key, entity: entity.name, field: entity.fields[keyField].name)
        let built = cached(slot, versions: Versions(entity: entity.columnVersions[keyField])) {
            KeyIndex(column: entity.columns[keyField]).map(Built.key)
        }
        if case .key(let index)? = built { return index }
        return nil
    }

    /// Both directions of `child.field`, a ref to `parent`.
    /// - Returns: nil when the field is not a ref to `parent` or the parent
    ///   has no usable key.
    public func refIndex(child: Entity, field: String, parent: Entity) -> RefIndex? {
        guard let fieldIndex = child.fieldIndex(field), case .ref(let target) = child.fields[fieldIndex].type,
              target == parent.name else { return nil }
        let slot = Slot(kind: .ref, entity: child.name, field: field)
        // The positions depend on the ref column and on the parent's keys,
        // whose column changes with any change of the parent's rows.
        let parentVersion = parent.keyFieldIndex.map { parent.columnVersions[$0] } ?? parent.version
        let built = cached(slot, versions: Versions(entity: child.columnVersions[fieldIndex], parent: parentVersion)) {
            // Derived only against a parent that is the full entity's own:
            // a parent that lost rows has other positions.
            if let subset = subsets[child.name], subsets[parent.name] == nil, subset.kept.count == child.rowCount,
               let full = subset.cache.refIndex(child: subset.source, field: field, parent: parent) {
                return full.keeping(subset.kept, childColumn: child.columns[fieldIndex]).map(Built.ref)
            }
            guard let keys = keyIndex(of: parent) else { return nil }
            return RefIndex(childColumn: child.columns[fieldIndex], parentKeys: keys, parentCount: parent.rowCount).map(Built.ref)
        }
        if case .ref(let index)? = built { return index }
        return nil
    }

    /// `refIndex(child:field:parent:)` with the parent looked up in `store`.
    public func refIndex(child: Entity, field: String, in store: Store) -> RefIndex? {
        guard let fieldIndex = child.fieldIndex(field), case .ref(let target) = child.fields[fieldIndex].type,
              let parent = store[target] else { return nil }
        return refIndex(child: child, field: field, parent: parent)
    }

    /// Rows by symbol of an enum field.
    public func postings(of entity: Entity, field: String) -> PostingLists? {
        let built = ofField(entity, field, .postings) { PostingLists(column: $0).map(Built.postings) }
        if case .postings(let lists)? = built { return lists }
        return nil
    }

    /// The sorted index of a field, for `=`, ranges, `between` and `in`.
    public func sortedIndex(of entity: Entity, field: String) -> SortedIndex? {
        sorted(entity, field, kind: .sorted)
    }

    /// The case-folded sorted index of a text field, for `starts with`.
    public func prefixIndex(of entity: Entity, field: String) -> SortedIndex? {
        sorted(entity, field, kind: .prefix)
    }

    private func sorted(_ entity: Entity, _ field: String, kind: Kind) -> SortedIndex? {
        let built = ofField(entity, field, kind) { SortedIndex(column: $0, foldCase: kind == .prefix).map(Built.sorted) }
        if case .sorted(let index)? = built { return index }
        return nil
    }

    /// A text field's rows case-folded into one buffer, for `contains`
    /// scans; built on first use, like the other derived structures.
    /// - Parameter foldNonASCII: the case folding, for texts not all ASCII.
    /// - Parameter poll: called while the buffer is built; what it throws
    ///   stops the build, and nothing is kept.
    public func foldedText(of entity: Entity, field: String, foldNonASCII: (String, inout [UInt8]) -> Void,
                           poll: () throws -> Void = {}) rethrows -> FoldedText? {
        let built = try ofField(entity, field, .folded) {
            try FoldedText(column: $0, foldNonASCII: foldNonASCII, poll: poll).map(Built.folded)
        }
        if case .folded(let text)? = built { return text }
        return nil
    }

    /// A text field's distinct texts and each row's number among them,
    /// built at the first request; nil when the field is not text or has
    /// too many distinct texts (remembered until the field changes).
    public func textDictionary(of entity: Entity, field: String) -> TextDictionary? {
        let built = ofField(entity, field, .dictionary) { column in
            guard case .text = column.data else { return nil }
            var stopped = false
            let dictionary = TextDictionary(column: column, stopped: &stopped)
            return stopped ? nil : .dictionary(dictionary)
        }
        if case .dictionary(let dictionary?)? = built { return dictionary }
        return nil
    }

    /// A number field's values as whole hundredths, built at the first
    /// request; nil when they are not all whole hundredths (remembered until
    /// the field changes). What a sum asks: whether a field's sums are
    /// exact must not depend on how often it was asked before.
    public func hundredths(of entity: Entity, field: String) -> ScaledDecimals? {
        let built = ofField(entity, field, .scaled) { column in
            guard case .number = column.data else { return nil }
            return .scaled(ScaledDecimals(column: column))
        }
        if case .scaled(let scaled?)? = built { return scaled }
        return nil
    }

    /// A sample of a numeric, date or datetime field's values, for the
    /// planner's estimates; nil for other fields.
    public func statistics(of entity: Entity, field: String) -> ColumnStatistics? {
        let built = ofField(entity, field, .statistics) { ColumnStatistics(column: $0).map(Built.statistics) }
        if case .statistics(let statistics)? = built { return statistics }
        return nil
    }

    /// Forgets everything (after `open` replaces the store, to free memory).
    public func removeAll() {
        entries.withLock { $0.removeAll() }
    }

    /// Forgets the entries of one entity (after it is dropped).
    public func remove(entity: String) {
        entries.withLock { table in table = table.filter { $0.key.entity != entity } }
    }

    /// Number of cached structures.
    public var count: Int { entries.withLock { $0.count } }

    /// What `build` makes of one field's column, kept until that column changes.
    private func ofField(_ entity: Entity, _ field: String, _ kind: Kind, build: (Column) throws -> Built?) rethrows -> Built? {
        guard let fieldIndex = entity.fieldIndex(field) else { return nil }
        return try cached(Slot(kind: kind, entity: entity.name, field: field), versions: Versions(entity: entity.columnVersions[fieldIndex])) {
            try build(entity.columns[fieldIndex])
        }
    }

    /// The entry for `slot` if it was built from `versions`, else builds it.
    /// Building happens outside the lock, so a slow build never blocks other
    /// lookups; two threads may race to build the same entry, which is harmless.
    private func cached(_ slot: Slot, versions: Versions, build: () throws -> Built?) rethrows -> Built? {
        if let entry = entries.withLock({ $0[slot] }), entry.versions == versions { return entry.built }
        guard let built = try build() else { return nil }
        entries.withLock { $0[slot] = Entry(versions: versions, built: built) }
        return built
    }
}

/// An entity made of some rows of another (`source`), kept in order: row
/// `i` of the subset is row `kept[i]` of `source`, whose indexes live in
/// `cache`.
public struct RowSubset: Sendable {
    /// The entity the rows were taken from.
    public let source: Entity
    /// Positions in `source`, ascending.
    public let kept: [Int32]
    /// The cache holding `source`'s indexes.
    public let cache: IndexCache

    /// A subset of `source`'s rows.
    public init(source: Entity, kept: [Int32], cache: IndexCache) {
        self.source = source
        self.kept = kept
        self.cache = cache
    }
}

/// A ref field: `field` of `entity` refers to `parent`.
public struct ReferenceLink: Sendable, Hashable {
    /// The child entity.
    public var entity: String
    /// The ref field of the child.
    public var field: String
    /// The entity referred to.
    public var parent: String

    /// A link from `entity.field` to `parent`.
    public init(entity: String, field: String, parent: String) {
        self.entity = entity
        self.field = field
        self.parent = parent
    }
}

/// The rows of one ref field that point at some parent rows.
public struct ReferencingRows: Sendable, Hashable {
    /// The ref field.
    public var link: ReferenceLink
    /// Child rows, ascending.
    public var rows: [Int32]
}

extension Store {
    /// Every ref field, in any entity (the parent itself included), that
    /// refers to `entityName`; in entity and field order.
    public func references(to entityName: String) -> [ReferenceLink] {
        var links: [ReferenceLink] = []
        for entity in allEntities {
            for field in entity.fields {
                if case .ref(let parent) = field.type, parent == entityName {
                    links.append(ReferenceLink(entity: entity.name, field: field.name, parent: parent))
                }
            }
        }
        return links
    }

    /// The child rows that refer to any of `parentRows` of `entityName`, per
    /// ref field; fields with no such rows are left out. What `delete` checks
    /// before removing rows (and removes with `cascade`).
    /// - Complexity: O(parent rows given + children found), once the ref
    ///   indexes are built.
    public func referencingRows(to entityName: String, parentRows: [Int32], cache: IndexCache) -> [ReferencingRows] {
        guard let parent = self[entityName] else { return [] }
        var result: [ReferencingRows] = []
        for link in references(to: entityName) {
            guard let child = self[link.entity], let index = cache.refIndex(child: child, field: link.field, parent: parent) else { continue }
            var rows: [Int32] = []
            for parentRow in parentRows { rows.append(contentsOf: index.children(of: Int(parentRow))) }
            guard !rows.isEmpty else { continue }
            rows.sort()
            var unique: [Int32] = []
            unique.reserveCapacity(rows.count)
            for row in rows where unique.last != row { unique.append(row) }
            result.append(ReferencingRows(link: link, rows: unique))
        }
        return result
    }
}
