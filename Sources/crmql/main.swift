import ArgumentParser
import Foundation

// `crmql generate …` writes demo data; everything else runs statements.
// Usage errors exit with 2 (ArgumentParser's own default is 64); --help and
// --version print to standard output and exit with 0.
let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "generate" {
    let generate: GenerateCommand
    do {
        generate = try GenerateCommand.parse(Array(arguments.dropFirst()))
    } catch {
        if GenerateCommand.exitCode(for: error) == .success {
            OutputSink.standardOutput.write(GenerateCommand.fullMessage(for: error) + "\n")
            exit(0)
        }
        StandardError.line(GenerateCommand.fullMessage(for: error))
        exit(2)
    }
    exit(generate.execute())
}

let options: CommandLineOptions
do {
    options = try CommandLineOptions.parse(arguments)
} catch {
    if CommandLineOptions.exitCode(for: error) == .success {
        OutputSink.standardOutput.write(CommandLineOptions.fullMessage(for: error) + "\n")
        exit(0)
    }
    StandardError.line(CommandLineOptions.fullMessage(for: error))
    exit(2)
}
exit(Launcher(options: options).run())
