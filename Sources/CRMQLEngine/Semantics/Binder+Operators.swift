import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

extension Binder {
    mutating func bindBinary(_ op: BinaryOperator, _ left: Expr, _ right: Expr, _ range: SourceRange, _ scope: Scope) throws -> BoundExpr {
        switch op {
        case .and, .or:
            let l = try bindExpr(left, scope)
            try requireBool(l, op.rawValue)
            let r = try bindExpr(right, scope)
            try requireBool(r, op.rawValue)
            return BoundExpr(op == .and ? .and(l, r) : .or(l, r), .bool, range)
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual:
            // The enum-symbol rule needs the other side's type first, so the
            // side that is not a bare identifier is bound first.
            var l: BoundExpr, r: BoundExpr
            if isBareIdentifier(left) && !isBareIdentifier(right) {
                r = try bindExpr(right, scope)
                l = try bindComparand(left, against: r, scope)
            } else {
                l = try bindExpr(left, scope)
                r = try bindComparand(right, against: l, scope)
            }
            // `"gold" > tier` binds the text before it knows the enum.
            l = symbolLiteral(l, comparedWith: r)
            r = symbolLiteral(r, comparedWith: l)
            return try makeComparison(comparison(op), l, r, range)
        case .concat:
            let l = try bindExpr(left, scope)
            let r = try bindExpr(right, scope)
            return BoundExpr(.concat(asText(l), asText(r)), .text, range)
        case .contains, .startsWith, .endsWith, .matches:
            let l = try bindExpr(left, scope)
            let r = try bindExpr(right, scope)
            for side in [l, r] where !(side.type == .text || side.type == .null || isEnum(side.type)) {
                throw Diagnostic.semantic("'\(op.rawValue)' works on text, but this is \(side.type.kindName)", side.range)
            }
            let match: TextMatch = op == .contains ? .contains : op == .startsWith ? .startsWith : op == .endsWith ? .endsWith : .matches
            // A pattern is checked when bound; one in a slot cannot be yet.
            if match == .matches, case .parameter = r.node { throw ParameterDependence() }
            if match == .matches, case .constant(.text(let pattern)) = r.node {
                do { _ = try CompiledPattern(pattern) } catch {
                    throw Diagnostic.semantic("invalid regular expression: \(ErrorText.of(error))", r.range)
                }
            }
            return BoundExpr(.textMatch(match, asText(l), asText(r)), .bool, range)
        case .add, .subtract:
            if case .duration(let amount, let unit) = right.kind {
                let l = try bindExpr(left, scope)
                guard l.type.isTemporal || l.type == .null else {
                    throw Diagnostic.semantic("a duration can only be added to a date or datetime, but this is \(l.type.kindName)", left.range)
                }
                let signed = op == .add ? amount : -amount
                return BoundExpr(.shift(l, amount: signed, unit: unit), l.type == .null ? .date : l.type, range)
            }
            if case .duration = left.kind {
                if op == .add { return try bindBinary(.add, right, left, range, scope) }
                throw Diagnostic.semantic("a date cannot be subtracted from a duration", range)
            }
            return try bindArithmetic(op, left, right, range, scope)
        case .multiply, .divide, .modulo:
            return try bindArithmetic(op, left, right, range, scope)
        }
    }

    mutating func bindArithmetic(_ op: BinaryOperator, _ left: Expr, _ right: Expr, _ range: SourceRange, _ scope: Scope) throws -> BoundExpr {
        let l = try bindExpr(left, scope)
        let r = try bindExpr(right, scope)
        if op == .subtract, l.type.isTemporal, r.type.isTemporal {
            // date − date is a whole number of days; datetimes count seconds
            // as fractional days would surprise, so they also give days.
            return BoundExpr(.arithmetic(.subtract, l, r), .int, range)
        }
        for side in [l, r] where !(side.type.isNumeric || side.type == .null) {
            let hint = side.type.isTemporal ? " (add a duration such as '30 days' to a date)" : ""
            throw Diagnostic.semantic("'\(op.rawValue)' needs numbers, but this is \(side.type.kindName)\(hint)", side.range)
        }
        let arithmetic: ArithmeticOperator
        switch op {
        case .add: arithmetic = .add
        case .subtract: arithmetic = .subtract
        case .multiply: arithmetic = .multiply
        case .divide: arithmetic = .divide
        default: arithmetic = .modulo
        }
        let type: DataType = (arithmetic == .divide || l.type == .number || r.type == .number) ? .number : .int
        return BoundExpr(.arithmetic(arithmetic, l, r), type, range)
    }

    /// A text constant that names a symbol of the other side's enum, as that
    /// symbol, so it compares in declaration order.
    func symbolLiteral(_ expr: BoundExpr, comparedWith other: BoundExpr) -> BoundExpr {
        if case .enumeration(let enumType) = other.type, case .parameter(let name, symbolOf: nil) = expr.node, expr.type == .text {
            return BoundExpr(.parameter(name, symbolOf: enumType), other.type, expr.range)
        }
        guard case .enumeration(let enumType) = other.type, case .constant(.text(let text)) = expr.node,
              let code = enumType.code(of: text) else { return expr }
        return BoundExpr(.constant(.symbol(code, enumType)), other.type, expr.range)
    }

