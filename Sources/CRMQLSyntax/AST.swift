import CRMQLCore

// The syntax tree of CRMQL. Every node carries the source range it was
// parsed from: diagnostics point at it, and output column names are the
// source text of `show` expressions.

/// A name as written (an entity, field, alias, function or parameter name).
public struct Name: Hashable, Sendable {
    public var text: String
    public var range: SourceRange
    public init(_ text: String, _ range: SourceRange) {
        self.text = text
        self.range = range
    }
}

/// A whole script: the statements in order.
public struct Script: Sendable {
    public var statements: [Statement]
    public init(statements: [Statement]) { self.statements = statements }
}

public struct Statement: Sendable {
    public var kind: StatementKind
    public var range: SourceRange
    public init(_ kind: StatementKind, _ range: SourceRange) {
        self.kind = kind
        self.range = range
    }
}

public indirect enum StatementKind: Sendable {
    case query(Query)
    /// `let name = <query>`
    case letQuery(name: Name, query: Query)
    /// `param $name = <literal>`
    case param(name: Name, value: Expr)
    /// `set today = 2026-06-30`, `set fiscal_year_start = 4`
    case set(name: Name, value: Expr)
    /// `define customers.field = <expr>`
    case define(entity: Name, field: Name, expr: Expr)
    /// `create entity name (field type [key], ...)`
    case createEntity(name: Name, fields: [FieldDeclaration])
    /// `load entity from "file" [with (option = value, ...)]`
    case load(entity: Name, path: Expr, options: [OptionItem])
    /// `insert into entity (f, ...) values (v, ...), ...`
    case insert(entity: Name, fields: [Name], rows: [[Expr]])
    /// `update entity set f = expr, ... [where expr]`
    case update(entity: Name, assignments: [Assignment], whereClause: Expr?)
    /// `delete entity [where expr] [cascade]`
    case delete(entity: Name, whereClause: Expr?, cascade: Bool)
    case createIndex(entity: Name, field: Name)
    case dropIndex(entity: Name, field: Name)
    /// `export <query> to "file"`
    case export(query: Query, path: Expr)
    /// `export chart <kind> <query> to "file.svg"`: the query's result drawn
    /// as a chart; `kind` is one of `ChartKind`'s names (the parser checks).
    case exportChart(kind: Name, query: Query, path: Expr)
    case save(path: Expr)
    case open(path: Expr)
    /// `open database "file"`: the session becomes that database file's,
    /// every later change logged to it.
    case openDatabase(path: Expr)
    /// `explain [analyze] <query>`
    case explain(query: Query, analyze: Bool)
    /// `explain sql [dialect] <query>`: the query compiled to one SQL
    /// statement; `dialect` is the word written, nil for the default.
    case explainSQL(query: Query, dialect: Name?)
    case describe(entity: Name)
    case showEntities
    case showIndexes
    /// `model name = fit(arguments)`: fits a model on the data of this
    /// moment and keeps it in the session.
    case model(name: Name, fit: ModelFit)
    /// `drop model name`
    case dropModel(name: Name)
    /// `describe model name`: its fitted parameters as rows.
    case describeModel(name: Name)
    /// `show models`
    case showModels
    /// `help [topic]`; the topic is any word or words after `help`.
    case help(topic: Name?)
}

public struct FieldDeclaration: Sendable {
    public var name: Name
    public var type: TypeSyntax
    public var isKey: Bool
    public var range: SourceRange
    public init(name: Name, type: TypeSyntax, isKey: Bool, range: SourceRange) {
        self.name = name
        self.type = type
        self.isKey = isKey
        self.range = range
    }
}

/// A type as written in `create entity`.
public enum TypeSyntax: Sendable {
    /// `int`, `number`, `text`, `bool`, `date`, `datetime` (the name as written).
    case named(Name)
    /// `enum(v1, v2, ...)`
    case enumeration([Name], range: SourceRange)
    /// `ref <entity>`
    case ref(Name, range: SourceRange)
}

/// `name = value` inside `with (...)`.
public struct OptionItem: Sendable {
    public var name: Name
    public var value: Expr
    public init(name: Name, value: Expr) {
        self.name = name
        self.value = value
    }
}

public struct Assignment: Sendable {
    public var field: Name
    public var value: Expr
    public init(field: Name, value: Expr) {
        self.field = field
        self.value = value
    }
}

/// `select <source> [where] [group by] [having] [show] [order by] [limit [offset]]`.
/// Clauses may be written in any order, each at most once; they take effect in
/// this order.
public struct Query: Sendable {
    public var source: QuerySource
    /// `select count <source>`: one `count()` row.
    public var isCount: Bool
    public var whereClause: Expr?
    public var groupBy: [ShowItem]?
    public var having: Expr?
    public var show: [ShowItem]?
    public var orderBy: [OrderItem]?
    public var limit: Expr?
    public var offset: Expr?
    /// `select customers as of 2025-12-31 …`: the date the query sees the
    /// data as it was on.
    public var asOf: Expr?
    public var range: SourceRange

    public init(source: QuerySource, isCount: Bool = false, whereClause: Expr? = nil, groupBy: [ShowItem]? = nil,
                having: Expr? = nil, show: [ShowItem]? = nil, orderBy: [OrderItem]? = nil,
                limit: Expr? = nil, offset: Expr? = nil, asOf: Expr? = nil, range: SourceRange) {
        self.source = source
        self.asOf = asOf
        self.isCount = isCount
        self.whereClause = whereClause
        self.groupBy = groupBy
        self.having = having
        self.show = show
        self.orderBy = orderBy
        self.limit = limit
        self.offset = offset
        self.range = range
    }
}

