#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// Converts each batch's cells into the load's columns, on two threads once
/// the first batches have shown how to split the fields evenly: converting
/// is most of a load's work, and every field's column is its own, so two
/// runs of fields can be converted at once.
///
/// The answer is the sequential one. The calling thread converts the first
/// run of fields into the load's failure log, the other thread the rest into
/// a log of its own, which is merged afterwards without overriding: a row
/// refused by both keeps the reason of its lower field, as when the fields
/// are converted in order.
struct FieldConversion {
    private let plan: LoadPlan
    /// Time each field took over the first batches.
    private var spent: [Duration]
    private var batchesTimed = 0
    /// Fields `0 ..< split` convert on the calling thread, the others on a
    /// second one; nil while timing, and for good when it is not worth it.
    private var split: Int?

    /// TUNING: a few batches give a stable estimate of each field's cost.
    private static let timedBatches = 4
    /// TUNING: below this many rows a batch costs less than a hand-over.
    private static let parallelRows = 256

    init(plan: LoadPlan) {
        self.plan = plan
        spent = Array(repeating: .zero, count: plan.columns.count)
    }

    mutating func convert(_ batch: RecordBatch, failures: inout FailureLog) {
        if let split, batch.rowCount >= FieldConversion.parallelRows {
            convertInParallel(batch, split: split, failures: &failures)
            return
        }
        let timing = batchesTimed < FieldConversion.timedBatches
        let clock = ContinuousClock()
        for field in plan.columns.indices {
            let start = timing ? clock.now : nil
            FieldConversion.take(plan, field, batch, &failures)
            if let start { spent[field] += clock.now - start }
        }
        if timing {
            batchesTimed += 1
            if batchesTimed == FieldConversion.timedBatches { split = FieldConversion.evenSplit(spent) }
        }
    }

    private func convertInParallel(_ batch: RecordBatch, split: Int, failures: inout FailureLog) {
        let plan = self.plan
        let fieldCount = plan.columns.count
        let second = UnsafeMutablePointer<FailureLog>.allocate(capacity: 1)
        second.initialize(to: FailureLog())
        defer {
            second.deinitialize(count: 1)
            second.deallocate()
        }
        withUnsafeMutablePointer(to: &failures) { first in
            let shared = SharedWork(plan: plan, batch: batch, first: first, second: second)
            DispatchQueue.concurrentPerform(iterations: 2) { part in
                if part == 0 {
                    for field in 0..<split { FieldConversion.take(shared.plan, field, shared.batch, &shared.first.pointee) }
                } else {
                    for field in split..<fieldCount { FieldConversion.take(shared.plan, field, shared.batch, &shared.second.pointee) }
                }
            }
        }
        failures.absorb(second.pointee)
    }

    private static func take(_ plan: LoadPlan, _ field: Int, _ batch: RecordBatch, _ failures: inout FailureLog) {
        switch plan.columns[field] {
        case .declared(let column): column.take(batch, column: plan.sources[field], failures: &failures)
        case .inferred(let column): column.take(batch, column: plan.sources[field] ?? 0, failures: &failures)
        }
    }

    /// Where to cut the fields so both runs take about as long; nil with one
    /// field or one processor.
    private static func evenSplit(_ spent: [Duration]) -> Int? {
        guard spent.count >= 2, sysconf(Int32(_SC_NPROCESSORS_ONLN)) > 1 else { return nil }
        let total = spent.reduce(Duration.zero, +)
        var best = 1
        var bestGap = total
        var prefix = Duration.zero
        for cut in 1..<spent.count {
            prefix += spent[cut - 1]
            let rest = total - prefix
            let gap = prefix > rest ? prefix - rest : rest - prefix
            if gap < bestGap {
                bestGap = gap
                best = cut
            }
        }
        return best
    }
}

/// What both threads of one batch see. Unchecked, because the compiler
/// cannot tell what makes it safe: the batch and the plan are only read, each
/// thread converts its own fields (each field's column is its own object),
/// and each writes its own failure log; `concurrentPerform` returns only
/// when both are done.
private struct SharedWork: @unchecked Sendable {
    let plan: LoadPlan
    let batch: RecordBatch
    let first: UnsafeMutablePointer<FailureLog>
    let second: UnsafeMutablePointer<FailureLog>
}
