import Foundation

/// The pager (`.last`) and the editor (`.edit`), run through `/bin/sh` so
/// that `$PAGER` and `$EDITOR` may carry options (`less -S`, `code -w`).
///
/// Started with `posix_spawn` in the shell's own process group, so that they
/// are in the terminal's foreground and may read the keyboard.
enum ExternalProgram {
    /// Shows `text` through `$PAGER`, or `less -FRXS` when `PAGER` is unset (long lines chopped, as psql asks of it).
    /// - Returns: false when there is no pager to run; the caller prints
    ///   the text itself then.
    static func page(_ text: String) -> Bool {
        let environment = ProcessInfo.processInfo.environment
        let command: String
        if let pager = environment["PAGER"], !pager.trimmingCharacters(in: .whitespaces).isEmpty {
            command = pager
        } else if isOnPath("less") {
            command = "less -FRXS"
        } else {
            return false
        }
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { return false }
        let (readEnd, writeEnd) = (pipeEnds[0], pipeEnds[1])
        guard let pid = spawnShell(command, arguments: [], standardInput: readEnd, closeInChild: writeEnd) else {
            close(readEnd)
            close(writeEnd)
            return false
        }
        close(readEnd)
        // A pager quit early makes writes fail (SIGPIPE is ignored at the
        // REPL); there is nothing left to show then.
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(writeEnd, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { break }
            bytes = bytes.dropFirst(written)
        }
        close(writeEnd)
        return wait(for: pid) != 127
    }

    /// Opens `text` in `$VISUAL`, `$EDITOR` or `vi`, and returns the file as
    /// saved; nil when the editor failed or could not start.
    static func edit(_ text: String) -> String? {
        let environment = ProcessInfo.processInfo.environment
        let editor = [environment["VISUAL"], environment["EDITOR"]]
            .compactMap { $0 }
            .first { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? "vi"
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("crmql-edit-\(getpid()).crmql").path
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            return nil
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let pid = spawnShell(editor + " \"$1\"", arguments: [path], standardInput: nil, closeInChild: nil),
              wait(for: pid) == 0 else {
            return nil
        }
        return try? String(contentsOfFile: path, encoding: .utf8)
    }

    /// Runs `/bin/sh -c command sh arguments...`.
    private static func spawnShell(_ command: String, arguments: [String], standardInput: Int32?, closeInChild: Int32?) -> pid_t? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let standardInput {
            posix_spawn_file_actions_adddup2(&actions, standardInput, STDIN_FILENO)
            posix_spawn_file_actions_addclose(&actions, standardInput)
        }
        if let closeInChild { posix_spawn_file_actions_addclose(&actions, closeInChild) }

        // The child starts with default signal handling and nothing blocked.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ["/bin/sh", "-c", command, "sh"] + arguments
        var cArguments = argv.map { strdup($0) }
        cArguments.append(nil)
        defer { cArguments.forEach { free($0) } }
        var pid = pid_t()
        let status = posix_spawn(&pid, "/bin/sh", &actions, &attributes, cArguments, environ)
        return status == 0 ? pid : nil
    }

    /// Waits for a child; returns its exit status, or -1 when it died of a signal.
    private static func wait(for pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return -1 }
        }
        // WIFEXITED / WEXITSTATUS, which Swift does not import as macros.
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : -1
    }

    private static func isOnPath(_ program: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { directory in
            FileManager.default.isExecutableFile(atPath: "\(directory)/\(program)")
        }
    }
}
