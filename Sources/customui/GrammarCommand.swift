import CustomUI

/// `customui grammar`: prints the template grammar (RELAX NG), generated from the vocabulary.
enum GrammarCommand: Command {
    static let name = "grammar"
    static let summary = "print the template grammar as RELAX NG (Schemas/customui.rng)"
    static let help = """
        usage: customui grammar

        Prints the RELAX NG grammar that every template is validated against. It is generated from
        the engine's vocabulary; Schemas/customui.rng is this output.
        """

    static func run(_ arguments: inout Arguments, console: Console) throws -> Int32 {
        _ = try arguments.positionals().first.map { throw UsageError("unexpected argument `\($0)`") }
        console.out(Grammar.relaxNG)
        return ExitCode.ok
    }
}
