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
    public private(set) var entities: [String: Entity] = [:]
    public var explicitIndexes: [IndexName] = []
    /// Each entity's version in creation order: what a cache stamps its
    /// entries with. Kept as entities change, since every statement reads it.
    public private(set) var entityVersions: [UInt64] = []

    public init() {}

    public subscript(name: String) -> Entity? {
        get { entities[name] }
        set {
            if let newValue {
                if let position = entityNames.firstIndex(of: name) {
                    entityVersions[position] = newValue.version
                } else {
                    entityNames.append(name)
                    entityVersions.append(newValue.version)
                }
                entities[name] = newValue
            } else {
                entities[name] = nil
                if let position = entityNames.firstIndex(of: name) {
                    entityNames.remove(at: position)
                    entityVersions.remove(at: position)
                }
                explicitIndexes.removeAll { $0.entity == name }
            }
        }
    }

    /// Entities in creation order.
    public var allEntities: [Entity] { entityNames.compactMap { entities[$0] } }
}
