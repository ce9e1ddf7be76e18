import CRMQLCore
import XCTest
@testable import CRMQLSyntax

final class StatementParserTests: XCTestCase {
    func testQueryClausesInAnyOrder() {
        guard let query = parseQuery("select customers show name, revenue limit 10 where loyalty > 0.8 order by revenue desc") else { return }
        guard case .named(let source) = query.source else { return XCTFail() }
        XCTAssertEqual(source.text, "customers")
        XCTAssertFalse(query.isCount)
        XCTAssertEqual(query.whereClause.map(sexp), "(> loyalty 0.8)")
        XCTAssertEqual(query.show?.count, 2)
        XCTAssertEqual(query.orderBy?.first?.descending, true)
        XCTAssertEqual(query.limit.map(sexp), "10")
        XCTAssertEqual(canonical("select customers show name, revenue limit 10 where loyalty > 0.8 order by revenue desc"),
                       "select customers where loyalty > 0.8 show name, revenue order by revenue desc limit 10")
    }

    func testEveryClause() {
        let text = "SELECT orders WHERE amount > 5 GROUP BY channel AS c, year(placed) HAVING count() > 1 "
            + "SHOW c, count() AS n ORDER BY n DESC NULLS LAST, c ASC NULLS FIRST LIMIT 5 OFFSET 10"
        guard let query = parseQuery(text) else { return }
        XCTAssertEqual(query.groupBy?.count, 2)
        if case .expr(_, let alias)? = query.groupBy?.first { XCTAssertEqual(alias?.text, "c") } else { XCTFail() }
        XCTAssertEqual(query.having.map(sexp), "(> (count) 1)")
        XCTAssertEqual(query.orderBy?.map(\.descending), [true, false])
        XCTAssertEqual(query.orderBy?.map(\.nullsFirst), [false, true])
        XCTAssertEqual(query.orderBy.map { $0.map { sourceText(text, $0.range) } }, ["n DESC NULLS LAST", "c ASC NULLS FIRST"])
        XCTAssertEqual(query.offset.map(sexp), "10")
        XCTAssertEqual(canonical("select orders offset 3"), "select orders offset 3")
        XCTAssertEqual(canonical("select orders order by placed"), "select orders order by placed")
    }

    func testShowStar() {
        guard let query = parseQuery("select customers show *, revenue") else { return }
        guard let show = query.show, show.count == 2, case .star = show[0], case .expr = show[1] else { return XCTFail() }
        XCTAssertEqual(canonical("select customers show *"), "select customers show *")
        XCTAssertEqual(canonical("select customers group by *"),
                       "error: expected an expression after 'by', found '*'")
    }

    func testCountQueryAndTableFunction() {
        guard let query = parseQuery("select count customers where stage = mature") else { return }
        XCTAssertTrue(query.isCount)
        let text = "select rules(orders, item: product, by: basket, support: 0.01) order by lift desc limit 10"
        guard let rules = parseQuery(text), case .function(let name, let arguments, let range) = rules.source else { return XCTFail() }
        XCTAssertEqual(name.text, "rules")
        XCTAssertEqual(arguments.map { $0.label?.text }, [nil, "item", "by", "support"])
        XCTAssertEqual(arguments.map { sexp($0.value) }, ["orders", "product", "basket", "0.01"])
        XCTAssertEqual(sourceText(text, range), "rules(orders, item: product, by: basket, support: 0.01)")
        XCTAssertEqual(canonical("select `count`"), "select `count`")
        XCTAssertEqual(canonical("select count `count`"), "select count `count`")
    }

    func testLetParamSetDefine() {
        XCTAssertEqual(canonical("let vip = select customers where tier = gold"), "let vip = select customers where tier = gold")
        XCTAssertEqual(canonical("param $region = 'north'"), "param $region = \"north\"")
        XCTAssertEqual(canonical("param $n = -5"), "param $n = -5")
        XCTAssertEqual(canonical("set today = 2026-06-30"), "set today = 2026-06-30")
        XCTAssertEqual(canonical("set fiscal_year_start = 4"), "set fiscal_year_start = 4")
        XCTAssertEqual(canonical("define customers.revenue = coalesce(sum(orders.amount), 0)"),
                       "define customers.revenue = coalesce(sum(orders.amount), 0)")
        guard let statement = parseOne("param $region = 'north'"), case .param(let name, _) = statement.kind else { return XCTFail() }
        XCTAssertEqual(name.text, "region")
        guard let define = parseOne("define customers.x = 1"), case .define(let entity, let field, _) = define.kind else { return XCTFail() }
        XCTAssertEqual([entity.text, field.text], ["customers", "x"])
        XCTAssertEqual(canonical("let v = customers"), "error: expected a query ('select ...') after '=', found 'customers'")
    }

    func testCreateEntity() {
        let text = "create entity people (id int key, name TEXT, score number, ok bool, born date, seen datetime, "
            + "stage enum(new, 'at risk', `old`), boss ref people)"
        guard let statement = parseOne(text), case .createEntity(let name, let fields) = statement.kind else { return XCTFail() }
        XCTAssertEqual(name.text, "people")
        XCTAssertEqual(fields.map(\.name.text), ["id", "name", "score", "ok", "born", "seen", "stage", "boss"])
        XCTAssertEqual(fields.map(\.isKey), [true, false, false, false, false, false, false, false])
        guard case .named(let type) = fields[1].type, case .enumeration(let symbols, _) = fields[6].type,
              case .ref(let target, _) = fields[7].type else { return XCTFail() }
        XCTAssertEqual(type.text, "TEXT")
        XCTAssertEqual(symbols.map(\.text), ["new", "at risk", "old"])
        XCTAssertEqual(target.text, "people")
        XCTAssertEqual(sourceText(text, fields[0].range), "id int key")
        XCTAssertEqual(canonical("create entity t (a strng)"), "error: unknown type 'strng'")
        XCTAssertEqual(canonical("create entity t (a numbr)"), "error: unknown type 'numbr'; did you mean 'number'?")
        XCTAssertEqual(canonical("create table t (a int)"), "error: expected 'entity' or 'index' after 'create', found 'table'")
    }

