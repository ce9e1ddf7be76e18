import CCRMQL
import CRMQL
import CRMQLC
import Foundation
import Testing

/// The parts of `crmql.h` that hosts with a data frame or an editor use:
/// whole results copied a column at a time, scripts run one output at a
/// time, completion, inspection and the failed phase. Called through the
/// exported functions, as a C host would.
@Suite struct BulkResultTests {
    /// A database with one entity of every type, nulls included.
    private func open() throws -> OpaquePointer {
        var db: OpaquePointer?
        #expect(crmqlOpenV2(nil, 0, "2026-06-30", &db) == CRMQL_OK)
        let setup = """
            create entity people (id int key, name text, score number, active bool, born date, level enum(low, mid, high))
            insert into people (id, name, score, active, born, level) values \
            (1, 'Ann', 2.5, true, 1990-04-01, high), (2, 'Bø', null, false, null, low), (3, null, -7.75, true, 2001-12-31, null)
            """
        #expect(crmqlExec(db, setup, nil, nil, nil) == CRMQL_OK)
        return try #require(db)
    }

    private func result(_ db: OpaquePointer, _ text: String) throws -> OpaquePointer {
        var stmt: OpaquePointer?
        #expect(crmqlPrepare(db, text, &stmt) == CRMQL_OK)
        defer { _ = crmqlFinalize(stmt) }
        #expect(crmqlStep(stmt) == CRMQL_ROW)
        // The result outlives the statement it came from.
        return try #require(crmqlStatementResult(stmt))
    }

    @Test func columnsCopyInBulkWithTheirNulls() throws {
        let db = try open()
        defer { _ = crmqlClose(db) }
        let result = try result(db, "select people order by id show id, name, score, active, born, level")
        defer { crmqlResultFree(result) }
        #expect(crmqlResultRowCount(result) == 3)
        #expect(crmqlResultColumnCount(result) == 6)
        let storages = (0..<6).map { crmqlResultColumnStorage(result, $0) }
        #expect(storages == [CRMQL_INT, CRMQL_TEXT, CRMQL_NUMBER, CRMQL_BOOL, CRMQL_DATE, CRMQL_ENUM])
        #expect(crmqlResultColumnStorage(result, 6) == CRMQL_NULL)
        #expect(String(cString: crmqlResultColumnName(result, 5)!) == "level")
        #expect(String(cString: crmqlResultColumnDecltype(result, 5)!) == "enum(low, mid, high)")
        #expect(crmqlResultEnumCount(result, 5) == 3)
        #expect(String(cString: crmqlResultEnumSymbol(result, 5, 2)!) == "high")
        #expect(crmqlResultEnumSymbol(result, 5, 3) == nil)
        #expect(crmqlResultEnumCount(result, 0) == 0)

        var integers = [Int64](repeating: -1, count: 3)
        var valid = [UInt8](repeating: 9, count: 3)
        #expect(crmqlResultCopyInt64(result, 0, &integers, &valid, 3) == 3)
        #expect(integers == [1, 2, 3] && valid == [1, 1, 1])
        #expect(crmqlResultCopyInt64(result, 4, &integers, &valid, 3) == 3)
        #expect(integers == [7395, 0, 11687] && valid == [1, 0, 1])
        #expect(crmqlResultCopyInt64(result, 5, &integers, &valid, 3) == 3)
        #expect(integers == [2, 0, 0] && valid == [1, 1, 0])
        #expect(crmqlResultCopyInt64(result, 3, &integers, &valid, 3) == 3)
        #expect(integers == [1, 0, 1])
        // Text is not read as integers; fewer cells than rows may be asked for.
        #expect(crmqlResultCopyInt64(result, 1, &integers, &valid, 3) == 0)
        #expect(crmqlResultCopyInt64(result, 0, &integers, &valid, 2) == 2)

        var doubles = [Double](repeating: 1, count: 3)
        #expect(crmqlResultCopyDouble(result, 2, &doubles, &valid, 3) == 3)
        #expect(doubles == [2.5, 0, -7.75] && valid == [1, 0, 1])

        #expect(crmqlResultTextBytes(result, 1) == Int64("AnnBø".utf8.count))
        var bytes = [UInt8](repeating: 0, count: 6)
        var offsets = [Int64](repeating: -1, count: 4)
        #expect(crmqlResultCopyText(result, 1, &bytes, 6, &offsets, &valid, 3) == CRMQL_OK)
        #expect(String(decoding: bytes, as: UTF8.self) == "AnnBø" && offsets == [0, 3, 6, 6] && valid == [1, 1, 0])
        // Too small a buffer, or a wrong row count, copies nothing.
        #expect(crmqlResultCopyText(result, 1, &bytes, 4, &offsets, &valid, 3) == CRMQL_RANGE)
        #expect(crmqlResultCopyText(result, 1, &bytes, 6, &offsets, &valid, 2) == CRMQL_RANGE)
        // Any column reads as text, the way crmql_column_text writes a cell.
        #expect(crmqlResultCopyText(result, 4, nil, 0, &offsets, &valid, 3) == CRMQL_RANGE)
        var dateBytes = [UInt8](repeating: 0, count: Int(crmqlResultTextBytes(result, 4)))
        #expect(crmqlResultCopyText(result, 4, &dateBytes, Int64(dateBytes.count), &offsets, &valid, 3) == CRMQL_OK)
        #expect(String(decoding: dateBytes, as: UTF8.self) == "1990-04-012001-12-31")
    }

