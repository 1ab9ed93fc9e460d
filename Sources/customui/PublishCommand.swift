enum PublishCommand: Command {
    static let name = "publish"
    static let summary = "(not built yet)"
    static let help = "usage: customui publish"
    static func run(_ arguments: inout Arguments, console: Console) throws -> Int32 {
        console.err("customui publish: not built yet\n")
        return ExitCode.failure
    }
}
