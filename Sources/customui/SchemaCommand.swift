enum SchemaCommand: Command {
    static let name = "schema"
    static let summary = "(not built yet)"
    static let help = "usage: customui schema"
    static func run(_ arguments: inout Arguments, console: Console) throws -> Int32 {
        console.err("customui schema: not built yet\n")
        return ExitCode.failure
    }
}
