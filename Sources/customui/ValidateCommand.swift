enum ValidateCommand: Command {
    static let name = "validate"
    static let summary = "(not built yet)"
    static let help = "usage: customui validate"
    static func run(_ arguments: inout Arguments, console: Console) throws -> Int32 {
        console.err("customui validate: not built yet\n")
        return ExitCode.failure
    }
}
