import CEditLine
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An interactive line editor on libedit: emacs key bindings (or whatever
/// `~/.editrc` says, `bind -v` included), history kept in a file, Ctrl-R
/// search, Tab completion, and Ctrl-C that clears the line.
///
/// libedit is not thread-safe: use a reader from one thread only.
public final class EditLineReader: LineReading {
    private let editor: OpaquePointer
    private let history: OpaquePointer
    private var event = HistEvent()
    private let historyPath: String?
    private let completer: Completer?
    /// The C string the prompt callback hands to libedit; it must outlive
    /// the `el_gets` call that shows it.
    private var promptText: UnsafeMutablePointer<CChar>?

    /// Opens the editor on the standard streams.
    /// - Parameters:
    ///   - historyPath: the history file, loaded now and saved after every
    ///     entry; nil keeps history in memory only.
    ///   - historySize: how many entries are kept, in memory and in the file.
    ///   - completer: what Tab offers.
    /// - Returns: nil when libedit cannot start on these streams.
    public init?(historyPath: String?, historySize: Int = 1000, completer: Completer?) {
        EditLineReader.chooseUTF8Locale()
        InterruptSignal.install()
        guard let editor = el_init("crmql", cel_stdin(), cel_stdout(), cel_stderr()) else { return nil }
        guard let history = history_init() else {
            el_end(editor)
            return nil
        }
        self.editor = editor
        self.history = history
        self.historyPath = historyPath
        self.completer = completer

        cel_history_set_size(history, &event, Int32(clamping: max(1, historySize)))
        cel_history_set_unique(history, &event, 1)
        if let historyPath { cel_history_load(history, &event, historyPath) }

        cel_set_client_data(editor, Unmanaged.passUnretained(self).toOpaque())
        cel_set_editor(editor, "emacs")
        // With EL_SIGNAL libedit restores the terminal before a signal is
        // handled; without it, a Ctrl-C that ends the program leaves it raw.
        cel_set_signal(editor, 1)
        cel_set_prompt(editor, promptCallback)
        cel_set_history(editor, history)
        cel_add_function(editor, "crmql-complete", "complete the word before the cursor", completeCallback)
        cel_bind(editor, "^I", "crmql-complete")
        cel_bind(editor, "^R", "em-inc-search-prev")
        // The user's ~/.editrc comes last so that it may change anything,
        // `bind -v` included; Tab is bound again for the keymap it chose.
        el_source(editor, nil)
        cel_bind(editor, "^I", "crmql-complete")
    }

    deinit {
        el_end(editor)
        history_end(history)
        free(promptText)
    }

    public func readLine(prompt: String) -> LineResult {
        free(promptText)
        promptText = strdup(prompt)
        let interruptsBefore = InterruptSignal.count
        while true {
            var count: Int32 = 0
            errno = 0
            if let raw = el_gets(editor, &count) {
                let length = count > 0 ? Int(count) : strlen(raw)
                var bytes = UnsafeRawBufferPointer(start: raw, count: length)[...]
                if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
                return .line(String(decoding: bytes, as: UTF8.self))
            }
            // NULL with -1 is a signal or a read error; NULL with 0 is end of
            // input (errno is stale then).
            guard count == -1 else { return .eof }
            if InterruptSignal.count != interruptsBefore {
                fputs("\n", cel_stdout())
                fflush(cel_stdout())
                return .interrupted
            }
            if errno != EINTR { return .eof }
        }
    }

    public func addHistory(_ entry: String) {
        guard entry.contains(where: { !$0.isWhitespace }) else { return }
        cel_history_enter(history, &event, entry)
        if let historyPath { cel_history_save(history, &event, historyPath) }
    }

    /// The prompt libedit shows next.
    fileprivate var currentPrompt: UnsafeMutablePointer<CChar> { promptText ?? cel_empty_prompt() }

    /// libedit drops multibyte input unless LC_CTYPE is a UTF-8 locale, and
    /// CI machines often run with `LANG` unset or `C`.
    private static func chooseUTF8Locale() {
        setlocale(LC_CTYPE, "")
        let codeset = nl_langinfo(nl_item(CODESET)).map { String(cString: $0) } ?? ""
        if codeset.uppercased().filter({ $0 != "-" }) != "UTF8" {
            setlocale(LC_CTYPE, "C.UTF-8")
        }
    }

    // MARK: Completion

    /// Tab: asks the completer, then replaces the word before the cursor
    /// with the only candidate, or with the candidates' longer common prefix,
    /// or lists them under the line.
    fileprivate func complete() -> UInt8 {
        guard let completer, let info = el_line(editor)?.pointee,
              let buffer = info.buffer, let cursor = info.cursor, let end = info.lastchar else {
            return UInt8(CC_REFRESH_BEEP)
        }
        let total = max(0, buffer.distance(to: end))
        let cursorOffset = min(max(0, buffer.distance(to: cursor)), total)
        let bytes = UnsafeRawBufferPointer(start: buffer, count: total)
        let line = String(decoding: bytes, as: UTF8.self)
        let beforeCursor = String(decoding: bytes[0..<cursorOffset], as: UTF8.self)
        var seen: Set<String> = []
        let candidates = completer(line, cursorOffset).filter { seen.insert($0).inserted }
        guard !candidates.isEmpty else { return UInt8(CC_REFRESH_BEEP) }

        let word = CompletionText.replacedWord(before: beforeCursor, candidates: candidates)
        let replacement: String
        if candidates.count == 1 {
            let nextIsSpace = cursorOffset < total && bytes[cursorOffset] == UInt8(ascii: " ")
            replacement = candidates[0] + (CompletionText.wantsSpaceAfter(candidates[0]) && !nextIsSpace ? " " : "")
        } else {
            let common = CompletionText.commonPrefix(candidates)
            guard common.unicodeScalars.count > word.unicodeScalars.count else {
                list(candidates)
                return UInt8(CC_REDISPLAY)
            }
            replacement = common
        }
        if !word.isEmpty { el_deletestr(editor, Int32(clamping: word.unicodeScalars.count)) }
        el_insertstr(editor, replacement)
        return UInt8(CC_REFRESH)
    }

    private func list(_ candidates: [String]) {
        let width = Terminal.width(of: STDOUT_FILENO) ?? 80
        fputs("\n" + CompletionText.columns(candidates, width: width), cel_stdout())
        fflush(cel_stdout())
    }
}

private let promptCallback: cel_prompt_function = { editor in
    guard let editor, let data = cel_client_data(editor) else { return cel_empty_prompt() }
    return Unmanaged<EditLineReader>.fromOpaque(data).takeUnretainedValue().currentPrompt
}

private let completeCallback: cel_key_function = { editor, _ in
    guard let editor, let data = cel_client_data(editor) else { return UInt8(CC_ERROR) }
    return Unmanaged<EditLineReader>.fromOpaque(data).takeUnretainedValue().complete()
}
