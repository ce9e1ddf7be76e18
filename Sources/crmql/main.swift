import ArgumentParser
import Foundation

// Usage errors exit with 2 (ArgumentParser's own default is 64); --help and
// --version print to standard output and exit with 0.
let options: CommandLineOptions
do {
    options = try CommandLineOptions.parse()
} catch {
    if CommandLineOptions.exitCode(for: error) == .success {
        OutputSink.standardOutput.write(CommandLineOptions.fullMessage(for: error) + "\n")
        exit(0)
    }
    StandardError.line(CommandLineOptions.fullMessage(for: error))
    exit(2)
}
exit(Launcher(options: options).run())
