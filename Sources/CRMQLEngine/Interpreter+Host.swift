import CRMQLCore
import CRMQLStorage
import CRMQLSyntax
import Foundation

// Entry points only an embedding host uses: a statement parsed once and run
// many times with different parameter values, and a snapshot opened by the
// host rather than by an `open` statement.

extension Interpreter {
    /// Runs an already-parsed statement with parameter values that hold for
    /// this run only: each `$name` in `values` binds to its value, then the
    /// session's parameters are restored, whether the statement succeeds or not.
    ///
    /// A query is compiled with its parameters as slots the first time and
    /// later runs fill them (see `CompiledQuery`); other statements bind
    /// the values as constants.
    public func execute(_ statement: Statement, _ source: SourceFile, binding values: [String: Value],
                        output: (EngineOutput) -> Void) throws {
        if values.isEmpty { return try execute(statement, source, output: output) }
        var previous: [String: Value?] = [:]
        for (name, value) in values {
            previous[name] = .some(state.parameters[name])
            state.parameters[name] = value
        }
        // Computed-field columns are cached by data and definitions, not by
        // parameter values: while a definition that uses a parameter sees
        // these values, the session's definitions go by a generation no other
        // state has, so nothing is cached or found under the usual one.
        let definitionsUseParameters = state.definitions.values.contains { $0.contains(where: \.usesParameters) }
        let savedGeneration = state.definitionsGeneration
        let overlayGeneration = definitionsUseParameters ? Interpreter.nextGeneration() : nil
        if let overlayGeneration { state.definitionsGeneration = overlayGeneration }
        defer {
            for (name, value) in previous { state.parameters[name] = value }
            // A statement that changed definitions keeps them, under a
            // generation of its own: its measures saw these values.
            if let overlayGeneration {
                state.definitionsGeneration = state.definitionsGeneration == overlayGeneration
                    ? savedGeneration : Interpreter.nextGeneration()
            }
        }
        try execute(statement, source, output: output)
    }

    /// Replaces the store, definitions and named queries with a snapshot's,
    /// the way `open "<file>"` does. The host chose the file, so this works
    /// in safe mode too, where the `open` statement is refused.
    /// - Throws: an I/O `Diagnostic`; the session is then unchanged.
    public func openSnapshot(atPath path: String) throws {
        _ = try replaceSession(withSnapshotAt: path, errorsAt: nil)
    }

    /// The names built-in functions take; a host function may not reuse one,
    /// because built-ins are resolved first and would hide it.
    public static var builtinFunctions: Set<String> { Set(builtinFunctionNames) }
}
