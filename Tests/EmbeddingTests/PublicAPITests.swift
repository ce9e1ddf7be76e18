import Foundation
import Testing

/// The public interfaces change only on purpose: the declarations of the
/// `CRMQL` library and of `crmql.h` must match the checked-in
/// `PublicAPI.txt`. A deliberate change re-records it
/// (`CRMQL_RECORD=1 swift test --filter PublicAPITests`), and the diff of
/// that file shows reviewers exactly what changed.
@Suite struct PublicAPITests {
    static let listingPath = "Tests/EmbeddingTests/PublicAPI.txt"

    static func currentListing() throws -> String {
        let root = Paths.repositoryRoot
        let sourceRoot = root.appendingPathComponent("Sources/CRMQL")
        var sources: [(name: String, text: String)] = []
        let enumerator = FileManager.default.enumerator(at: sourceRoot, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "swift" else { continue }
            sources.append((url.path, try String(contentsOf: url, encoding: .utf8)))
        }
        guard !sources.isEmpty else { throw TestFailure("no Swift sources under \(sourceRoot.path)") }
        // `Database.Limits` is the engine's `ExecutionLimits` under another
        // name, and `Exports.swift` names core types (`Value`, `DataType`, …):
        // their members are part of this interface too.
        var named = ["ExecutionLimits"]
        let exports = try String(contentsOf: sourceRoot.appendingPathComponent("Exports.swift"), encoding: .utf8)
        for line in exports.split(separator: "\n") where line.hasPrefix("public typealias ") {
            if let name = line.split(separator: "=").last?.split(separator: ".").last?.trimmingCharacters(in: .whitespaces) {
                named.append(name)
            }
        }
        var reexported: [String] = []
        for folder in ["Sources/CRMQLEngine", "Sources/CRMQLCore"] {
            let files = FileManager.default.enumerator(at: root.appendingPathComponent(folder), includingPropertiesForKeys: nil)
            while let url = files?.nextObject() as? URL {
                guard url.pathExtension == "swift", let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
                for declaration in PublicAPI.swiftDeclarations(in: text) {
                    let isNamed = named.contains { name in
                        declaration.hasPrefix(name + ":") || declaration.hasPrefix(name + ".")
                            || ["enum", "struct", "class", "final class"].contains { keyword in
                                [":", " ", "<"].contains { declaration.contains("public \(keyword) \(name)\($0)") }
                                    || declaration == "public \(keyword) \(name)"
                            }
                    }
                    if isNamed { reexported.append(declaration) }
                }
            }
        }
        for name in named where !reexported.contains(where: { $0.hasPrefix(name) || $0.contains(" \(name)") }) {
            throw TestFailure("\(name), which the CRMQL library names, is declared nowhere in the engine or the core")
        }
        let header = try String(contentsOf: root.appendingPathComponent("Sources/CCRMQL/include/crmql.h"), encoding: .utf8)
        return PublicAPI.listing(swiftSources: sources.sorted { $0.name < $1.name }, reexported: reexported, header: header)
    }

