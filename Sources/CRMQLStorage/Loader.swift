import CRMQLCore

/// The format of a file to load.
public enum LoadFormat: Sendable, Hashable {
    case csv
    /// An array of objects, or one object a line (NDJSON).
    case json

    /// The format a file name implies: `.json`, `.ndjson` and `.jsonl` are
    /// JSON, anything else CSV.
    public init(fileName: String) {
        let lower = fileName.lowercased()
        self = lower.hasSuffix(".json") || lower.hasSuffix(".ndjson") || lower.hasSuffix(".jsonl") ? .json : .csv
    }
}

/// The `with (...)` options of `load`.
public struct LoadOptions: Sendable, Hashable {
    /// Whether the first CSV record names the columns.
    public var header: Bool
    /// The CSV cell separator.
    public var delimiter: UInt8
    /// Load the sound rows and reject the others instead of failing.
    public var skipBad: Bool

    /// The defaults of `load` (Grammar/REFERENCE.md, section 4): a header, commas, and failing on a bad row.
    public init(header: Bool = true, delimiter: UInt8 = UInt8(ascii: ","), skipBad: Bool = false) {
        self.header = header
        self.delimiter = delimiter
        self.skipBad = skipBad
    }

    /// The delimiter byte a `delimiter = "…"` option names: one ASCII
    /// character other than a quote or a line break (`\t` for tab).
    public static func delimiter(from text: String) -> UInt8? {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count == 1, let ascii = UInt8(exactly: scalars[0].value), ascii < 0x80,
              ascii != UInt8(ascii: "\""), ascii != 10, ascii != 13 else { return nil }
        return ascii
    }
}

/// A row a load refused, kept so that nothing is dropped silently.
public struct RejectedRow: Sendable, Hashable {
    /// 1-based line on which the row starts.
    public var line: Int
    /// The row's bytes exactly as in the file, with its line break if it had one.
    public var raw: [UInt8]
    /// Why: `orders.csv:9: customer: no customers row has the key '42'`.
    public var message: String
}

/// What a load produced. The caller commits `store`; until then nothing has
/// changed, so a failed load leaves the store as it was.
public struct LoadResult: Sendable {
    /// The store with the entity created or extended.
    public var store: Store
    /// The entity loaded into.
    public var entityName: String
    /// True when the load created the entity.
    public var created: Bool
    /// Rows added to the entity.
    public var rowsLoaded: Int
    /// Refused rows in file order (only with `skipBad`).
    public var rejected: [RejectedRow]

    /// The contents of `<file>.rejected`: each refused row unchanged, one after another.
    public var rejectedFileBytes: [UInt8] {
        var bytes: [UInt8] = []
        for row in rejected {
            bytes.append(contentsOf: row.raw)
            if let last = row.raw.last, last != 10, last != 13 { bytes.append(10) }
        }
        return bytes
    }

    /// The path rejected rows go to: the loaded file's path plus `.rejected`.
    public static func rejectedPath(for path: String) -> String { path + ".rejected" }

    /// Writes `<path>.rejected` when rows were refused; returns its path, or
    /// nil when there was nothing to write.
    @discardableResult
    public func writeRejected(besides path: String) throws -> String? {
        guard !rejected.isEmpty else { return nil }
        let target = LoadResult.rejectedPath(for: path)
        try FileIO.writeAtomically(rejectedFileBytes, to: target)
        return target
    }
}

/// `load <entity> from "<file>"`: reads CSV or JSON, infers or checks types,
/// and builds a new store with the rows added.
public enum Loader {
    /// Loads a file's bytes into an entity, new or existing.
    ///
    /// A new entity takes its schema from the standard CRM model, the naming
    /// rules (`id` is the key; `customer` is a ref to `customers` when that
    /// exists) and inference over the file (Grammar/REFERENCE.md section 2). An
    /// existing one keeps its declared types; its columns are matched by
    /// name (or by position for a CSV without header). A row that does not
    /// fit fails the load with its line, or with `skipBad` is rejected.
    ///
    /// A ref to the entity being loaded must name a row already there or
    /// earlier in the file.
    /// - Returns: the new store and counts; `store` itself is not modified.
    /// - Throws: a `Diagnostic` (phase `.io`) whose message starts
    ///   `file:line:`.
    /// - Parameter poll: called between batches of records (a few
    ///   milliseconds apart at most); what it throws (an interrupt, a time
    ///   limit) stops the load.
    /// - Complexity: O(n) in the size of the file plus the parents' keys.
    public static func load(bytes: [UInt8], fileName: String, format: LoadFormat, entityName: String,
                            into store: Store, options: LoadOptions = LoadOptions(), progress: ProgressMeter? = nil,
                            poll: () throws -> Void = {}) throws -> LoadResult {
        let table: TextTable
        switch format {
        case .csv where options.header:
            return try loadCSV(bytes: bytes, fileName: fileName, delimiter: options.delimiter, entityName: entityName,
                               into: store, skipBad: options.skipBad, progress: progress, poll: poll)
        case .csv:
            table = try CSVReader.read(bytes, fileName: fileName, delimiter: options.delimiter, header: false, progress: progress,
                                       poll: poll)
        case .json: table = try JSONReader.read(bytes, fileName: fileName, poll: poll)
        }
        return try load(table: table, byName: format == .json, fileName: fileName,
                        entityName: entityName, into: store, skipBad: options.skipBad, progress: progress, poll: poll)
    }

