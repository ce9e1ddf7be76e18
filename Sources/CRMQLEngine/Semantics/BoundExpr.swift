import CRMQLCore
import CRMQLSyntax

/// An expression after name resolution and type checking: every name is a
/// column position, a relation or a function, and every node knows its type.
/// The evaluator runs these over whole columns, one node at a time.
struct BoundExpr: Sendable {
    var node: BoundNode
    var type: DataType
    var range: SourceRange

    init(_ node: BoundNode, _ type: DataType, _ range: SourceRange) {
        self.node = node
        self.type = type
        self.range = range
    }

    var isConstant: Bool { if case .constant = node { return true } else { return false } }

    /// `customer.region = north` seen from the customers: the ref followed,
    /// the parent entity, and the comparison over the parent's rows. Nil for
    /// any other shape. A child whose ref is null or dangling compares as
    /// null, so it passes exactly when its parent passes this comparison.
    var parentComparison: (refField: Int, parent: String, condition: BoundExpr)? {
        guard case .compare(let op, let left, let right) = node else { return nil }
        if case .navigate(let ref, let parent, let inner) = left.node, right.isConstant {
            return (ref, parent, BoundExpr(.compare(op, inner, right), .bool, range))
        }
        if case .navigate(let ref, let parent, let inner) = right.node, left.isConstant {
            return (ref, parent, BoundExpr(.compare(op, left, inner), .bool, range))
        }
        return nil
    }

    /// True when evaluating this over any rows gives a value for each and
    /// never an error: comparisons, day ranges, null tests and logic over
    /// fields, a parent's fields and constants. Arithmetic (which may
    /// overflow), functions and host calls are left out.
    var cannotFail: Bool {
        switch node {
        case .constant, .field: return true
        case .navigate(_, _, let inner): return inner.cannotFail
        case .not(let operand), .isNull(let operand, _): return operand.cannotFail
        case .dayRange(let operand, _, _, _): return operand.cannotFail
        case .compare(_, let left, let right), .and(let left, let right), .or(let left, let right):
            return left.cannotFail && right.cannotFail
        case .inList(let operand, let items, _): return operand.cannotFail && items.allSatisfy(\.cannotFail)
        default: return false
        }
    }

    /// `expr` as a number, folded when it is a constant: `amount > 500`
    /// then compares the column with a number, which filters and index
    /// probes take straight from the column. Same value as the evaluator's
    /// conversion.
    static func toNumber(_ expr: BoundExpr) -> BoundExpr {
        if case .constant(.int(let value)) = expr.node { return BoundExpr(.constant(.number(Double(value))), .number, expr.range) }
        return BoundExpr(.toNumber(expr), .number, expr.range)
    }

    /// `expr` as a datetime (midnight of a date), folded when it is a constant.
    static func toDatetime(_ expr: BoundExpr) -> BoundExpr {
        if case .constant(.date(let days)) = expr.node { return BoundExpr(.constant(.datetime(days &* 86_400)), .datetime, expr.range) }
        return BoundExpr(.toDatetime(expr), .datetime, expr.range)
    }
}

enum ArithmeticOperator: Sendable { case add, subtract, multiply, divide, modulo }
enum ComparisonOperator: Sendable { case equal, notEqual, less, lessEqual, greater, greaterEqual }
enum TextMatch: Sendable { case contains, startsWith, endsWith, matches }

/// Group aggregates and relation aggregates share these.
enum AggregateFunction: String, Sendable, CaseIterable {
    case count, sum, avg, min, max, median, percentile, stddev
}

/// `running_sum(x, order: placed, by: customer)` and its kin: an aggregate
/// of `x` over the rows up to and including this one in an order.
enum RunningFunction: String, Sendable, CaseIterable {
    case sum = "running_sum", count = "running_count", avg = "running_avg"
}

enum PopulationFunction: String, Sendable, CaseIterable {
    case ntile, quintile, percentRank = "percent_rank", rank, share
    /// Share of the total positive value held by the rows ranked above this
    /// one (value descending, ties by key): the 80/20 rule's running share.
    case shareAbove = "share_above"
}

/// `sum(orders.amount where channel = web)` seen from a customer: the child
/// entity, its ref field pointing back, and what to aggregate.
struct RelationAggregate: Sendable {
    var function: AggregateFunction
    var child: String
    var refField: Int
    var filter: BoundExpr?
    /// nil for `count(orders)`: count the children.
    var argument: BoundExpr?
    var distinct: Bool
    var fraction: Double?
}

