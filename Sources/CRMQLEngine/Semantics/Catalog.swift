import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

/// A computed field: `define customers.value = revenue - …`.
public struct Definition: Sendable {
    public var entity: String
    public var name: String
    var expr: Expr
    var source: SourceFile
    /// Whether the expression names a `$parameter`: its measure then
    /// depends on the parameters' values, not only on data and definitions.
    var usesParameters: Bool
    /// The expression as written, shown by `describe`.
    public var text: String
    /// True for the measures the CRM prelude defines.
    public var fromPrelude: Bool
}

/// A named query: `let vip = select customers where tier = platinum`.
struct LetQuery: Sendable {
    var name: String
    var query: Query
    var source: SourceFile
    var text: String
}

/// A scalar function a host registered (`db.register("margin") { … }`).
public struct HostFunction: Sendable {
    /// Number of arguments, or nil for any number.
    public var arity: Int?
    public var returnType: DataType
    public var body: @Sendable ([Value]) throws -> Value
    public init(arity: Int?, returnType: DataType, body: @escaping @Sendable ([Value]) throws -> Value) {
        self.arity = arity
        self.returnType = returnType
        self.body = body
    }
}

/// Everything names can resolve to while one statement is bound: the store's
/// schema, computed fields, relations, parameters, functions and settings.
final class Catalog {
    let store: Store
    let definitions: [String: [Definition]]
    let parameters: [String: Value]
    let hostFunctions: [String: HostFunction]
    let today: Int64
    let fiscalYearStart: Int
    /// `set fast_paths`: whether the planner may choose fast paths.
    let fastPathsEnabled: Bool
    /// The session's models, by name: model functions and model sources.
    let models: [String: ModelEntry]
    /// `set threads`: how many threads a statement's big loops may use.
    let parallelism: Parallelism
    private var boundComputed: [String: BoundExpr] = [:]

    init(store: Store, definitions: [String: [Definition]], parameters: [String: Value],
         hostFunctions: [String: HostFunction], today: Int64, fiscalYearStart: Int, fastPathsEnabled: Bool = true,
         models: [String: ModelEntry] = [:], parallelism: Parallelism = .serial) {
        self.fastPathsEnabled = fastPathsEnabled
        self.parallelism = parallelism
        self.models = models
        self.store = store
        self.definitions = definitions
        self.parameters = parameters
        self.hostFunctions = hostFunctions
        self.today = today
        self.fiscalYearStart = fiscalYearStart
    }

    func definition(entity: String, field: String) -> Definition? {
        definitions[entity]?.first { $0.name == field }
    }

    /// The child entity and its ref field when `name` is a relation of
    /// `entity`: an entity with a ref to it (`orders` of `customers`).
    func relation(of entity: String, named name: String) -> (child: String, refField: Int)? {
        guard let child = store[name] else { return nil }
        for (index, field) in child.fields.enumerated() {
            if case .ref(let parent) = field.type, parent == entity { return (name, index) }
        }
        return nil
    }

    /// Relations of an entity, by child entity name.
    func relations(of entity: String) -> [String] {
        store.entityNames.filter { relation(of: entity, named: $0) != nil }
    }

    /// Every name an expression over `entity` may use, for "did you mean".
    func names(in entity: String) -> [String] {
        let stored = store[entity]?.fields.map(\.name) ?? []
        let computed = definitions[entity]?.map(\.name) ?? []
        return stored + computed + relations(of: entity)
    }

    func keyType(of entity: String) -> DataType {
        guard let target = store[entity], let key = target.keyFieldIndex else { return .int }
        return target.fields[key].type
    }

    func parameter(_ name: String) -> Value? { parameters[name] }
    var parameterNames: [String] { parameters.keys.sorted() }
    func hostFunction(_ name: String) -> HostFunction? { hostFunctions[name] }
    var hostFunctionNames: [String] { hostFunctions.keys.sorted() }

    func cachedComputedType(entity: String, field: String) -> DataType? { boundComputed[entity + "." + field]?.type }
    func cachedComputed(entity: String, field: String) -> BoundExpr? { boundComputed[entity + "." + field] }
    func cacheComputed(entity: String, field: String, bound: BoundExpr) { boundComputed[entity + "." + field] = bound }
}
