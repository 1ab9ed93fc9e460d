import CustomUI
import CustomUICore
import Foundation
import TemplateLibrary

/// `customui runs`: the acting user's recorded runs and their tasks.
enum RunsCommand: Command {
    static let name = "runs"
    static let summary = "list and show your recorded runs, with timings, tokens and cost"
    static let help = """
        usage: customui runs list [--ui REF] [--status S] [--since DATE] [--until DATE] [--limit N] [--format text|json]
               customui runs show ID [--format text|json]

        Lists your runs, newest first, or shows one with its tasks: time to first token, total time,
        tokens and cost. Tokens and cost are the sums over the run's tasks (`-` when no task has a
        price), the same in both. You see only your own runs.

        options:
          --ui REF          only runs of this library UI (its id, a version id, OWNER/NAME or NAME);
                            `customui run NAME` links the runs of a library UI to it
          --status S        active, completed, failed or cancelled: a run's status is that of its
                            latest task (active while it streams), as `runs show` prints it
          --since DATE      runs created at or after DATE (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC)
          --until DATE      runs created before DATE
          --limit N         at most N runs (default 50)
          --library PATH, --user NAME  as for `customui publish`

        exit status: 0 ok, 1 not found, 2 usage or I/O error
        """

    static func run(_ arguments: inout Arguments, console: Console) throws -> Int32 {
        // The shared options go first, so `library --user bob list` finds `list`, not `bob`.
        let context = try LibraryContext(&arguments)
        let format = try arguments.choice("--format", ReportFormat.allCases, default: .text)
        guard let sub = arguments.items.first(where: { !$0.hasPrefix("-") }),
            let index = arguments.items.firstIndex(of: sub)
        else {
            throw UsageError("name a subcommand: list or show")
        }
        var rest = arguments.items
        rest.remove(at: index)
        arguments = Arguments(rest)
        do {
            switch sub {
            case "list": return try list(&arguments, context, format: format, console: console)
            case "show": return try show(&arguments, context, format: format, console: console)
            default: throw UsageError("unknown subcommand `\(sub)`; use `list` or `show`")
            }
        } catch let error as LibraryError {
            return context.report(error, console: console, command: "runs \(sub)")
        }
    }

    static func date(_ arguments: inout Arguments, _ name: String) throws -> Date? {
        guard let text = try arguments.value(name) else { return nil }
        guard let date = RunQuery.parseDate(text) else {
            throw UsageError("`\(name)` takes a date as YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, not `\(text)`")
        }
        return date
    }

    static func ms(_ value: Int?) -> String { value.map { "\($0) ms" } ?? "-" }
    static func cost(_ value: Double?) -> String { value.map { String(format: "$%.4f", $0) } ?? "-" }

    static func list(_ arguments: inout Arguments, _ context: LibraryContext, format: ReportFormat, console: Console)
        throws
        -> Int32
    {
        var query = RunQuery()
        query.uiReference = try arguments.value("--ui")
        if let status = try arguments.value("--status") {
            guard let s = RunStatus(rawValue: status) else {
                throw UsageError(
                    "`--status` must be one of \(RunStatus.allCases.map(\.rawValue).joined(separator: ", ")), not `\(status)`"
                )
            }
            query.status = s
        }
        query.since = try date(&arguments, "--since")
        query.until = try date(&arguments, "--until")
        query.limit = try arguments.integer("--limit", in: 0...100_000) ?? 50
        guard try arguments.positionals().isEmpty else { throw UsageError("`runs list` takes no arguments") }
        let runs = try context.open().runs(query, user: context.user)
        if format == .json {
            console.out(JSONWriter(pretty: true).string(["runs": .array(runs.map(\.jsonValue))]) + "\n")
        } else if runs.isEmpty {
            console.out("no runs recorded for `\(context.user)`\n")
        } else {
            var text = ""
            for s in runs {
                text +=
                    "\(s.run.id)  \(s.run.status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0))  \(RunQuery.format(s.run.createdAt))"
                text +=
                    "  ttft \(ms(s.timeToFirstTokenMs))  total \(ms(s.totalTimeMs))  \(s.run.tokensTotal) tokens  \(cost(s.cost))"
                text += "  \(TerminalText.visible(s.run.name))\n"
            }
            console.out(text)
        }
        return ExitCode.ok
    }

    static func show(_ arguments: inout Arguments, _ context: LibraryContext, format: ReportFormat, console: Console)
        throws
        -> Int32
    {
        let positionals = try arguments.positionals()
        guard positionals.count == 1, let id = positionals.first else { throw UsageError("name exactly one run id") }
        // The same summary `runs list` prints, so the two agree on status, tokens and cost.
        let (summary, tasks) = try context.open().runSummary(id, user: context.user)
        let run = summary.run
        if format == .json {
            console.out(
                JSONWriter(pretty: true).string(["run": summary.jsonValue, "tasks": .array(tasks.map(\.libraryJSON))])
                    + "\n")
            return ExitCode.ok
        }
        var text = "run \(run.id): \(TerminalText.visible(run.name))\n"
        text += "  status:   \(run.status.rawValue)\n"
        text += "  created:  \(RunQuery.format(run.createdAt))\n"
        text += "  source:   \(run.sourceType)\(run.sourceID.map { " \($0)" } ?? "")\n"
        if let ui = run.customUIID { text += "  ui:       \(ui)\n" }
        text += "  tokens:   \(run.tokensTotal)\n"
        text += "  cost:     \(cost(summary.cost))\n"
        text += "  messages: \(run.messages.count)\n"
        for key in run.variableValues.keys.sorted() {
            text += "  var \(TerminalText.visible(key)) = \(TerminalText.visible(run.variableValues[key] ?? ""))\n"
        }
        text += "\ntasks:\n"
        if tasks.isEmpty { text += "  (none)\n" }
        for t in tasks {
            text += "  \(t.id)  \(t.status.rawValue)  \(t.service)\(t.model.map { " \($0)" } ?? "")\n"
            text +=
                "    time to first token \(ms(t.timeToFirstTokenMs)), total \(ms(t.totalTimeMs)), tokens \(t.tokensIn.map(String.init) ?? "-") in / \(t.tokensOut.map(String.init) ?? "-") out / \(t.tokensTotal.map(String.init) ?? "-") total, cost \(cost(t.cost))\n"
            for e in t.errors {
                text += "    error: \(TerminalText.visible(e["message"]?.stringValue ?? JSONWriter().string(e)))\n"
            }
        }
        console.out(text)
        return ExitCode.ok
    }
}
