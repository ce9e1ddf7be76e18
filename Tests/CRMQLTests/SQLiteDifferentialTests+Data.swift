import CRMQL
import Foundation
import Testing

// MARK: - The data

/// The generated customers and orders: deterministic, with nulls in every
/// column but the key, ties, negative numbers, duplicate names, padded and
/// quoted text, month-end dates and orders after `today`.
struct DifferentialData {
    /// The session date on both sides.
    static let today = "2026-06-30"
    static let customerColumns: [(name: String, sqlType: String)] = [
        ("id", "INTEGER"), ("name", "TEXT"), ("region", "TEXT"), ("tier", "TEXT"),
        ("loyalty", "REAL"), ("points", "INTEGER"), ("signup", "TEXT"),
    ]
    static let orderColumns: [(name: String, sqlType: String)] = [
        ("id", "INTEGER"), ("customer", "INTEGER"), ("placed", "TEXT"),
        ("amount", "REAL"), ("quantity", "INTEGER"), ("channel", "TEXT"),
    ]

    /// One entity's rows as the CSV cells they are written as; nil is an empty cell.
    struct Table {
        let name: String
        let columns: [(name: String, sqlType: String)]
        var rows: [[String?]]

        var csv: String {
            func field(_ cell: String?) -> String {
                guard let cell else { return "" }
                guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return cell }
                return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return ([columns.map(\.name).joined(separator: ",")] + rows.map { $0.map(field).joined(separator: ",") })
                .joined(separator: "\n") + "\n"
        }

        var sqlInserts: String {
            let names = columns.map(\.name).joined(separator: ", ")
            return rows.map { row in
                let values = zip(row, columns).map { cell, column -> String in
                    guard let cell else { return "NULL" }
                    return column.sqlType == "TEXT" ? "'" + cell.replacingOccurrences(of: "'", with: "''") + "'" : cell
                }
                return "INSERT INTO \(name) (\(names)) VALUES (\(values.joined(separator: ", ")));"
            }.joined(separator: "\n")
        }
    }

    var customers: Table
    var orders: Table

    /// The SQLite schema and rows. `tier_rank` carries the declared enum order
    /// (bronze < silver < gold < platinum) that SQLite's text cannot.
    var sqliteScript: String {
        func columns(_ list: [(name: String, sqlType: String)]) -> String {
            list.map { "\($0.name) \($0.sqlType)" }.joined(separator: ", ")
        }
        return """
            CREATE TABLE customers (\(columns(Self.customerColumns)), tier_rank INTEGER GENERATED ALWAYS AS
              (CASE tier WHEN 'bronze' THEN 0 WHEN 'silver' THEN 1 WHEN 'gold' THEN 2 WHEN 'platinum' THEN 3 END));
            CREATE TABLE orders (\(columns(Self.orderColumns)));
            BEGIN;
            \(customers.sqlInserts)
            \(orders.sqlInserts)
            COMMIT;

            """
    }

    static func generate(seed: UInt64 = 0x00C0_FFEE_D1FF) -> DifferentialData {
        var random = SplitMix64(state: seed)
        let firsts = ["alice", "Bob", "carol", "Dave", "eve", "Frank", "grace", "Heidi", "ivan", "Judy",
                      "mallory", "Niaj", "olivia", "Peggy", "rupert", "Sybil", "trent", "Victor", "walter", "Zoe"]
        let lasts = ["Smith", "jones", "Brown", "lee", "Garcia", "miller", "Davis", "wilson", "Moore", "taylor",
                     "Anderson", "thomas", "Jackson", "white", "Harris"]
        let firstSignup = civilDays(2019, 1, 1), lastSignup = civilDays(2026, 6, 30)
        var customerRows: [[String?]] = (1...300).map { id in
            var name = "\(random.pick(firsts)) \(random.pick(lasts))"
            if id % 97 == 7 { name = "O'Brien, Pat" }
            if id % 101 == 42 { name = "Ann \"Lefty\" Lee" }
            if random.chance(0.08) { name = random.chance(0.5) ? "  " + name : name + " " }
            return [
                String(id),
                random.chance(0.04) ? nil : name,
                random.chance(0.08) ? nil : random.pick(["north", "north", "south", "east", "west", "central", "east"]),
                random.chance(0.1) ? nil : random.pick(["bronze", "bronze", "bronze", "bronze", "silver", "silver", "silver", "gold", "gold", "platinum"]),
                random.chance(0.07) ? nil : decimal(hundredths: random.int(0...100)),
                random.chance(0.08) ? nil : String(random.int(-20...100) * 10),
                random.chance(0.06) ? nil : isoDate(random.int(firstSignup...lastSignup)),
            ]
        }
        let firstOrder = civilDays(2024, 1, 1), lastOrder = civilDays(2026, 7, 20)
        var orderRows: [[String?]] = (1...2_000).map { id in
            // Customers 271...300 have no orders; low ids have many (the smaller of two draws).
            let customer = 1 + min(random.int(0...269), random.int(0...269))
            let amount = random.chance(0.1)
                ? random.pick(["9.99", "19.99", "49.50", "100.00", "-10.00"])
                : decimal(hundredths: random.chance(0.1) ? -random.int(1...30_000) : random.int(0...250_000))
            return [
                String(id),
                random.chance(0.02) ? nil : String(customer),
                random.chance(0.04) ? nil : isoDate(random.int(firstOrder...lastOrder)),
                random.chance(0.05) ? nil : amount,
                random.chance(0.05) ? nil : String(random.int(-2...10)),
                random.chance(0.05) ? nil : random.pick(["web", "web", "store", "phone", "partner", "store"]),
            ]
        }
        // Insertion order differs from key order, so that ties kept in
        // insertion order are told apart from ties broken by key.
        random.shuffle(&customerRows)
        random.shuffle(&orderRows)
        return DifferentialData(
            customers: Table(name: "customers", columns: customerColumns, rows: customerRows),
            orders: Table(name: "orders", columns: orderColumns, rows: orderRows))
    }

    /// `-123` → `-1.23`.
    static func decimal(hundredths: Int) -> String {
        let magnitude = hundredths.magnitude
        let fraction = magnitude % 100
        return (hundredths < 0 ? "-" : "") + "\(magnitude / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func civilDays(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// `YYYY-MM-DD` of days since 1970-01-01.
    static func isoDate(_ days: Int) -> String {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int, _ width: Int) -> String {
            String(repeating: "0", count: max(0, width - String(value).count)) + String(value)
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }
}

/// SplitMix64: a tiny seeded generator, so the data is the same on every machine.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int(next() % span)
    }

    mutating func chance(_ probability: Double) -> Bool {
        Double(next() >> 11) / Double(1 << 53) < probability
    }

    mutating func pick(_ choices: [String]) -> String {
        choices[int(0...(choices.count - 1))]
    }

    mutating func shuffle<Element>(_ elements: inout [Element]) {
        guard elements.count > 1 else { return }
        for index in stride(from: elements.count - 1, to: 0, by: -1) {
            elements.swapAt(index, int(0...index))
        }
    }
}
