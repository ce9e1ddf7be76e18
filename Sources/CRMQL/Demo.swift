import CRMQLCore
import CRMQLEngine

extension Database {
    /// Loads the built-in demo data: customers, orders and interactions of a
    /// made-up company, with `today` fixed at 2026-06-30 so that answers are
    /// reproducible. Replaces whatever the database held.
    /// It reads no file, so it works in safe mode too.
    /// On a database file, the demo data is committed to it as a checkpoint.
    /// A session on a server (`init(engine:options:)`) refuses it.
    public func loadDemo() throws(CRMQLError) {
        if let server {
            throw CRMQLError(phase: .semantic, message: "the demo data loads in memory; this session runs on \(server.displayName)")
        }
        let failure = write { interpreter -> Diagnostic? in
            do { try interpreter.loadDemoDurably() } catch let diagnostic as Diagnostic { return diagnostic } catch {
                return Diagnostic(.io, "\(ErrorText.of(error))", at: nil)
            }
            return nil
        }
        if let failure { throw CRMQLError([failure], source: nil) }
    }

    /// How many customers the built-in demo has (10,000).
    public static let demoCustomerCount: Int = DemoData.standardCustomerCount

    /// The seed of the built-in demo: `writeDemoFiles(customers:
    /// Database.demoCustomerCount, seed: Database.demoSeed, to:)` writes the
    /// demo itself as CSV.
    public static let demoSeed: UInt64 = DemoData.standardSeed

    /// The most customers `writeDemoFiles` generates (100,000,000).
    public static let maximumDemoCustomerCount: Int = DemoFiles.maximumCustomerCount

    /// Writes a data set shaped like the built-in demo, of any size, as the
    /// three CSV files of the standard model: `customers.csv`, `orders.csv`
    /// and `interactions.csv` in `directory`, which is created when missing.
    /// `crmql --data DIR` (or `load` of each file) reads them back into the
    /// standard entities; order lines and interactions scale with the
    /// customers (about 8 and 3 per customer).
    ///
    /// The same `customers` and `seed` always give byte-identical files, on
    /// every machine, so a benchmark or a test can regenerate its data
    /// instead of storing it. All dates lie on or before the demo's today,
    /// 2026-06-30. Memory grows with the order lines and interactions held
    /// in a compact form, about 0.5 GB per million customers; the customers
    /// and the text of the files are written as they are made.
    ///
    /// It is a static function: it reads no file and touches no database,
    /// so `Options.safe` does not apply to it; the host chose the folder.
    /// - Parameters:
    ///   - customers: how many customers, 0...`maximumDemoCustomerCount`.
    ///   - seed: the random seed; the demo's own by default.
    ///   - directory: the folder to write into; files of the same names are replaced.
    /// - Returns: the rows and bytes written.
    /// - Throws: `CRMQLError` (phase `.runtime`) for a count out of range,
    ///   (phase `.io`) when the folder or a file cannot be written.
    /// - Complexity: O(rows); a million customers take a few seconds in a release build.
    @discardableResult
    public static func writeDemoFiles(customers: Int, seed: UInt64 = demoSeed, to directory: String) throws(CRMQLError) -> DemoFilesWritten {
        do {
            let summary = try DemoFiles.write(customerCount: customers, seed: seed, to: directory)
            return DemoFilesWritten(
                directory: directory, customers: summary.customers, orders: summary.orders,
                interactions: summary.interactions, bytes: summary.bytes)
        } catch let diagnostic as Diagnostic {
            throw CRMQLError([diagnostic], source: nil)
        } catch {
            throw CRMQLError([Diagnostic(.io, "cannot write the demo files: \(ErrorText.of(error))", at: nil)], source: nil)
        }
    }
}

/// What `Database.writeDemoFiles(customers:seed:to:)` wrote.
public struct DemoFilesWritten: Sendable, Equatable {
    /// The folder holding the files.
    public let directory: String
    /// Data rows (the header not counted) of `customers.csv`.
    public let customers: Int
    /// Data rows of `orders.csv`: order lines.
    public let orders: Int
    /// Data rows of `interactions.csv`.
    public let interactions: Int
    /// Bytes of the three files together.
    public let bytes: Int
}
