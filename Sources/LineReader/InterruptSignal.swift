#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

// Counted in a global so that the C signal handler, which cannot capture
// anything, can reach it; an atomic add is async-signal-safe.
private let interruptCounter = Atomic<Int>(0)

private let handleInterrupt: @convention(c) (Int32) -> Void = { _ in
    interruptCounter.add(1, ordering: .relaxed)
}

/// Ctrl-C as a counter the program polls instead of a process death.
///
/// While a line is edited, a Ctrl-C makes the editor return `.interrupted`;
/// while a statement runs, a watcher sees the count move and cancels it.
public enum InterruptSignal {
    /// Installs the SIGINT handler and unblocks SIGINT on the calling thread.
    ///
    /// A parent that blocked SIGINT (test runners do) passes its mask on, and
    /// Ctrl-C would then do nothing. The handler is installed without
    /// `SA_RESTART` so that a blocking read returns `EINTR`.
    public static func install() {
        _ = interruptCounter.load(ordering: .relaxed)
        var action = sigaction()
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = handleInterrupt
        #else
        action.__sigaction_u.__sa_handler = handleInterrupt
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        sigaddset(&unblocked, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
    }

    /// How many Ctrl-Cs arrived since start-up; compare two readings to
    /// learn whether one arrived in between.
    public static var count: Int { interruptCounter.load(ordering: .relaxed) }

    /// Keeps SIGINT away from the calling thread, so it reaches the thread
    /// blocked in a read (which then returns `EINTR`). Call at the start of
    /// every helper thread.
    public static func blockOnCurrentThread() {
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGINT)
        pthread_sigmask(SIG_BLOCK, &blocked, nil)
    }

    /// Ignores SIGPIPE, so that a pager quitting early does not end the
    /// program; writes to it then fail with `EPIPE` instead.
    public static func ignoreBrokenPipes() {
        signal(SIGPIPE, SIG_IGN)
    }
}
