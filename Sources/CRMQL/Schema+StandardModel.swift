import CRMQLCore
import CRMQLStorage

extension Schema {
    /// The types the standard CRM model allows each of an entity's typed
    /// standard fields (`customers.points`: `int`; `interactions.at`: `date`
    /// or `datetime`), for an engine checking a server's tables against the
    /// model; nil for an entity the model does not name. Fields it does not
    /// list take the type their values have.
    public static func standardFieldTypes(of entity: String) -> [String: [DataType]]? {
        guard let rules = StandardModel.rules(for: entity) else { return nil }
        var types: [String: [DataType]] = [:]
        for (name, rule) in rules {
            switch rule {
            case .type(let type): types[name] = [type]
            case .dateOrDateTime: types[name] = [.date, .datetime]
            }
        }
        return types
    }
}
