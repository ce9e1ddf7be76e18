import ArgumentParser
import CRMQL
import Foundation

/// `crmql generate [--customers N] [--seed S] DIR`: writes a data set shaped
/// like the built-in demo, of any size, as the three CSV files of the
/// standard model, for benchmarks and for trying crmql on more data than the
/// demo holds. The same size and seed always give the same bytes.
///
/// `main.swift` hands it the arguments after the word `generate`; a script
/// file of that name is still run as `crmql ./generate`.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crmql generate",
        abstract: "Write a deterministic demo data set of any size as CSV.",
        discussion: """
            Writes DIR/customers.csv, DIR/orders.csv and DIR/interactions.csv (about 8 order \
            lines and 3 interactions per customer), creating DIR when missing. The same \
            --customers and --seed always give byte-identical files; the defaults give the \
            built-in demo itself. Read the files back with 'crmql --data DIR'. Dates lie on \
            or before 2026-06-30, so use '--today 2026-06-30' for recency and RFM.

            Examples:
              crmql generate ./crm
              crmql generate --customers 1000000 --seed 7 ./crm-1m
            """
    )

    @Option(help: ArgumentHelp("How many customers (0 to 100,000,000).", valueName: "count"))
    var customers: Int = Database.demoCustomerCount

    @Option(help: ArgumentHelp("The random seed (default: the demo's).", valueName: "seed"))
    var seed: UInt64 = Database.demoSeed

    @Argument(help: ArgumentHelp("The folder to write the files into.", valueName: "dir"))
    var directory: String

    func validate() throws {
        guard (0...Database.maximumDemoCustomerCount).contains(customers) else {
            throw ValidationError("--customers must be between 0 and \(Database.maximumDemoCustomerCount), not \(customers)")
        }
        if directory.isEmpty { throw ValidationError("the folder must not be empty") }
    }

    /// Writes the files; 0 on success, 1 when they cannot be written.
    func execute() -> Int32 {
        let start = ContinuousClock.now
        do {
            let written = try Database.writeDemoFiles(customers: customers, seed: seed, to: directory)
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            StandardError.line(String(
                format: "wrote %@ customers, %@ order lines and %@ interactions (%.1f MB) to %@ in %.1f s",
                grouped(written.customers), grouped(written.orders), grouped(written.interactions),
                Double(written.bytes) / 1e6, directory, seconds))
            return 0
        } catch {
            StandardError.line("error: " + error.message)
            return 1
        }
    }

    private func grouped(_ number: Int) -> String {
        let digits = String(number)
        var out = ""
        for (offset, character) in digits.enumerated() {
            if offset > 0 && (digits.count - offset) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return out
    }
}
