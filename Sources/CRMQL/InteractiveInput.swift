import CRMQLCore
import CRMQLSyntax

/// What a host where a person types statements needs besides running them:
/// when a statement is complete, and the query a clause line refines.
///
/// The `crmql` shell is built on these and on `Completion`, and uses nothing
/// else of the library that an embedding host could not use too; see
/// <doc:BuildingAnInteractiveHost>.
public enum InteractiveInput {
    /// Whether `text` needs more lines before it can run: an open bracket
    /// or string, or a trailing operator or keyword. A host runs the text
    /// once this is false (it may still have errors, which running reports).
    ///
    /// The same rule marks a `CRMQLError` with `isIncompleteInput`.
    public static func needsMoreInput(_ text: String) -> Bool {
        Parser.needsMoreInput(SourceFile(name: "<input>", text: text))
    }

    /// The query `previous` refined by a clause line, as an analyst builds a
    /// query step by step: `show name, loyalty` after a `select` appends
    /// that clause (replacing one the query had), `and …` narrows its
    /// `where`. Nil when `line` is not such a clause or `previous` is not
    /// one `select` (see `isSingleQuery(_:)`).
    public static func refine(_ previous: String, with line: String) -> String? {
        QueryRefinement.refine(previous: previous, with: line)
    }

    /// True when `text` is exactly one `select`: a query a clause line can
    /// refine, and so the one a host keeps as the query to refine next.
    public static func isSingleQuery(_ text: String) -> Bool {
        QueryRefinement.isSingleQuery(text)
    }
}
