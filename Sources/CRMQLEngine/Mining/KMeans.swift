import Foundation
import CRMQLCore

/// k-means clustering (`clusters(customers, k: 4, on: (...))`): k-means++
/// starts (Arthur & Vassilvitskii 2007, with the greedy local trials of
/// scikit-learn), Lloyd iterations to convergence, the best of several
/// starts by inertia, clusters numbered by size.
///
/// Points arrive standardised, as columns (one array per input); the work
/// is on one row-major copy so that a point's coordinates are adjacent.
struct KMeans {
    /// A fitted clustering.
    struct Result: Sendable, Equatable {
        /// Each cluster's centre (k × inputs), in the space of the points
        /// given, cluster 0 the largest.
        var centroids: [[Double]]
        /// Each point's cluster, 0..<k.
        var assignment: [Int32]
        /// Points per cluster.
        var sizes: [Int]
        /// The sum of squared distances of the points to their centre.
        var inertia: Double
        /// Lloyd iterations of the winning start.
        var iterations: Int
    }

    /// Why a fit gave no clustering.
    enum Failure: Error, Equatable {
        case stopped
    }

    /// TUNING: scikit-learn's default cap; on standardised CRM measures
    /// Lloyd converges in a few dozen iterations.
    static let maximumIterations = 300
    /// TUNING: points summed into the centres between two polls (a few
    /// hundred microseconds).
    static let sumRows = 1 << 16
    /// The contract's number of starts.
    static let starts = 10

    let points: [Double]
    let count: Int
    let dimensions: Int

    init(columns: [[Double]]) {
        self.init(columns: columns, poll: {})
    }

    /// `init(columns:)`, calling `poll` between stretches of rows.
    init(columns: [[Double]], poll: () throws -> Void) rethrows {
        dimensions = columns.count
        count = columns.first?.count ?? 0
        var points = [Double](repeating: 0, count: count * dimensions)
        for (j, column) in columns.enumerated() {
            for i in 0..<count {
                if i & Standardization.pollMask == Standardization.pollMask { try poll() }
                points[i * dimensions + j] = column[i]
            }
        }
        self.points = points
    }

    /// The best of `starts` seeded fits; `k` must be in 1...count. The
    /// starts are independent, so up to `threads` of them run at once;
    /// each draws from its own stream and ties go to the earliest start,
    /// so the answer is the same whatever the number of threads. `stop`
    /// must then be callable from any thread.
    func fit(k: Int, seed: UInt64, starts: Int = KMeans.starts, threads: Int = 1,
             stop: @escaping () -> Bool) throws(Failure) -> Result {
        precondition(k >= 1 && k <= count, "k-means needs 1 <= k <= rows")
        typealias Fit = (centroids: [Double], assignment: [Int32], inertia: Double, iterations: Int)
        func run(_ start: Int) throws(Failure) -> Fit {
            // Each start draws from its own stream, so start i is the same
            // whatever the number of starts.
            var random = DemoRandom(seed: seed &+ UInt64(start) &* 0x9E37_79B9_7F4A_7C15)
            let initial = try plusPlus(k: k, &random, stop: stop)
            return try lloyd(initial, k: k, stop: stop)
        }
        var fits: [Fit?]
        if threads > 1 && starts > 1 {
            let slots = Locked([Fit?](repeating: nil, count: starts))
            do {
                try Parallel.forEach(morsels: starts, threads: threads, stop: nil) { start in
                    let fitted = try run(start)
                    slots.withLock { $0[start] = fitted }
                }
            } catch {
                throw .stopped
            }
            fits = slots.withLock { $0 }
            if fits.contains(where: { $0 == nil }) { throw .stopped }
        } else {
            fits = []
            for start in 0..<starts { fits.append(try run(start)) }
        }
        var best: Fit?
        for case let fitted? in fits where best == nil || fitted.inertia < best!.inertia { best = fitted }
        var poll = StopPoll(stop)
        return try numberedBySize(best!, k: k, &poll)
    }

