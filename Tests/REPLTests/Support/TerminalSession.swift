import Foundation
import XCTest

/// The `crmql` binary running on a pseudo-terminal, typed into like a person
/// would, with the screen kept by `ScreenEmulator`.
///
/// The program runs in a session of its own with the pty as its controlling
/// terminal, so Ctrl-C reaches it (and only it) as SIGINT, and with SIGINT
/// unblocked whatever the test runner's mask is.
final class TerminalSession {
    private let master: Int32
    private let pid: pid_t
    private(set) var screen: ScreenEmulator
    /// Every byte the program wrote, escape sequences included, for
    /// assertions on what the screen does not keep (colours).
    private var received: [UInt8] = []
    var rawOutput: String { String(decoding: received, as: UTF8.self) }
    private var exitStatus: Int32?

    static let columns = 100
    static let rows = 40

    /// Starts `crmql` with `arguments` in `environment` (nothing is inherited).
    init(arguments: [String], environment: [String: String], directory: String? = nil) throws {
        var master: Int32 = -1
        var slave: Int32 = -1
        var size = winsize(ws_row: UInt16(TerminalSession.rows), ws_col: UInt16(TerminalSession.columns), ws_xpixel: 0, ws_ypixel: 0)
        guard openpty(&master, &slave, nil, nil, &size) == 0 else { throw HarnessError("openpty failed") }
        defer { close(slave) }
        guard let slaveName = ttyname(slave) else { throw HarnessError("ttyname failed") }
        let slavePath = String(cString: slaveName)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addclose(&actions, master)
        posix_spawn_file_actions_addclose(&actions, slave)
        // Opened after setsid, the pty becomes the controlling terminal.
        posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        // 0x80 is POSIX_SPAWN_SETSID, which Swift does not import.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | 0x80))

        let binary = try CrmqlBinary.path()
        let argv = [binary] + arguments
        let envp = environment.map { "\($0.key)=\($0.value)" }
        var cArguments = argv.map { strdup($0) } + [nil]
        var cEnvironment = envp.map { strdup($0) } + [nil]
        defer {
            cArguments.forEach { free($0) }
            cEnvironment.forEach { free($0) }
        }
        // The child inherits the working directory; tests run one at a time,
        // so changing ours for the moment of the spawn is safe.
        let previousDirectory = FileManager.default.currentDirectoryPath
        if let directory { _ = FileManager.default.changeCurrentDirectoryPath(directory) }
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previousDirectory) }
        var pid = pid_t()
        let status = posix_spawn(&pid, binary, &actions, &attributes, &cArguments, &cEnvironment)
        guard status == 0 else {
            close(master)
            throw HarnessError("posix_spawn failed: \(status)")
        }
        self.master = master
        self.pid = pid
        self.screen = ScreenEmulator(columns: TerminalSession.columns, rows: TerminalSession.rows)
        _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        close(master)
    }

    // MARK: Typing

    enum Key: String {
        case enter = "\r", tab = "\t", backspace = "\u{7F}"
        case ctrlC = "\u{03}", ctrlD = "\u{04}", ctrlR = "\u{12}", ctrlA = "\u{01}", ctrlE = "\u{05}"
        case up = "\u{1B}[A", down = "\u{1B}[B", right = "\u{1B}[C", left = "\u{1B}[D"
    }

    /// Types text as keystrokes.
    func type(_ text: String) {
        write(Array(text.utf8))
        pump(for: 0.05)
    }

    func press(_ key: Key) {
        write(Array(key.rawValue.utf8))
        pump(for: 0.05)
    }

    private func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(master, $0.baseAddress, $0.count) }
            if written > 0 { offset += written } else if errno != EAGAIN && errno != EINTR { return }
        }
    }

    // MARK: Waiting

    /// Reads output until `condition` holds on the screen or `timeout` passes.
    @discardableResult
    func wait(timeout: TimeInterval = 15, until condition: (ScreenEmulator) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(screen) { return true }
            pump(for: 0.02)
        }
        return condition(screen)
    }

    /// Waits until the screen shows `text` anywhere (scrolled-away output included).
    @discardableResult
    func waitFor(_ text: String, timeout: TimeInterval = 15) -> Bool {
        wait(timeout: timeout) { $0.transcript.contains(text) || $0.text.contains(text) }
    }

    /// Waits for `prompt` on the cursor's line and for the line editor to
    /// have put the terminal in raw mode: keys typed before that may be
    /// taken by the kernel's line discipline instead (Ctrl-D as end of file).
    @discardableResult
    func waitForPrompt(_ prompt: String = "crmql> ", timeout: TimeInterval = 15) -> Bool {
        // Screen lines lose their trailing spaces: an empty prompt line reads "crmql>".
        var bare = prompt
        while bare.last == " " { bare.removeLast() }
        return wait(timeout: timeout) { screen in
            (screen.currentLine == bare || screen.currentLine.hasPrefix(prompt)) && !self.isCanonical()
        }
    }

    /// Waits for the program to end; returns its exit code (nil on timeout,
    /// -1 when a signal ended it).
    func waitForExit(timeout: TimeInterval = 15) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            pump(for: 0.02)
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                exitStatus = status & 0x7F == 0 ? (status >> 8) & 0xFF : -1
                pump(for: 0.05)
                return exitStatus
            }
        }
        return nil
    }

    private func isCanonical() -> Bool {
        var settings = termios()
        guard tcgetattr(master, &settings) == 0 else { return true }
        return settings.c_lflag & tcflag_t(ICANON) != 0
    }

    /// Feeds whatever output arrives within `seconds` to the screen.
    private func pump(for seconds: TimeInterval) {
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 4096)
        repeat {
            var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            let remaining = max(0, Int32(deadline.timeIntervalSinceNow * 1000))
            guard poll(&descriptor, 1, remaining) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
            guard count > 0 else {
                // The program has ended (EIO) or nothing was there after all.
                usleep(10_000)
                return
            }
            received.append(contentsOf: buffer[0..<count])
            screen.feed(Array(buffer[0..<count]))
        } while Date() < deadline
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Finds the `crmql` executable built next to the test bundle.
enum CrmqlBinary {
    static func path() throws -> String {
        if let override = ProcessInfo.processInfo.environment["CRMQL_BINARY"] { return override }
        var directories: [URL] = []
        for bundle in Bundle.allBundles {
            directories.append(bundle.bundleURL.deletingLastPathComponent())
            if let executable = bundle.executableURL { directories.append(executable.deletingLastPathComponent()) }
        }
        directories.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        for directory in directories {
            let candidate = directory.appendingPathComponent("crmql").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw HarnessError("crmql binary not found next to the test bundle")
    }
}
