import CustomUI
import CustomUICore
import Foundation
import TemplateLibrary

/// `customui publish`: validates UIs and publishes each as a new version in the library.
enum PublishCommand: Command {
    static let name = "publish"
    static let summary = "validate custom UIs and publish them as new versions in the template library"
    static let help = """
        usage: customui publish UI... [--prompt FILE] [--public | --private] [--category C] [--tag T]...
                                [--activate] [--ui REF] [--library PATH] [--user NAME] [--format text|json]

        Validates each UI (a template file or a definition JSON) and publishes it as the next version
        of the acting user's UI of the same name. A UI with errors is refused: the diagnostics are
        printed and nothing is written. Publishing content identical to the latest version is a no-op.
        A UI name cannot contain `/` (`OWNER/NAME` names a UI).
        Each file is published in its own transaction, in order.

        options:
          --prompt FILE     the prompt to validate against (default: the sibling NAME.prompt.json)
          --public          make the UI visible to everyone once active (--private: only you)
          --category C      the gallery category (form, chat, writing, …); default: the previous version's
          --tag T           a tag; repeat for more (replaces the previous version's tags)
          --activate        make the new version active (the previously active version is archived)
          --ui REF          publish as a new version of this UI (id, OWNER/NAME or name) instead
          --library PATH    the library file (default $CUSTOMUI_LIBRARY, else $XDG_DATA_HOME/customui/library.sqlite)
          --user NAME       act as this user (default $CUSTOMUI_USER, else the login name)
          --format FORMAT   `text` (default) or `json`: {"published":[{"file","outcome","ui"}]}

        exit status: 0 published (or unchanged), 1 refused (errors or access denied), 2 usage or I/O error
        """

    static func run(_ arguments: inout Arguments, console: Console) throws -> Int32 {
        let context = try LibraryContext(&arguments)
        let promptPath = try arguments.value("--prompt")
        let makePublic = arguments.flag("--public")
        let makePrivate = arguments.flag("--private")
        if makePublic && makePrivate { throw UsageError("give either `--public` or `--private`, not both") }
        let category = try arguments.value("--category")
        let tags = try arguments.values("--tag")
        let activate = arguments.flag("--activate")
        let uiReference = try arguments.value("--ui")
        let format = try arguments.choice("--format", ReportFormat.allCases, default: .text)
        let files = try arguments.positionals()
        guard !files.isEmpty else { throw UsageError("name at least one UI file to publish") }

        let explicitPrompt = try promptPath.map(readInput)
        let options = PublishOptions(
            isPublic: makePublic ? true : makePrivate ? false : nil, category: category,
            tags: tags.isEmpty ? nil : tags,
            activate: activate, uiReference: uiReference)
        var results: [Value] = []
        var status = ExitCode.ok
        let library: Library
        do {
            library = try context.open()
        } catch {
            return context.report(error, console: console, command: name)
        }
        for path in files {
            let ui = try readInput(path)
            let prompt = try explicitPrompt ?? ValidateCommand.siblingPrompt(of: path).map(readInput)
            let report = Validator.validate(ui: ui, prompt: prompt)
            do {
                let outcome = try library.publish(report, user: context.user, options: options)
                let entry = outcome.entry
                switch outcome {
                case .published:
                    if format == .text {
                        console.out(
                            "\(ui.path): published `\(entry.definition.name)` version \(entry.version) (\(entry.definition.status.rawValue)"
                                + "\(entry.definition.isPublic ? ", public" : ""), id \(entry.id), ui \(entry.uiID))\n")
                    }
                case .unchanged:
                    if format == .text {
                        console.out(
                            "\(ui.path): unchanged: `\(entry.definition.name)` version \(entry.version) already has this content; nothing written\n"
                        )
                    }
                }
                if format == .json {
                    let kind: Value = if case .published = outcome { "published" } else { "unchanged" }
                    results.append(["file": .string(ui.path), "outcome": kind, "ui": entry.jsonValue])
                }
            } catch {
                if !error.diagnostics.isEmpty {
                    let renderer = DiagnosticRenderer(sources: report.sources, color: console.colorErr)
                    console.errRendered(renderer.render(error.diagnostics))
                }
                console.err("customui publish: \(ui.path): \(error)\n")
                if format == .json {
                    results.append([
                        "file": .string(ui.path), "outcome": "refused", "error": error.diagnostic.jsonValue,
                        "diagnostics": .array(error.diagnostics.map(\.jsonValue)),
                    ])
                }
                status = max(status, LibraryContext.exitCode(for: error))
            }
        }
        if format == .json {
            console.out(JSONWriter(pretty: true).string(["published": .array(results)]) + "\n")
        }
        return status
    }
}
