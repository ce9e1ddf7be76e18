import Foundation

/// One run of the `crmql` binary without a terminal: standard input from a
/// string, standard output and error captured.
struct CommandRun {
    let status: Int32
    let standardOutput: String
    let standardError: String

    /// Runs `crmql arguments` and waits for it.
    static func run(_ arguments: [String], input: String = "", directory: URL? = nil,
                    environment extra: [String: String] = [:]) throws -> CommandRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try CrmqlBinary.path())
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var environment = ProcessInfo.processInfo.environment
        environment["CRMQL_HISTORY"] = ""
        environment["NO_COLOR"] = "1"
        for (key, value) in extra { environment[key] = value }
        process.environment = environment

        let inputPipe = Pipe()
        let outputPipe = Pipe()
        let errorPipe = Pipe()
        process.standardInput = inputPipe
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        try process.run()

        // Drain both outputs while the program runs, so a full pipe never blocks it.
        let group = DispatchGroup()
        let collected = Collected()
        DispatchQueue.global().async(group: group) { collected.setOutput(outputPipe.fileHandleForReading.readDataToEndOfFile()) }
        DispatchQueue.global().async(group: group) { collected.setError(errorPipe.fileHandleForReading.readDataToEndOfFile()) }
        try? inputPipe.fileHandleForWriting.write(contentsOf: Data(input.utf8))
        try? inputPipe.fileHandleForWriting.close()
        process.waitUntilExit()
        group.wait()
        return CommandRun(status: process.terminationStatus,
                          standardOutput: String(decoding: collected.output, as: UTF8.self),
                          standardError: String(decoding: collected.error, as: UTF8.self))
    }
}

/// Output gathered on two threads.
private final class Collected: @unchecked Sendable {
    // Guarded by `lock`; @unchecked because NSLock-based guarding is not
    // visible to the compiler.
    private let lock = NSLock()
    private var outputData = Data()
    private var errorData = Data()

    func setOutput(_ data: Data) { lock.withLock { outputData = data } }
    func setError(_ data: Data) { lock.withLock { errorData = data } }
    var output: Data { lock.withLock { outputData } }
    var error: Data { lock.withLock { errorData } }
}

/// A temporary directory with CRM data as CSV files, removed afterwards.
final class Fixture {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("crmql-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Writes a file into the directory; returns its path.
    @discardableResult
    func write(_ name: String, _ contents: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: url)
        return url.path
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// `data/customers.csv` and `data/orders.csv`: three customers, four orders.
    func writeCRMData() throws {
        try write("data/customers.csv", """
            id,name,region,stage,loyalty
            1,Ann,north,mature,0.9
            2,Bob,east,growth,0.4
            3,王芳,north,mature,0.7

            """)
        try write("data/orders.csv", """
            id,customer,placed,product,amount
            10,1,2026-01-05,tea,12.5
            11,1,2026-02-01,cup,8
            12,2,2026-03-10,tea,12.5
            13,3,2026-03-11,pot,30

            """)
    }
}