    /// k-means++: the first centre uniformly, each next one among
    /// 2 + ln k candidates drawn with probability proportional to the
    /// squared distance to the nearest centre so far, keeping the candidate
    /// that lowers the total most.
    func plusPlus(k: Int, _ random: inout DemoRandom, stop: @escaping () -> Bool) throws(Failure) -> [Double] {
        let d = dimensions
        var centres = [Double](repeating: 0, count: k * d)
        let first = random.below(count)
        for j in 0..<d { centres[j] = points[first * d + j] }
        var poll = StopPoll(unitsPerStep: d, stop)
        var closest = [Double](repeating: 0, count: count)
        for i in 0..<count {
            if poll.step() { throw .stopped }
            closest[i] = distance(point: i, centres, 0)
        }
        var potential = Standardization.sum(closest)
        let trials = 2 + Int(log(Double(k)))
        for c in 1..<max(k, 1) {
            var bestCandidate = -1, bestPotential = Double.infinity
            var bestClosest: [Double] = []
            for _ in 0..<trials {
                if poll.add(count) { throw .stopped }
                let candidate = potential > 0 ? sample(closest, total: potential, &random) : random.below(count)
                var next = closest
                var total = 0.0
                var stopped = false
                points.withUnsafeBufferPointer { p in
                    next.withUnsafeMutableBufferPointer { near in
                        for i in 0..<count {
                            if poll.step() {
                                stopped = true
                                break
                            }
                            var s = 0.0
                            for j in 0..<d {
                                let diff = p[i * d + j] - p[candidate * d + j]
                                s += diff * diff
                            }
                            if s < near[i] { near[i] = s }
                            total += near[i]
                        }
                    }
                }
                if stopped { throw .stopped }
                if total < bestPotential {
                    bestPotential = total
                    bestCandidate = candidate
                    bestClosest = next
                }
            }
            for j in 0..<d { centres[c * d + j] = points[bestCandidate * d + j] }
            closest = bestClosest
            potential = bestPotential
        }
        return centres
    }

    /// An index drawn with probability weights[i] / total.
    private func sample(_ weights: [Double], total: Double, _ random: inout DemoRandom) -> Int {
        let target = random.unit() * total
        var running = 0.0
        for i in 0..<weights.count {
            running += weights[i]
            if running > target { return i }
        }
        // Rounding left the target above the last sum: the last weighted point.
        return weights.lastIndex { $0 > 0 } ?? 0
    }

    /// Squared distance from point `i` to centre `c` of `centres`.
    @inline(__always)
    private func distance(point i: Int, _ centres: [Double], _ c: Int) -> Double {
        var s = 0.0
        for j in 0..<dimensions {
            let diff = points[i * dimensions + j] - centres[c * dimensions + j]
            s += diff * diff
        }
        return s
    }

