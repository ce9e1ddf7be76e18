import Foundation
import XCTest

/// `save` replaces a snapshot atomically: however a saving process dies,
/// the file holds either the complete old snapshot or a complete new one.
///
/// Each round starts `crmql` on the snapshot with a script that bumps a
/// counter and saves, many times over, kills it with SIGKILL at a random
/// moment, and then opens the file in a fresh process: it must open, hold
/// every row of the demo data, and hold a counter between the one it had
/// before the round and the last one the round could have saved.
final class KillDuringSaveTests: XCTestCase {
    private static let rounds = 30
    private static let savesPerRound = 10

    func testKilledSavesLeaveTheOldOrTheNewSnapshot() throws {
        let fixture = try Fixture()
        let snapshot = fixture.path("crm.snapshot")
        let created = try CommandRun.run(["--demo", "-c", """
            create entity marker (id int key, generation int)
            insert into marker (id, generation) values (1, 0)
            save "\(snapshot)"
            """])
        XCTAssertEqual(created.status, 0, created.standardError)
        let expected = try contents(of: snapshot)
        XCTAssertEqual(expected.generation, 0)

        var bumps = ""
        for _ in 0..<KillDuringSaveTests.savesPerRound {
            bumps += "update marker set generation = generation + 1\nsave \"\(snapshot)\"\n"
        }
        let script = try fixture.write("bump.crmql", bumps)

        // One round run to the end times the work, so the kills fall over
        // all of it however fast this machine is right now (a fixed window
        // on a loaded machine could end before the first save).
        let clock = ContinuousClock()
        let start = clock.now
        let whole = try CommandRun.run(["--open", snapshot, script])
        XCTAssertEqual(whole.status, 0, whole.standardError)
        let elapsed = clock.now - start
        let window = UInt32(clamping: max(Int64(200_000), elapsed.components.seconds * 1_000_000
                                                + elapsed.components.attoseconds / 1_000_000_000_000))
        var generation = try contents(of: snapshot).generation
        XCTAssertEqual(generation, KillDuringSaveTests.savesPerRound, "a round run to the end saves every time")
        var killedMidway = 0
        var random = SystemRandomNumberGenerator()
        for round in 0..<KillDuringSaveTests.rounds {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try CrmqlBinary.path())
            process.arguments = ["--open", snapshot, script]
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Anywhere from start-up to the end of the last save.
            usleep(UInt32.random(in: 0..<window, using: &random))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if process.terminationReason == .uncaughtSignal { killedMidway += 1 }

            let found = try contents(of: snapshot)
            XCTAssertEqual(found.customers, expected.customers, "round \(round): every customer is there")
            XCTAssertEqual(found.orders, expected.orders, "round \(round): every order is there")
            XCTAssertTrue((generation...(generation + KillDuringSaveTests.savesPerRound)).contains(found.generation),
                          "round \(round): generation \(found.generation) is neither the old \(generation) nor one saved since")
            generation = found.generation
        }
        XCTAssertGreaterThan(killedMidway, KillDuringSaveTests.rounds / 2, "most rounds were killed while working")
        XCTAssertGreaterThan(generation, KillDuringSaveTests.savesPerRound, "some killed rounds completed saves")
    }

    /// What a snapshot holds, read by a fresh `crmql --open`.
    private func contents(of snapshot: String) throws -> (generation: Int, customers: Int, orders: Int) {
        let run = try CommandRun.run(["--open", snapshot, "--format", "csv", "-c",
                                      "select marker show generation; select count customers; select count orders"])
        XCTAssertEqual(run.status, 0, "the snapshot opens: \(run.standardError)")
        let numbers = run.standardOutput.split(whereSeparator: \.isNewline).compactMap { Int($0) }
        guard numbers.count == 3 else {
            XCTFail("unexpected output: \(run.standardOutput)")
            return (-1, -1, -1)
        }
        return (numbers[0], numbers[1], numbers[2])
    }
}
