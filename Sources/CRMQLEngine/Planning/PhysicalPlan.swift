import CRMQLCore
import CRMQLStorage

/// Every physical operator and named strategy the planner can choose, by the
/// name `explain` prints and execution records when it runs one. The
/// catalogue with the rule for each is `Sources/CRMQLEngine/README.md`.
enum OperatorName: String, CaseIterable, Sendable, Hashable {
    // Sources.
    case scan = "Scan"
    case keyLookup = "KeyLookup"
    case enumPostings = "EnumPostings"
    case sortedIndexRange = "SortedIndexRange"
    case namedQuery = "NamedQuery"
    case derivedTable = "DerivedTable"
    case tableFunction = "TableFunction"
    // Strategies of a filter step.
    case evaluateFilter = "EvaluateFilter"
    case columnCompare = "ColumnCompare"
    case hundredthsCompare = "HundredthsCompare"
    case enumCodeFilter = "EnumCodeFilter"
    case dayRangeScan = "DayRangeScan"
    case parentMarkFilter = "ParentMarkFilter"
    case markParentsExists = "MarkParentsExists"
    case existsFromOffsets = "ExistsFromOffsets"
    case childExistsScan = "ChildExistsScan"
    case foldedTextScan = "FoldedTextScan"
    case distinctTextMatch = "DistinctTextMatch"
    // Operators over the kept rows.
    case filter = "Filter"
    case count = "Count"
    case perfectHashGroup = "PerfectHashGroup"
    case denseKeyGroup = "DenseKeyGroup"
    case radixGroup = "RadixGroup"
    case sortGroup = "SortGroup"
    case having = "Having"
    case indexOrder = "IndexOrder"
    case topN = "TopN"
    case radixSort = "RadixSort"
    case sort = "Sort"
    case limit = "Limit"
    case project = "Project"
    // Operators inside expressions.
    case navigateParent = "NavigateParent"
    case clusteredChildRangeSum = "ClusteredChildRangeSum"
    case childSegmentAggregate = "ChildSegmentAggregate"
    case exactMoneySum = "ExactMoneySum"
    case enumSymbolTest = "EnumSymbolTest"
    case populationWindow = "PopulationWindow"
    case partitionRows = "PartitionRows"
    case measure = "Measure"

    /// The general operator that computes the same answer, for a fast
    /// path; nil for an operator that is itself general.
    var general: OperatorName? {
        switch self {
        case .keyLookup, .enumPostings, .sortedIndexRange: return .scan
        case .columnCompare, .hundredthsCompare, .enumCodeFilter, .dayRangeScan, .parentMarkFilter,
             .markParentsExists, .existsFromOffsets, .foldedTextScan, .distinctTextMatch:
            return .evaluateFilter
        case .perfectHashGroup, .denseKeyGroup, .radixGroup: return .sortGroup
        case .indexOrder, .topN, .radixSort: return .sort
        case .clusteredChildRangeSum: return .childSegmentAggregate
        case .partitionRows: return .populationWindow
        case .enumSymbolTest: return .evaluateFilter
        default: return nil
        }
    }
}

/// How one conjunct of a `where` runs: the strategy the planner chose for
/// it, with its estimate. `x between a and b` is one step of two conjuncts.
struct FilterStep: Sendable {
    /// The conjuncts' positions in the `where` clause's list of conjuncts:
    /// a plan kept for other parameter values finds them in each run's
    /// own bound query.
    var positions: [Int]
    var conjuncts: [BoundExpr]
    var strategy: OperatorName
    /// The step's text, formatted only when `explain` asks: a query with a
    /// megabyte literal should not pay for copying it into its plan.
    let source: SourceFile
    let textRange: SourceRange
    var text: String { normalizedText(source, textRange) }
    /// Rows expected to pass this step and every step before it.
    var estimate: Int
    /// For `ParentMarkFilter`: the parent whose rows are tested.
    var parent: String?
    /// Operators inside the conjuncts, when the step evaluates them.
    var expressions: [ExpressionOperator] = []
    /// What `explain analyze` measured: rows kept and time.
    var actual: Actual?
    /// The threads its test over every row runs on, when more than one.
    var parallel: Int?
}

/// What one operator produced when `explain analyze` ran it.
struct Actual: Sendable {
    var rows: Int
    var milliseconds: Double
    /// For a filter step, whether it kept its rows as a bitmap.
    var bitmap = false
}

/// An operator inside an expression: a relation aggregate, a parent's
/// field, a population function, a measure, a `contains` scan.
struct ExpressionOperator: Sendable {
    var name: OperatorName
    let source: SourceFile
    let textRange: SourceRange
    var text: String { normalizedText(source, textRange) }
    /// Further strategies it uses (`ExactMoneySum` beside a sum).
    var with: [OperatorName] = []
    /// The threads it runs on, when more than one (`Parallelism`).
    var parallel: Int?
}

