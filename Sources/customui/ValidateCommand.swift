import CustomUI
import CustomUICore
import Foundation

/// `customui validate`: checks UIs against the vocabulary, their prompt, props and execution mode.
enum ValidateCommand: Command {
    static let name = "validate"
    static let summary = "check custom UI definitions and report precise, fixable diagnostics"
    static let help = """
        usage: customui validate FILE... [--prompt FILE] [--props FILE] [--format text|json] [--fix]

        Checks each custom UI (a template file `<custom-ui …>` or a definition JSON in the shape of
        `prompt_custom_uis`) for structure, bindings, the prompt's variables, the execution mode and
        accessibility.

        options:
          --prompt FILE     the prompt the UI is for (PromptsData JSON). Without it, FILE's sibling
                            NAME.prompt.json is used when FILE is NAME.ui.xml or NAME.definition.json.
          --props FILE      props to check the UI with (a JSON object), as a caller would pass them
          --format FORMAT   `text` (default): diagnostics with source excerpts;
                            `json`: {"files":[{"file","diagnostics":[{"severity","code","message",
                            "line","column","endLine","endColumn","hint","fixes":[{"message",
                            "edits":[{"line","column","endLine","endColumn","text"}]}]}]}]}
          --fix             apply the fixes that are unambiguous (one per diagnostic) to each
                            FILE in place (written atomically; each applied fix is listed),
                            then report what is left

        exit status: 0 no errors (warnings allowed), 1 errors found, 2 usage or I/O error
        """

    static func run(_ arguments: inout Arguments, console: Console) throws -> Int32 {
        let promptPath = try arguments.value("--prompt")
        let propsPath = try arguments.value("--props")
        let format = try arguments.choice("--format", ReportFormat.allCases, default: .text)
        let fix = arguments.flag("--fix")
        let files = try arguments.positionals()
        guard !files.isEmpty else { throw UsageError("name at least one UI file to validate") }

        let explicitPrompt = try promptPath.map(readInput)
        let props = try propsPath.map(readInput)
        var results: [Value] = []
        var anyErrors = false
        var text = ""
        for path in files {
            let prompt = try explicitPrompt ?? siblingPrompt(of: path).map(readInput)
            let applied = fix && path != "-" ? try ValidateFixes.apply(path: path, prompt: prompt, props: props) : []
            if !applied.isEmpty && format == .text {
                for fix in applied {
                    text +=
                        "\(TerminalText.visible(path)):\(fix.line):\(fix.column): fixed [\(fix.code)]: "
                        + TerminalText.visible(fix.message) + "\n"
                }
                text += "\(TerminalText.visible(path)): applied \(applied.count) fix\(applied.count == 1 ? "" : "es")\n"
            }
            let ui = try readInput(path)
            let report = Validator.validate(ui: ui, prompt: prompt, props: props)
            anyErrors = anyErrors || report.hasErrors
            if format == .json {
                results.append([
                    "file": .string(ui.path),
                    "diagnostics": .array(report.diagnostics.map(\.jsonValue)),
                ])
            } else {
                let renderer = DiagnosticRenderer(sources: report.sources, color: console.colorOut)
                text += renderer.render(report.diagnostics)
                var line = "\(TerminalText.visible(ui.path)): "
                line += report.hasErrors ? "invalid" : "valid"
                line += " (\(DiagnosticRenderer.summary(report.diagnostics))"
                if let prompt, explicitPrompt == nil { line += ", prompt \(TerminalText.visible(prompt.path))" }
                text += line + ")\n"
            }
        }
        if format == .json {
            console.out(JSONWriter(pretty: true).string(["files": .array(results)]) + "\n")
        } else {
            console.outRendered(text)
        }
        return anyErrors ? ExitCode.failure : ExitCode.ok
    }

    /// `NAME.prompt.json` beside `NAME.ui.xml` or `NAME.definition.json`, if it exists.
    static func siblingPrompt(of path: String) -> String? {
        for suffix in [".ui.xml", ".definition.json"] where path.hasSuffix(suffix) {
            let candidate = String(path.dropLast(suffix.count)) + ".prompt.json"
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
        }
        return nil
    }
}