    func isBareIdentifier(_ expr: Expr) -> Bool {
        if case .identifier(_, quoted: false) = expr.kind { return true }
        return false
    }

    func isEnum(_ type: DataType) -> Bool {
        if case .enumeration = type { return true }
        return false
    }

    func asText(_ expr: BoundExpr) -> BoundExpr {
        if expr.type == .text || expr.type == .null { return expr }
        return BoundExpr(.toText(expr), .text, expr.range)
    }

    func comparison(_ op: BinaryOperator) -> ComparisonOperator {
        switch op {
        case .equal: return .equal
        case .notEqual: return .notEqual
        case .less: return .less
        case .lessEqual: return .lessEqual
        case .greater: return .greater
        default: return .greaterEqual
        }
    }

    /// Binds the other side of a comparison with `against`: a bare identifier
    /// names one of the enum's symbols when it is one (`stage = mature`), and
    /// a text literal compared with an enum becomes its symbol.
    mutating func bindComparand(_ expr: Expr, against other: BoundExpr, _ scope: Scope) throws -> BoundExpr {
        if case .enumeration(let enumType) = other.type {
            if case .identifier(let name, quoted: false) = expr.kind {
                if let code = enumType.code(of: name) {
                    return BoundExpr(.constant(.symbol(code, enumType)), other.type, expr.range)
                }
                let isName = scope.entity.fieldIndex(name) != nil
                    || catalog.definition(entity: scope.entityName, field: name) != nil
                    || scope.groupKeys?.contains(where: { $0.alias == name }) == true
                if !isName {
                    let candidates = enumType.symbols + catalog.names(in: scope.entityName)
                    let field = normalizedText(source, other.range)
                    throw Diagnostic.semantic(Suggestion.message("'\(name)' is not a value of \(field) \(enumType) nor a field", for: name, among: candidates), expr.range)
                }
            }
            if case .literal(.text(let text)) = expr.kind, let code = enumType.code(of: text) {
                return BoundExpr(.constant(.symbol(code, enumType)), other.type, expr.range)
            }
        }
        if other.type == .text, case .identifier(let name, quoted: false) = expr.kind {
            // Gathered only here: every comparison passes this point.
            let known = scope.entity.fields.map(\.name) + catalog.names(in: scope.entityName) + (scope.groupKeys ?? []).compactMap(\.alias)
            guard !known.contains(name), name.lowercased() != "today" else { return try bindExpr(expr, scope) }
            // Only enum fields take bare symbols; a text field needs a string.
            let base = "unknown field '\(name)'"
            if let match = Suggestion.closest(to: name, among: known) {
                throw Diagnostic.semantic("\(base); did you mean '\(match)'? (to compare with the text, quote it: \"\(name)\")", expr.range)
            }
            throw Diagnostic.semantic("\(base) (to compare with the text, quote it: \"\(name)\")", expr.range)
        }
        return try bindExpr(expr, scope)
    }

    /// Checks that two sides can be compared and inserts the conversions that
    /// make their column types equal.
    func makeComparison(_ op: ComparisonOperator, _ l: BoundExpr, _ r: BoundExpr, _ range: SourceRange) throws -> BoundExpr {
        let left = try coerce(l, toCompareWith: r)
        let right = try coerce(r, toCompareWith: l)
        if case .enumeration = left.type, left.type != right.type, right.type != .null {
            throw Diagnostic.semantic("cannot compare \(l.type.kindName) with \(r.type.kindName)", range)
        }
        return BoundExpr(.compare(op, left, right), .bool, range)
    }

    func coerceSelf(_ x: BoundExpr, forListOf items: [BoundExpr]) throws -> BoundExpr {
        var result = x
        for item in items { result = try coerce(result, toCompareWith: item) }
        return result
    }

    /// The form of `expr` that compares with `other` column to column.
    func coerce(_ expr: BoundExpr, toCompareWith other: BoundExpr) throws -> BoundExpr {
        let a = comparable(expr.type), b = comparable(other.type)
        switch (a, b) {
        case (_, .null), (.null, _): return expr
        case (.int, .number): return BoundExpr.toNumber(expr)
        case (.number, .int): return expr
        case (.date, .datetime): return BoundExpr.toDatetime(expr)
        case (.datetime, .date): return expr
        case (.enumeration, .text): return BoundExpr(.toText(expr), .text, expr.range)
        case (.text, .enumeration): return expr
        case let (x, y) where x == y: return expr
        default:
            throw Diagnostic.semantic("cannot compare \(expr.type.kindName) with \(other.type.kindName)", other.range.union(expr.range))
        }
    }

    /// Refs compare as their key's type.
    func comparable(_ type: DataType) -> DataType {
        if case .ref(let parent) = type {
            return catalog.keyType(of: parent)
        }
        return type
    }
}
