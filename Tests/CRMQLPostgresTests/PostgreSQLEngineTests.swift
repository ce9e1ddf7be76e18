import XCTest
import CRMQL
@testable import CRMQLPostgres

/// The parts of the PostgreSQL engine that need no server: passwords kept
/// out of every text shown, values to and from the server's text format.
/// With `CRMQL_TEST_POSTGRES_URL` set (`.ci/postgres-engine` sets it), the
/// tests that need a server run too: an interrupt cancels the server's
/// statement.
final class PostgreSQLEngineTests: XCTestCase {
    func testPasswordsAreTakenOutOfURLs() {
        let address = ConnectionAddress("postgresql://ann:s3cr@t@db.example.com:5433/crm?sslmode=require")
        XCTAssertEqual(address.redacted, "postgresql://ann@db.example.com:5433/crm?sslmode=require")
        XCTAssertEqual(address.scrub("FATAL: password s3cr@t was wrong"), "FATAL: password … was wrong")
    }

    func testPasswordParametersAreTakenOut() {
        XCTAssertEqual(ConnectionAddress("postgresql://db/crm?user=ann&password=hush&sslmode=disable").redacted,
                       "postgresql://db/crm?user=ann&password=…&sslmode=disable")
        XCTAssertEqual(ConnectionAddress("host=db dbname=crm password='it\\'s hush' user=ann").redacted.contains("hush"), false)
        XCTAssertEqual(ConnectionAddress("postgresql://ann@db/crm").redacted, "postgresql://ann@db/crm")
    }

    func testValuesReadAsTheQueryTypesThem() throws {
        let stage = EnumType(["prospect", "growth", "mature"])
        XCTAssertEqual(try WireValues.value("42", .int), .int(42))
        XCTAssertEqual(try WireValues.value("1234", .ref("customers")), .int(1234))
        XCTAssertEqual(try WireValues.value("0.1", .number), .number(0.1))
        XCTAssertEqual(try WireValues.value("t", .bool), .bool(true))
        XCTAssertEqual(try WireValues.value("1970-01-02", .date), .date(1))
        XCTAssertEqual(try WireValues.value("2026-06-30", .date), .date(20_634))
        XCTAssertEqual(try WireValues.value("1970-01-01 01:00:05", .datetime), .datetime(3605))
        XCTAssertEqual(try WireValues.value("1970-01-01 01:00:05.25+00", .datetime), .datetime(3605))
        XCTAssertEqual(try WireValues.value("mature", .enumeration(stage)), .symbol(2, stage))
        XCTAssertThrowsError(try WireValues.value("churned", .enumeration(stage)))
        XCTAssertThrowsError(try WireValues.value("infinity", .date))
        XCTAssertThrowsError(try WireValues.value("abc", .int))
    }

    func testValuesWriteAsTheServerReadsThem() {
        XCTAssertEqual(WireValues.text(.date(20_634)), "2026-06-30")
        XCTAssertEqual(WireValues.text(.date(-1)), "1969-12-31")
        XCTAssertEqual(WireValues.text(.datetime(3605)), "1970-01-01 01:00:05")
        XCTAssertEqual(WireValues.text(.datetime(-1)), "1969-12-31 23:59:59")
        XCTAssertEqual(WireValues.text(.number(0.1)), "0.1")
        XCTAssertEqual(WireValues.text(.bool(false)), "false")
        XCTAssertNil(WireValues.text(.null))
        for days: Int64 in [-700_000, -1, 0, 59, 20_634, 2_900_000] {
            XCTAssertEqual(CivilDays.parse(CivilDays.iso(days)), days)
        }
    }

    func testTablesAreMadeWithTheirKeysAndEnums() {
        let statements = PostgreSQLEngine.createTable("visits", [
            Schema.Field(name: "id", type: .int, isKey: true),
            Schema.Field(name: "channel", type: .enumeration(EnumType(["web", "store"]))),
        ])
        XCTAssertEqual(statements.first, #"CREATE TABLE "visits" ("id" BIGINT, "channel" TEXT)"#)
        XCTAssertEqual(statements[1], #"CREATE INDEX ON "visits" ("id")"#)
        XCTAssertEqual(statements.last, #"COMMENT ON COLUMN "visits"."channel" IS 'crmql enum ["web","store"]'"#)
        XCTAssertEqual(PostgreSQLEngine.enumSymbols(#"crmql enum ["web","store"]"#), ["web", "store"])
    }

    /// An interrupt while the server runs a long statement cancels it there
    /// (libpq's PQcancel) and the statement fails as `interrupted`, soon.
    func testInterruptCancelsTheServersStatement() throws {
        guard let url = ProcessInfo.processInfo.environment["CRMQL_TEST_POSTGRES_URL"] else {
            throw XCTSkip("no server: set CRMQL_TEST_POSTGRES_URL (.ci/postgres-engine does)")
        }
        let db = try Database(engine: try PostgreSQLEngine(connecting: url))
        let started = ContinuousClock.now
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(300)) { db.interrupt() }
        XCTAssertThrowsError(try db.query("select events show id, rank(v) as r, percent_rank(v) as p order by p desc limit 3")) { error in
            XCTAssertEqual((error as? CRMQLError)?.phase, .interrupted, "\(error)")
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(10))
        // The connection serves the next statement.
        XCTAssertEqual(try db.query("select count events where id <= 10").value(row: 0, column: 0), .int(10))
    }
}
