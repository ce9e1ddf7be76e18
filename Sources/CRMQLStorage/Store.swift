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

    public init() {}

    public subscript(name: String) -> Entity? {
        get { entities[name] }
        set {
            if let newValue {
                if entities[name] == nil { entityNames.append(name) }
                entities[name] = newValue
            } else {
                entities[name] = nil
                entityNames.removeAll { $0 == name }
                explicitIndexes.removeAll { $0.entity == name }
            }
        }
    }

    /// Entities in creation order.
    public var allEntities: [Entity] { entityNames.compactMap { entities[$0] } }

    /// Each entity's version in creation order: what a cache stamps its
    /// entries with, without copying the entities out.
    public var entityVersions: [UInt64] { entityNames.compactMap { entities[$0]?.version } }
}
