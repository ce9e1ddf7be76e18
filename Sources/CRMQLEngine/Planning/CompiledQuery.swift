import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

/// A query bound and planned once and run many times: a prepared statement
/// run with new parameter values, or a dashboard's query sent again.
///
/// Parameters are slots in the bound tree, typed by the values the query was
/// compiled with; a run fills them (see `BoundExpr.instantiated`) and runs
/// the plan made at compile time, probing its index with its own values.
/// So a run neither resolves a name nor weighs one plan against another,
/// as a SQLite statement keeps its plan while its bindings change.
///
/// A class, since it is immutable and handed around on every run: a run
/// takes one reference to it instead of copying its bound tree.
final class CompiledQuery: Sendable {
    /// The bound query with its parameter slots.
    let query: BoundQuery
    let plan: PhysicalPlan
    let usesParameters: Bool

    init(query: BoundQuery, plan: PhysicalPlan, usesParameters: Bool) {
        self.query = query
        self.plan = plan
        self.usesParameters = usesParameters
    }
}

extension QueryRunner {
    /// Binds `query` over the stored `entity` with parameter slots and plans
    /// it with the parameters' current values.
    /// - Throws: `ParameterDependence` when what the query means depends on
    ///   a value (it is then planned anew at each run); a `Diagnostic` when
    ///   it does not bind.
    func compile(_ query: Query, _ entity: Entity) throws -> CompiledQuery {
        var slotted = self
        slotted.parameterSlots = true
        let bound = try slotted.bindQuery(query, entity)
        let usesParameters = bound.usesParameters
        guard let filled = usesParameters ? bound.instantiated(catalog.parameters) : bound else { throw ParameterDependence() }
        let source = try planSource(query)
        return CompiledQuery(query: bound, plan: makePlan(filled, source), usesParameters: usesParameters)
    }
}

/// Compiled queries of a session, shared by its snapshots' readers. An
/// entry is found only from the same source and state: the same data versions,
/// definitions, settings, explicit indexes, host functions and parameter
/// types.
final class PlanCache: Sendable {
    /// TUNING: long texts are scripts run once; short ones are queries that
    /// come back. A text longer than this is planned at each run, uncached.
    static let maximumTextBytes = 4096

    struct Key: Hashable, Sendable {
        /// The query's source, by identity: the same text from the database's
        /// parse cache, or a prepared statement's, is the same object. Held,
        /// so its address cannot be reused by another text while the entry lives.
        var source: SourceFile
        /// Where the query starts in the text, which may hold several.
        var offset: Int
        var stamp: StateStamp
        var indexes: [IndexName]
        var parameterTypes: [String: DataType]
        var hostFunctions: Int

        static func == (a: Key, b: Key) -> Bool {
            a.source === b.source && a.offset == b.offset && a.stamp == b.stamp && a.indexes == b.indexes
                && a.parameterTypes == b.parameterTypes && a.hostFunctions == b.hostFunctions
        }

        /// Hashes what tells entries apart cheaply; equality checks the rest.
        func hash(into hasher: inout Hasher) {
            hasher.combine(ObjectIdentifier(source))
            hasher.combine(offset)
            hasher.combine(stamp)
            hasher.combine(hostFunctions)
        }
    }

    private struct Table {
        var entries: [Key: CompiledQuery] = [:]
        /// Lookups that found a plan and plans kept, for tests that check
        /// runs skip the binder.
        var hits = 0
        var compiled = 0
    }

    private let table = Locked(Table())

    func lookup(_ key: Key) -> CompiledQuery? {
        table.withLock { table in
            let found = table.entries[key]
            if found != nil { table.hits += 1 }
            return found
        }
    }

    func keep(_ compiled: CompiledQuery, _ key: Key) {
        table.withLock { table in
            // TUNING: a dashboard's queries are a few dozen; a table emptied
            // when full bounds memory without bookkeeping per entry.
            if table.entries.count >= 256 { table.entries.removeAll() }
            table.entries[key] = compiled
            table.compiled += 1
        }
    }

    /// Forgets every plan: host functions changed.
    func clear() {
        table.withLock { $0.entries.removeAll() }
    }

    var counts: (hits: Int, compiled: Int) {
        table.withLock { ($0.hits, $0.compiled) }
    }
}

/// The plans one interpreter ran since its session last changed, found
/// without building a plan-cache key or taking the cache's lock: a reader
/// kept between reads runs the same few queries again and again.
///
/// An entry is good while the interpreter's generation is the one it was
/// kept under: the generation moves with every change to the state, the
/// settings or the host functions, and so with everything the plan-cache
/// key holds. (A statement with parameter values moves it too, so a
/// prepared statement finds its plan in the shared cache instead.)
struct RecentPlans {
    private var generation = -1
    private var entries: [(source: SourceFile, offset: Int, compiled: CompiledQuery)] = []

    func find(_ source: SourceFile, _ offset: Int, generation: Int) -> CompiledQuery? {
        guard generation == self.generation else { return nil }
        return entries.first { $0.source === source && $0.offset == offset }?.compiled
    }

    mutating func keep(_ compiled: CompiledQuery, _ source: SourceFile, _ offset: Int, generation: Int) {
        // TUNING: a host's working set of queries is small; a short list
        // scanned in order beats hashing at this size.
        if generation != self.generation || entries.count >= 8 {
            entries.removeAll(keepingCapacity: true)
            self.generation = generation
        }
        entries.append((source, offset, compiled))
    }
}
