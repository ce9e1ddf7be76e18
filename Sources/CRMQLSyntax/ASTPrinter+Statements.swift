import CRMQLCore

extension ASTPrinter {
    static func statementText(_ kind: StatementKind) -> String {
        switch kind {
        case .query(let query):
            return queryText(query)
        case .letQuery(let name, let query):
            return "let \(nameText(name.text)) = \(queryText(query))"
        case .param(let name, let value):
            return "param $\(name.text) = \(print(value))"
        case .set(let name, let value):
            return "set \(nameText(name.text)) = \(print(value))"
        case .define(let entity, let field, let expr):
            return "define \(nameText(entity.text)).\(nameText(field.text)) = \(print(expr))"
        case .createEntity(let name, let fields):
            let list = fields.map(fieldText).joined(separator: ", ")
            return "create entity \(nameText(name.text)) (\(list))"
        case .load(let entity, let path, let options):
            var text = "load \(nameText(entity.text)) from \(print(path))"
            if !options.isEmpty {
                text += " with (" + options.map { wordText($0.name.text) + " = " + print($0.value) }.joined(separator: ", ") + ")"
            }
            return text
        case .insert(let entity, let fields, let rows):
            var text = "insert into \(nameText(entity.text))"
            if !fields.isEmpty { text += " (" + fields.map { nameText($0.text) }.joined(separator: ", ") + ")" }
            text += " values " + rows.map { "(" + $0.map(print).joined(separator: ", ") + ")" }.joined(separator: ", ")
            return text
        case .update(let entity, let assignments, let whereClause):
            var text = "update \(nameText(entity.text)) set "
            text += assignments.map { nameText($0.field.text) + " = " + print($0.value) }.joined(separator: ", ")
            if let whereClause { text += " where " + print(whereClause) }
            return text
        case .delete(let entity, let whereClause, let cascade):
            var text = "delete \(nameText(entity.text, avoiding: ["from"]))"
            if let whereClause { text += " where " + print(whereClause) }
            return text + (cascade ? " cascade" : "")
        case .createIndex(let entity, let field):
            return "create index on \(nameText(entity.text))(\(nameText(field.text)))"
        case .dropIndex(let entity, let field):
            return "drop index on \(nameText(entity.text))(\(nameText(field.text)))"
        case .export(let query, let path):
            return "export \(queryText(query)) to \(print(path))"
        case .save(let path):
            return "save \(print(path))"
        case .open(let path):
            return "open \(print(path))"
        case .openDatabase(let path):
            return "open database \(print(path))"
        case .explain(let query, let analyze):
            return (analyze ? "explain analyze " : "explain ") + queryText(query)
        case .describe(let entity):
            return "describe \(nameText(entity.text))"
        case .showEntities:
            return "show entities"
        case .showIndexes:
            return "show indexes"
        case .model(let name, let fit):
            let list = fit.arguments.map { argument in
                (argument.label.map { wordText($0.text) + ": " } ?? "") + print(argument.value)
            }
            var text = "model \(nameText(name.text)) = \(nameText(fit.kind.text))(\(list.joined(separator: ", ")))"
            if let fitted = fit.fitted {
                text += " fitted (" + fitted.map { wordText($0.name.text) + " = " + print($0.value) }.joined(separator: ", ") + ")"
            }
            return text
        case .dropModel(let name):
            return "drop model \(nameText(name.text))"
        case .describeModel(let name):
            return "describe model \(nameText(name.text))"
        case .showModels:
            return "show models"
        case .help(let topic):
            return topic.map { "help " + $0.text } ?? "help"
        }
    }

    static func queryText(_ query: Query) -> String {
        var text = "select " + (query.isCount ? "count " : "")
        switch query.source {
        case .named(let name):
            text += nameText(name.text, avoiding: ["count"])
        case .function(let name, let arguments, _):
            let list = arguments.map { argument in
                (argument.label.map { wordText($0.text) + ": " } ?? "") + print(argument.value)
            }
            text += nameText(name.text, avoiding: ["count"]) + "(" + list.joined(separator: ", ") + ")"
        }
        if let asOf = query.asOf { text += " as of " + print(asOf) }
        if let whereClause = query.whereClause { text += " where " + print(whereClause) }
        if let groupBy = query.groupBy { text += " group by " + itemsText(groupBy) }
        if let having = query.having { text += " having " + print(having) }
        if let show = query.show { text += " show " + itemsText(show) }
        if let orderBy = query.orderBy {
            text += " order by " + orderBy.map { item in
                var text = print(item.expr)
                if item.descending { text += " desc" }
                if let nullsFirst = item.nullsFirst { text += nullsFirst ? " nulls first" : " nulls last" }
                return text
            }.joined(separator: ", ")
        }
        if let limit = query.limit { text += " limit " + print(limit) }
        if let offset = query.offset { text += " offset " + print(offset) }
        return text
    }

    static func itemsText(_ items: [ShowItem]) -> String {
        items.map { item in
            switch item {
            case .star: return "*"
            case .expr(let expr, let alias): return print(expr) + (alias.map { " as " + nameText($0.text) } ?? "")
            }
        }.joined(separator: ", ")
    }

    static func fieldText(_ field: FieldDeclaration) -> String {
        let type: String
        switch field.type {
        case .named(let name): type = name.text.lowercased()
        case .enumeration(let symbols, _): type = "enum(" + symbols.map { nameText($0.text) }.joined(separator: ", ") + ")"
        case .ref(let target, _): type = "ref " + nameText(target.text)
        }
        return nameText(field.name.text) + " " + type + (field.isKey ? " key" : "")
    }
}
