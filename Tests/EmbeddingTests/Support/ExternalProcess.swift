import Foundation
import Synchronization

/// Where the tests find the repository and the products the package built.
enum Paths {
    /// The repository's root, found from this file's path.
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The folder the package's products were built into: the one that
    /// holds the test bundle, or `CRMQL_BUILD_DIR` when set.
    static func buildDirectory() throws -> URL {
        if let override = ProcessInfo.processInfo.environment["CRMQL_BUILD_DIR"] {
            return URL(fileURLWithPath: override)
        }
        var candidates: [URL] = []
        for bundle in Bundle.allBundles {
            candidates.append(bundle.bundleURL.deletingLastPathComponent())
            if let executable = bundle.executableURL { candidates.append(executable.deletingLastPathComponent()) }
        }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        for directory in candidates where FileManager.default.fileExists(atPath: directory.appendingPathComponent(libraryName).path) {
            return directory
        }
        throw TestFailure("""
            \(libraryName) was not found next to the test bundle (looked in \(candidates.map(\.path).joined(separator: ", "))). \
            Build the package first (`swift build`), or set CRMQL_BUILD_DIR to the folder that holds it.
            """)
    }

    #if os(macOS)
    static let libraryName = "libcrmql_c.dylib"
    #else
    static let libraryName = "libcrmql_c.so"
    #endif

    /// The full path of an executable found on PATH; nil when none is.
    static func executable(named name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// A new empty temporary folder.
    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crmql-embedding-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}

/// A failure with a message meant for the person reading the test log.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One run of an external program, its outputs captured.
struct ProcessRun {
    let status: Int32
    let standardOutput: String
    let standardError: String

    /// Runs `executable arguments` and waits for it, at most `timeout`.
    static func run(_ executable: String, _ arguments: [String], environment extra: [String: String] = [:],
                    timeout: Duration = .seconds(120)) throws -> ProcessRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let outputPipe = Pipe()
        let errorPipe = Pipe()
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        process.standardInput = FileHandle.nullDevice
        try process.run()

        // Drain both outputs while the program runs, so a full pipe never blocks it.
        let output = Mutex(Data())
        let error = Mutex(Data())
        let group = DispatchGroup()
        let outputHandle = outputPipe.fileHandleForReading
        let errorHandle = errorPipe.fileHandleForReading
        DispatchQueue.global().async(group: group) {
            let data = outputHandle.readDataToEndOfFile()
            output.withLock { $0 = data }
        }
        DispatchQueue.global().async(group: group) {
            let data = errorHandle.readDataToEndOfFile()
            error.withLock { $0 = data }
        }
        let (seconds, _) = timeout.components
        if group.wait(timeout: .now() + .seconds(Int(seconds))) == .timedOut {
            process.terminate()
            throw TestFailure("\(executable) did not finish within \(timeout)")
        }
        process.waitUntilExit()
        return ProcessRun(status: process.terminationStatus,
                          standardOutput: String(decoding: output.withLock { $0 }, as: UTF8.self),
                          standardError: String(decoding: error.withLock { $0 }, as: UTF8.self))
    }
}

/// Expected outputs kept next to the tests; `CRMQL_RECORD=1` rewrites them.
enum ExpectedOutput {
    static var isRecording: Bool { ProcessInfo.processInfo.environment["CRMQL_RECORD"] == "1" }

    static func url(_ name: String) -> URL {
        Paths.repositoryRoot.appendingPathComponent("Tests/EmbeddingTests/Expected/\(name)")
    }

    /// The expected text, or nil after recording `actual` in record mode.
    static func compare(_ actual: String, with name: String) throws -> String? {
        let url = url(name)
        if isRecording {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return nil
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            throw TestFailure("no expected output at Tests/EmbeddingTests/Expected/\(name); run with CRMQL_RECORD=1 to record it")
        }
        return expected
    }
}