    /// Lloyd's iterations from `initial` until no point changes cluster,
    /// with Hamerly's bounds (2010): each point keeps an upper bound on the
    /// distance to its centre and a lower bound on the distance to any
    /// other, both moved by how far the centres moved; a point whose upper
    /// bound stays below the lower one (or half the gap from its centre to
    /// the nearest other) cannot change cluster, and its k distances are
    /// not computed. The same assignments as `lloydPlain` each iteration,
    /// so the same iterations and the same answer: a point is skipped only
    /// with a margin far above the bounds' rounding, so ties and near-ties
    /// are decided by the distances, lowest centre first, as there.
    func lloyd(_ initial: [Double], k: Int, stop: @escaping () -> Bool) throws(Failure)
        -> (centroids: [Double], assignment: [Int32], inertia: Double, iterations: Int) {
        let d = dimensions
        var centres = initial
        var assignment = [Int32](repeating: -1, count: count)
        var upper = [Double](repeating: 0, count: count)
        var lower = [Double](repeating: 0, count: count)
        var iterations = 0
        var poll = StopPoll(unitsPerStep: k * d, stop)
        // Skipping needs the bound to win by this relative margin: bounds
        // carry rounding from sums of movements, a few ulps an iteration.
        let margin = 1 + 1e-9
        var moved = [Double](repeating: .infinity, count: k)
        var halfGap = [Double](repeating: 0, count: k)
        // The largest move, the centre that made it, and the next largest:
        // a point's lower bound falls by the largest move of another centre.
        var most = 0.0, mostAt = -1, secondMost = 0.0
        var first = true
        while true {
            var changed = 0
            var stopped = false
            points.withUnsafeBufferPointer { p in
                centres.withUnsafeBufferPointer { centre in
                    upper.withUnsafeMutableBufferPointer { up in
                        lower.withUnsafeMutableBufferPointer { low in
                            assignment.withUnsafeMutableBufferPointer { assigned in
                                for i in 0..<count {
                                    if poll.step() {
                                        stopped = true
                                        break
                                    }
                                    if !first {
                                        // The bounds follow the centres' last move.
                                        let a = Int(assigned[i])
                                        up[i] += moved[a]
                                        low[i] -= a == mostAt ? secondMost : most
                                        let bound = max(low[i], halfGap[a])
                                        if up[i] * margin < bound { continue }
                                        var s = 0.0
                                        for j in 0..<d {
                                            let diff = p[i * d + j] - centre[a * d + j]
                                            s += diff * diff
                                        }
                                        up[i] = s.squareRoot()
                                        if up[i] * margin < bound { continue }
                                    }
                                    // Every distance, as lloydPlain computes them.
                                    var best = 0, bestDistance = Double.infinity, second = Double.infinity
                                    for c in 0..<k {
                                        var s = 0.0
                                        for j in 0..<d {
                                            let diff = p[i * d + j] - centre[c * d + j]
                                            s += diff * diff
                                        }
                                        if s < bestDistance {
                                            second = bestDistance
                                            bestDistance = s
                                            best = c
                                        } else if s < second {
                                            second = s
                                        }
                                    }
                                    up[i] = bestDistance.squareRoot()
                                    low[i] = second.squareRoot()
                                    if assigned[i] != Int32(best) {
                                        assigned[i] = Int32(best)
                                        changed += 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
            first = false
            if stopped || poll.now() { throw .stopped }
            if changed == 0 || iterations >= Self.maximumIterations { break }
            iterations += 1
            var sums = [Double](repeating: 0, count: k * d)
            var sizes = [Int](repeating: 0, count: k)
            // In stretches between polls, over raw buffers: this pass reads
            // every point each iteration, as the assignment does.
            var from = 0
            while from < count {
                let to = min(from + Self.sumRows, count)
                if poll.add((to - from) * d) { throw .stopped }
                points.withUnsafeBufferPointer { p in
                    assignment.withUnsafeBufferPointer { assigned in
                        sums.withUnsafeMutableBufferPointer { sum in
                            sizes.withUnsafeMutableBufferPointer { size in
                                for i in from..<to {
                                    let c = Int(assigned[i])
                                    size[c] += 1
                                    for j in 0..<d { sum[c * d + j] += p[i * d + j] }
                                }
                            }
                        }
                    }
                }
                from = to
            }
            let previous = centres
            var nearest: [Double]?
            var taken = Set<Int>()
            for c in 0..<k {
                if sizes[c] > 0 {
                    for j in 0..<d { centres[c * d + j] = sums[c * d + j] / Double(sizes[c]) }
                } else {
                    // An empty cluster moves to the point farthest from its
                    // centre, as scikit-learn relocates it: the distances of
                    // the last assignment, to the centres before this move.
                    if nearest == nil {
                        if poll.add(count * d) { throw .stopped }
                        nearest = (0..<count).map { distance(point: $0, previous, Int(assignment[$0])) }
                    }
                    var far = -1, farDistance = -1.0
                    if poll.add(count) { throw .stopped }
                    for i in 0..<count where nearest![i] > farDistance && !taken.contains(i) {
                        far = i
                        farDistance = nearest![i]
                    }
                    // Only NaN distances leave no farthest point; any point will do then.
                    if far < 0 { far = 0 }
                    taken.insert(far)
                    for j in 0..<d { centres[c * d + j] = points[far * d + j] }
                }
            }
            // How far each centre moved, and half the gap from each to its
            // nearest other: the bounds' updates.
            most = 0
            mostAt = -1
            secondMost = 0
            for c in 0..<k {
                var s = 0.0
                for j in 0..<d {
                    let diff = centres[c * d + j] - previous[c * d + j]
                    s += diff * diff
                }
                moved[c] = s.squareRoot()
                if moved[c] > most || mostAt < 0 {
                    secondMost = mostAt < 0 ? 0 : most
                    most = moved[c]
                    mostAt = c
                } else if moved[c] > secondMost {
                    secondMost = moved[c]
                }
            }
            for c in 0..<k {
                var gap = Double.infinity
                for other in 0..<k where other != c {
                    var s = 0.0
                    for j in 0..<d {
                        let diff = centres[c * d + j] - centres[other * d + j]
                        s += diff * diff
                    }
                    gap = min(gap, s)
                }
                halfGap[c] = gap.squareRoot() / 2
            }
            if !(most.isFinite) { first = true }
        }
        var nearest = [Double](repeating: 0, count: count)
        for i in 0..<count {
            if poll.add(d) { throw .stopped }
            nearest[i] = distance(point: i, centres, Int(assignment[i]))
        }
        return (centres, assignment, Standardization.sum(nearest), iterations)
    }

    /// Lloyd's iterations from `initial` until no point changes cluster,
    /// every distance computed every iteration: the reference `lloyd` is
    /// tested against.
    func lloydPlain(_ initial: [Double], k: Int, stop: @escaping () -> Bool) throws(Failure)
        -> (centroids: [Double], assignment: [Int32], inertia: Double, iterations: Int) {
        let d = dimensions
        var centres = initial
        var assignment = [Int32](repeating: -1, count: count)
        var nearest = [Double](repeating: 0, count: count)
        var iterations = 0
        // A row of the assignment loop costs k distances of d coordinates:
        // with a thousand centres a few rows already take a millisecond.
        var poll = StopPoll(unitsPerStep: k * d, stop)
        while true {
            var changed = 0
            var stopped = false
            // Raw buffers: this loop is the whole cost of a fit (rows × k × inputs per iteration).
            points.withUnsafeBufferPointer { p in
                centres.withUnsafeBufferPointer { centre in
                    nearest.withUnsafeMutableBufferPointer { near in
                        assignment.withUnsafeMutableBufferPointer { assigned in
                            for i in 0..<count {
                                if poll.step() {
                                    stopped = true
                                    break
                                }
                                var best = 0, bestDistance = Double.infinity
                                for c in 0..<k {
                                    var s = 0.0
                                    for j in 0..<d {
                                        let diff = p[i * d + j] - centre[c * d + j]
                                        s += diff * diff
                                    }
                                    if s < bestDistance {
                                        bestDistance = s
                                        best = c
                                    }
                                }
                                near[i] = bestDistance
                                if assigned[i] != Int32(best) {
                                    assigned[i] = Int32(best)
                                    changed += 1
                                }
                            }
                        }
                    }
                }
            }
            if stopped || poll.now() { throw .stopped }
            if changed == 0 || iterations >= Self.maximumIterations { break }
            iterations += 1
            var sums = [Double](repeating: 0, count: k * d)
            var sizes = [Int](repeating: 0, count: k)
            for i in 0..<count {
                if poll.add(d) { throw .stopped }
                let c = Int(assignment[i])
                sizes[c] += 1
                for j in 0..<d { sums[c * d + j] += points[i * d + j] }
            }
            var taken = Set<Int>()
            for c in 0..<k {
                if sizes[c] > 0 {
                    for j in 0..<d { centres[c * d + j] = sums[c * d + j] / Double(sizes[c]) }
                } else {
                    // An empty cluster moves to the point farthest from its
                    // centre, as scikit-learn relocates it.
                    var far = -1, farDistance = -1.0
                    if poll.add(count) { throw .stopped }
                    for i in 0..<count where nearest[i] > farDistance && !taken.contains(i) {
                        far = i
                        farDistance = nearest[i]
                    }
                    // Only NaN distances leave no farthest point; any point will do then.
                    if far < 0 { far = 0 }
                    taken.insert(far)
                    for j in 0..<d { centres[c * d + j] = points[far * d + j] }
                }
            }
        }
        return (centres, assignment, Standardization.sum(nearest), iterations)
    }

    /// Renumbers clusters by size, largest first; equal sizes by the first
    /// point that belongs to them.
    private func numberedBySize(_ fit: (centroids: [Double], assignment: [Int32], inertia: Double, iterations: Int), k: Int,
                                _ poll: inout StopPoll) throws(Failure) -> Result {
        var sizes = [Int](repeating: 0, count: k)
        var firstPoint = [Int](repeating: Int.max, count: k)
        for (i, c) in fit.assignment.enumerated() {
            if poll.step() { throw .stopped }
            sizes[Int(c)] += 1
            firstPoint[Int(c)] = min(firstPoint[Int(c)], i)
        }
        let order = (0..<k).sorted { sizes[$0] != sizes[$1] ? sizes[$0] > sizes[$1] : firstPoint[$0] < firstPoint[$1] }
        var newNumber = [Int32](repeating: 0, count: k)
        for (rank, old) in order.enumerated() { newNumber[old] = Int32(rank) }
        let centroids = order.map { Array(fit.centroids[($0 * dimensions)..<(($0 + 1) * dimensions)]) }
        return Result(centroids: centroids, assignment: fit.assignment.map { newNumber[Int($0)] },
                      sizes: order.map { sizes[$0] }, inertia: fit.inertia, iterations: fit.iterations)
    }

    /// The mean silhouette of a clustering: for each point, (b - a) /
    /// max(a, b) with a its mean distance to the rest of its cluster and b
    /// the least mean distance to another cluster (0 for a point alone in
    /// its cluster). Over more than `sampleLimit` points it is the
    /// silhouette of a seeded sample of that many, as scikit-learn's
    /// `sample_size`. Nil with fewer than two clusters present.
    func silhouette(_ assignment: [Int32], k: Int, seed: UInt64, sampleLimit: Int = KMeans.silhouetteSample,
                    stop: @escaping () -> Bool = { false }) throws(Failure) -> Double? {
        var chosen = Array(0..<count)
        if count > sampleLimit {
            var random = DemoRandom(seed: seed ^ 0x5111_4077_E77E)
            for i in 0..<sampleLimit {
                let j = i + random.below(count - i)
                chosen.swapAt(i, j)
            }
            chosen = Array(chosen[0..<sampleLimit]).sorted()
        }
        var sizes = [Int](repeating: 0, count: k)
        for i in chosen { sizes[Int(assignment[i])] += 1 }
        guard sizes.filter({ $0 > 0 }).count >= 2 else { return nil }
        var total = 0.0
        var sums = [Double](repeating: 0, count: k)
        let d = dimensions
        // The sample's points and clusters side by side, read by raw buffers:
        // this is a quadratic loop.
        var sample = [Double](repeating: 0, count: chosen.count * d)
        for (index, i) in chosen.enumerated() { for j in 0..<d { sample[index * d + j] = points[i * d + j] } }
        let sampleCluster = chosen.map { Int(assignment[$0]) }
        // A point costs a distance to every point of the sample.
        var poll = StopPoll(unitsPerStep: chosen.count * d, stop)
        for (index, i) in chosen.enumerated() {
            if poll.step() { throw .stopped }
            for c in 0..<k { sums[c] = 0 }
            sample.withUnsafeBufferPointer { p in
                sampleCluster.withUnsafeBufferPointer { cluster in
                    sums.withUnsafeMutableBufferPointer { sum in
                        for other in 0..<cluster.count where other != index {
                            var s = 0.0
                            for j in 0..<d {
                                let diff = p[index * d + j] - p[other * d + j]
                                s += diff * diff
                            }
                            sum[cluster[other]] += s.squareRoot()
                        }
                    }
                }
            }
            let own = Int(assignment[i])
            guard sizes[own] > 1 else { continue }
            let a = sums[own] / Double(sizes[own] - 1)
            var b = Double.infinity
            for c in 0..<k where c != own && sizes[c] > 0 { b = min(b, sums[c] / Double(sizes[c])) }
            let denominator = max(a, b)
            if denominator > 0 { total += (b - a) / denominator }
        }
        return total / Double(chosen.count)
    }

    /// TUNING: the silhouette is quadratic in the points; 4,000 of them
    /// take 16M distances (well under a second) and fix the score to about
    /// ±0.01.
    static let silhouetteSample = 4_000
}
