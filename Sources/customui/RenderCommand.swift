import CustomUI
import CustomUICore
import Foundation
import Markdown

/// `customui render`: a validated UI rendered against its prompt, props and variable values.
enum RenderCommand: Command {
    static let name = "render"
    static let summary = "render a custom UI to HTML or to the terminal"
    static let help = """
        usage: customui render UI [--prompt FILE] [--props FILE] [--var NAME=VALUE]... [--slot NAME=TEXT]...
                               [--format html|terminal] [--fragment] [--output FILE] [--width N]

        Validates UI (a template file or a definition JSON), then renders it: a whole HTML page (with
        a stylesheet and a Content-Security-Policy that forbids script), an HTML fragment, or text
        for the terminal. `json-schema` definitions get a UI generated from the prompt's variables.

        options:
          --prompt FILE       the prompt (default: NAME.prompt.json beside NAME.ui.xml)
          --props FILE        props as a JSON object, merged over the UI's default props
          --var NAME=VALUE    a variable's value, checked against its component (repeatable)
          --slot NAME=TEXT    fill a slot as if a response had streamed into it; `NAME=@FILE` reads
                              the text from FILE (repeatable)
          --format FORMAT     `html` (default) or `terminal`
          --fragment          HTML only: write the UI's markup without the page around it
          --output FILE, -o FILE
                      write to FILE instead of standard output
          --width N           terminal width (default: COLUMNS, the terminal's width, or 80)

        Colour is used on a terminal unless NO_COLOR is set. Exit status: 0 rendered (warnings are
        printed to standard error), 1 the UI or a value has errors, 2 usage or I/O error.
        """

    static func run(_ arguments: inout Arguments, console: Console) throws -> Int32 {
        let promptPath = try arguments.value("--prompt")
        let propsPath = try arguments.value("--props")
        let varArguments = try arguments.values("--var")
        let slotArguments = try arguments.values("--slot")
        let format = try arguments.choice("--format", [RenderFormat.html, .terminal], default: .html)
        let fragment = arguments.flag("--fragment")
        let longOutput = try arguments.value("--output")
        let shortOutput = try arguments.value("-o")
        guard longOutput == nil || shortOutput == nil else { throw UsageError("give `--output` or `-o`, not both") }
        let outputPath = longOutput ?? shortOutput
        let width = try arguments.integer("--width", in: 20...1000)
        let files = try arguments.positionals()
        guard files.count == 1, let path = files.first else { throw UsageError("name exactly one UI to render") }

        let ui = try readInput(path)
        let prompt = try (promptPath ?? ValidateCommand.siblingPrompt(of: path)).map(readInput)
        let propsFile = try propsPath.map(readInput)
        let variables = try pairs(varArguments, option: "--var")
        var slots: [String: String] = [:]
        for (name, value) in try pairs(slotArguments, option: "--slot") {
            slots[name] = value.hasPrefix("@") ? try readInput(String(value.dropFirst())).text : value
        }

        let report = Validator.validate(ui: ui, prompt: prompt, props: propsFile)
        let renderer = DiagnosticRenderer(sources: report.sources, color: console.colorErr)
        guard !report.hasErrors else {
            console.errRendered(renderer.render(report.diagnostics))
            console.err("\(ui.path): not rendered (\(DiagnosticRenderer.summary(report.diagnostics)))\n")
            return ExitCode.failure
        }
        let props = report.props
        let (template, generationDiagnostics) = RenderPipeline.template(for: report, props: props)
        guard let template, !generationDiagnostics.hasErrors else {
            console.errRendered(renderer.render(report.diagnostics + generationDiagnostics))
            console.err("\(ui.path): not rendered\n")
            return ExitCode.failure
        }
        let toTerminal = outputPath == nil && console.colorOut
        let options = RenderOptions(
            format: format, fragment: fragment,
            terminal: TerminalStyle(
                width: width ?? terminalWidth(), color: toTerminal,
                hyperlinks: false))
        let (output, diagnostics) = RenderPipeline.render(
            template, prompt: report.prompt, props: props, variables: variables, slots: slots, options: options)
        let all = report.diagnostics + generationDiagnostics + diagnostics
        if !all.isEmpty { console.errRendered(renderer.render(all)) }
        // Any error means nothing is written: what `render` prints, validate and publish accept.
        guard let output, !all.hasErrors else {
            console.err("\(ui.path): not rendered (\(DiagnosticRenderer.summary(all)))\n")
            return ExitCode.failure
        }
        if let outputPath {
            try writeOutputFile(output, to: outputPath)
        } else if format == .html {
            console.outDocument(output)
        } else {
            console.outRendered(output)
        }
        return ExitCode.ok
    }

    /// `NAME=VALUE` pairs; the value may contain `=`.
    static func pairs(_ items: [String], option: String) throws(UsageError) -> [String: String] {
        var result: [String: String] = [:]
        for item in items {
            guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                throw UsageError("`\(option)` takes NAME=VALUE, not `\(item)`")
            }
            result[String(item[..<equals])] = String(item[item.index(after: equals)...])
        }
        return result
    }
}