    @Test func statementsWithoutRowsHaveNoResult() throws {
        let db = try open()
        defer { _ = crmqlClose(db) }
        var stmt: OpaquePointer?
        #expect(crmqlPrepare(db, "define people.big = score > 1", &stmt) == CRMQL_OK)
        #expect(crmqlStatementResult(stmt) == nil)
        #expect(crmqlStep(stmt) == CRMQL_DONE)
        #expect(crmqlStatementResult(stmt) == nil)
        _ = crmqlFinalize(stmt)
        #expect(crmqlStatementResult(nil) == nil)
        crmqlResultFree(nil)
        #expect(crmqlResultRowCount(nil) == 0)
    }

    @Test func aScriptHandsOverOneOutputAtATime() throws {
        let db = try open()
        defer { _ = crmqlClose(db) }
        var script: OpaquePointer?
        let text = "define people.big = score > 1\nselect people where big show name\nselect nobody\nselect people show count()"
        #expect(crmqlScriptOpen(db, text, "cell", &script) == CRMQL_OK)
        defer { crmqlScriptClose(script) }
        var result: OpaquePointer?
        var message: UnsafeMutablePointer<CChar>?
        var start: Int32 = 0, end: Int32 = 0
        #expect(crmqlScriptNext(script, &result, &message) == CRMQL_OK)
        #expect(result == nil && message == nil)
        #expect(crmqlScriptNext(script, &result, &message) == CRMQL_ROW)
        #expect(crmqlResultRowCount(result) == 1)
        crmqlResultFree(result)
        _ = crmqlScriptRange(script, &start, &end)
        #expect(start == 30 && end == 63)
        // A failing statement reports its error and the script goes on past it.
        #expect(crmqlScriptNext(script, &result, &message) == CRMQL_ERROR)
        #expect(String(cString: crmqlErrmsg(db)!).hasPrefix("cell:3:8: error:"))
        #expect(String(cString: crmqlErrorPhase(db)!) == "semantic")
        #expect(crmqlScriptNext(script, &result, &message) == CRMQL_ROW)
        crmqlResultFree(result)
        #expect(crmqlScriptNext(script, &result, &message) == CRMQL_DONE)
        #expect(crmqlScriptNext(nil, nil, nil) == CRMQL_MISUSE)
    }

    @Test func aScriptsTextOutputIsHandedOver() throws {
        let db = try open()
        defer { _ = crmqlClose(db) }
        var script: OpaquePointer?
        #expect(crmqlScriptOpen(db, "explain select people", nil, &script) == CRMQL_OK)
        defer { crmqlScriptClose(script) }
        var message: UnsafeMutablePointer<CChar>?
        #expect(crmqlScriptNext(script, nil, &message) == CRMQL_OK)
        let text = try #require(message)
        #expect(!String(cString: text).isEmpty)
        free(text)
    }

