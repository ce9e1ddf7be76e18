import CRMQL

/// `.schema`: the schema written back as CRMQL statements that would
/// recreate it (`create entity …`, `define …`), so it can be read as code.
enum SchemaText {
    /// Every entity, or one; computed fields of the built-in prelude are
    /// listed only when a single entity is asked for, to keep the overview short.
    static func render(_ schema: Schema, entity name: String?) -> Result<String, ShellError> {
        let entities: [Schema.Entity]
        if let name {
            guard let entity = schema.entity(named: name) else {
                let known = schema.entities.map(\.name)
                if let match = DotCommandName.closest(to: name, among: known) {
                    return .failure(ShellError("unknown entity '\(name)'; did you mean '\(match)'?"))
                }
                return .failure(ShellError("unknown entity '\(name)'"))
            }
            entities = [entity]
        } else {
            entities = schema.entities
        }
        if entities.isEmpty { return .success("-- no entities yet: load a CSV file, or .demo for demo data\n") }
        var out = ""
        for entity in entities {
            out += createStatement(entity)
            for computed in entity.computedFields where name != nil || !computed.fromPrelude {
                out += "define \(quoted(entity.name)).\(quoted(computed.name)) = \(computed.definition)\n"
            }
            let preludeCount = entity.computedFields.filter(\.fromPrelude).count
            if name == nil, preludeCount > 0 {
                out += "-- and \(plural(preludeCount, "computed field")) of the prelude: .schema \(entity.name)\n"
            }
        }
        if name == nil, !schema.namedQueries.isEmpty {
            out += "-- named queries: " + schema.namedQueries.joined(separator: ", ") + "\n"
        }
        if name == nil, !schema.parameters.isEmpty {
            out += "-- parameters: " + schema.parameters.map { "$" + $0 }.joined(separator: ", ") + "\n"
        }
        return .success(out)
    }

    private static func createStatement(_ entity: Schema.Entity) -> String {
        let fields = entity.fields.map { field in
            "    \(quoted(field.name)) \(field.type)" + (field.isKey ? " key" : "")
        }
        return "create entity \(quoted(entity.name)) (\n" + fields.joined(separator: ",\n") + "\n)  -- \(plural(entity.rowCount, "row"))\n"
    }

    static func plural(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }

    /// A name as CRMQL source: backquoted unless it is a plain identifier.
    private static func quoted(_ name: String) -> String { DataDirectory.name(name) }
}
