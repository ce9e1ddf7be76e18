import CCRMQL
import CRMQL

// The chart functions of crmql.h: a result drawn as SVG or as terminal
// text by the renderer of `export chart` and the shell's `.chart`, so that
// a notebook kernel shows the same picture.

/// The chart kind C names, or the message that refuses it.
private func chartKind(_ name: UnsafePointer<CChar>?) -> Result<ChartKind?, ChartRequestError> {
    guard let name else { return .success(nil) }
    let text = CString.read(name)
    if let kind = ChartKind(rawValue: text) { return .success(kind) }
    let base = "unknown chart kind '\(text)'"
    let kinds = ChartKind.allCases.map(\.rawValue)
    return .failure(ChartRequestError(message: Suggestion.message(base, for: text, among: kinds) + " (the kinds are \(ChartKind.names))"))
}

private struct ChartRequestError: Error {
    let message: String
}

/// Draws with `draw`, handing the text over or the reason through `errmsg`.
private func drawn(_ result: OpaquePointer?, _ kind: UnsafePointer<CChar>?,
                   _ errmsg: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                   _ draw: (ResultSet, ChartKind?) throws(CRMQLError) -> String) -> UnsafeMutablePointer<CChar>? {
    errmsg?.pointee = nil
    guard let handle = ResultHandle.from(result) else {
        errmsg?.pointee = CString.make("no result to draw")
        return nil
    }
    switch chartKind(kind) {
    case .failure(let error):
        errmsg?.pointee = CString.make(error.message)
        return nil
    case .success(let chosen):
        do throws(CRMQLError) {
            return CString.make(try draw(handle.result, chosen))
        } catch {
            errmsg?.pointee = CString.make(error.message)
            return nil
        }
    }
}

/// `crmql_result_svg`, as `crmql.h` documents it.
@_cdecl("crmql_result_svg")
public func crmqlResultSVG(_ result: OpaquePointer?, _ kind: UnsafePointer<CChar>?, _ title: UnsafePointer<CChar>?,
                           _ errmsg: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> UnsafeMutablePointer<CChar>? {
    let heading = title.map(CString.read)
    return drawn(result, kind, errmsg) { (rows, chosen) throws(CRMQLError) in try rows.svg(kind: chosen, title: heading) }
}

/// `crmql_result_chart`, as `crmql.h` documents it.
@_cdecl("crmql_result_chart")
public func crmqlResultChart(_ result: OpaquePointer?, _ kind: UnsafePointer<CChar>?, _ width: Int32, _ flags: Int32,
                             _ errmsg: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> UnsafeMutablePointer<CChar>? {
    drawn(result, kind, errmsg) { (rows, chosen) throws(CRMQLError) in
        try rows.chart(kind: chosen, width: max(24, Int(width)), colors: flags & CRMQL_CHART_COLORS != 0,
                       unicode: flags & CRMQL_CHART_UNICODE != 0)
    }
}

/// `crmql_result_chart_kind`, as `crmql.h` documents it.
@_cdecl("crmql_result_chart_kind")
public func crmqlResultChartKind(_ result: OpaquePointer?) -> UnsafePointer<CChar>? {
    let kind = ResultHandle.from(result)?.result.defaultChartKind ?? .bar
    let name: StaticString
    switch kind {
    case .bar: name = "bar"
    case .line: name = "line"
    case .funnel: name = "funnel"
    case .heat: name = "heat"
    }
    return UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
}
