import CustomUI
import CustomUICore
import Foundation

/// `customui format`: rewrites templates in the one canonical layout.
enum FormatCommand: Command {
    static let name = "format"
    static let summary = "lay templates out canonically (indentation, attributes, `{{ }}` spacing)"
    static let help = """
        usage: customui format [--check] FILE...

        Rewrites each template (`.ui.xml`) in place in the canonical layout: block content indented
        by two spaces, a start tag on one line when it fits in 100 columns (else one attribute per
        line, aligned), and `{{ expr }}` with canonical spacing. Text and inline content, attribute
        values, comments and JSON blocks keep their meaning exactly. With FILE `-`, reads standard
        input and writes the formatted template to standard output.

        options:
          --check   change nothing; list the files that are not formatted

        exit status: 0 formatted (or, with --check, already formatted), 1 a file would change
        (--check) or does not parse, 2 usage or I/O error
        """

    static func run(_ arguments: inout Arguments, console: Console) throws -> Int32 {
        let check = arguments.flag("--check")
        let files = try arguments.positionals()
        guard !files.isEmpty else { throw UsageError("name at least one template to format") }
        var status = ExitCode.ok
        for path in files {
            let source = try readInput(path)
            let (formatted, diagnostics) = TemplateFormatter.format(source)
            guard let formatted else {
                console.errRendered(DiagnosticRenderer(sources: [source], color: console.colorErr).render(diagnostics))
                console.err("\(TerminalText.visible(source.path)): not formatted (it does not parse)\n")
                status = ExitCode.failure
                continue
            }
            if path == "-" {
                if check {
                    if formatted != source.text {
                        console.out("<stdin>: would be reformatted\n")
                        status = ExitCode.failure
                    }
                } else {
                    console.outRendered(formatted)
                }
                continue
            }
            guard formatted != source.text else { continue }
            if check {
                console.out("\(path): would be reformatted\n")
                status = ExitCode.failure
                continue
            }
            do {
                try Data(formatted.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
                console.out("\(path): formatted\n")
            } catch {
                throw UsageError("file `\(path)` cannot be written")
            }
        }
        return status
    }
}
