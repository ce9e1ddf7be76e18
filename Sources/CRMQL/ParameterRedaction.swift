import CRMQLCore

/// Keeps the values a host supplied for parameters out of error messages.
///
/// Parameters become constants before a statement runs, so a message that
/// quotes a constant (`duplicate key …`, `'…' is not a value of tier`, a bad
/// pattern) may quote a host's value: customer data, which must not reach a
/// log through an error's `description`. Each such value, where it stands as
/// a whole word, is replaced by its parameter's name.
struct ParameterRedaction {
    /// The text each value shows as, longest first so that a value holding
    /// another is replaced whole.
    private let replacements: [(text: [Character], name: String)]

    init(session: [String: String], bound: [String: Value]) {
        var replacements: [(text: [Character], name: String)] = []
        func add(_ text: String, _ name: String) {
            if !text.isEmpty { replacements.append((Array(text), "$" + name)) }
        }
        for (name, text) in session {
            add(text, name)
            // A number the host wrote as `1.50` shows as `1.5` in a message.
            if let number = Double(text), number.isFinite { add(ValueFormatter.number(number), name) }
        }
        for (name, value) in bound { add(ValueFormatter.plain(value), name) }
        self.replacements = replacements.sorted { $0.text.count > $1.text.count }
    }

    /// The diagnostics with every supplied value replaced by its name.
    func apply(to diagnostics: [Diagnostic]) -> [Diagnostic] {
        if replacements.isEmpty { return diagnostics }
        return diagnostics.map { diagnostic in
            var redacted = diagnostic
            redacted.message = apply(to: diagnostic.message)
            return redacted
        }
    }

    /// The message with every supplied value replaced by its name.
    func apply(to message: String) -> String {
        var characters = Array(message)
        for (text, name) in replacements {
            characters = replace(text, with: Array(name), in: characters)
        }
        return String(characters)
    }

    /// `text` replaced wherever it stands as a whole word: neither end may
    /// touch a letter, digit or `_`, so the value `7` leaves `17` alone.
    private func replace(_ text: [Character], with name: [Character], in characters: [Character]) -> [Character] {
        guard text.count <= characters.count else { return characters }
        var result: [Character] = []
        result.reserveCapacity(characters.count)
        var index = 0
        while index < characters.count {
            if index + text.count <= characters.count,
               characters[index..<(index + text.count)].elementsEqual(text),
               index == 0 || !isWordCharacter(characters[index - 1]) || !isWordCharacter(text[0]),
               index + text.count == characters.count || !isWordCharacter(characters[index + text.count])
                   || !isWordCharacter(text[text.count - 1]) {
                result.append(contentsOf: name)
                index += text.count
            } else {
                result.append(characters[index])
                index += 1
            }
        }
        return result
    }

    private func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "_"
    }
}
