import Foundation
import Testing

/// Behaviour tests: each `Tests/CRMQLTests/Golden/*.crmql` script runs and its
/// output must equal the `.out` file beside it. `CRMQL_RECORD=1 swift test
/// --filter Golden` rewrites the `.out` files; read the diff before committing.
@Suite(.serialized) struct GoldenTests {
    @Test(arguments: GoldenScript.scripts(in: "Tests/CRMQLTests/Golden"))
    func golden(_ script: String) throws {
        let (expected, actual) = try GoldenScript.check(script, demo: false)
        #expect(actual == expected, "\(script) differs from its .out file")
    }

    /// Every example script answers its question over the demo data as recorded.
    @Test(arguments: GoldenScript.scripts(in: "Examples"))
    func example(_ script: String) throws {
        let (expected, actual) = try GoldenScript.check(script, demo: true)
        #expect(actual == expected, "\(script) differs from its .out file")
    }

    @Test func thereAreGoldenScripts() {
        #expect(GoldenScript.scripts(in: "Tests/CRMQLTests/Golden").count >= 10)
        #expect(GoldenScript.scripts(in: "Examples").count >= 8)
    }
}