    @Test func publicAPIMatchesTheCheckedInListing() throws {
        let current = try Self.currentListing()
        let url = Paths.repositoryRoot.appendingPathComponent(Self.listingPath)
        if ExpectedOutput.isRecording {
            try current.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let recorded = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        guard current != recorded else { return }
        let old = recorded.split(separator: "\n").map(String.init)
        let new = current.split(separator: "\n").map(String.init)
        let difference = new.difference(from: old)
        var lines: [String] = []
        for change in difference {
            switch change {
            case .remove(_, let line, _): lines.append("- " + line)
            case .insert(_, let line, _): lines.append("+ " + line)
            }
        }
        Issue.record("""
            The public API changed (- removed, + added):
            \(lines.joined(separator: "\n"))

            If the change is deliberate, record it and commit \(Self.listingPath):
                CRMQL_RECORD=1 swift test --filter PublicAPITests
            """)
    }

    /// The extractor sees what it must: a few declarations every version has.
    @Test func theListingCoversBothInterfaces() throws {
        let listing = try Self.currentListing()
        for expected in [
            "public final class Database: Sendable",
            "Database: public func prepare(_ text: String, sourceName: String = \"<input>\") throws(CRMQLError) -> PreparedStatement",
            "Database: public func interrupt()",
            "StatementOutput: case rows(ResultSet)",
            "Database: public func execute(_ text: String, sourceName: String = \"<input>\", parameters: [String: any ValueConvertible] = [:]) throws(CRMQLError) -> [StatementOutput]",
            "CRMQLError.Problem: public let rendered: String",
            "extension ResultSet: RandomAccessCollection",
            "ValueConvertible: var crmqlValue: Value { get }",
            "int crmql_step(crmql_stmt *stmt);",
            "#define CRMQL_ROW 100",
            "typedef struct crmql_stmt crmql_stmt;",
        ] {
            #expect(listing.contains(expected), "the listing lacks: \(expected)")
        }
    }

    /// Every way to run text takes parameter values the same way, as
    /// `parameters: [String: any ValueConvertible]`: a host moves a query
    /// between `Database` and `PreparedStatement` without renaming labels.
    @Test func everyRunTakesParametersUnderOneLabel() throws {
        let listing = try Self.currentListing()
        let runs = listing.split(separator: "\n").filter { $0.contains("any ValueConvertible]") }
        #expect(runs.count >= 10)
        for run in runs {
            #expect(run.contains("parameters: [String: any ValueConvertible] = [:]"), "\(run)")
        }
    }

    /// A public type's name is not also the name of a type inside the
    /// engine: a reader of a stack trace or of the engine's code never has to
    /// ask which `Catalog` is meant.
    @Test func noPublicTypeSharesANameWithAnEngineType() throws {
        let listing = try Self.currentListing()
        let swiftPart = listing.components(separatedBy: "## C: crmql.h").first ?? listing
        var publicTypes: Set<String> = []
        for line in swiftPart.split(separator: "\n") where line.hasPrefix("public ") {
            let words = line.split(whereSeparator: { " :<=".contains($0) })
            if let keyword = words.firstIndex(where: { ["struct", "enum", "class", "protocol", "typealias"].contains($0) }),
               keyword + 1 < words.count {
                publicTypes.insert(String(words[keyword + 1]))
            }
        }
        #expect(publicTypes.contains("Schema"))
        let folder = Paths.repositoryRoot.appendingPathComponent("Sources/CRMQLEngine")
        let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
        while let url = files?.nextObject() as? URL {
            guard url.pathExtension == "swift" else { continue }
            let text = try String(contentsOf: url, encoding: .utf8)
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ")
                guard let keyword = words.firstIndex(where: { ["struct", "enum", "class", "protocol"].contains($0) }),
                      keyword + 1 < words.count, words[..<keyword].allSatisfy({ ["public", "final", "private", "fileprivate", "internal", "indirect"].contains($0) })
                else { continue }
                let name = String(words[keyword + 1].prefix { $0.isLetter || $0.isNumber || $0 == "_" })
                // Re-exported engine types are the same type under the same name.
                let reexported = swiftPart.contains("public typealias \(name) = ") || name == "ExecutionLimits"
                #expect(reexported || !publicTypes.contains(name), "CRMQL's public \(name) shares its name with \(url.lastPathComponent)'s")
            }
        }
    }

    /// The command-line program is a host like any other: it imports the
    /// public `CRMQL` module, never the engine's inner modules.
    @Test func theCommandLineUsesOnlyThePublicAPI() throws {
        let folder = Paths.repositoryRoot.appendingPathComponent("Sources/crmql")
        let inner = ["CRMQLCore", "CRMQLSyntax", "CRMQLStorage", "CRMQLEngine"]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".swift") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            for line in text.split(separator: "\n") where line.hasPrefix("import ") || line.contains(" import ") {
                let module = line.split(separator: " ").last.map(String.init) ?? ""
                #expect(!inner.contains(module), "Sources/crmql/\(name) imports \(module); the CLI may use only CRMQL")
            }
        }
    }
}
