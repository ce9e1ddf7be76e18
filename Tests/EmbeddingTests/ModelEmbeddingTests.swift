import CCRMQL
import CRMQL
import CRMQLC
import Foundation
import Testing

/// A host fits a model and reads its predictions through either interface:
/// the Swift `Database` and `crmql.h`.
@Suite struct ModelEmbeddingTests {
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples/data/cdnow/transactions_sample.csv").path

    static let setup = """
        load transactions from "\(sample)"
        set today = 1997-09-30
        model cd = bgnbd(transactions, who: customer_id, at: date, unit: week, spend: amount)
        """

    @Test func aSwiftHostFitsAndQueriesAModel() throws {
        let db = try Database()
        try db.execute(Self.setup)
        let alive = try db.query("select cd where id = 1 show p_alive(cd, id), expected_orders(cd, id, $weeks)", parameters: ["weeks": 39])
        #expect(alive.rowCount == 1)
        let expected = alive.value(row: 0, column: 1).doubleValue ?? 0
        #expect(abs(expected - 1.226) < 0.0005)
        #expect(try db.query("show models").rowCount == 1)
    }

    @Test func aCHostFitsAndQueriesAModel() throws {
        var handle: OpaquePointer?
        #expect(crmqlOpen(nil, &handle) == CRMQL_OK)
        defer { _ = crmqlClose(handle) }
        #expect(crmqlExec(handle, Self.setup, nil, nil, nil) == CRMQL_OK)
        var statement: OpaquePointer?
        #expect(crmqlPrepare(handle, "describe model cd", &statement) == CRMQL_OK)
        defer { _ = crmqlFinalize(statement) }
        var parameters: [String: Double] = [:]
        while crmqlStep(statement) == CRMQL_ROW {
            let name = String(cString: crmqlColumnText(statement, 0)!)
            parameters[name] = crmqlColumnDouble(statement, 1)
        }
        #expect(abs((parameters["r"] ?? 0) - 0.243) < 0.0005)
        #expect(abs((parameters["b"] ?? 0) - 2.426) < 0.0005)
        // A fit that fails reports a positioned error and leaves the model as it was.
        #expect(crmqlExec(handle, "model cd = bgnbd(transactions, who: customer_id, unit: month)", nil, nil, nil) != CRMQL_OK)
        #expect(String(cString: crmqlErrmsg(handle)!).contains("unit: month"))
        #expect(crmqlExec(handle, "select cd show count()", nil, nil, nil) == CRMQL_OK)
    }
}