public enum QuerySource: Sendable {
    /// An entity or a named query (`let`).
    case named(Name)
    /// A table function: `rules(orders, item: product, by: basket)`; an
    /// argument may be a filtered entity (`retention(orders where channel = web)`).
    case function(name: Name, arguments: [Argument], range: SourceRange)

    public var range: SourceRange {
        switch self {
        case .named(let name): return name.range
        case .function(_, _, let range): return range
        }
    }
}

/// The right-hand side of `model name = bgnbd(orders, unit: week)`: the
/// kind of model and its arguments, written like a table function's.
public struct ModelFit: Sendable {
    public var kind: Name
    public var arguments: [Argument]
    /// `fitted (r = 0.24, alpha = 4.4, ...)`: parameters fitted before,
    /// which a snapshot writes so that reopening it does not fit again.
    public var fitted: [OptionItem]?
    /// The call, from the kind's name to its `)`.
    public var range: SourceRange
    public init(kind: Name, arguments: [Argument], fitted: [OptionItem]? = nil, range: SourceRange) {
        self.kind = kind
        self.arguments = arguments
        self.fitted = fitted
        self.range = range
    }
}

/// An argument of a table function, optionally labelled (`item: product`).
public struct Argument: Sendable {
    public var label: Name?
    public var value: Expr
    public init(label: Name?, value: Expr) {
        self.label = label
        self.value = value
    }
}

/// One item of `show` or `group by`.
public enum ShowItem: Sendable {
    /// `*`: every stored field.
    case star(SourceRange)
    case expr(Expr, alias: Name?)
}

public struct OrderItem: Sendable {
    public var expr: Expr
    public var descending: Bool
    /// nil: the default (nulls last ascending, first descending).
    public var nullsFirst: Bool?
    public var range: SourceRange
    public init(expr: Expr, descending: Bool, nullsFirst: Bool?, range: SourceRange) {
        self.expr = expr
        self.descending = descending
        self.nullsFirst = nullsFirst
        self.range = range
    }
}

public struct Expr: Sendable {
    public var kind: ExprKind
    public var range: SourceRange
    public init(_ kind: ExprKind, _ range: SourceRange) {
        self.kind = kind
        self.range = range
    }
}

public enum DurationUnit: String, Sendable, CaseIterable {
    case day, week, month, quarter, year
}

public enum UnaryOperator: String, Sendable {
    case negate = "-"
    case not = "not"
}

public enum BinaryOperator: String, Sendable {
    case or, and
    case equal = "=", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case concat = "||"
    case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%"
    case contains
    case startsWith = "starts with"
    case endsWith = "ends with"
    case matches
}

/// `last 30 days`, `this quarter`, `next fiscal year`, `last 2 fiscal quarters`,
/// `last 12 months including this`.
public struct DateRangeSyntax: Sendable {
    public enum Direction: String, Sendable { case last, this, next }
    public var direction: Direction
    /// The `n` of `last n units`; nil for `this|last|next unit`.
    public var count: Int64?
    public var unit: DurationUnit
    public var fiscal: Bool
    /// `including this`: the n periods end (or, with `next`, start) with the
    /// current one instead of leaving it out.
    public var includesCurrent: Bool
    public var range: SourceRange
    public init(direction: Direction, count: Int64?, unit: DurationUnit, fiscal: Bool, includesCurrent: Bool = false,
                range: SourceRange) {
        self.direction = direction
        self.count = count
        self.unit = unit
        self.fiscal = fiscal
        self.includesCurrent = includesCurrent
        self.range = range
    }
}

public indirect enum ExprKind: Sendable {
    /// int, number, text, bool, null, date and datetime literals.
    case literal(Value)
    /// `30 days`
    case duration(Int64, DurationUnit)
    /// A bare or backquoted name: a field, relation, enum symbol, `today`, or a `let`.
    case identifier(String, quoted: Bool)
    /// `$name`
    case parameter(String)
    /// `base.field` (parent navigation, or a relation's field inside an aggregate).
    case member(Expr, Name)
    case unary(UnaryOperator, Expr)
    case binary(BinaryOperator, Expr, Expr)
    /// `x [not] between low and high`
    case between(Expr, low: Expr, high: Expr, negated: Bool)
    /// `x [not] in (a, b, ...)`
    case inList(Expr, [Expr], negated: Bool)
    /// `x is [not] null`
    case isNull(Expr, negated: Bool)
    /// `x [not] in last 30 days`, `x in this fiscal quarter`
    case inDateRange(Expr, DateRangeSyntax, negated: Bool)
    /// `f(args)`; `count()` has no arguments; `count(distinct x)` sets `distinct`.
    case call(Name, [Expr], distinct: Bool)
    /// `relation where condition` or `relation.field where condition`, only as
    /// an aggregate's argument: `count(orders where channel = web)`.
    case filtered(Expr, condition: Expr)
    /// `label: value`, only as a function's argument: `rank(value, by: owner)`.
    case labeled(Name, Expr)
    /// `fiscal quarter` or `fiscal year`, only as a function's argument:
    /// `trunc(placed, fiscal quarter)`. (A plain `month` is an identifier.)
    case fiscalPeriod(DurationUnit, SourceRange)
    /// `(recency, order_count, revenue)`: two or more expressions in
    /// brackets, only as a model's argument (`on:`, `from:` of `clusters`).
    case tuple([Expr])
    /// `case when c then v ... [else v] end`
    case caseWhen([(condition: Expr, value: Expr)], otherwise: Expr?)
}
