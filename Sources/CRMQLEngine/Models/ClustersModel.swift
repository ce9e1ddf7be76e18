import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

/// `clusters(customers, k: 4, on: (recency, order_count, revenue) [, seed: 1])`:
/// k-means over the standardised inputs, the best of 10 k-means++ starts,
/// clusters numbered by size (REFERENCE.md, "Models").
enum ClustersModel: ModelKind {
    static let name = "clusters"
    static let usage = "clusters(customers, k: 4, on: (recency, order_count, revenue))"
    static let functions: [ModelFunctionSignature] = [
        ModelFunctionSignature(name: "cluster", arguments: [], required: 0, resultType: .int, usage: "cluster(m, id)"),
    ]
    static let labels = ["k", "on", "seed"]
    /// TUNING: beyond this many clusters k-means describes individuals, not
    /// groups, and each start costs k passes over the rows.
    static let maximumK = 1_000

    static func fit(_ fit: ModelFit, runner: QueryRunner, restoring: [String: (Value, SourceRange)]?) throws -> any FittedModel {
        var kExpr: Expr?, onExpr: Expr?, seed: UInt64 = 1
        for argument in fit.arguments.dropFirst() {
            guard let label = argument.label else {
                throw Diagnostic.semantic("clusters takes named arguments after the entity: k:, on:, seed:", argument.value.range)
            }
            switch label.text.lowercased() {
            case "k": kExpr = argument.value
            case "on": onExpr = argument.value
            case "seed":
                guard let value = ModelInputs.integer(argument.value), value >= 0 else {
                    throw Diagnostic.semantic("seed must be a whole number of 0 or more, as in seed: 7", argument.value.range)
                }
                seed = UInt64(value)
            default:
                throw Diagnostic.semantic(Suggestion.message("unknown argument '\(label.text)' of clusters; it takes k:, on:, seed:",
                                                             for: label.text, among: labels), label.range)
            }
        }
        guard let kExpr else { throw Diagnostic.semantic("clusters needs the number of clusters: \(usage)", fit.range) }
        guard let onExpr else { throw Diagnostic.semantic("clusters needs its inputs: on: (recency, revenue), as in \(usage)", fit.range) }
        guard let k64 = ModelInputs.integer(kExpr), k64 >= 2, k64 <= Int64(maximumK) else {
            throw Diagnostic.semantic("k must be a whole number from 2 to \(maximumK) (the number of clusters), as in k: 4", kExpr.range)
        }
        let k = Int(k64)
        let inputs = try ModelInputs(fit, kind: name, usage: usage, inputs: onExpr, runner: runner)
        let services = runner.evaluator.services
        let check = { try services.checkInterrupt() }
        let rows = try inputs.completeRows(check: check)
        guard k <= rows.count else {
            throw Diagnostic.semantic("k: \(k) asks for more clusters than the \(rows.count) rows with every input; choose k from 2 to \(max(rows.count, 2))", kExpr.range)
        }
        let raw = try inputs.columns(rows, check: check)
        let scale = try Standardization(columns: raw, poll: check)
        try inputs.checkScale(scale)
        let kmeans = try KMeans(columns: scale.apply(raw, poll: check), poll: check)
        let result: KMeans.Result
        let silhouette: Double?
        do {
            let stop = { (try? services.checkInterrupt()) == nil }
            // The starts run on the session's threads, which ask the
            // statement's stop (readable from any thread), not the services.
            let buildStop = services.buildStop
            result = try kmeans.fit(k: k, seed: seed, threads: runner.catalog.parallelism.threads) { buildStop.shouldStop() }
            silhouette = try kmeans.silhouette(result.assignment, k: k, seed: seed, stop: stop)
        } catch {
            try services.checkInterrupt()
            throw Diagnostic(.interrupted, "interrupted", at: fit.range)
        }
        if let empty = result.sizes.firstIndex(of: 0) {
            throw Diagnostic.runtime("only \(empty) of the \(k) clusters have rows: the inputs take fewer than \(k) distinct values together; choose k: \(max(empty, 2)) or less", kExpr.range)
        }
        var clusterInertia = [Double](repeating: 0, count: k)
        for (i, c) in result.assignment.enumerated() {
            if i & 0x3FFF == 0x3FFF { try services.checkInterrupt() }
            var s = 0.0
            for j in 0..<raw.count {
                let d = kmeans.points[i * raw.count + j] - result.centroids[Int(c)][j]
                s += d * d
            }
            clusterInertia[Int(c)] += s
        }
        return ClustersFitted(
            names: inputs.names, keys: ModelKeys(inputs.keys.gather(rows)), assignment: result.assignment,
            centroids: result.centroids.map { centre in centre.enumerated().map { scale.original($1, input: $0) } },
            sizes: result.sizes, inertia: result.inertia, clusterInertia: clusterInertia,
            silhouette: silhouette, iterations: result.iterations,
            rows: rows.count, sourceRows: inputs.input.rows.count, seed: seed)
    }
}

