import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

/// What names mean where an expression is bound: the entity whose rows the
/// expression runs over, and, in a grouped query, the group keys.
struct Scope {
    var entity: Entity
    /// Group keys by their normalised source text and alias, when grouped.
    var groupKeys: [GroupKey]?
    /// Whether aggregates over the query's rows may appear (show, having and
    /// order by of a grouped query).
    var allowsGroupAggregates: Bool { groupKeys != nil }

    struct GroupKey: Sendable {
        var text: String
        var alias: String?
        var bound: BoundExpr
    }

    init(entity: Entity, groupKeys: [GroupKey]? = nil) {
        self.entity = entity
        self.groupKeys = groupKeys
    }

    var entityName: String { entity.name }
}

/// Source text with runs of whitespace collapsed to one space: output column
/// names, and how a `show` expression is matched to a `group by` key.
func normalizedText(_ source: SourceFile, _ range: SourceRange) -> String {
    // A lone backquoted name is named by what it quotes: `first name`.
    let raw = source.text(of: range)
    if raw.count >= 2, raw.first == "`", raw.last == "`", !raw.dropFirst().dropLast().contains("`") {
        return String(raw.dropFirst().dropLast())
    }
    // Most names (`id`, `sum(amount)`) hold no space to collapse: an ASCII
    // check is far cheaper than a Unicode property per character.
    if !raw.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x80 }) { return String(raw) }
    var out = ""
    var pendingSpace = false
    for character in raw {
        if character.isWhitespace {
            pendingSpace = !out.isEmpty
        } else {
            if pendingSpace { out.append(" ") }
            pendingSpace = false
            out.append(character)
        }
    }
    return out
}

extension Diagnostic {
    static func semantic(_ message: String, _ range: SourceRange) -> Diagnostic {
        Diagnostic(.semantic, message, at: range)
    }

    static func runtime(_ message: String, _ range: SourceRange?) -> Diagnostic {
        Diagnostic(.runtime, message, at: range)
    }
}
