import CRMQLCore

/// The SQL engines a query compiles for. Each answers the few spellings
/// that differ between them; everything else is standard SQL the three share.
enum SQLDialect: String, Sendable, CaseIterable {
    case postgresql, duckdb, spark

    /// A name as an identifier: quoted always, so a field named like a
    /// keyword (`at`, `kind`, `value`) or holding a space needs no care.
    func identifier(_ name: String) -> String {
        switch self {
        case .spark: return "`" + name.replacingOccurrences(of: "`", with: "``") + "`"
        case .postgresql, .duckdb: return "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
    }

    /// A text literal. Spark reads backslash escapes inside quotes; the
    /// others double the quote.
    func string(_ text: String) -> String {
        switch self {
        case .spark:
            return "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        case .postgresql, .duckdb:
            return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
        }
    }

    /// The column type holding a CRMQL type (enums and refs keep their
    /// stored text or key).
    func typeName(_ type: DataType) -> String {
        switch type {
        case .int: return "BIGINT"
        case .number: return self == .postgresql ? "DOUBLE PRECISION" : "DOUBLE"
        case .text, .enumeration, .null: return self == .spark ? "STRING" : "TEXT"
        case .bool: return "BOOLEAN"
        case .date: return "DATE"
        case .datetime: return "TIMESTAMP"
        case .ref: return "BIGINT"
        }
    }

    func cast(_ sql: String, _ type: DataType) -> String { "CAST(\(sql) AS \(typeName(type)))" }

    /// `b - a` in days, for two dates.
    func daysBetween(_ a: String, _ b: String) -> String {
        switch self {
        case .postgresql: return "(\(b) - \(a))"
        case .duckdb: return "datediff('day', \(a), \(b))"
        case .spark: return "datediff(\(b), \(a))"
        }
    }

    /// A date or datetime moved by whole days or months; months keep the
    /// day of the month, clamped to the month's last day, in all three.
    func shift(_ sql: String, days: Int64, datetime: Bool) -> String {
        switch (self, datetime) {
        case (.postgresql, false): return "(\(sql) + \(days))"
        case (.postgresql, true): return "(\(sql) + INTERVAL '\(days) days')"
        case (.duckdb, false): return "CAST(\(sql) + INTERVAL (\(days)) DAY AS DATE)"
        case (.duckdb, true): return "(\(sql) + INTERVAL (\(days)) DAY)"
        case (.spark, false): return "date_add(\(sql), \(days))"
        case (.spark, true): return "(\(sql) + make_interval(0, 0, 0, \(days)))"
        }
    }

    func shift(_ sql: String, months: Int64, datetime: Bool) -> String {
        switch (self, datetime) {
        case (.postgresql, false): return "CAST(\(sql) + INTERVAL '\(months) months' AS DATE)"
        case (.postgresql, true): return "(\(sql) + INTERVAL '\(months) months')"
        case (.duckdb, false): return "CAST(\(sql) + INTERVAL (\(months)) MONTH AS DATE)"
        case (.duckdb, true): return "(\(sql) + INTERVAL (\(months)) MONTH)"
        case (.spark, false): return "add_months(\(sql), \(months))"
        case (.spark, true): return "(\(sql) + make_interval(0, \(months)))"
        }
    }

    /// The first day of the calendar period holding a date, as a date.
    func truncate(_ sql: String, _ period: String) -> String {
        "CAST(date_trunc('\(period)', \(sql)) AS DATE)"
    }

    /// A date moved by a number of days that a column holds.
    func addDays(_ date: String, _ days: String) -> String {
        switch self {
        case .postgresql: return "(\(date) + CAST(\(days) AS INTEGER))"
        case .duckdb: return "CAST(\(date) + CAST(\(days) AS INTEGER) AS DATE)"
        case .spark: return "date_add(\(date), CAST(\(days) AS INT))"
        }
    }

    /// In a `SELECT` list, one row for each whole number from `low` to
    /// `high`, which must not be greater (Spark's sequence would count down).
    func series(_ low: String, _ high: String) -> String {
        switch self {
        case .postgresql: return "generate_series(\(low), \(high))"
        case .duckdb: return "unnest(generate_series(\(low), \(high)))"
        case .spark: return "explode(sequence(\(low), \(high)))"
        }
    }

    /// 1 = Monday … 7 = Sunday.
    func weekday(_ sql: String) -> String {
        switch self {
        case .postgresql, .duckdb: return "CAST(EXTRACT(ISODOW FROM \(sql)) AS BIGINT)"
        case .spark: return "CAST(pmod(dayofweek(\(sql)) + 5, 7) + 1 AS BIGINT)"
        }
    }

    func regexMatch(_ text: String, _ pattern: String) -> String {
        switch self {
        case .postgresql: return "(\(text) ~ \(pattern))"
        case .duckdb: return "regexp_matches(\(text), \(pattern))"
        case .spark: return "(\(text) RLIKE \(pattern))"
        }
    }

    /// Whether `needle` occurs in `text` (both already folded).
    func contains(_ text: String, _ needle: String) -> String {
        switch self {
        case .postgresql, .duckdb: return "(strpos(\(text), \(needle)) > 0)"
        case .spark: return "(instr(\(text), \(needle)) > 0)"
        }
    }

    /// A linearly interpolated percentile, nulls skipped.
    func percentile(_ sql: String, _ fraction: Double) -> String {
        let p = SQLDialect.number(fraction)
        switch self {
        case .postgresql: return "percentile_cont(\(p)) WITHIN GROUP (ORDER BY \(sql))"
        case .duckdb: return "quantile_cont(\(sql), \(p))"
        case .spark: return "percentile(\(sql), \(p))"
        }
    }

    /// Text order by code points, as crmql sorts text: PostgreSQL's
    /// default collation follows the locale.
    func textOrder(_ sql: String) -> String {
        self == .postgresql ? "\(sql) COLLATE \"C\"" : sql
    }

    func limit(_ limit: String?, offset: String?) -> [String] {
        var lines: [String] = []
        if let limit { lines.append("LIMIT \(limit)") }
        if let offset {
            if limit == nil && self == .postgresql { lines.append("LIMIT ALL") }
            lines.append("OFFSET \(offset)")
        }
        return lines
    }

    /// A number literal that reads back as the same double.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), Swift.abs(value) < 1e15 { return String(Int64(value)) + ".0" }
        return "\(value)"
    }
}