/// A fitted clustering: each keyed row's cluster and the clusters' centres.
struct ClustersFitted: FittedModel {
    let names: [String]
    let keys: ModelKeys
    /// Each clustered row's cluster, 0-based (shown 1-based).
    let assignment: [Int32]
    /// Centres in the inputs' original units.
    let centroids: [[Double]]
    let sizes: [Int]
    let inertia: Double
    let clusterInertia: [Double]
    let silhouette: Double?
    let iterations: Int
    let rows: Int
    let sourceRows: Int
    let seed: UInt64

    var parameters: [(name: String, value: Value)] {
        var result: [(String, Value)] = [("k", .int(Int64(sizes.count))), ("inertia", .number(inertia)),
                                         ("silhouette", silhouette.map(Value.number) ?? .null),
                                         ("rows", .int(Int64(rows))), ("rows_without_inputs", .int(Int64(sourceRows - rows))),
                                         ("iterations", .int(Int64(iterations))), ("seed", .int(Int64(seed)))]
        for c in 0..<sizes.count {
            result.append(("cluster \(c + 1) size", .int(Int64(sizes[c]))))
            for (j, name) in names.enumerated() { result.append(("cluster \(c + 1) \(name)", .number(centroids[c][j]))) }
        }
        return result
    }

    /// The fit is deterministic by its seed, so a snapshot keeps the
    /// arguments and what it found, and opening it clusters the same data again.
    var savedParameters: [(name: String, value: Value)] { [("inertia", .number(inertia))] }

    var summary: String {
        "\(sizes.count) clusters of \(rows) rows on \(names.joined(separator: ", ")), inertia \(ValueFormatter.number((inertia * 100).rounded() / 100))"
            + (silhouette.map { ", silhouette \(ValueFormatter.number(($0 * 1000).rounded() / 1000))" } ?? "")
    }

    func table() -> QueryOutput? {
        var names = ["cluster", "size"]
        var columns = [Column(type: .int, data: .int((1...sizes.count).map(Int64.init))),
                       Column(type: .int, data: .int(sizes.map(Int64.init)))]
        for (j, name) in self.names.enumerated() {
            // An input written as an expression is shown under its text.
            names.append(names.contains(name) ? name + "_centroid" : name)
            columns.append(Column(type: .number, data: .number(centroids.map { $0[j] })))
        }
        names.append("inertia")
        columns.append(Column(type: .number, data: .number(clusterInertia)))
        return QueryOutput(names: names, columns: columns)
    }

    func evaluate(_ function: String, keys: Column, arguments: [Column], rows: Int, work: ModelWork) throws -> Column {
        let positions = self.keys.positions(of: keys.expanded(to: rows))
        return Column.make(type: .int, values: positions.map { $0 < 0 ? .null : .int(Int64(assignment[Int($0)]) + 1) })
    }
}
