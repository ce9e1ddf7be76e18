import CRMQLCore

/// The standard CRM entities of Grammar/REFERENCE.md section 2: the types their
/// standard fields take whatever a file's values look like, so that
/// `stage` orders as a lifecycle (prospect … churned), not alphabetically,
/// and `points` stays an int even in a file where every value is empty.
public enum StandardModel {
    /// How a standard field gets its type.
    public enum Rule: Sendable, Hashable {
        /// Always this type.
        case type(DataType)
        /// `date` when every value is a date, `datetime` when some carry a time.
        case dateOrDateTime
    }

    /// The customer kinds, in the standard order.
    public static let customerKind = EnumType(["individual", "business"])
    /// Lifecycle stages, in lifecycle order.
    public static let stage = EnumType(["prospect", "growth", "mature", "decline", "churned"])
    /// Loyalty tiers, lowest first.
    public static let tier = EnumType(["bronze", "silver", "gold", "platinum"])
    /// Kinds of interaction.
    public static let interactionKind = EnumType(["call", "email", "visit", "chat", "complaint", "survey"])
    /// Outcomes of an interaction.
    public static let outcome = EnumType(["open", "resolved", "escalated"])

    /// The names of the standard entities, parents first.
    public static let entityNames = ["customers", "orders", "interactions"]

    /// Typed standard fields of a standard entity, in the standard order;
    /// nil for any other entity. Fields not listed (`region`, `owner`,
    /// `product`, …) are standard by name but take their inferred type; the
    /// key `id` and the `customer` ref follow the general rules (a column
    /// named `id`, a column named like an entity in the singular).
    public static func rules(for entity: String) -> [(name: String, rule: Rule)]? {
        switch entity {
        case "customers":
            return [
                ("name", .type(.text)), ("email", .type(.text)),
                ("kind", .type(.enumeration(customerKind))), ("stage", .type(.enumeration(stage))),
                ("tier", .type(.enumeration(tier))), ("loyalty", .type(.number)),
                ("expected", .type(.number)), ("perceived", .type(.number)), ("signup", .type(.date)),
                ("points", .type(.int)), ("service_cost", .type(.number)),
            ]
        case "orders":
            return [
                ("placed", .type(.date)), ("quantity", .type(.int)),
                ("amount", .type(.number)), ("cost", .type(.number)),
            ]
        case "interactions":
            return [
                ("at", .dateOrDateTime), ("kind", .type(.enumeration(interactionKind))),
                ("outcome", .type(.enumeration(outcome))), ("score", .type(.int)),
            ]
        default:
            return nil
        }
    }

    /// The rule of one field, when it has one.
    public static func rule(entity: String, field: String) -> Rule? {
        rules(for: entity)?.first { $0.name == field }?.rule
    }
}

/// How names relate entities: `customer` is the singular of `customers`.
public enum Naming {
    /// The singular forms a column may use to name an entity:
    /// `customers` → `customer`, `categories` → `category`,
    /// `addresses` → `address`, `boxes` → `box`. An entity whose name does not
    /// end in `s` has none.
    public static func singulars(of entityName: String) -> [String] {
        guard entityName.count > 1, entityName.hasSuffix("s") else { return [] }
        var forms = [String(entityName.dropLast())]
        if entityName.hasSuffix("ies"), entityName.count > 3 { forms.append(String(entityName.dropLast(3)) + "y") }
        for ending in ["ses", "xes", "zes", "ches", "shes"] where entityName.hasSuffix(ending) {
            forms.append(String(entityName.dropLast(2)))
        }
        return forms
    }

    /// The entity among `entityNames` that a column named `column` refers to
    /// (the first, in the given order), or nil.
    public static func referencedEntity(column: String, among entityNames: some Sequence<String>) -> String? {
        entityNames.first { singulars(of: $0).contains(column) }
    }
}
