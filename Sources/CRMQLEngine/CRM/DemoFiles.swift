import CRMQLCore
import CRMQLStorage

/// The demo data of any size written as the three CSV files of the standard
/// model (`customers.csv`, `orders.csv`, `interactions.csv`), the way
/// `export` writes rows, so that `load` (or `crmql --data DIR`) reads them
/// back into the same store `DemoData.makeStore(customerCount:seed:)` builds.
///
/// The same size and seed give byte-identical files on every machine. The
/// customers are written as they are drawn and forgotten, and orders and
/// interactions are formatted a slice at a time: what stays in memory is
/// each order line and interaction in a compact form (about 40 bytes each),
/// never the whole store or the whole text.
public enum DemoFiles {
    /// What `write` wrote.
    public struct Summary: Sendable, Equatable {
        /// Rows of `customers.csv`, `orders.csv` and `interactions.csv`.
        public var customers: Int
        public var orders: Int
        public var interactions: Int
        /// Bytes of the three files together.
        public var bytes: Int
    }

    /// The most customers `write` generates: beyond it an order line's
    /// position would no longer fit the builder's 32-bit offsets.
    public static let maximumCustomerCount = 100_000_000

    /// TUNING: rows formatted per write; large enough that a write call is
    /// rare, small enough that the text of a slice stays a few megabytes.
    static let sliceRows = 65_536

    /// Writes the three files into `directory`, creating it (and the folders
    /// above it) when missing and replacing files of the same names. Each
    /// file appears only once complete.
    /// - Throws: a `Diagnostic`: `.runtime` for a count outside
    ///   0...`maximumCustomerCount`, `.io` when a folder or file cannot be written.
    /// - Complexity: O(rows); about 2 s per million customers in a release build.
    public static func write(customerCount: Int, seed: UInt64, to directory: String) throws -> Summary {
        try write(customerCount: customerCount, seed: seed, to: directory, sliceRows: sliceRows)
    }

    /// `write` with another slice size: tests cross many slice boundaries
    /// with a small data set.
    static func write(customerCount: Int, seed: UInt64, to directory: String, sliceRows: Int) throws -> Summary {
        guard customerCount >= 0, customerCount <= maximumCustomerCount else {
            throw Diagnostic(.runtime, "the customer count must be between 0 and \(maximumCustomerCount), not \(customerCount)", at: nil)
        }
        try FileAppender.makeDirectory(directory)
        let folder = directory.hasSuffix("/") ? directory : directory + "/"
        var builder = DemoBuilder(seed: seed, today: DemoData.today)

        let customers = try CSVFile(path: folder + "customers.csv")
        try builder.generate(customerCount: customerCount, chunk: sliceRows) { columns in
            try customers.append(DemoBuilder.customersEntity(columns))
        }
        try customers.finish(empty: DemoBuilder.customersEntity(.init()))

        let orders = try CSVFile(path: folder + "orders.csv")
        try builder.forEachOrderSlice(maximumLines: sliceRows) { try orders.append(DemoBuilder.ordersEntity($0)) }
        try orders.finish(empty: DemoBuilder.ordersEntity(.init()))

        let interactions = try CSVFile(path: folder + "interactions.csv")
        try builder.forEachInteractionSlice(maximumRows: sliceRows) {
            try interactions.append(DemoBuilder.interactionsEntity($0))
        }
        try interactions.finish(empty: DemoBuilder.interactionsEntity(.init()))

        return Summary(
            customers: customers.rows, orders: orders.rows, interactions: interactions.rows,
            bytes: customers.bytes + orders.bytes + interactions.bytes)
    }

    /// One CSV file written an entity slice at a time, the header before the first.
    private final class CSVFile {
        private let file: FileAppender
        private var wroteHeader = false
        private(set) var rows = 0
        private(set) var bytes = 0

        init(path: String) throws {
            file = try FileAppender(path: path)
        }

        func append(_ slice: Entity) throws {
            var out: [UInt8] = []
            TabularWriter.appendCSV(
                names: slice.fields.map(\.name), columns: slice.columns, header: !wroteHeader, to: &out)
            wroteHeader = true
            rows += slice.rowCount
            try file.append(out)
        }

        /// Writes the header if no slice did (no rows), then renames the file into place.
        func finish(empty: Entity) throws {
            if !wroteHeader { try append(empty) }
            bytes = file.byteCount
            try file.finish()
        }
    }
}