    @Test func theFailedPhaseIsNamed() throws {
        let db = try open()
        defer { _ = crmqlClose(db) }
        #expect(String(cString: crmqlErrorPhase(db)!) == "none")
        var stmt: OpaquePointer?
        #expect(crmqlPrepare(db, "select people where", &stmt) == CRMQL_SYNTAX)
        #expect(String(cString: crmqlErrorPhase(db)!) == "syntax")
        #expect(crmqlPrepare(db, "select people where nam = 'x'", &stmt) == CRMQL_OK)
        #expect(crmqlStep(stmt) == CRMQL_ERROR)
        #expect(String(cString: crmqlErrorPhase(db)!) == "semantic")
        _ = crmqlFinalize(stmt)
        #expect(String(cString: crmqlErrorPhase(nil)!) == "misuse")
    }

    @Test func completionAndInspectionComeFromTheSchema() throws {
        let db = try open()
        defer { _ = crmqlClose(db) }
        _ = crmqlExec(db, "define people.big = score > 1", nil, nil, nil)
        var start: Int32 = -1
        let text = "select people where le"
        let words = try #require(crmqlComplete(db, text, Int32(text.utf8.count), &start))
        #expect(String(cString: words).split(separator: "\n").contains("level"))
        #expect(start == 20)
        free(words)
        let symbols = try #require(crmqlComplete(db, "select people where level = ", 28, &start))
        #expect(String(cString: symbols) == "low\nmid\nhigh")
        #expect(start == 28)
        free(symbols)

        let measure = try #require(crmqlInspect(db, "select people show big", 21))
        #expect(String(cString: measure) == "define people.big = score > 1 (bool)")
        free(measure)
        let field = try #require(crmqlInspect(db, "select people show people.born", 28))
        #expect(String(cString: field) == "people.born: date")
        free(field)
        let entity = try #require(crmqlInspect(db, "select people", 9))
        #expect(String(cString: entity).hasPrefix("entity people: 3 rows\n  id: int key\n"))
        free(entity)
        #expect(crmqlInspect(db, "select people show nothing", 22) == nil)
        #expect(crmqlInspect(db, "   ", 1) == nil)
        #expect(crmqlComplete(nil, "select", 3, nil) == nil)
    }

    @Test func aHeldResultDrawsItselfAsSVGOrText() throws {
        let db = try open()
        defer { _ = crmqlClose(db) }
        let result = try result(db, "select people order by id show name, score")
        defer { crmqlResultFree(result) }
        #expect(String(cString: crmqlResultChartKind(result)!) == "bar")
        var out: UnsafeMutablePointer<CChar>?
        var message: UnsafeMutablePointer<CChar>?
        #expect(crmqlResultChart(result, "bar", "scores", 0, 0, &out, &message) == CRMQL_OK)
        let svg = String(cString: try #require(out))
        #expect(svg.contains("<svg") && svg.contains("scores") && message == nil)
        free(out)
        #expect(crmqlResultChart(result, nil, nil, 40, CRMQL_CHART_TEXT, &out, &message) == CRMQL_OK)
        let text = String(cString: try #require(out))
        #expect(text.contains("Ann"))
        // Without CRMQL_CHART_UNICODE, no block characters (the data's own "Bø" stays as it is).
        #expect(!text.unicodeScalars.contains { (0x2580...0x259F).contains($0.value) })
        free(out)
        #expect(crmqlResultChart(result, "line", nil, 0, 0, &out, &message) == CRMQL_ERROR)
        #expect(out == nil)
        #expect(String(cString: try #require(message)).hasPrefix("cannot draw this result as a line chart"))
        free(message)
        #expect(crmqlResultChart(result, "bra", nil, 80, CRMQL_CHART_TEXT, &out, &message) == CRMQL_ERROR)
        #expect(String(cString: try #require(message)) == "unknown chart kind 'bra'; did you mean 'bar'?")
        free(message)
        #expect(crmqlResultChart(result, nil, nil, 80, 0x40, &out, nil) == CRMQL_MISUSE)
        #expect(crmqlResultChart(nil, nil, nil, 0, 0, &out, nil) == CRMQL_MISUSE)
    }
}
