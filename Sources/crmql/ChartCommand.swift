import CRMQL
import Foundation
import LineReader

extension Shell {
    /// `.chart [bar|line|funnel|heat]`: the last result drawn where results
    /// go, fitted to the terminal's width. Block characters and 256 colours
    /// only when a terminal that has them is reading; a file or a pipe gets
    /// plain characters 80 columns wide, which any viewer shows.
    func showChart(_ argument: String) throws {
        var kind: ChartKind?
        if !argument.isEmpty {
            guard let named = ChartKind(rawValue: argument.lowercased()) else {
                var message = "unknown chart kind '\(argument)'"
                if let match = Suggestion.closest(to: argument, among: ChartKind.allCases.map(\.rawValue)) {
                    message += "; did you mean '\(match)'?"
                } else {
                    message += "; expected one of \(ChartKind.names)"
                }
                throw ShellError(message)
            }
            kind = named
        }
        guard let result = lastResult else { throw ShellError("no result to draw yet; run a query first, then .chart") }
        let terminal = sink.isTerminal && sink.path == nil
        let environment = ProcessInfo.processInfo.environment
        let style = Shell.chartStyle(isTerminal: terminal, width: terminal ? Terminal.width(of: STDOUT_FILENO) : nil,
                                     colorAllowed: colorAllowed, environment: environment)
        do throws(CRMQLError) {
            sink.write(try result.chart(kind: kind, width: style.width, colors: style.colors, unicode: style.unicode))
        } catch {
            throw ShellError(error.message)
        }
    }

    /// What a chart may use where it is shown: a terminal other than `dumb`
    /// shows block characters; colour needs one that announces 256 colours
    /// (`TERM=*256color*`, or `COLORTERM`) and no `NO_COLOR`.
    static func chartStyle(isTerminal: Bool, width: Int?, colorAllowed: Bool,
                           environment: [String: String]) -> (width: Int, unicode: Bool, colors: Bool) {
        let term = environment["TERM"] ?? ""
        let unicode = isTerminal && !term.isEmpty && term != "dumb"
        let richTerminal = term.contains("256") || ["truecolor", "24bit"].contains(environment["COLORTERM"] ?? "")
        // TUNING: 80 columns when nothing says how wide the reader is: what a
        // terminal, a mail and a code review show without wrapping.
        return (width ?? 80, unicode, unicode && colorAllowed && richTerminal)
    }
}
