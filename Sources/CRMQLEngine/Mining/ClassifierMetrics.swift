import CRMQLStorage

/// The seeded hold-out split of a classifier and the measures of its
/// predictions on the held-out rows.
enum HoldoutSplit {
    /// Which of `count` rows are held out: a Fisher–Yates shuffle of the
    /// row numbers by the seeded generator, the first round(share × count)
    /// of them held out. The same seed and rows give the same split on
    /// every machine (the generator is spelled out in `DemoRandom`).
    static func heldOut(count: Int, share: Double, seed: UInt64, poll: () throws -> Void) rethrows -> [Bool] {
        var order = Array(0..<count)
        var random = DemoRandom(seed: seed)
        for i in 0..<count {
            // TUNING: 4,096 draws take a millisecond or so in a debug build.
            if i & 0xFFF == 0 { try poll() }
            let j = i + random.below(count - i)
            order.swapAt(i, j)
        }
        let testCount = Int((share * Double(count)).rounded())
        var held = [Bool](repeating: false, count: count)
        for i in 0..<min(testCount, count) { held[order[i]] = true }
        return held
    }
}

/// Accuracy, precision, recall and AUC of predicted probabilities against
/// the truth; a row is predicted positive when its probability is at least 0.5.
struct ClassifierMetrics: Sendable, Equatable {
    var accuracy: Double?
    /// Nil when nothing is predicted positive.
    var precision: Double?
    /// Nil when no row is positive.
    var recall: Double?
    /// The area under the ROC curve (the chance a random positive scores
    /// above a random negative, ties counting half); nil without both classes.
    var auc: Double?
    var rows: Int

    init(probabilities: [Double], truth: [Bool]) {
        self.init(probabilities: probabilities, truth: truth, poll: {})
    }

    /// The measures, calling `poll` while the AUC's ranks are sorted and
    /// summed (a quarter of a large entity's rows are held out).
    init(probabilities: [Double], truth: [Bool], poll: () throws -> Void) rethrows {
        rows = truth.count
        var truePositives = 0, falsePositives = 0, falseNegatives = 0, correct = 0
        for (p, t) in zip(probabilities, truth) {
            let predicted = p >= 0.5
            if predicted == t { correct += 1 }
            if predicted && t { truePositives += 1 }
            if predicted && !t { falsePositives += 1 }
            if !predicted && t { falseNegatives += 1 }
        }
        accuracy = rows > 0 ? Double(correct) / Double(rows) : nil
        precision = truePositives + falsePositives > 0 ? Double(truePositives) / Double(truePositives + falsePositives) : nil
        recall = truePositives + falseNegatives > 0 ? Double(truePositives) / Double(truePositives + falseNegatives) : nil
        auc = try Self.auc(probabilities, truth, poll: poll)
    }

    /// Mann–Whitney U over midranks, divided by positives × negatives.
    static func auc(_ scores: [Double], _ truth: [Bool], poll: () throws -> Void) rethrows -> Double? {
        let positives = truth.filter { $0 }.count
        let negatives = truth.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        // Ties share a midrank, so the order among them does not matter.
        var order = Array(scores.indices)
        try RunMergeSort.sort(&order, run: DecisionTree.sortRun, poll: poll) { scores[$0] < scores[$1] }
        var rankSum = 0.0
        var i = 0
        var sincePoll = 0
        while i < order.count {
            sincePoll += 1
            if sincePoll > 0x3FFF {
                sincePoll = 0
                try poll()
            }
            var j = i
            while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
            // Tied scores share the mean of their ranks (1-based).
            let midrank = Double(i + j + 2) / 2
            for k in i...j where truth[order[k]] { rankSum += midrank }
            i = j + 1
        }
        let p = Double(positives)
        return (rankSum - p * (p + 1) / 2) / (p * Double(negatives))
    }
}
