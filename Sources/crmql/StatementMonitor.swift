import CRMQL
import Foundation
import LineReader
import Synchronization

/// Watches a running statement from a helper thread: a Ctrl-C cancels it
/// through `Database.interrupt()`, and once it has run for two seconds a
/// spinner with the elapsed time shows on standard error until it ends —
/// a progress bar with the time left when the work can be counted.
///
/// The signal handler only counts; this thread turns the count into a call
/// the engine understands, because `interrupt()` is thread-safe and a signal
/// handler may not call into Swift code that takes locks.
final class StatementMonitor: Sendable {
    private struct State {
        var spinnerShown = false
        var frame = 0
    }

    private let database: Database
    private let showsSpinner: Bool
    /// Serialises spinner drawing with the statement's own output.
    private let state = Mutex(State())
    private let stopped = Atomic<Bool>(false)
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    /// How long a statement runs before the spinner shows.
    static let spinnerDelay: Duration = .seconds(2)
    private static let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

    /// Starts watching; call `stop()` when the statement ends.
    init(database: Database, showsSpinner: Bool) {
        self.database = database
        self.showsSpinner = showsSpinner
        let interruptsAtStart = InterruptSignal.count
        let thread = Thread { [self] in
            InterruptSignal.blockOnCurrentThread()
            watch(interruptsAtStart: interruptsAtStart)
            finished.signal()
        }
        thread.start()
    }

    private func watch(interruptsAtStart: Int) {
        let clock = ContinuousClock()
        let start = clock.now
        var interruptsSeen = interruptsAtStart
        while !stopped.load(ordering: .acquiring) {
            if wake.wait(timeout: .now() + .milliseconds(50)) == .success { break }
            let interrupts = InterruptSignal.count
            if interrupts != interruptsSeen {
                interruptsSeen = interrupts
                database.interrupt()
            }
            let elapsed = clock.now - start
            guard showsSpinner, elapsed >= StatementMonitor.spinnerDelay else { continue }
            state.withLock { state in
                guard !stopped.load(ordering: .acquiring) else { return }
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                let frame = StatementMonitor.frames[state.frame % StatementMonitor.frames.count]
                state.frame += 1
                var line = "\(frame) running \(String(format: "%.1f", seconds))s"
                if let fraction = database.progress, fraction > 0.01 {
                    line = StatementMonitor.bar(fraction) + " \(Int(fraction * 100))%  "
                        + "\(String(format: "%.1f", seconds))s, about \(Int((seconds * (1 - fraction) / fraction).rounded(.up)))s left"
                }
                StandardError.write("\r\u{1B}[K\(line)  (Ctrl-C cancels)")
                state.spinnerShown = true
            }
        }
    }

    /// A 20-cell bar, filled to `fraction`.
    static func bar(_ fraction: Double) -> String {
        let filled = min(20, max(0, Int((fraction * 20).rounded())))
        return "[" + String(repeating: "█", count: filled) + String(repeating: "·", count: 20 - filled) + "]"
    }

    /// Runs `write` with the spinner cleared and held off, so that output
    /// never lands in the middle of a spinner line.
    func exclusive(_ write: () -> Void) {
        state.withLock { state in
            if state.spinnerShown {
                StandardError.write("\r\u{1B}[K")
                state.spinnerShown = false
            }
            write()
        }
    }

    /// Stops watching and removes the spinner; returns once the helper
    /// thread has finished, so nothing is drawn afterwards.
    func stop() {
        stopped.store(true, ordering: .releasing)
        wake.signal()
        finished.wait()
        exclusive {}
    }
}
