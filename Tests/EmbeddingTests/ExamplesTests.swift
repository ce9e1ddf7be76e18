import CRMQL
import Foundation
import Testing

/// The embedding examples run as a user would run them, against the
/// products this build made, and print what `Expected/` says: the Swift host
/// program, the C program compiled with `cc` against `crmql.h` and the
/// shared library, and the Python program loading the library with ctypes.
@Suite(.serialized) struct ExamplesTests {
    static var headerDirectory: String { Paths.repositoryRoot.appendingPathComponent("Sources/CCRMQL/include").path }

    @Test func swiftHostExampleRuns() throws {
        let binary = try Paths.buildDirectory().appendingPathComponent("crmql-host-example").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw TestFailure("crmql-host-example was not built next to the test bundle; run `swift build` first")
        }
        let run = try ProcessRun.run(binary, [])
        #expect(run.status == 0, "\(run.standardError)")
        try expectOutput(run.standardOutput, matches: "swift-host-example.txt")
    }

    @Test func cExampleCompilesAndRuns() throws {
        let executable = try compileC(Paths.repositoryRoot.appendingPathComponent("Examples/embedding/c/main.c"))
        let run = try ProcessRun.run(executable, [])
        #expect(run.status == 0, "\(run.standardError)")
        try expectOutput(run.standardOutput, matches: "c-example.txt")
    }

    /// The "Embedding from C" article's program prints customers with at
    /// least 5000 points, each as "name points".
    @Test func catalogCProgramRuns() throws {
        let executable = try compileC(Paths.repositoryRoot.appendingPathComponent("Tests/EmbeddingTests/Fixtures/getting_started.c"))
        let run = try ProcessRun.run(executable, [])
        #expect(run.status == 0, "\(run.standardError)")
        let lines = run.standardOutput.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            let points = line.split(separator: " ").last.flatMap { Int($0) }
            #expect(points.map { $0 >= 5000 } == true, "unexpected line \(line)")
        }
    }

    /// The promises of the header the example does not exercise.
    @Test func cInterfaceKeepsItsPromises() throws {
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let snapshot = directory.appendingPathComponent("people.crmqlsnap").path
        let database = try Database()
        try database.execute("""
            create entity people (id int key, name text)
            insert into people (id, name) values (1, 'Ann'), (2, 'Bo')
            save "\(snapshot)"
            """)
        let executable = try compileC(Paths.repositoryRoot.appendingPathComponent("Tests/EmbeddingTests/Fixtures/api_check.c"))
        let run = try ProcessRun.run(executable, [snapshot])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput == "ok\n")
    }

    @Test func pythonExampleRuns() throws {
        guard let python = Paths.executable(named: "python3") else {
            throw TestFailure("python3 is not on PATH: the Python embedding example needs it (install python3, e.g. `apt-get install python3`)")
        }
        let library = try Paths.buildDirectory().appendingPathComponent(Paths.libraryName).path
        let script = Paths.repositoryRoot.appendingPathComponent("Examples/embedding/python/crmql_example.py").path
        let run = try ProcessRun.run(python, [script, library])
        #expect(run.status == 0, "\(run.standardError)")
        try expectOutput(run.standardOutput, matches: "python-example.txt")
    }

    /// Every function the header declares is exported by the shared library:
    /// a program that takes the address of each one links.
    @Test func theLibraryExportsEveryHeaderFunction() throws {
        let header = try String(contentsOf: URL(fileURLWithPath: Self.headerDirectory + "/crmql.h"), encoding: .utf8)
        let functions = PublicAPI.cFunctions(in: header).map(\.name)
        #expect(functions.count > 30)
        let directory = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("every_function.c")
        try """
            #include <crmql.h>
            #include <stdio.h>
            static void (*const functions[])(void) = {
            \(functions.map { "    (void (*)(void))\($0)," }.joined(separator: "\n"))
            };
            int main(void) {
                printf("%zu\\n", sizeof functions / sizeof functions[0]);
                return 0;
            }
            """.write(to: source, atomically: true, encoding: .utf8)
        let executable = try compileC(source, warnings: ["-Wno-cast-function-type"])
        let run = try ProcessRun.run(executable, [])
        #expect(run.status == 0)
        #expect(run.standardOutput == "\(functions.count)\n")
    }

    // MARK: Helpers

    /// Compiles one C file against the header and the built library.
    private func compileC(_ source: URL, warnings: [String] = []) throws -> String {
        guard let compiler = Paths.executable(named: "cc") ?? Paths.executable(named: "gcc") ?? Paths.executable(named: "clang") else {
            throw TestFailure("no C compiler (cc, gcc or clang) on PATH: the C embedding tests need one")
        }
        let build = try Paths.buildDirectory().path
        let output = try Paths.temporaryDirectory().appendingPathComponent(source.deletingPathExtension().lastPathComponent).path
        let arguments = ["-std=c11", "-Wall", "-Wextra", "-Werror"] + warnings + [source.path, "-I", Self.headerDirectory,
                         "-L", build, "-lcrmql_c", "-Wl,-rpath," + build, "-o", output]
        let run = try ProcessRun.run(compiler, arguments)
        guard run.status == 0 else {
            throw TestFailure("compiling \(source.lastPathComponent) failed:\n\(run.standardError)")
        }
        return output
    }

    private func expectOutput(_ actual: String, matches name: String) throws {
        guard let expected = try ExpectedOutput.compare(actual, with: name) else { return }
        #expect(actual == expected, "the output differs from Tests/EmbeddingTests/Expected/\(name) (CRMQL_RECORD=1 rewrites it)")
    }
}
