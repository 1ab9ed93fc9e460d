enum RunsCommand: Command {
    static let name = "runs"
    static let summary = "(not built yet)"
    static let help = "usage: customui runs"
    static func run(_ arguments: inout Arguments, console: Console) throws -> Int32 {
        console.err("customui runs: not built yet\n")
        return ExitCode.failure
    }
}
