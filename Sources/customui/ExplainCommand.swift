import CustomUI
import CustomUICore

/// `customui explain`: what a diagnostic code means, with an example.
enum ExplainCommand: Command {
    static let name = "explain"
    static let summary = "explain a diagnostic code with an example"
    static let help = """
        usage: customui explain [CODE...] [--markdown]

        Prints what each diagnostic CODE means, a minimal input that produces it, and what
        `customui validate` says about that input. Without a CODE, lists every code.

        options:
          --markdown   print the full reference as Markdown (this is docs/diagnostics.md)
        """

    static func run(_ arguments: inout Arguments, console: Console) throws -> Int32 {
        let markdown = arguments.flag("--markdown")
        let codes = try arguments.positionals()
        if markdown {
            console.out(DiagnosticCatalog.markdown())
            return ExitCode.ok
        }
        if codes.isEmpty {
            let width = DiagnosticCatalog.entries.map { $0.code.rawValue.count }.max() ?? 0
            for info in DiagnosticCatalog.entries {
                console.out(
                    info.code.rawValue.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + info.summary
                        + "\n")
            }
            return ExitCode.ok
        }
        for code in codes {
            guard let info = DiagnosticCatalog.info(DiagnosticCode(rawValue: code)) else {
                let hint = Suggestions.didYouMean(code, in: DiagnosticCatalog.entries.map(\.code.rawValue))
                throw UsageError(
                    "unknown diagnostic code `\(code)`"
                        + (hint.map { " (\($0))" } ?? "; run `customui explain` for the list"))
            }
            console.out(DiagnosticCatalog.explain(info) + "\n")
        }
        return ExitCode.ok
    }
}
