import XCTest
import CRMQLCore
import CRMQLStorage
import CRMQLSyntax
@testable import CRMQLEngine

/// `update` writes the rows it changes in place: the values must be the
/// ones a rebuilt column holds, a snapshot taken before must keep the old
/// ones, and a failed update must leave every column as it was.
final class UpdateInPlaceTests: XCTestCase {
    private func run(_ interpreter: Interpreter, _ text: String) -> [String] {
        ScriptCorpus.run(interpreter, SourceFile(name: "<test>", text: text))
    }

    private func interpreter() -> Interpreter {
        let interpreter = Interpreter(options: SessionOptions(), interrupt: InterruptFlag())
        let people = (1...200).map { id in
            let note = id % 7 == 0 ? "null" : "\"n\(id % 5)\""
            let born = id % 11 == 0 ? "null" : "\"2020-01-\(10 + id % 18)\""
            return "(\(id), \(id * 3), \(Double(id) / 4), \(note), \(born), \(id % 2 == 0 ? "true" : "false"), \(1 + id % 3))"
        }
        run(interpreter, """
            create entity teams (id int key, label text)
            insert into teams (id, label) values (1, "a"), (2, "b"), (3, "c")
            create entity people (id int key, points int, score number, note text, born date, active bool, team ref teams)
            insert into people (id, points, score, note, born, active, team) values \(people.joined(separator: ", "))
            """)
        return interpreter
    }

    private func column(_ interpreter: Interpreter, _ field: String) -> [Value] {
        let entity = interpreter.state.store["people"]!
        let column = entity.columns[entity.fieldIndex(field)!]
        return (0..<column.count).map { column.value(at: $0) }
    }

    func testWritesTheValuesOfEveryKindAtTheChosenRows() throws {
        let interpreter = interpreter()
        let fields = ["points", "score", "note", "born", "active", "team"]
        let before = fields.map { column(interpreter, $0) }
        let snapshot = interpreter.snapshot()
        XCTAssertEqual(run(interpreter, """
            update people set points = points + 1, score = score * 2, note = note || "!", born = born + 1 day, \
            active = not active, team = 3 where id % 10 = 0
            """), ["20 people updated\n"])
        for (index, field) in fields.enumerated() {
            let after = column(interpreter, field)
            for row in 0..<200 {
                let id = row + 1
                let old = before[index][row]
                guard id % 10 == 0 else {
                    XCTAssertEqual(after[row], old, "\(field) of \(id) is untouched")
                    continue
                }
                let expected: Value
                switch (field, old) {
                case (_, .null): expected = .null
                case ("points", .int(let v)): expected = .int(v + 1)
                case ("score", .number(let v)): expected = .number(v * 2)
                case ("note", .text(let v)): expected = .text(v + "!")
                case ("born", .date(let v)): expected = .date(v + 1)
                case ("active", .bool(let v)): expected = .bool(!v)
                case ("team", _): expected = .int(3)
                default: XCTFail("\(field) \(old)"); continue
                }
                XCTAssertEqual(after[row], expected, "\(field) of \(id)")
            }
        }
        // A reader on the state before the update sees the old values.
        let reader = Interpreter(reading: snapshot)
        for (index, field) in fields.enumerated() { XCTAssertEqual(column(reader, field), before[index], field) }
        XCTAssertEqual(run(reader, "select people show sum(points) as total"), run(interpreter, "select people show sum(points) - 20 as total"))
    }

    func testNullsAndConvertedValuesAreWritten() throws {
        let interpreter = interpreter()
        run(interpreter, "update people set points = null, score = 7, note = null where id <= 3")
        run(interpreter, "update people set note = \"back\" where id = 2")
        XCTAssertEqual(column(interpreter, "points").prefix(4), [.null, .null, .null, .int(12)])
        XCTAssertEqual(column(interpreter, "score").prefix(4), [.number(7), .number(7), .number(7), .number(1)])
        XCTAssertEqual(column(interpreter, "note").prefix(4), [.null, .text("back"), .null, .text("n4")])
        let entity = interpreter.state.store["people"]!
        let points = entity.columns[entity.fieldIndex("points")!]
        XCTAssertEqual(points.nulls.nullCount, 3)
    }

    /// A failing check leaves every column as it was, and the next
    /// statement runs on it.
    func testAFailedUpdateChangesNothing() throws {
        let interpreter = interpreter()
        let fields = ["id", "points", "team"]
        let before = fields.map { column(interpreter, $0) }
        let duplicate = run(interpreter, "update people set points = points + 1, id = 1 where id <= 2").joined()
        XCTAssertTrue(duplicate.contains("duplicate key"), duplicate)
        let dangling = run(interpreter, "update people set points = 0, team = 9 where id = 5").joined()
        XCTAssertTrue(dangling.contains("does not exist in teams"), dangling)
        let nullKey = run(interpreter, "update people set id = null where id = 5").joined()
        XCTAssertTrue(nullKey.contains("cannot be null"), nullKey)
        for (index, field) in fields.enumerated() { XCTAssertEqual(column(interpreter, field), before[index], field) }
        XCTAssertEqual(run(interpreter, "update people set id = id + 1000, team = 2 where id > 100"), ["100 people updated\n"])
        XCTAssertEqual(run(interpreter, "select count people where id > 1000 and team.label = \"b\""), ["count()\n100\n"])
    }
}

extension UpdateInPlaceTests {
    /// An update gives a new version to the columns it wrote only, so the
    /// structures built from the others (a key index, a text dictionary)
    /// are kept; an insert changes every column.
    func testOnlyTheWrittenColumnsTakeANewVersion() throws {
        let interpreter = interpreter()
        let before = interpreter.state.store["people"]!
        let points = before.fieldIndex("points")!
        let dictionary = try XCTUnwrap(interpreter.services.indexes.textDictionary(of: before, field: "note"))
        run(interpreter, "update people set points = points + 1 where id < 5")
        let after = interpreter.state.store["people"]!
        XCTAssertNotEqual(after.version, before.version)
        for index in before.fields.indices {
            if index == points {
                XCTAssertNotEqual(after.columnVersions[index], before.columnVersions[index])
            } else {
                XCTAssertEqual(after.columnVersions[index], before.columnVersions[index], before.fields[index].name)
            }
        }
        let kept = try XCTUnwrap(interpreter.services.indexes.textDictionary(of: after, field: "note"))
        XCTAssertEqual(kept.codes, dictionary.codes)
        XCTAssertEqual(run(interpreter, "select count people where note ends with \"1\""), ["count()\n34\n"])
        run(interpreter, "insert into people (id, points) values (500, 1)")
        let inserted = interpreter.state.store["people"]!
        XCTAssertTrue(zip(inserted.columnVersions, after.columnVersions).allSatisfy { $0 != $1 })
        XCTAssertEqual(try XCTUnwrap(interpreter.services.indexes.textDictionary(of: inserted, field: "note")).count, 201)
    }
}
