enum MarkdownCommand: Command {
    static let name = "markdown"
    static let summary = "(not built yet)"
    static let help = "usage: customui markdown"
    static func run(_ arguments: inout Arguments, console: Console) throws -> Int32 {
        console.err("customui markdown: not built yet\n")
        return ExitCode.failure
    }
}
