import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

// Models: fitted once by `model name = kind(...)`, kept in the session and
// in snapshots. Each kind of model lives in its own file and is listed in
// `ModelKinds.all`; everything else (the statements, model functions in
// expressions, a model as a table source, snapshots) is the same for all.

/// A function a kind of model offers in expressions: `p_alive(m, key)`.
struct ModelFunctionSignature: Sendable {
    var name: String
    /// The arguments after the model and the key, for messages; the first
    /// `required` of them must be given.
    var arguments: [String]
    var required: Int
    var resultType: DataType
    /// How a call reads, for messages: `clv(purchases, id, 12)`.
    var usage: String
}

/// A fitted model of any kind.
protocol FittedModel: Sendable {
    /// What `describe model` lists: the fitted parameters, the fit's
    /// measure of quality, the rows used.
    var parameters: [(name: String, value: Value)] { get }
    /// What a snapshot writes after `fitted` to restore this fit without
    /// fitting again.
    var savedParameters: [(name: String, value: Value)] { get }
    /// One line for `show models`: what it was fitted on.
    var summary: String { get }
    /// The model as a table, one row per key; nil for a model without keys.
    func table() -> QueryOutput?
    /// `function(m, key, arguments...)` for every row: `keys` is the key of
    /// each row, `arguments` the further arguments (each of `rows` values or
    /// a constant of one), on the threads of `work`.
    func evaluate(_ function: String, keys: Column, arguments: [Column], rows: Int, work: ModelWork) throws -> Column
}

/// How one kind of model is fitted (`bgnbd`, `clusters`, ...).
protocol ModelKind {
    /// The name a fit is called by: `bgnbd`.
    static var name: String { get }
    /// A call as an example, for messages.
    static var usage: String { get }
    static var functions: [ModelFunctionSignature] { get }
    /// Fits the model. With `restoring`, the parameters of an earlier fit
    /// (a snapshot's `fitted (...)`) are taken instead of fitted again.
    static func fit(_ fit: ModelFit, runner: QueryRunner, restoring: [String: (Value, SourceRange)]?) throws -> any FittedModel
}

enum ModelKinds {
    /// Every kind of model, by the name its fit is called by.
    static let all: [any ModelKind.Type] = [BGNBDModel.self, ClustersModel.self, ClassifierModel.self]

    static func kind(named name: String) -> (any ModelKind.Type)? {
        all.first { $0.name == name.lowercased() }
    }

    /// Every function name of every kind, for "did you mean" and for
    /// telling a misplaced model function from an unknown one.
    static var functionNames: [String] { all.flatMap { $0.functions.map(\.name) } }
}

/// A model kept in the session.
struct ModelEntry: Sendable {
    var name: String
    /// The kind's name (`ModelKinds.kind(named:)`).
    var kind: String
    var fit: ModelFit
    var source: SourceFile
    /// Nil for a model the prelude defines: fitted at its first use, and
    /// again once the data or `today` changed (`ModelCache`).
    var fitted: (any FittedModel)?
    var fromPrelude: Bool

    /// The fit as written: `bgnbd(orders, unit: week)`.
    var fitText: String { source.text(of: fit.range) }
}

/// The keys of a model (its `who:` values) and a lookup from a key to its
/// position, made by the key column's own storage.
struct ModelKeys: Sendable {
    let column: Column
    private let ints: [Int64: Int32]
    private let texts: [String: Int32]
    /// Integer keys in a narrow range (ids, refs): each key's position in
    /// an array indexed by the key less `low`, -1 for none; the look-ups
    /// of a measure over every customer then hash nothing.
    private let slots: [Int32]
    private let low: Int64

    init(_ column: Column) {
        self.column = column
        var ints: [Int64: Int32] = [:], texts: [String: Int32] = [:]
        var slots: [Int32] = [], low: Int64 = 0
        switch column.data {
        case .int(let values), .temporal(let values):
            if let minimum = values.min(), let maximum = values.max(),
               case let (span, overflow) = maximum.subtractingReportingOverflow(minimum), !overflow,
               span < Int64(max(4 * values.count, 1 << 16)) {
                // TUNING: an array of the key range when it is at most 4 slots per key (or 64K).
                low = minimum
                slots = [Int32](repeating: -1, count: Int(span) + 1)
                // The last of equal keys wins, as in the table.
                for (index, value) in values.enumerated() { slots[Int(value - minimum)] = Int32(index) }
            } else {
                ints.reserveCapacity(values.count)
                for (index, value) in values.enumerated() { ints[value] = Int32(index) }
            }
        case .codes(let codes):
            for index in 0..<codes.count { ints[Int64(codes[index])] = Int32(index) }
        case .text(let values):
            texts.reserveCapacity(values.count)
            for (index, value) in values.enumerated() { texts[value] = Int32(index) }
        case .number, .bool:
            break
        }
        self.ints = ints
        self.texts = texts
        self.slots = slots
        self.low = low
    }

    private func position(_ key: Int64) -> Int32 {
        guard !slots.isEmpty else { return ints[key] ?? -1 }
        let (offset, overflow) = key.subtractingReportingOverflow(low)
        return !overflow && offset >= 0 && offset < Int64(slots.count) ? slots[Int(offset)] : -1
    }

    var count: Int { column.count }

    /// Each row's position among the keys, -1 where the key is null or not
    /// a key of the model (a customer who had bought nothing).
    func positions(of keys: Column) -> [Int32] {
        var out = [Int32](repeating: -1, count: keys.count)
        switch keys.data {
        case .int(let values), .temporal(let values):
            for row in 0..<values.count where !keys.isNull(row) { out[row] = position(values[row]) }
        case .codes(let codes):
            // Codes compare only within the same enum type.
            guard keys.type == column.type else { break }
            for row in 0..<codes.count where !keys.isNull(row) { out[row] = ints[Int64(codes[row])] ?? -1 }
        case .text(let values):
            for row in 0..<values.count where !keys.isNull(row) { out[row] = texts[values[row]] ?? -1 }
        case .number(let values):
            for row in 0..<values.count where !keys.isNull(row) {
                if let whole = Int64(exactly: values[row]) { out[row] = position(whole) }
            }
        case .bool:
            break
        }
        return out
    }
}

/// The fits of models the prelude defines, made at their first use and
/// kept, shared by every reader of a session, while the store's data and
/// `today` stay as they were.
final class ModelCache: Sendable {
    struct Key: Hashable, Sendable {
        var name: String
        var entityVersions: [UInt64]
        var today: Int64
    }

    private let entries = Locked([Key: any FittedModel]())

    func fitted(_ key: Key) -> (any FittedModel)? { entries.withLock { $0[key] } }

    func keep(_ model: any FittedModel, _ key: Key) {
        entries.withLock { entries in
            // Fits of older data are never asked for again.
            entries = entries.filter { $0.key.name != key.name }
            entries[key] = model
        }
    }
}
