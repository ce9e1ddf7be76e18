import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

extension QueryRunner {
    /// A query compiled to one SQL statement for a dialect. The query is
    /// bound exactly as it is to run in memory, so a misspelled field or a
    /// type error reads the same; what has no translation is an error that
    /// names the feature and points at it.
    func compileSQL(_ query: Query, dialect: SQLDialect) throws -> String {
        let (bound, entity) = try boundForSQL(query)
        return try SQLCompiler(dialect: dialect, catalog: catalog).compile(bound, entity)
    }

    /// The query bound over its entity, or the error naming what of it has
    /// no SQL translation.
    func boundForSQL(_ query: Query) throws -> (BoundQuery, Entity) {
        if let asOf = query.asOf {
            throw Diagnostic.semantic("'as of' has no SQL translation yet; run this query in memory", asOf.range)
        }
        let entity: Entity
        switch query.source {
        case .named(let name):
            guard let stored = catalog.store[name.text] else {
                if lets[name.text] != nil {
                    throw Diagnostic.semantic("a named query ('let \(name.text)') as a source has no SQL translation yet; run this query in memory", name.range)
                }
                let candidates = catalog.store.entityNames + lets.keys.sorted()
                throw Diagnostic.semantic(Suggestion.message("unknown entity '\(name.text)'", for: name.text, among: candidates), name.range)
            }
            entity = stored
        case .function(let name, _, _):
            throw Diagnostic.semantic("the table function '\(name.text)' has no SQL translation; run this query in memory", name.range)
        }
        return (try bindQuery(query, entity), entity)
    }
}
