/// A sort that can be stopped midway: the standard library's sort cannot be
/// left half-way, and a million rows take it long enough to matter. Runs of
/// `run` elements are sorted by the standard library, then merged pairwise,
/// with `poll` called after each run and every `run` elements merged; what
/// `poll` throws ends the sort. Used by the engine's sorts (polling the
/// statement's limits) and by index builds (asking `IndexBuild`).
public enum RunMergeSort {
    /// Sorts `order` by `less`, a strict total order (ties in `less` keep
    /// their order: the merge is stable, the runs are not). Inlinable, so
    /// that a caller in another module gets a sort specialised to its
    /// element and comparison: through the generic entry point, comparing
    /// two pairs of numbers went through witness tables and took most of a
    /// decision tree's fit.
    @inlinable
    public static func sort<Element>(_ order: inout [Element], run: Int, poll: () throws -> Void,
                                     by less: (Element, Element) -> Bool) rethrows {
        let count = order.count
        let run = max(run, 1)
        guard count > run else {
            order.sort(by: less)
            return
        }
        var start = 0
        while start < count {
            let end = min(start + run, count)
            order[start..<end].sort(by: less)
            try poll()
            start = end
        }
        guard let first = order.first else { return }
        var source = order
        var target = [Element](repeating: first, count: count)
        var width = run
        while width < count {
            try source.withUnsafeBufferPointer { from in
                try target.withUnsafeMutableBufferPointer { to in
                    var low = 0
                    var untilPoll = run
                    while low < count {
                        let middle = min(low + width, count), high = min(low + 2 * width, count)
                        var left = low, right = middle, out = low
                        while out < high {
                            // The left run wins ties, as a stable merge must.
                            if right >= high || (left < middle && !less(from[right], from[left])) {
                                to[out] = from[left]
                                left += 1
                            } else {
                                to[out] = from[right]
                                right += 1
                            }
                            out += 1
                            untilPoll -= 1
                            if untilPoll == 0 {
                                try poll()
                                untilPoll = run
                            }
                        }
                        low = high
                    }
                }
            }
            swap(&source, &target)
            width *= 2
        }
        order = source
    }
}
