import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

/// A session as it is at one moment, for running statements that only read
/// it on other threads while writes go on.
///
/// Taking one is cheap (the store, definitions and named queries are
/// copy-on-write values, so nothing is copied until a writer changes them) and
/// needs the session's lock only for that moment; a reader then runs on its
/// own `Interpreter(reading:)` without the lock, and never sees a statement
/// half applied, since a statement changes the session only as a whole.
public struct SessionSnapshot: Sendable {
    let state: SessionState
    let options: SessionOptions
    let interrupt: InterruptFlag
    let indexes: IndexCache
    let measures: MeasureCache
    let plans: PlanCache
    let parameterOverrides: [String: String]
    let hostFunctions: [String: HostFunction]
    let hostFunctionsGeneration: Int
    let limits: ExecutionLimits
}

extension Interpreter {
    /// The session as it is now.
    public func snapshot() -> SessionSnapshot {
        SessionSnapshot(state: state, options: options, interrupt: interrupt, indexes: indexes, measures: measures, plans: plans,
                        parameterOverrides: parameterOverrides, hostFunctions: hostFunctions,
                        hostFunctionsGeneration: hostFunctionsGeneration, limits: limits)
    }

    /// Whether a statement leaves the session as it found it, so it may run on
    /// a snapshot in parallel with others. `export` and `save` write a file
    /// but change nothing in the session.
    public static func isReadOnly(_ statement: Statement) -> Bool {
        switch statement.kind {
        case .query, .explain, .describe, .showEntities, .showIndexes, .help, .export, .save, .describeModel, .showModels:
            return true
        case .model, .dropModel, .letQuery, .param, .set, .define, .createEntity, .load, .insert, .update, .delete,
             .createIndex, .dropIndex, .open, .openDatabase:
            return false
        }
    }
}
