import CCRMQL
import CRMQL

// A held result drawn as a chart (crmql.h's crmql_result_chart), so that a
// notebook kernel draws what it just showed without running the query
// again; the drawing is crmql_chart's, by the same renderer.

/// `crmql_result_chart`, as `crmql.h` documents it.
@_cdecl("crmql_result_chart")
public func crmqlResultChart(_ result: OpaquePointer?, _ kind: UnsafePointer<CChar>?, _ title: UnsafePointer<CChar>?,
                             _ width: Int32, _ flags: Int32, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                             _ errmsg: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    out?.pointee = nil
    errmsg?.pointee = nil
    func refuse(_ code: Int32, _ message: String) -> Int32 {
        errmsg?.pointee = CString.make(message)
        return code
    }
    guard let handle = ResultHandle.from(result), let out else {
        return refuse(CRMQL_MISUSE, "crmql_result_chart needs a result and somewhere to put the chart")
    }
    let known = CRMQL_CHART_TEXT | CRMQL_CHART_UNICODE | CRMQL_CHART_COLOR
    guard flags & ~known == 0 else { return refuse(CRMQL_MISUSE, "crmql_result_chart: unknown flag \(flags & ~known)") }
    var chartKind: ChartKind?
    if let kind, !CString.read(kind).isEmpty {
        let name = CString.read(kind)
        guard let named = ChartKind(rawValue: name.lowercased()) else {
            let base = "unknown chart kind '\(name)'"
            let kinds = ChartKind.allCases.map(\.rawValue)
            let message = Suggestion.closest(to: name, among: kinds) == nil
                ? base + "; expected one of \(ChartKind.names)" : Suggestion.message(base, for: name, among: kinds)
            return refuse(CRMQL_ERROR, message)
        }
        chartKind = named
    }
    do throws(CRMQLError) {
        let chart: String
        if flags & CRMQL_CHART_TEXT != 0 {
            chart = try handle.result.chart(kind: chartKind, width: Int(width), colors: flags & CRMQL_CHART_COLOR != 0,
                                            unicode: flags & CRMQL_CHART_UNICODE != 0)
        } else {
            chart = try handle.result.svg(kind: chartKind, title: title.map(CString.read))
        }
        out.pointee = CString.make(chart)
        return CRMQL_OK
    } catch {
        return refuse(CRMQL_ERROR, error.message)
    }
}

/// `crmql_result_chart_kind`, as `crmql.h` documents it.
@_cdecl("crmql_result_chart_kind")
public func crmqlResultChartKind(_ result: OpaquePointer?) -> UnsafePointer<CChar>? {
    let name: StaticString
    switch ResultHandle.from(result)?.result.defaultChartKind ?? .bar {
    case .bar: name = "bar"
    case .line: name = "line"
    case .funnel: name = "funnel"
    case .heat: name = "heat"
    }
    return UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
}
