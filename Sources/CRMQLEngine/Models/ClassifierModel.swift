import CRMQLCore
import CRMQLStorage
import CRMQLSyntax

/// `classifier(customers, target: stage = churned, from: (recency, ...)
/// [, method: tree|logistic] [, depth: 4] [, holdout: 0.2] [, seed: 1])`:
/// learns the target on a seeded share of the rows and measures itself on
/// the rest (REFERENCE.md, "Models").
enum ClassifierModel: ModelKind {
    static let name = "classifier"
    static let usage = "classifier(customers, target: stage = churned, from: (recency, order_count), method: tree)"
    static let functions: [ModelFunctionSignature] = [
        ModelFunctionSignature(name: "probability", arguments: [], required: 0, resultType: .number, usage: "probability(m, id)"),
        ModelFunctionSignature(name: "predict", arguments: [], required: 0, resultType: .bool, usage: "predict(m, id)"),
    ]
    static let labels = ["target", "from", "method", "depth", "holdout", "seed"]
    /// TUNING: a tree deeper than this has more leaves than any reader
    /// follows and fits noise; 2^12 leaves is already far past readable.
    static let maximumDepth = 12

    enum Method: String { case tree, logistic }

    static func fit(_ fit: ModelFit, runner: QueryRunner, restoring: [String: (Value, SourceRange)]?) throws -> any FittedModel {
        var targetExpr: Expr?, fromExpr: Expr?
        var method = Method.tree, depth = 4, holdout = 0.2, seed: UInt64 = 1
        var holdoutRange: SourceRange?, seedRange: SourceRange?
        for argument in fit.arguments.dropFirst() {
            guard let label = argument.label else {
                throw Diagnostic.semantic("classifier takes named arguments after the entity: " + labels.map { $0 + ":" }.joined(separator: ", "),
                                          argument.value.range)
            }
            let value = argument.value
            switch label.text.lowercased() {
            case "target": targetExpr = value
            case "from": fromExpr = value
            case "method":
                var word = ""
                if case .identifier(let text, _) = value.kind { word = text.lowercased() }
                guard let chosen = Method(rawValue: word) else {
                    throw Diagnostic.semantic(Suggestion.message("method: takes tree or logistic", for: word, among: ["tree", "logistic"]), value.range)
                }
                method = chosen
            case "depth":
                guard let number = ModelInputs.integer(value), number >= 1, number <= Int64(maximumDepth) else {
                    throw Diagnostic.semantic("depth must be a whole number from 1 to \(maximumDepth) (the levels of questions the tree asks), as in depth: 4", value.range)
                }
                depth = Int(number)
            case "holdout":
                guard let number = ModelInputs.number(value), number > 0, number < 1 else {
                    throw Diagnostic.semantic("holdout must be above 0 and below 1 (the share of rows kept aside to test the model), as in holdout: 0.2", value.range)
                }
                holdout = number
                holdoutRange = value.range
            case "seed":
                guard let number = ModelInputs.integer(value), number >= 0 else {
                    throw Diagnostic.semantic("seed must be a whole number of 0 or more, as in seed: 7", value.range)
                }
                seed = UInt64(number)
                seedRange = value.range
            default:
                throw Diagnostic.semantic(Suggestion.message("unknown argument '\(label.text)' of classifier; it takes "
                                                             + labels.map { $0 + ":" }.joined(separator: ", "), for: label.text, among: labels), label.range)
            }
        }
        guard let targetExpr else { throw Diagnostic.semantic("classifier needs the target to predict, a condition: \(usage)", fit.range) }
        guard let fromExpr else { throw Diagnostic.semantic("classifier needs its inputs: from: (recency, order_count), as in \(usage)", fit.range) }
        let inputs = try ModelInputs(fit, kind: name, usage: usage, inputs: fromExpr, runner: runner)
        let bound = try runner.binder.bindCondition(targetExpr, in: Scope(entity: inputs.input.entity), clause: "target:")
        let targetColumn = try runner.evaluator.unplanned {
            try runner.evaluator.evaluate(bound, EvalContext(entity: inputs.input.entity, rows: inputs.input.rows))
        }.expanded(to: inputs.input.rows.count)
        var truths: [Bool] = []
        if case .bool(let values) = targetColumn.data { truths = values }
        let services = runner.evaluator.services
        let check = { try services.checkInterrupt() }
        let sourceRows = inputs.input.rows.count
        if sourceRows > 0, truths.isEmpty || (0..<sourceRows).allSatisfy({ targetColumn.isNull($0) }) {
            throw Diagnostic.runtime("the target \(runner.source.text(of: targetExpr.range)) is null on every row of \(inputs.input.entity.name): "
                + "there is nothing to learn from; choose a target with values, or say what null means, as in coalesce(..., false)", targetExpr.range)
        }
        let rows = try inputs.completeRows(check: check) { !truths.isEmpty && !targetColumn.isNull($0) }
        let targetText = runner.source.text(of: targetExpr.range)
        let truth = rows.map { truths[Int($0)] }
        let positives = truth.filter { $0 }.count
        guard rows.count >= 2 else {
            throw Diagnostic.runtime("classifier needs at least two rows with the target and every input; it has \(rows.count)", inputs.input.range)
        }
        guard positives > 0, positives < rows.count else {
            throw Diagnostic.runtime("the target \(targetText) is \(positives > 0 ? "true" : "false") on all \(rows.count) rows with inputs: "
                + "there is nothing to learn; choose a target that is true for some rows and false for others", targetExpr.range)
        }
        let held = try HoldoutSplit.heldOut(count: rows.count, share: holdout, seed: seed, poll: check)
        let train = rows.indices.filter { !held[$0] }
        guard !train.isEmpty, train.count < rows.count else {
            throw Diagnostic.runtime("holdout: \(ValueFormatter.number(holdout)) of \(rows.count) rows leaves \(train.isEmpty ? "no row to learn from" : "no row to test on"); choose a share nearer 0.2", holdoutRange ?? inputs.input.range)
        }
        let columns = try inputs.columns(rows, check: check)
        let trainColumns = try columns.map { column in
            try train.enumerated().map { index, row in
                if index & ModelInputs.pollMask == ModelInputs.pollMask { try check() }
                return column[row]
            }
        }
        let trainTruth = train.map { truth[$0] }
        try inputs.checkScale(Standardization(columns: trainColumns, poll: check))
        guard trainTruth.contains(true), trainTruth.contains(false) else {
            throw Diagnostic.runtime("the rows left to learn from all have the target \(trainTruth.contains(true) ? "true" : "false"); choose another seed: or a smaller holdout:", seedRange ?? holdoutRange ?? inputs.input.range)
        }
        let stop = { (try? services.checkInterrupt()) == nil }
        var probability = [Double](repeating: 0, count: rows.count)
        var tree: DecisionTree?, logistic: LogisticRegression?
        do {
            switch method {
            case .tree:
                let fitted = try DecisionTree.fit(columns: trainColumns, target: trainTruth, depth: depth, stop: stop)
                var poll = StopPoll(unitsPerStep: fitted.depth + 1, stop)
                for i in rows.indices {
                    if poll.step() { throw DecisionTree.Failure.stopped }
                    probability[i] = fitted.probability { columns[$0][i] }
                }
                tree = fitted
            case .logistic:
                let fitted = try LogisticRegression.fit(columns: trainColumns, target: trainTruth, stop: stop)
                var poll = StopPoll(unitsPerStep: columns.count + 1, stop)
                for i in rows.indices {
                    if poll.step() { throw LogisticRegression.Failure.stopped }
                    probability[i] = fitted.probability { columns[$0][i] }
                }
                logistic = fitted
            }
        } catch {
            try services.checkInterrupt()
            throw Diagnostic(.interrupted, "interrupted", at: fit.range)
        }
        let tested = rows.indices.filter { held[$0] }
        let metrics = try ClassifierMetrics(probabilities: tested.map { probability[$0] }, truth: tested.map { truth[$0] }, poll: check)
        let keyColumn = inputs.keys.gather(rows)
        let keyName = inputs.input.entity.keyFieldIndex.map { inputs.input.entity.fields[$0].name } ?? "key"
        return ClassifierFitted(method: method, names: inputs.names, target: targetText, keyName: keyName, keyColumn: keyColumn,
                                keys: ModelKeys(keyColumn), probability: probability, truth: truth, heldOut: held,
                                metrics: metrics, tree: tree, logistic: logistic, trainingRows: train.count,
                                sourceRows: inputs.input.rows.count, depth: depth, holdout: holdout, seed: seed)
    }
}

