import CRMQLCore

/// Where an explicit index sits: `create index on entity(field)`.
public struct IndexName: Hashable, Sendable {
    public var entity: String
    public var field: String
    public init(entity: String, field: String) {
        self.entity = entity
        self.field = field
    }
}

/// All stored data: entities in creation order, and the indexes a user asked
/// for. A value: statements work on a copy and commit it whole.
public struct Store: Sendable {
    public private(set) var entityNames: [String] = []
    /// The entities, in the order of `entityNames`. Found by name with a
    /// scan of the names while there are few (a handful in practice): every
    /// query looks its entity up several times, and hashing the name cost
    /// more than comparing a few short strings.
    private var list: [Entity] = []
    /// Positions by name, kept only once there are many entities.
    private var positions: [String: Int]?
    public var explicitIndexes: [IndexName] = []
    /// Each entity's version in creation order: what a cache stamps its
    /// entries with. Kept as entities change, since every statement reads it.
    public private(set) var entityVersions: [UInt64] = []

    /// TUNING: past this many entities a name is found by hashing.
    private static let scannedEntities = 16

    public init() {}

    /// The entities by name.
    public var entities: [String: Entity] {
        Dictionary(zip(entityNames, list), uniquingKeysWith: { first, _ in first })
    }

    private func position(of name: String) -> Int? {
        if let positions { return positions[name] }
        return entityNames.firstIndex(of: name)
    }

    public subscript(name: String) -> Entity? {
        get { position(of: name).map { list[$0] } }
        set {
            if let newValue {
                if let position = position(of: name) {
                    entityVersions[position] = newValue.version
                    list[position] = newValue
                } else {
                    entityNames.append(name)
                    entityVersions.append(newValue.version)
                    list.append(newValue)
                    if positions != nil {
                        positions?[name] = entityNames.count - 1
                    } else if entityNames.count > Store.scannedEntities {
                        positions = Dictionary(uniqueKeysWithValues: entityNames.enumerated().map { ($1, $0) })
                    }
                }
            } else if let position = position(of: name) {
                entityNames.remove(at: position)
                entityVersions.remove(at: position)
                list.remove(at: position)
                if positions != nil {
                    positions = entityNames.count > Store.scannedEntities
                        ? Dictionary(uniqueKeysWithValues: entityNames.enumerated().map { ($1, $0) }) : nil
                }
                explicitIndexes.removeAll { $0.entity == name }
            }
        }
    }

    /// Entities in creation order.
    public var allEntities: [Entity] { list }
}
