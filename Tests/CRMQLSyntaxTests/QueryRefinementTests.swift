import XCTest
@testable import CRMQLSyntax

final class QueryRefinementTests: XCTestCase {
    func refine(_ previous: String, _ line: String) -> String? { QueryRefinement.refine(previous: previous, with: line) }

    func testAppendsAClause() {
        XCTAssertEqual(refine("select customers where loyalty > 0.8", "show name, loyalty"),
                       "select customers where loyalty > 0.8 show name, loyalty")
    }

    func testReplacesAClauseTheQueryHad() {
        XCTAssertEqual(refine("select customers show id order by id limit 5", "show name"),
                       "select customers order by id limit 5 show name")
        XCTAssertEqual(refine("select customers limit 5 offset 10 show id", "limit 3"),
                       "select customers show id limit 3")
        XCTAssertEqual(refine("select customers group by region order by region", "order by count() desc"),
                       "select customers group by region order by count() desc")
    }

    func testAndNarrowsTheWhereClause() {
        XCTAssertEqual(refine("select customers where stage = mature or stage = growth show name", "and loyalty > 0.9"),
                       "select customers where (stage = mature or stage = growth) and loyalty > 0.9 show name")
        XCTAssertNil(refine("select customers", "and loyalty > 0.9"))
    }

    func testNestedWhereIsNotAClause() {
        XCTAssertEqual(refine("select customers show count(orders where channel = web) as web", "where web > 1"),
                       "select customers show count(orders where channel = web) as web where web > 1")
    }

    func testStatementsOfTheirOwnAreNotRefinements() {
        XCTAssertNil(refine("select customers", "show entities"))
        XCTAssertNil(refine("select customers", "select orders"))
        XCTAssertNil(refine("create entity x (id int key)", "show id"))
        XCTAssertNil(refine("select customers; select orders", "show id"))
    }
}
