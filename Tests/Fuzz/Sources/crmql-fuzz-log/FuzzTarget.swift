import CRMQL
import Foundation

// The libFuzzer entry point for a database file's log: each input is the
// bytes of `shop.crmdb-log` beside a fixed checkpoint, and the database is
// opened read-only and then for writing (which cuts a torn tail), through
// the public API, as a user's next start would. Whatever the bytes — torn,
// bit-flipped, records out of sequence, payloads that do not decode, or
// statements that no longer apply — opening must fail with a message or
// succeed, never crash or hang.
//
// A checksum is hard to hit by mutation, so an input may also be framed
// here: by its first byte, the rest is the log itself (0), payloads that
// this target frames as records with valid checksums (1), or statement
// texts, one a line, that it frames as whole statement records (2) — which
// reaches the payload decoder and replay, not only the checksum test.
// The seeds (`.ci/fuzz` makes them) are real logs: a session's statements
// (inserts, updates, deletes, loads, definitions, parameters) written by
// this very program, so that mutations start from valid records.

private let folder: String = {
    let path = NSTemporaryDirectory() + "crmql-fuzz-log-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}()

/// A checkpoint with one entity and its definitions, written once.
private let checkpoint: Data = {
    let path = folder + "/base.crmdb"
    try? FileManager.default.removeItem(atPath: path)
    try? FileManager.default.removeItem(atPath: path + "-log")
    do {
        let database = try Database(path: path, options: Database.Options(today: "2026-06-30"))
        _ = try database.execute("""
            create entity items (id int key, qty int, kind enum(a, b))
            create entity lines (id int key, item ref items, amount number)
            insert into items (id, qty, kind) values (1, 10, a), (2, 20, b)
            """)
        try database.close()
        return try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
        fatalError("cannot make the fuzz checkpoint: \(error)")
    }
}()

/// With `CRMQL_FUZZ_LOG_SEEDS=DIR`, writes seed logs there and exits.
private let seeded: Bool = {
    guard let directory = ProcessInfo.processInfo.environment["CRMQL_FUZZ_LOG_SEEDS"] else { return false }
    let csv = folder + "/more.csv"
    try? "id,qty,kind\n7,70,a\n8,80,b\n".write(toFile: csv, atomically: true, encoding: .utf8)
    let scripts = [
        "insert into items (id, qty, kind) values (3, 30, a)\nupdate items set qty = qty + 1 where kind = a",
        "param $p = 5\nupdate items set qty = $p where id = 2\ndefine items.double = qty * 2\nlet big = select items where qty > 5",
        "insert into lines (id, item, amount) values (1, 1, 2.5)\ndelete items where id = 1 cascade\nset fiscal_year_start = 4",
        "load items from \"\(csv)\"\ncreate index on items(qty)\nset today = 2026-01-01",
    ]
    for (number, script) in scripts.enumerated() {
        let path = folder + "/seed-\(number).crmdb"
        try? FileManager.default.removeItem(atPath: path + "-log")
        try? checkpoint.write(to: URL(fileURLWithPath: path))
        // A copy of the log taken before close: the records, not yet folded.
        if let database = try? Database(path: path, options: Database.Options(today: "2026-06-30")) {
            _ = try? database.execute(script)
            if let log = FileManager.default.contents(atPath: path + "-log") {
                // As the raw log (mode 0), and as statement texts (mode 2).
                try? (Data([0, 0]) + log).write(to: URL(fileURLWithPath: directory + "/seed-log-\(number)"))
                try? (Data([2, 4]) + Data(script.utf8)).write(to: URL(fileURLWithPath: directory + "/seed-statements-\(number)"))
            }
        }
    }
    return true
}()

/// CRC-32 (IEEE), bit by bit: the log's checksum.
private func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}

private func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}

/// A log of `payloads` framed as records numbered from `first`.
private func framedLog(_ payloads: [[UInt8]], first: UInt64) -> [UInt8] {
    var log = Array("CRMQLLOG".utf8) + littleEndian(UInt32(1)) + littleEndian(UInt32(0))
    for (index, payload) in payloads.enumerated() {
        let record = littleEndian(UInt64(payload.count)) + littleEndian(first + UInt64(index)) + payload
        log += record + littleEndian(crc32(record))
    }
    return log
}

/// A statement record's payload: kind 1, the text, today, no parameters, no loaded bytes.
private func statementPayload(_ text: [UInt8]) -> [UInt8] {
    [1] + littleEndian(UInt64(text.count)) + text + littleEndian(Int64(20_634)) + littleEndian(UInt64(0)) + [0]
}

/// The log bytes an input stands for (see the top of this file).
private func logBytes(_ input: [UInt8]) -> [UInt8] {
    guard let mode = input.first, input.count >= 2 else { return input }
    let first = UInt64(input[1] % 8) // the checkpoint holds statements 1 to 3: some records are skipped, some leave a gap
    let rest = Array(input.dropFirst(2))
    switch mode % 3 {
    case 1:
        var payloads: [[UInt8]] = []
        var offset = 0
        while offset < rest.count {
            let length = Int(rest[offset])
            let end = min(rest.count, offset + 1 + length)
            payloads.append(Array(rest[(offset + 1)..<end]))
            offset = end
        }
        return framedLog(payloads, first: first)
    case 2:
        return framedLog(rest.split(separator: 10).map { statementPayload(Array($0)) }, first: first)
    default:
        return rest
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    if seeded { exit(0) }
    let bytes = Data(logBytes(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []))
    let path = folder + "/input.crmdb"
    do {
        try checkpoint.write(to: URL(fileURLWithPath: path))
        try bytes.write(to: URL(fileURLWithPath: path + "-log"))
    } catch {
        fatalError("cannot write the fuzz input: \(error)")
    }
    let options = Database.Options(today: "2026-06-30", safe: true,
                                   limits: Database.Limits(timeLimit: .seconds(2), maxResultRows: 100_000, maxMemoryBytes: 512 << 20))
    if let reader = try? Database(path: path, readOnly: true, options: options) {
        _ = reader.recoveryNote
        _ = try? reader.query("select items")
    }
    if let writer = try? Database(path: path, options: options) {
        _ = try? writer.query("select items")
        try? writer.close()
    }
    return 0
}