    /// Loads cells already read by `CSVReader` or `JSONReader`.
    /// - Parameter byName: match an existing entity's fields by column name
    ///   (else by position).
    /// - Parameter progress: told how many records are converted.
    /// - Parameter poll: as `load(bytes:…)` calls it.
    public static func load(table: TextTable, byName: Bool, fileName: String, entityName: String,
                            into store: Store, skipBad: Bool, progress: ProgressMeter? = nil,
                            poll: () throws -> Void = {}) throws -> LoadResult {
        guard table.recordCount < Int(Int32.max) else {
            throw Diagnostic(.io, "\(fileName): too many rows for one entity", at: nil)
        }
        let existing = store[entityName]
        let plan = try existing.map {
            try LoadPlan.existing($0, columnNames: table.columnNames, headerLine: table.headerLine, byName: byName, store: store,
                                  fileName: fileName, capacity: table.recordCount)
        } ?? LoadPlan.new(entityName: entityName, columnNames: table.columnNames, store: store, fileName: fileName, capacity: table.recordCount)
        let source = TableRecords(table: table, expectedCells: plan.expectedCells, progress: progress)
        return try LoadRun.run(source, plan: plan, existing: existing, entityName: entityName, store: store,
                               fileName: fileName, skipBad: skipBad, progress: progress, poll: poll)
    }

    /// A CSV file with a header, read straight from its bytes: the cells are
    /// never copied, and each is parsed once, in the pass that infers its
    /// column's type. Fails exactly as reading the file into a `TextTable`
    /// first would, in the same order (a quote left open anywhere, then an
    /// empty file, then the header, then the rows).
    private static func loadCSV(bytes: [UInt8], fileName: String, delimiter: UInt8, entityName: String,
                                into store: Store, skipBad: Bool, progress: ProgressMeter?,
                                poll: () throws -> Void) throws -> LoadResult {
        try CSVReader.checkDelimiter(delimiter, fileName: fileName)
        let header = try bytes.withUnsafeBufferPointer { try CSVReader.readHeader($0, fileName: fileName, delimiter: delimiter) }
        let capacity = bytes.withUnsafeBufferPointer { estimatedRecords(in: $0, from: header.dataStart.index) }
        let existing = store[entityName]
        let plan: LoadPlan
        do {
            plan = try existing.map {
                try LoadPlan.existing($0, columnNames: header.names, headerLine: header.line, byName: true, store: store,
                                      fileName: fileName, capacity: capacity)
            } ?? LoadPlan.new(entityName: entityName, columnNames: header.names, store: store, fileName: fileName, capacity: capacity)
        } catch {
            let records = try bytes.withUnsafeBufferPointer { p in
                var scanner = CSVScanner(p, delimiter: delimiter, fileName: fileName, at: header.dataStart)
                return try scanner.skipToEnd()
            }
            guard records < Int(Int32.max) else { throw Diagnostic(.io, "\(fileName): too many rows for one entity", at: nil) }
            throw error
        }
        let source = CSVRecords(sourceBytes: bytes, delimiter: delimiter, fileName: fileName, start: header.dataStart,
                                expectedCells: plan.expectedCells, progress: progress)
        return try LoadRun.run(source, plan: plan, existing: existing, entityName: entityName, store: store,
                               fileName: fileName, skipBad: skipBad, progress: progress, poll: poll)
    }

    /// About how many records follow `start`: one a line. Arrays reserved
    /// for that many rows are only touched as far as they fill, so a file of
    /// blank lines costs address space, not memory.
    private static func estimatedRecords(in p: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        let lineFeeds = CSVScanner.count(10, in: p, from: start)
        let lines = lineFeeds > 0 ? lineFeeds : CSVScanner.count(13, in: p, from: start)
        return lines + 1
    }

    /// The order in which to load several files so that every ref finds its
    /// parent: a file whose columns name another file's entity in the
    /// singular (`customer` → `customers`) loads after that entity. Otherwise
    /// the given order is kept; a cycle is broken in the given order.
    /// - Parameters:
    ///   - entityNames: the entities to load, in the preferred order.
    ///   - columnsByEntity: each entity's column names (e.g. `CSVReader.header(of:)`).
    public static func dependencyOrder(of entityNames: [String], columnsByEntity: [String: [String]]) -> [String] {
        var order: [String] = []
        var state: [String: Bool] = [:]  // false: in progress, true: placed
        func visit(_ name: String) {
            if state[name] != nil { return }
            state[name] = false
            for column in columnsByEntity[name] ?? [] {
                if let parent = Naming.referencedEntity(column: column, among: entityNames), parent != name { visit(parent) }
            }
            state[name] = true
            order.append(name)
        }
        for name in entityNames { visit(name) }
        return order
    }
}