/// A node of a physical plan: one operator, the node it reads from, and
/// what `explain` shows of it. The plan is what runs: the executor walks
/// these nodes and nothing else decides a strategy.
final class PlanNode: @unchecked Sendable {
    enum Kind: Sendable {
        /// Every row of a stored entity, or of a derived table.
        case scan
        /// An index's rows for the conjuncts at these positions.
        case indexSearch(AccessChoice)
        /// A named query: its own plan, whose rows this node hands on.
        case namedQuery(String, PlanNode?)
        /// A table function (`rules`) computed into a derived table.
        case tableFunction(String)
        case filter([FilterStep])
        case count
        case group(OperatorName)
        case having
        case sort(OperatorName)
        case limit(offset: Int, limit: Int?)
        case project
    }

    let kind: Kind
    let name: OperatorName
    let input: PlanNode?
    /// The span of the query this operator comes from.
    let range: SourceRange
    /// What explain prints after the operator's name, formatted only when
    /// it asks.
    private let describe: () -> String
    var detail: String { describe() }
    /// Rows expected out of this operator; nil where no estimate is made.
    var estimate: Int?
    /// Operators inside the expressions this operator evaluates.
    var expressions: [ExpressionOperator] = []
    /// Filled by `explain analyze`.
    var actual: Actual?
    /// An index search's rows as the planner probed them; a plan run again
    /// with other parameter values probes the index again.
    var access: AccessPath?
    /// A row-preserving named query: its runner and plan.
    var namedPlan: NamedPlan?
    /// A filter's steps with what `explain analyze` measured of each.
    var annotatedSteps: [FilterStep]?
    /// The threads it runs on, when more than one (`Parallelism`).
    var parallel: Int?

    init(_ kind: Kind, _ name: OperatorName, input: PlanNode?, range: SourceRange,
         detail: @escaping @autoclosure () -> String, estimate: Int? = nil) {
        self.kind = kind
        self.name = name
        self.input = input
        self.range = range
        describe = detail
        self.estimate = estimate
    }

    /// This node and the ones below it, top first.
    var chain: [PlanNode] {
        var nodes: [PlanNode] = []
        var node: PlanNode? = self
        while let current = node {
            nodes.append(current)
            node = current.input
        }
        return nodes
    }

    /// Every operator and strategy the plan names, its named queries'
    /// plans included: what a run of it records.
    var operatorNames: Set<OperatorName> {
        var names = Set<OperatorName>()
        for node in chain {
            names.insert(node.name)
            for expression in node.expressions {
                names.insert(expression.name)
                names.formUnion(expression.with)
            }
            switch node.kind {
            case .filter(let steps):
                for step in steps {
                    names.insert(step.strategy)
                    for expression in step.expressions {
                        names.insert(expression.name)
                        names.formUnion(expression.with)
                    }
                }
            case .namedQuery(_, let inner?): names.formUnion(inner.operatorNames)
            default: break
            }
        }
        return names
    }
}

/// A planned query: the bound query and the operator tree that runs it,
/// with the strategy of each operator inside its expressions. Immutable
/// once planned, apart from `explain analyze`'s annotations on a plan made
/// for it alone.
final class PhysicalPlan: @unchecked Sendable {
    let query: BoundQuery
    let root: PlanNode
    /// The strategy chosen for each relation aggregate, `exists` and parent
    /// test inside the query's expressions, by the expression's span.
    let strategies: ExpressionStrategies
    /// The stored entity the plan reads, by name, so that a kept plan does
    /// not hold on to its columns; nil for a named query or derived table.
    let storedEntity: String?
    /// A derived table's or named query's rows' entity; nil for a stored one.
    let derivedEntity: Entity?
    /// For `select … as of <date>`: the view of the store the plan was made
    /// over, whose runner runs it. Set once, by the planner.
    var asOf: AsOfView?

    init(query: BoundQuery, root: PlanNode, strategies: ExpressionStrategies, source: PlannedSource) {
        self.query = query
        self.root = root
        self.strategies = strategies
        storedEntity = source.isStored ? source.entity.name : nil
        derivedEntity = source.isStored ? nil : source.entity
    }
}

/// A named query's plan with the runner that binds in its own text.
struct NamedPlan {
    let runner: QueryRunner
    let plan: PhysicalPlan
}

/// Strategies of operators inside expressions, keyed by the expression's
/// span in the query's text: the executor hands them to the evaluator,
/// which takes each where the plan placed it.
struct ExpressionStrategies: Sendable {
    struct Key: Hashable, Sendable {
        var start: Int
        var end: Int
        init(_ range: SourceRange) {
            start = range.start
            end = range.end
        }
    }

    var byRange: [Key: OperatorName] = [:]

    subscript(_ range: SourceRange) -> OperatorName? {
        get { byRange[Key(range)] }
        set { byRange[Key(range)] = newValue }
    }
}