    func testIndexes() {
        XCTAssertEqual(canonical("create index on orders(placed)"), "create index on orders(placed)")
        XCTAssertEqual(canonical("drop index on orders (placed)"), "drop index on orders(placed)")
        guard let statement = parseOne("create index on orders(placed)"), case .createIndex(let entity, let field) = statement.kind
        else { return XCTFail() }
        XCTAssertEqual([entity.text, field.text], ["orders", "placed"])
    }

    func testLoad() {
        let text = "load customers from \"data/customers.csv\" with (header = true, delimiter = \",\", skip_bad = false)"
        guard let statement = parseOne(text), case .load(let entity, let path, let options) = statement.kind else { return XCTFail() }
        XCTAssertEqual(entity.text, "customers")
        XCTAssertEqual(sexp(path), "'data/customers.csv'")
        XCTAssertEqual(options.map(\.name.text), ["header", "delimiter", "skip_bad"])
        XCTAssertEqual(options.map { sexp($0.value) }, ["true", "','", "false"])
        XCTAssertEqual(canonical("load orders from $file"), "load orders from $file")
    }

    func testInsertUpdateDelete() {
        XCTAssertEqual(canonical("insert into people (id, name) values (1, 'Ann'), (2, null)"),
                       "insert into people (id, name) values (1, \"Ann\"), (2, null)")
        XCTAssertEqual(canonical("insert into people values (1, 'Ann')"), "insert into people values (1, \"Ann\")")
        XCTAssertEqual(canonical("insert into people (id, name) values (1)"), "error: this row has 1 value but 2 fields are named")
        XCTAssertEqual(canonical("update customers set tier = gold, points = points + 10 where loyalty > 0.9"),
                       "update customers set tier = gold, points = points + 10 where loyalty > 0.9")
        XCTAssertEqual(canonical("update customers set tier = gold"), "update customers set tier = gold")
        XCTAssertEqual(canonical("delete orders where amount < 0 cascade"), "delete orders where amount < 0 cascade")
        XCTAssertEqual(canonical("delete from orders"), "delete orders")
        XCTAssertEqual(canonical("delete customers cascade"), "delete customers cascade")
        guard let statement = parseOne("delete customers where id = 3 cascade"),
              case .delete(_, let condition, let cascade) = statement.kind else { return XCTFail() }
        XCTAssertEqual(condition.map(sexp), "(= id 3)")
        XCTAssertTrue(cascade)
    }

    func testExportSaveOpenExplain() {
        XCTAssertEqual(canonical("export select customers where tier = gold to 'gold.csv'"),
                       "export select customers where tier = gold to \"gold.csv\"")
        XCTAssertEqual(canonical("save 'store.crmql'"), "save \"store.crmql\"")
        XCTAssertEqual(canonical("open \"store.crmql\""), "open \"store.crmql\"")
        XCTAssertEqual(canonical("explain select orders where customer = 5"), "explain select orders where customer = 5")
        guard let statement = parseOne("EXPLAIN ANALYZE select orders"), case .explain(_, let analyze) = statement.kind
        else { return XCTFail() }
        XCTAssertTrue(analyze)
    }

    func testIntrospection() {
        XCTAssertEqual(canonical("describe customers"), "describe customers")
        XCTAssertEqual(canonical("show entities"), "show entities")
        XCTAssertEqual(canonical("SHOW INDEXES"), "show indexes")
        XCTAssertEqual(canonical("help"), "help")
        XCTAssertEqual(canonical("help date   ranges"), "help date ranges")
        XCTAssertEqual(canonical("help select; help"), "help select; help")
        XCTAssertEqual(canonical("show entites"), "error: expected 'entities', 'indexes' or 'models' after 'show', found 'entites'; did you mean 'entities'?")
        guard let statement = parseOne("help in last"), case .help(let topic) = statement.kind else { return XCTFail() }
        XCTAssertEqual(topic?.text, "in last")
        XCTAssertEqual(topic.map { sourceText("help in last", $0.range) }, "in last")
    }

    func testStatementRanges() {
        let text = "select customers;\n  show entities -- note\nselect orders\n  where amount > 1"
        let (script, diagnostics) = parseScript(text)
        XCTAssertEqual(diagnostics.count, 0)
        XCTAssertEqual(script.statements.map { sourceText(text, $0.range) },
                       ["select customers", "show entities", "select orders\n  where amount > 1"])
        XCTAssertEqual(Parser.statementRanges(SourceFile(name: "t", text: text + "\nselct x")).map { sourceText(text + "\nselct x", $0) },
                       ["select customers", "show entities", "select orders\n  where amount > 1", "selct x"])
    }

    func testReservedWordsNeedBackquotes() {
        XCTAssertEqual(canonical("select `order` where `select` = 1"), "select `order` where `select` = 1")
        XCTAssertEqual(canonical("select order"), "error: expected an entity or query name after 'select', found 'order'")
        // Contextual keywords are names where nothing else is meant.
        XCTAssertEqual(canonical("select interactions where outcome = open and value_class = key"),
                       "select interactions where outcome = open and value_class = key")
        XCTAssertEqual(canonical("select orders show day(placed), month, last"), "select orders show day(placed), month, last")
    }
}