/// A fitted classifier: each keyed row's probability, and the model.
struct ClassifierFitted: FittedModel {
    let method: ClassifierModel.Method
    let names: [String]
    let target: String
    let keyName: String
    let keyColumn: Column
    let keys: ModelKeys
    let probability: [Double]
    let truth: [Bool]
    let heldOut: [Bool]
    let metrics: ClassifierMetrics
    let tree: DecisionTree?
    let logistic: LogisticRegression?
    let trainingRows: Int
    let sourceRows: Int
    let depth: Int
    let holdout: Double
    let seed: UInt64

    var parameters: [(name: String, value: Value)] {
        func number(_ value: Double?) -> Value { value.map(Value.number) ?? .null }
        var result: [(String, Value)] = [
            ("accuracy", number(metrics.accuracy)), ("precision", number(metrics.precision)),
            ("recall", number(metrics.recall)), ("auc", number(metrics.auc)),
            ("training_rows", .int(Int64(trainingRows))), ("held_out_rows", .int(Int64(metrics.rows))),
            ("rows_without_inputs", .int(Int64(sourceRows - probability.count))),
            ("target_share", .number(Double(truth.filter { $0 }.count) / Double(max(truth.count, 1)))),
            ("holdout", .number(holdout)), ("seed", .int(Int64(seed))),
        ]
        if let tree {
            result.append(("depth", .int(Int64(tree.depth))))
            result.append(("leaves", .int(Int64(tree.nodes.filter { $0.input < 0 }.count))))
            // Each rule is a parameter named by its text, valued by its probability.
            for (rule, leaf) in zip(tree.rules(inputNames: names, target: target), tree.leavesInOrder) {
                result.append((rule, .number(tree.nodes[leaf].probability)))
            }
        }
        if let logistic {
            result.append(("intercept", .number(logistic.intercept)))
            for (j, name) in names.enumerated() {
                result.append(("weight \(name) (per standard deviation)", .number(logistic.weights[j])))
            }
        }
        return result
    }