/// Identifies a relation aggregate that is the same wherever it is
/// written: no filter, and a plain child field (or nothing) as argument.
/// Nil for any other, which is then never shared.
struct RelationMemoKey: Hashable, Sendable {
    var parent: String
    var child: String
    var refField: Int
    var function: AggregateFunction
    var argumentField: Int?
    var distinct: Bool
    var fraction: Double?
    var type: DataType

    init?(_ aggregate: RelationAggregate, parent: String, type: DataType) {
        guard aggregate.filter == nil else { return nil }
        switch aggregate.argument?.node {
        case nil: argumentField = nil
        case .field(let field)?: argumentField = field
        default: return nil
        }
        self.parent = parent
        child = aggregate.child
        refField = aggregate.refField
        function = aggregate.function
        distinct = aggregate.distinct
        fraction = aggregate.fraction
        self.type = type
    }
}

/// An aggregate over the query's rows (with `group by`, or one group).
struct GroupAggregate: Sendable {
    var function: AggregateFunction
    /// nil for `count()`.
    var argument: BoundExpr?
    var distinct: Bool
    var fraction: Double?
}

indirect enum BoundNode: Sendable {
    case constant(Value)
    /// `$name` in a query compiled once for many runs: a slot its value
    /// fills at each run (see `BoundExpr.instantiated`). With `symbolOf`, a
    /// text value compared with that enum, which fills in as its symbol.
    case parameter(String, symbolOf: EnumType?)
    /// A stored column of the scope's entity.
    case field(Int)
    /// `customer.region`: follow a ref field to the parent row and evaluate
    /// `inner` there.
    case navigate(refField: Int, parent: String, inner: BoundExpr)
    /// A `define`d field, computed over the whole entity once and cached.
    case computed(entity: String, name: String)
    case negate(BoundExpr)
    case not(BoundExpr)
    case arithmetic(ArithmeticOperator, BoundExpr, BoundExpr)
    /// date ± n units.
    case shift(BoundExpr, amount: Int64, unit: DurationUnit)
    case compare(ComparisonOperator, BoundExpr, BoundExpr)
    case and(BoundExpr, BoundExpr)
    case or(BoundExpr, BoundExpr)
    case concat(BoundExpr, BoundExpr)
    case textMatch(TextMatch, BoundExpr, BoundExpr)
    case isNull(BoundExpr, negated: Bool)
    case inList(BoundExpr, [BoundExpr], negated: Bool)
    /// An inclusive day range resolved when the statement is bound (`today`
    /// is fixed for a statement).
    case dayRange(BoundExpr, low: Int64, high: Int64, negated: Bool)
    case call(ScalarFunction, [BoundExpr])
    case caseWhen([(BoundExpr, BoundExpr)], otherwise: BoundExpr?)
    case relationAggregate(RelationAggregate)
    case exists(child: String, refField: Int, filter: BoundExpr?)
    case groupAggregate(GroupAggregate)
    /// In a grouped query: the value of the i-th `group by` key.
    case groupKey(Int)
    /// A population function over every row of the entity; with `by`, over
    /// the rows sharing this row's value of `by`.
    case population(PopulationFunction, BoundExpr, k: Int64, by: BoundExpr?)
    /// A running aggregate over every row of the entity (or of its `by`
    /// partition) in `order`, ties broken by the entity's key.
    case running(RunningFunction, BoundExpr?, order: BoundExpr, by: BoundExpr?)
    /// A function a host registered.
    case hostCall(String, [BoundExpr])
    /// `p_alive(purchases, id)`: a function of a model; the arguments are
    /// the key, then the function's own.
    case modelCall(model: String, function: String, [BoundExpr])
    /// Converts an enum or any value to its text, for mixed comparisons and `||`.
    case toText(BoundExpr)
    /// Converts int to number, date to datetime (midnight), to compare or mix them.
    case toNumber(BoundExpr)
    case toDatetime(BoundExpr)
}

/// Built-in scalar functions.
enum ScalarFunction: String, Sendable, CaseIterable {
    case abs, round, floor, ceil, sqrt, ln, exp, pow, min, max, coalesce
    case lower, upper, length, trim, substr
    case `if`
    case year, quarter, month, day, weekday, date
    case daysBetween = "days_between"
    case fiscalYear = "fiscal_year"
    case fiscalQuarter = "fiscal_quarter"
    /// `trunc(x, month)`: bound with the period as a constant text second
    /// argument (`"month"`, `"fiscal quarter"`).
    case trunc
    /// `format(x, "YYYY-MM")`: bound with a pattern already checked.
    case format
}
