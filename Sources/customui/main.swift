import CustomUICore
import Foundation

/// Every subcommand, in the order `customui help` lists them.
let commands: [any Command.Type] = [
    ValidateCommand.self,
    FormatCommand.self,
    LSPCommand.self,
    RenderCommand.self,
    RunCommand.self,
    SchemaCommand.self,
    MarkdownCommand.self,
    ExplainCommand.self,
    GrammarCommand.self,
    PublishCommand.self,
    LibraryCommand.self,
    RunsCommand.self,
    ServeCommand.self,
]

@MainActor func printUsage(_ console: Console) {
    var text =
        "usage: customui COMMAND [OPTIONS]\n\nCustomUI validates, renders and runs sandboxed custom UIs for LLM prompts.\n\ncommands:\n"
    let width = commands.map { $0.name.count }.max() ?? 0
    for command in commands {
        text += "  \(command.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(command.summary)\n"
    }
    text += "\nRun `customui COMMAND --help` for a command's options.\n"
    console.out(text)
}

@MainActor func runMain() -> Int32 {
    let console = Console.detect()
    var words = Array(CommandLine.arguments.dropFirst())
    guard let name = words.first else {
        printUsage(console)
        return ExitCode.usage
    }
    words.removeFirst()
    if name == "--help" || name == "-h" || name == "help" {
        if let topic = words.first, let command = commands.first(where: { $0.name == topic }) {
            console.out(command.help + "\n")
        } else {
            printUsage(console)
        }
        return ExitCode.ok
    }
    if name == "--version" {
        console.out("customui \(CustomUIVersion.number)\n")
        return ExitCode.ok
    }
    guard let command = commands.first(where: { $0.name == name }) else {
        var message = "customui: unknown command `\(name)`"
        if let guess = CustomUICore.Suggestions.closest(to: name, in: commands.map { $0.name }) {
            message += " (did you mean `\(guess)`?)"
        }
        console.err(message + "\nRun `customui --help` for the list of commands.\n")
        return ExitCode.usage
    }
    if words.contains("--help") || words.contains("-h") {
        console.out(command.help + "\n")
        return ExitCode.ok
    }
    var arguments = Arguments(words)
    do {
        return try command.run(&arguments, console: console)
    } catch let error as UsageError {
        let usageLine = command.help.split(separator: "\n").first.map(String.init) ?? ""
        console.err("customui \(command.name): \(error)\n\(usageLine)\n")
        return ExitCode.usage
    } catch {
        console.err("customui \(command.name): \(error)\n")
        return ExitCode.usage
    }
}

exit(runMain())
