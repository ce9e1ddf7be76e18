import CRMQLCore
import CRMQLEngine
import CRMQLSyntax

extension Database {
    /// Makes a Swift function callable in queries, as a scalar function of
    /// the row: `select customers show name, margin(revenue, value)`.
    ///
    /// ```swift
    /// try db.register("margin", arity: 2) { arguments in
    ///     guard let revenue = arguments[0].doubleValue, let value = arguments[1].doubleValue,
    ///           revenue != 0 else { return .null }
    ///     return .number(value / revenue)
    /// }
    /// ```
    ///
    /// The function is called once per row (once in all when every argument
    /// is a constant), with arguments that may be null. A value that is not
    /// of the declared type becomes null (an `int` is accepted for
    /// `number`). An error it throws fails the statement, with the
    /// function's name and the error's description as the message.
    ///
    /// The function runs while the database is busy with the statement: it
    /// must not use the database itself.
    /// - Parameters:
    ///   - name: a name that is not a built-in function or a reserved word;
    ///     registering a name again replaces the function.
    ///   - arity: the number of arguments it takes; nil for any number.
    ///   - type: the type of what it returns, which queries see.
    ///   - body: computes the result from the arguments' values.
    /// - Throws: `CRMQLError` when the name cannot be used.
    public func register(_ name: String, arity: Int? = nil, returns type: DataType = .number,
                         _ body: @escaping @Sendable ([Value]) throws -> Value) throws(CRMQLError) {
        try Database.checkFunctionName(name)
        if let arity, arity < 0 {
            throw CRMQLError(phase: .semantic, message: "a function cannot take \(arity) arguments")
        }
        switch type {
        case .int, .number, .text, .bool, .date, .datetime: break
        default:
            throw CRMQLError(phase: .semantic, message: "a host function returns int, number, text, bool, date or datetime, not \(type.kindName)")
        }
        engine.withLock { $0.hostFunctions[name] = HostFunction(arity: arity, returnType: type, body: body) }
    }

    /// Removes a function `register` added; queries that use it then fail
    /// with `unknown function`. Does nothing when no such function is registered.
    public func unregister(_ name: String) {
        _ = engine.withLock { $0.hostFunctions.removeValue(forKey: name) }
    }

    /// The names of the functions the host registered, sorted.
    public var registeredFunctions: [String] {
        engine.withLock { $0.hostFunctions.keys.sorted() }
    }

    /// A function name must read as a plain identifier in a query, and must
    /// not be hidden by a built-in (built-ins are found first, ignoring case).
    static func checkFunctionName(_ name: String) throws(CRMQLError) {
        let scalars = Array(name.unicodeScalars)
        guard let first = scalars.first, first.properties.isAlphabetic || first == "_",
              scalars.allSatisfy({ $0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_" }) else {
            throw CRMQLError(phase: .semantic, message: "'\(name)' is not a function name: use letters, digits and '_', not starting with a digit")
        }
        let lowered = name.lowercased()
        if Interpreter.builtinFunctions.contains(lowered) {
            throw CRMQLError(phase: .semantic, message: "'\(name)' is a built-in function; choose another name")
        }
        if Keywords.reserved.contains(lowered) {
            throw CRMQLError(phase: .semantic, message: "'\(name)' is a reserved word; choose another name")
        }
    }
}
