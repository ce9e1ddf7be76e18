import CCRMQL
import CRMQL
import Foundation

/// `crmql_chart`, as `crmql.h` documents it: the last result of `text`
/// drawn by the library's renderer, the one `.chart` and `export chart` use,
/// handed over as a string rather than a file (a notebook shows it inline,
/// and safe mode allows it).
@_cdecl("crmql_chart")
public func crmqlChart(_ db: OpaquePointer?, _ text: UnsafePointer<CChar>?, _ kind: UnsafePointer<CChar>?,
                       _ title: UnsafePointer<CChar>?, _ width: Int32, _ flags: Int32,
                       _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    out?.pointee = nil
    guard let handle = DatabaseHandle.from(db), let database = handle.database, let text, let out else {
        return misuse(DatabaseHandle.from(db), "crmql_chart needs an open database, text and somewhere to put the chart")
    }
    let known = CRMQL_CHART_TEXT | CRMQL_CHART_UNICODE | CRMQL_CHART_COLOR
    guard flags & ~known == 0 else { return misuse(handle, "crmql_chart: unknown flag \(flags & ~known)") }
    var chartKind: ChartKind?
    if let kind, !CString.read(kind).isEmpty {
        let name = CString.read(kind)
        guard let named = ChartKind(rawValue: name.lowercased()) else {
            var message = "unknown chart kind '\(name)'"
            if let match = Suggestion.closest(to: name, among: ChartKind.allCases.map(\.rawValue)) {
                message += "; did you mean '\(match)'?"
            } else {
                message += "; expected one of \(ChartKind.names)"
            }
            handle.record(CRMQL_ERROR, message)
            return CRMQL_ERROR
        }
        chartKind = named
    }
    do throws(CRMQLError) {
        var last: ResultSet?
        for case .rows(let result) in try database.execute(CString.read(text)) { last = result }
        guard let result = last else {
            handle.record(CRMQL_ERROR, "nothing to draw: the text returned no result")
            return CRMQL_ERROR
        }
        let chart: String
        if flags & CRMQL_CHART_TEXT != 0 {
            chart = try result.chart(kind: chartKind, width: Int(width), colors: flags & CRMQL_CHART_COLOR != 0,
                                     unicode: flags & CRMQL_CHART_UNICODE != 0)
        } else {
            chart = try result.svg(kind: chartKind, title: title.map(CString.read))
        }
        out.pointee = CString.make(chart)
        return handle.succeeded()
    } catch {
        return handle.record(error)
    }
}
