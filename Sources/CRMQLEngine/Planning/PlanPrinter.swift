import CRMQLCore
import CRMQLStorage

/// `explain`'s text: the physical plan as a small tree, the operator that
/// produces the answer first, each with its operator's name in brackets,
/// the rows it is expected to give, and what it measured when analysed.
enum PlanPrinter {
    private struct Entry {
        var headline: String
        var uses: [String]
    }

    static func lines(_ root: PlanNode, analyze: Bool) -> [String] {
        var entries: [Entry] = []
        collect(root, analyze: analyze, into: &entries)
        var lines: [String] = []
        for (depth, entry) in entries.enumerated() {
            let indent = String(repeating: "   ", count: max(0, depth - 1))
            lines.append(depth == 0 ? entry.headline : indent + "└─ " + entry.headline)
            let below = String(repeating: "   ", count: depth) + (depth + 1 < entries.count ? "│  " : "   ")
            for use in entry.uses { lines.append(below + "uses " + use) }
        }
        return lines
    }

    private static func collect(_ root: PlanNode, analyze: Bool, into entries: inout [Entry]) {
        for node in root.chain {
            let uses = node.expressions.map(describe)
            switch node.kind {
            case .filter(let planned):
                // The steps run from the bottom up, as the tree reads.
                let steps = node.annotatedSteps ?? planned
                for step in steps.reversed() {
                    var line = "FILTER \(step.text)"
                    if let parent = step.parent { line += " THROUGH \(parent)" }
                    line += " [\(step.strategy.rawValue)] (~\(step.estimate) rows)"
                    if let parallel = step.parallel { line += " [parallel \(parallel)]" }
                    if analyze {
                        if let actual = step.actual {
                            line += " [actual \(actual.rows) rows\(actual.bitmap ? " as a bitmap" : ""), \(milliseconds(actual.milliseconds))]"
                        } else {
                            line += " [not run: no rows left]"
                        }
                    }
                    entries.append(Entry(headline: line, uses: step.expressions.map(describe)))
                }
            case .namedQuery(_, let inner):
                entries.append(Entry(headline: headline(node, analyze: analyze), uses: uses))
                if let inner { collect(inner, analyze: analyze, into: &entries) }
            default:
                entries.append(Entry(headline: headline(node, analyze: analyze), uses: uses))
            }
        }
    }

    private static func headline(_ node: PlanNode, analyze: Bool) -> String {
        var line: String
        switch node.kind {
        case .scan: line = "SCAN \(node.detail)"
        case .indexSearch: line = node.access?.detail ?? "SEARCH \(node.detail)"
        case .namedQuery: line = (node.name == .derivedTable ? "DERIVED TABLE " : "NAMED QUERY ") + node.detail
        case .tableFunction: line = "TABLE FUNCTION \(node.detail)"
        case .filter: line = "FILTER"
        case .count: line = "COUNT"
        case .group: line = (node.name == .perfectHashGroup ? "PERFECT HASH GROUP BY " : "GROUP BY ") + node.detail
        case .having: line = "HAVING \(node.detail)"
        case .sort:
            switch node.name {
            case .indexOrder: line = "ORDER FROM INDEX \(node.detail)"
            case .topN: line = "TOP-N SORT \(node.detail)"
            default: line = "SORT \(node.detail)"
            }
        case .limit: line = "LIMIT \(node.detail)"
        case .project: line = "PROJECT \(node.detail)"
        }
        line += " [\(node.name.rawValue)]"
        if let parallel = node.parallel { line += " [parallel \(parallel)]" }
        switch node.kind {
        case .scan, .indexSearch, .namedQuery, .tableFunction:
            if let estimate = node.estimate { line += " (~\(estimate) rows)" }
        default:
            break
        }
        if analyze, let actual = node.actual {
            line += " [actual \(actual.rows) rows, \(milliseconds(actual.milliseconds))]"
        }
        return line
    }

    private static func describe(_ operation: ExpressionOperator) -> String {
        let names = ([operation.name] + operation.with).map(\.rawValue).joined(separator: ", ")
        return "\(operation.text) [\(names)]" + (operation.parallel.map { " [parallel \($0)]" } ?? "")
    }

    static func milliseconds(_ ms: Double) -> String {
        let thousandths = Int((ms * 1000).rounded())
        let whole = thousandths / 1000, fraction = thousandths % 1000
        let digits = String(fraction)
        return "\(whole).\(String(repeating: "0", count: 3 - digits.count))\(digits) ms"
    }
}
