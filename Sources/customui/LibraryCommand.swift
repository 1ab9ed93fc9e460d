enum LibraryCommand: Command {
    static let name = "library"
    static let summary = "(not built yet)"
    static let help = "usage: customui library"
    static func run(_ arguments: inout Arguments, console: Console) throws -> Int32 {
        console.err("customui library: not built yet\n")
        return ExitCode.failure
    }
}