    var savedParameters: [(name: String, value: Value)] {
        [("auc", metrics.auc.map(Value.number) ?? .null)]
    }

    var summary: String {
        let auc = metrics.auc.map { ValueFormatter.number(($0 * 1000).rounded() / 1000) } ?? "none"
        return "\(method == .tree ? "a decision tree" : "a logistic regression") of \(target) on \(trainingRows) rows, held-out AUC \(auc)"
    }

    /// One row per row with inputs: its key, the probability, the
    /// prediction, the truth, and whether it was held out of training.
    func table() -> QueryOutput? {
        QueryOutput(names: [keyName, "probability", "predicted", "actual", "held_out"], columns: [
            keyColumn,
            Column(type: .number, data: .number(probability)),
            Column(type: .bool, data: .bool(probability.map { $0 >= 0.5 })),
            Column(type: .bool, data: .bool(truth)),
            Column(type: .bool, data: .bool(heldOut)),
        ])
    }

    func evaluate(_ function: String, keys: Column, arguments: [Column], rows: Int, work: ModelWork) throws -> Column {
        let positions = self.keys.positions(of: keys.expanded(to: rows))
        if function == "predict" {
            return Column.make(type: .bool, values: positions.map { $0 < 0 ? .null : .bool(probability[Int($0)] >= 0.5) })
        }
        return Column.make(type: .number, values: positions.map { $0 < 0 ? .null : .number(probability[Int($0)]) })
    }
}
