import CustomUI
import CustomUICore
import Foundation
import Markdown

/// `customui markdown`: renders a markdown file as safe HTML or for the terminal.
enum MarkdownCommand: Command {
    static let name = "markdown"
    static let summary = "render markdown as safe HTML or for the terminal"
    static let help = """
        usage: customui markdown [FILE|-] [--format html|terminal] [--width N] [--hyperlinks]

        Renders CommonMark 0.31.2 with GitHub tables, strikethrough, task lists and autolinks.
        Raw HTML in the markdown is shown as text, never passed through; link and image URLs must be
        http, https, mailto or relative (data: only for images of known types).

        options:
          FILE               the markdown file; `-` or nothing reads standard input
          --format FORMAT    `terminal` (default) or `html` (a fragment, safe to embed)
          --width N          terminal width to wrap to; default $COLUMNS, else the terminal's, else 80
          --hyperlinks       OSC 8 links in the terminal (on by default in terminals known to support them)

        Colour is used when standard output is a terminal and NO_COLOR is not set.
        """

    static func run(_ arguments: inout Arguments, console: Console) throws -> Int32 {
        let format = try arguments.choice("--format", [RenderFormat.html, .terminal], default: .terminal)
        let width = try arguments.integer("--width", in: 10...10_000)
        let hyperlinksFlag = arguments.flag("--hyperlinks")
        let files = try arguments.positionals()
        guard files.count <= 1 else { throw UsageError("give at most one FILE, not \(files.count)") }
        let document = MarkdownParser.parse(try readText(files.first ?? "-"))
        keepUntilExit(document)
        if format == .html {
            console.outDocument(MarkdownHTMLRenderer.render(document))
            return ExitCode.ok
        }
        let environment = ProcessInfo.processInfo.environment
        let style = TerminalStyle(
            width: width ?? terminalWidth(environment),
            color: console.colorOut,
            hyperlinks: console.colorOut && (hyperlinksFlag || supportsHyperlinks(environment)))
        console.outRendered(MarkdownTerminalRenderer.render(document, style: style))
        return ExitCode.ok
    }

    /// Terminals that announce themselves and are known to handle OSC 8.
    static func supportsHyperlinks(_ environment: [String: String]) -> Bool {
        if environment["VTE_VERSION"] != nil || environment["KITTY_WINDOW_ID"] != nil
            || environment["WT_SESSION"] != nil
        {
            return true
        }
        return ["iTerm.app", "WezTerm", "vscode", "ghostty"].contains(environment["TERM_PROGRAM"] ?? "")
    }
}
