import CRMQLCore
import CRMQLEngine
import CRMQLStorage

/// What a database holds, by name: entities with their fields, computed
/// fields and relations; named queries; parameters; functions.
///
/// A snapshot: it does not change when statements run afterwards. Hosts use
/// it to list entities and fields, and `Completion` to complete names.
public struct Schema: Sendable {
    /// A stored field.
    public struct Field: Sendable, Hashable {
        /// The field's name.
        public let name: String
        /// Its type; `.enumeration` carries the symbols in declaration order.
        public let type: DataType
        /// Whether this field is the entity's key.
        public let isKey: Bool

        /// The symbols of an enum field, in declaration order; nil for other types.
        public var enumSymbols: [String]? {
            if case .enumeration(let enumType) = type { return enumType.symbols }
            return nil
        }

        /// The entity a `ref` field points to; nil for other types.
        public var referencedEntity: String? {
            if case .ref(let entity) = type { return entity }
            return nil
        }

        /// Describes a stored field (for hosts and tests).
        public init(name: String, type: DataType, isKey: Bool = false) {
            self.name = name
            self.type = type
            self.isKey = isKey
        }
    }

    /// A computed field (`define customers.revenue = ...`).
    public struct ComputedField: Sendable, Hashable {
        /// The field's name.
        public let name: String
        /// The defining expression as written.
        public let definition: String
        /// True for the measures of the built-in CRM prelude.
        public let fromPrelude: Bool
        /// The type the definition computes, when it can be computed now.
        public let type: DataType?

        /// Describes a computed field (for hosts and tests).
        public init(name: String, definition: String, fromPrelude: Bool = false, type: DataType? = nil) {
            self.name = name
            self.definition = definition
            self.fromPrelude = fromPrelude
            self.type = type
        }

        /// The symbols, in order, when the field computes an enum.
        public var enumSymbols: [String]? {
            if case .enumeration(let enumType)? = type { return enumType.symbols }
            return nil
        }
    }

    /// An entity: a named table.
    public struct Entity: Sendable {
        /// The entity's name.
        public let name: String
        /// Stored fields in schema order.
        public let fields: [Field]
        /// Computed fields in definition order.
        public let computedFields: [ComputedField]
        /// Relations to child entities, named after the child (`orders` of
        /// `customers`): entities with a `ref` field pointing here.
        public let relations: [String]
        /// Number of rows.
        public let rowCount: Int

        /// Describes an entity (for hosts and tests).
        public init(name: String, fields: [Field], computedFields: [ComputedField] = [],
                    relations: [String] = [], rowCount: Int = 0) {
            self.name = name
            self.fields = fields
            self.computedFields = computedFields
            self.relations = relations
            self.rowCount = rowCount
        }

        /// A stored field by name.
        public func field(named name: String) -> Field? { fields.first { $0.name == name } }

        /// Every name an expression over this entity may use: stored fields,
        /// computed fields, then relations.
        public var allNames: [String] { fields.map(\.name) + computedFields.map(\.name) + relations }
    }

    /// Entities in creation order.
    public let entities: [Entity]
    /// Named queries (`let`), sorted; usable wherever an entity is.
    public let namedQueries: [String]
    /// Parameter names without `$`, sorted.
    public let parameters: [String]
    /// Every function name (scalar, aggregate, population and host functions), sorted.
    public let functions: [String]

    /// An entity by name.
    public func entity(named name: String) -> Entity? { entities.first { $0.name == name } }

    /// Builds a schema from its parts (for hosts and tests).
    public init(entities: [Entity], namedQueries: [String] = [], parameters: [String] = [], functions: [String] = []) {
        self.entities = entities
        self.namedQueries = namedQueries
        self.parameters = parameters
        self.functions = functions
    }
}

extension Schema {
    /// Reads the interpreter's current schema and definitions.
    init(_ interpreter: Interpreter) {
        let store = interpreter.store
        let definitions = interpreter.definitions
        entities = store.allEntities.map { entity in
            let relations = store.allEntities.filter { child in
                child.fields.contains { $0.type == .ref(entity.name) }
            }.map(\.name)
            return Entity(
                name: entity.name,
                fields: entity.fields.map { Field(name: $0.name, type: $0.type, isKey: $0.isKey) },
                computedFields: (definitions[entity.name] ?? []).map {
                    ComputedField(name: $0.name, definition: $0.text, fromPrelude: $0.fromPrelude,
                                  type: interpreter.computedFieldType(entity: entity.name, field: $0.name))
                },
                relations: relations,
                rowCount: entity.rowCount
            )
        }
        namedQueries = interpreter.namedQueryNames.sorted()
        parameters = interpreter.parameterNames.sorted()
        functions = Array(Set(interpreter.functionNames)).sorted()
    }
}

extension Database {
    /// A snapshot of the schema and the names statements can use.
    ///
    /// Waits while a statement runs (statements run one at a time).
    public var schema: Schema {
        engine.withLock { interpreter in Schema(interpreter) }
    }
}
