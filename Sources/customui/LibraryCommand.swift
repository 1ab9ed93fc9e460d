import CustomUI
import CustomUICore
import Foundation
import TemplateLibrary

/// The options every library command shares: where the library is and who is acting.
struct LibraryContext {
    var path: String
    var user: String
    /// Why there is no acting user (a shared library without a valid token); `open` throws it.
    var identityError: LibraryError?

    init(_ arguments: inout Arguments) throws(UsageError) {
        path = LibraryLocation.path(explicit: try arguments.value("--library"))
        let explicit = try arguments.value("--user")
        do {
            user = try LibraryLocation.actingUser(explicit: explicit, location: path)
        } catch {
            user = ""
            identityError = error
        }
    }

    func open() throws(LibraryError) -> Library {
        if let identityError { throw identityError }
        return try Library.open(path, recorderUser: user)
    }

    /// Problems with the file are I/O (2); refusals, denials and missing UIs are failures (1).
    static func exitCode(for error: LibraryError) -> Int32 {
        let io: Set<DiagnosticCode> = [
            .libraryNotADatabase, .libraryNotALibrary, .libraryCorrupt, .libraryNewerSchema, .libraryReadOnly,
            .libraryCannotOpen,
            .libraryBusy, .librarySQLite, .libraryPostgres, .libraryUnsafeRole,
        ]
        return io.contains(error.code) ? ExitCode.usage : ExitCode.failure
    }

    func report(_ error: LibraryError, console: Console, command: String) -> Int32 {
        console.err("customui \(command): \(error)\n")
        return Self.exitCode(for: error)
    }
}

/// `customui library`: find, show, export, import, change and rate UIs in the template library.
enum LibraryCommand: Command {
    static let name = "library"
    static let summary = "list, search, show, export, import, archive, feature and rate library UIs"
    static let help = """
        usage: customui library SUBCOMMAND [ARGS] [--library PATH] [--user NAME] [--format text|json]

        subcommands:
          list                       the UIs you can see: yours (latest version) and public active ones
          search WORDS...            full-text search over name, description, category and tags
          show REF [--version N]     one UI with its version history
          versions REF               the version history
          export REF [--version N] [--definition] [--output FILE]
                                     the template file (default) or the definition JSON (always
                                     the definition JSON for a `json-schema` UI)
          export REF --history [--output FILE]
                                     your UI with everything: every version (ids, lineage, status,
                                     category, tags, featured), its ratings, your usage and runs
          export --all [--output FILE]
                                     the whole library, every user's rows (a backup: it imports
                                     into a new library identically)
          import FILE [--prompt FILE]
                                     an archive from `export --history` or `--all`: every row as it
                                     was, ids included, in one transaction (a UI the library already
                                     has is refused: library.exists); or a definition JSON or
                                     template file, published as your UI keeping is_public and status
          activate REF [--version N] make a version active (the previously active one is archived)
          archive REF [--version N]  archive the UI (every version) or one version
          delete REF                 delete your UI: every version, its ratings and usage records
          visibility REF public|private
          feature REF [--off]        mark your public active UI featured (or not)
          rate REF RATING [--feedback TEXT]
                                     rate someone else's public UI 1-5; rating again replaces it
          usage [REF]                your own usage records
          install-starters [--from DIR]
                                     publish the starter templates (Templates/) as public active UIs
          migrate                    create or upgrade a PostgreSQL library's tables and policies
                                     (--library URL connected as the role that is to own them)
          copy FROM TO               copy a whole library (every version, lineage, rating, usage
                                     record, run and task) between a file and a postgres:// URL,
                                     either way, in one transaction; TO must not have its UIs yet.
                                     A PostgreSQL side is opened as the tables' owner (it reads
                                     and writes every user's rows)

        filters for list and search:
          --category C  --tag T (repeatable)  --owner USER  --status draft|active|archived
          --public | --private  --featured  --sort relevance|rating|uses|recent  --limit N  --offset N

        REF is a UI id, a version id, OWNER/NAME (that owner's UI only), or a NAME (yours first, else
        a unique public one). UI names cannot contain `/`. A UI you may not see answers exactly as
        a missing one: library.not-found.
        --library PATH and --user NAME as for `customui publish`. --library also takes a
        postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE URL (a shared library): there the acting
        user is the `sub` of the HS256 JWT in CUSTOMUI_TOKEN, verified against the secret in the
        file CUSTOMUI_JWT_SECRET_FILE, and --user is refused. Passwords are never printed.

        exit status: 0 ok, 1 not found, denied or invalid, 2 usage or I/O error (a damaged or foreign file)
        """

    static func run(_ arguments: inout Arguments, console: Console) throws -> Int32 {
        // The shared options go first, so `library --user bob list` finds `list`, not `bob`.
        let context = try LibraryContext(&arguments)
        let format = try arguments.choice("--format", ReportFormat.allCases, default: .text)
        guard let sub = arguments.items.first(where: { !$0.hasPrefix("-") }),
            let index = arguments.items.firstIndex(of: sub)
        else {
            throw UsageError(
                "name a subcommand: list, search, show, versions, export, import, activate, archive, delete, visibility, feature, rate, usage, install-starters, migrate, copy"
            )
        }
        var rest = arguments.items
        rest.remove(at: index)
        arguments = Arguments(rest)
        do {
            switch sub {
            case "list", "search":
                return try list(&arguments, context, format: format, console: console, search: sub == "search")
            case "show", "versions":
                return try show(&arguments, context, format: format, console: console, historyOnly: sub == "versions")
            case "export": return try export(&arguments, context, console: console)
            case "import": return try importUI(&arguments, context, format: format, console: console)
            case "delete": return try delete(&arguments, context, format: format, console: console)
            case "activate", "archive": return try lifecycle(sub, &arguments, context, format: format, console: console)
            case "visibility": return try visibility(&arguments, context, format: format, console: console)
            case "feature": return try feature(&arguments, context, format: format, console: console)
            case "rate": return try rate(&arguments, context, format: format, console: console)
            case "usage": return try usage(&arguments, context, format: format, console: console)
            case "install-starters": return try installStarters(&arguments, context, format: format, console: console)
            case "migrate": return try migrate(&arguments, context, console: console)
            case "copy": return try copy(&arguments, console: console)
            default:
                let all = [
                    "list", "search", "show", "versions", "export", "import", "activate", "archive", "delete",
                    "visibility", "feature", "rate", "usage", "install-starters", "migrate", "copy",
                ]
                var message = "unknown subcommand `\(sub)`"
                if let guess = Suggestions.closest(to: sub, in: all) { message += " (did you mean `\(guess)`?)" }
                throw UsageError(message)
            }
        } catch let error as LibraryError {
            return context.report(error, console: console, command: "library \(sub)")
        }
    }

    /// `library migrate`: creates or upgrades the PostgreSQL library's schema.
    static func migrate(_ arguments: inout Arguments, _ context: LibraryContext, console: Console) throws -> Int32 {
        guard try arguments.positionals().isEmpty else { throw UsageError("`library migrate` takes no arguments") }
        guard LibraryLocation.isPostgres(context.path) else {
            throw UsageError(
                "`library migrate` is for a PostgreSQL library (--library postgres://…); a library file migrates itself when opened"
            )
        }
        let version = try Library.migrate(url: context.path)
        console.out(
            "migrated `\(TerminalText.visible(LibraryLocation.redacted(context.path)))` to schema version \(version)\n")
        return ExitCode.ok
    }

    /// `library copy FROM TO`: the whole library, every user's rows, as `export --all` and `import` would.
    static func copy(_ arguments: inout Arguments, console: Console) throws -> Int32 {
        let positionals = try arguments.positionals()
        guard positionals.count == 2 else {
            throw UsageError("`library copy` takes FROM and TO (a file or a postgres:// URL)")
        }
        let source = try Library.open(positionals[0], administrative: true)
        let target = try Library.open(positionals[1], administrative: true)
        let text = try source.exportAll()
        let result = try target.importArchive(text, user: "customui-copy")
        let rows = result.rows.values.reduce(0, +)
        console.out(
            "copied \(result.uis.count) UI\(result.uis.count == 1 ? "" : "s") (\(rows) rows) from `\(TerminalText.visible(source.path))` to `\(TerminalText.visible(target.path))`\n"
        )
        return ExitCode.ok
    }

    static func one(_ arguments: inout Arguments, _ what: String) throws(UsageError) -> String {
        let positionals = try arguments.positionals()
        guard positionals.count == 1, let first = positionals.first else {
            throw UsageError("name exactly one \(what)")
        }
        return first
    }

    static func list(
        _ arguments: inout Arguments, _ context: LibraryContext, format: ReportFormat, console: Console, search: Bool
    ) throws -> Int32 {
        var query = LibraryQuery()
        query.category = try arguments.value("--category")
        query.tags = try arguments.values("--tag")
        query.owner = try arguments.value("--owner")
        if let status = try arguments.value("--status") {
            guard let s = DefinitionStatus(rawValue: status) else {
                throw UsageError("`--status` must be draft, active or archived, not `\(status)`")
            }
            query.status = s
        }
        let isPublic = arguments.flag("--public")
        let isPrivate = arguments.flag("--private")
        if isPublic && isPrivate { throw UsageError("give either `--public` or `--private`, not both") }
        query.isPublic = isPublic ? true : isPrivate ? false : nil
        query.isFeatured = arguments.flag("--featured") ? true : nil
        let sort = try arguments.choice(
            "--sort", LibrarySort.allCases.map(\.rawValue), default: search ? "relevance" : "recent")
        query.sort = LibrarySort(rawValue: sort) ?? .recent
        query.limit = try arguments.integer("--limit", in: 0...10_000) ?? 50
        query.offset = try arguments.integer("--offset", in: 0...10_000_000) ?? 0
        let words = try arguments.positionals()
        if search {
            guard !words.isEmpty else { throw UsageError("name the words to search for") }
            query.text = words.joined(separator: " ")
        } else if !words.isEmpty {
            throw UsageError("`library list` takes no words; use `library search WORDS`")
        }
        let entries = try context.open().search(query, user: context.user)
        if format == .json {
            console.out(JSONWriter(pretty: true).string(["uis": .array(entries.map(\.jsonValue))]) + "\n")
        } else if entries.isEmpty {
            console.out(search ? "no UIs match\n" : "no UIs visible to `\(context.user)`\n")
        } else {
            console.out(table(entries))
        }
        return ExitCode.ok
    }

    static func table(_ entries: [LibraryEntry]) -> String {
        var rows = [["NAME", "OWNER", "VERSION", "STATUS", "VISIBILITY", "RATING", "USES", "CATEGORY", "TAGS", "UI"]]
        for e in entries {
            let rating = e.ratingAverage.map { String(format: "%.1f (%d)", $0, e.ratingCount) } ?? "-"
            var visibility = e.definition.isPublic ? "public" : "private"
            if e.definition.isFeatured { visibility += ", featured" }
            rows.append([
                e.definition.name, e.owner, "v\(e.version)", e.definition.status.rawValue, visibility, rating,
                "\(e.uiUseCount)",
                e.category ?? "-", e.tags.isEmpty ? "-" : e.tags.joined(separator: ","), e.uiID,
            ])
        }
        // Names, tags and categories are other users' text: one line each, controls shown visibly.
        rows = rows.map { $0.map { TerminalText.visible($0) } }
        var widths = [Int](repeating: 0, count: rows[0].count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }
            .joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    static func show(
        _ arguments: inout Arguments, _ context: LibraryContext, format: ReportFormat, console: Console,
        historyOnly: Bool
    ) throws -> Int32 {
        let version = historyOnly ? nil : try arguments.integer("--version", in: 1...Int(Int32.max))
        let reference = try one(&arguments, "UI")
        let library = try context.open()
        let versions = try library.versions(reference, user: context.user)
        if historyOnly {
            if format == .json {
                console.out(JSONWriter(pretty: true).string(["versions": .array(versions.map(\.jsonValue))]) + "\n")
            } else {
                console.out(history(versions))
            }
            return ExitCode.ok
        }
        let entry = try library.entry(reference, version: version, user: context.user)
        if format == .json {
            console.out(
                JSONWriter(pretty: true).string(["ui": entry.jsonValue, "versions": .array(versions.map(\.jsonValue))])
                    + "\n")
            return ExitCode.ok
        }
        let d = entry.definition
        var text =
            "\(TerminalText.visible(d.name)) (v\(entry.version), \(d.status.rawValue), \(d.isPublic ? "public" : "private")\(d.isFeatured ? ", featured" : ""))\n"
        if let description = d.description { text += "  \(description)\n" }
        text += "  owner:          \(entry.owner)\n"
        text += "  ui id:          \(entry.uiID)\n"
        text += "  version id:     \(entry.id)\n"
        text += "  execution mode: \(d.executionMode.rawValue)\n"
        text += "  category:       \(TerminalText.visible(entry.category ?? "-"))\n"
        let tags = entry.tags.isEmpty ? "-" : entry.tags.joined(separator: ", ")
        text += "  tags:           \(TerminalText.visible(tags))\n"
        text +=
            "  rating:         \(entry.ratingAverage.map { String(format: "%.2f from %d rating%@", $0, entry.ratingCount, entry.ratingCount == 1 ? "" : "s") } ?? "not rated")\n"
        text += "  uses:           \(entry.uiUseCount)\(entry.uiLastUsedAt.map { ", last \($0)" } ?? "")\n"
        text += "  published at:   \(d.publishedAt ?? "-")\n"
        text += "  content hash:   \(entry.contentHash)\n"
        if let warnings = d.validationErrors?.arrayValue, !warnings.isEmpty {
            text +=
                "  validation:     \(warnings.count) warning\(warnings.count == 1 ? "" : "s") kept in validation_errors\n"
        }
        text += "\nversions:\n" + history(versions)
        console.out(text)
        return ExitCode.ok
    }

    static func history(_ versions: [LibraryEntry]) -> String {
        versions.map { v in
            let parent = v.definition.parentVersionID.map { "parent \($0.prefix(8))" } ?? "first"
            return
                "  v\(v.version)  \(v.definition.status.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))  \(v.definition.createdAt ?? "")  \(v.contentHash.prefix(12))  \(parent)  \(v.id)\(v.isLatest ? "  (latest)" : "")"
        }.joined(separator: "\n") + "\n"
    }

    static func export(_ arguments: inout Arguments, _ context: LibraryContext, console: Console) throws -> Int32 {
        let version = try arguments.integer("--version", in: 1...Int(Int32.max))
        let asDefinition = arguments.flag("--definition")
        let output = try arguments.value("--output")
        let history = arguments.flag("--history")
        let all = arguments.flag("--all")
        let text: String
        if all {
            guard try arguments.positionals().isEmpty, version == nil, !asDefinition, !history else {
                throw UsageError("`export --all` takes no UI, `--version`, `--definition` or `--history`")
            }
            text = try context.open().exportAll()
        } else if history {
            guard version == nil, !asDefinition else {
                throw UsageError("`export --history` writes every version; drop `--version` and `--definition`")
            }
            text = try context.open().exportArchive(try one(&arguments, "UI"), user: context.user)
        } else {
            let reference = try one(&arguments, "UI")
            text = try context.open().export(
                reference, version: version, asDefinition: asDefinition, user: context.user)
        }
        if let output {
            do {
                try writeOutputFile(text, to: output)
            } catch {
                console.err("customui library export: cannot write `\(output)`\n")
                return ExitCode.usage
            }
        } else {
            // A document: byte for byte into a file or pipe, controls shown only on a terminal.
            console.outDocument(text)
        }
        return ExitCode.ok
    }

    static func importUI(
        _ arguments: inout Arguments, _ context: LibraryContext, format: ReportFormat, console: Console
    )
        throws -> Int32
    {
        let promptPath = try arguments.value("--prompt")
        let path = try one(&arguments, "file to import")
        let ui = try readInput(path)
        if Library.isArchive(ui.text) {
            guard promptPath == nil else { throw UsageError("an archive carries no prompt; drop `--prompt`") }
            let result = try context.open().importArchive(ui.text, user: context.user)
            if format == .json {
                var rows = ValueObject()
                for table in result.rows.keys.sorted() { rows[table] = .int(result.rows[table] ?? 0) }
                console.out(
                    JSONWriter(pretty: true).string([
                        "uis": .array(result.uis.map(Value.string)), "rows": .object(rows),
                    ])
                        + "\n")
            } else {
                let versions = result.rows["prompt_custom_uis"] ?? 0
                let count = { (table: String, noun: String) -> String in
                    let n = result.rows[table] ?? 0
                    return "\(n) \(noun)\(n == 1 ? "" : "s")"
                }
                console.out(
                    "imported \(result.uis.count) UI\(result.uis.count == 1 ? "" : "s") with \(versions) version\(versions == 1 ? "" : "s"), "
                        + "\(count("prompt_custom_ui_ratings", "rating")), \(count("prompt_custom_ui_usage", "usage record")), "
                        + "\(count("ai_runs", "run")) and \(count("ai_tasks", "task"))\n")
                for name in result.uis { console.out("  \(name)\n") }
            }
            return ExitCode.ok
        }
        let prompt = try promptPath.map(readInput) ?? ValidateCommand.siblingPrompt(of: path).map(readInput)
        let report = Validator.validate(ui: ui, prompt: prompt)
        let library = try context.open()
        let definition = report.document?.definition
        let options = PublishOptions(isPublic: definition?.isPublic ?? false, activate: definition?.status == .active)
        do {
            let outcome = try library.publish(report, user: context.user, options: options)
            if definition?.status == .archived, case .published(let e) = outcome {
                _ = try library.archive(e.uiID, version: e.version, user: context.user)
            }
            let entry = outcome.entry
            if format == .json {
                console.out(JSONWriter(pretty: true).string(["ui": entry.jsonValue]) + "\n")
            } else if case .published = outcome {
                console.out(
                    "imported `\(entry.definition.name)` as version \(entry.version) (\(entry.definition.status.rawValue), ui \(entry.uiID))\n"
                )
            } else {
                console.out(
                    "unchanged: `\(entry.definition.name)` version \(entry.version) already has this content; nothing written\n"
                )
            }
            return ExitCode.ok
        } catch {
            if !error.diagnostics.isEmpty {
                console.errRendered(
                    DiagnosticRenderer(sources: report.sources, color: console.colorErr).render(error.diagnostics))
            }
            throw error
        }
    }

    static func delete(_ arguments: inout Arguments, _ context: LibraryContext, format: ReportFormat, console: Console)
        throws -> Int32
    {
        let reference = try one(&arguments, "UI")
        let deleted = try context.open().delete(reference, user: context.user)
        if format == .json {
            console.out(
                JSONWriter(pretty: true).string([
                    "deleted": .string(deleted.name), "versions": .int(deleted.versions),
                    "ratings": .int(deleted.ratings),
                    "usage": .int(deleted.usage),
                ]) + "\n")
        } else {
            console.out(
                "deleted `\(deleted.name)`: \(deleted.versions) version\(deleted.versions == 1 ? "" : "s"), "
                    + "\(deleted.ratings) rating\(deleted.ratings == 1 ? "" : "s"), \(deleted.usage) usage record\(deleted.usage == 1 ? "" : "s")\n"
            )
        }
        return ExitCode.ok
    }

    static func lifecycle(
        _ sub: String, _ arguments: inout Arguments, _ context: LibraryContext, format: ReportFormat, console: Console
    ) throws -> Int32 {
        let version = try arguments.integer("--version", in: 1...Int(Int32.max))
        let reference = try one(&arguments, "UI")
        let library = try context.open()
        let entry =
            sub == "activate"
            ? try library.activate(reference, version: version, user: context.user)
            : try library.archive(reference, version: version, user: context.user)
        return done(
            entry,
            "\(sub == "activate" ? "activated" : "archived") `\(entry.definition.name)`\(version.map { " version \($0)" } ?? sub == "activate" ? " version \(entry.version)" : "")",
            format, console)
    }

    static func done(_ entry: LibraryEntry, _ message: String, _ format: ReportFormat, _ console: Console) -> Int32 {
        if format == .json {
            console.out(JSONWriter(pretty: true).string(["ui": entry.jsonValue]) + "\n")
        } else {
            console.out(message + "\n")
        }
        return ExitCode.ok
    }

    static func visibility(
        _ arguments: inout Arguments, _ context: LibraryContext, format: ReportFormat, console: Console
    )
        throws -> Int32
    {
        let positionals = try arguments.positionals()
        guard positionals.count == 2, ["public", "private"].contains(positionals[1]) else {
            throw UsageError("usage: customui library visibility REF public|private")
        }
        let entry = try context.open().setPublic(positionals[0], positionals[1] == "public", user: context.user)
        return done(entry, "`\(entry.definition.name)` is now \(positionals[1])", format, console)
    }

    static func feature(_ arguments: inout Arguments, _ context: LibraryContext, format: ReportFormat, console: Console)
        throws -> Int32
    {
        let off = arguments.flag("--off")
        let reference = try one(&arguments, "UI")
        let entry = try context.open().feature(reference, !off, user: context.user)
        return done(entry, "`\(entry.definition.name)` is \(off ? "no longer featured" : "featured")", format, console)
    }

    static func rate(_ arguments: inout Arguments, _ context: LibraryContext, format: ReportFormat, console: Console)
        throws
        -> Int32
    {
        let feedback = try arguments.value("--feedback")
        let positionals = try arguments.positionals()
        guard positionals.count == 2 else { throw UsageError("usage: customui library rate REF RATING") }
        guard let rating = Int(positionals[1]) else {
            throw UsageError("a rating is a whole number from 1 to 5, not `\(positionals[1])`")
        }
        let summary = try context.open().rate(positionals[0], rating: rating, feedback: feedback, user: context.user)
        if format == .json {
            console.out(
                JSONWriter(pretty: true).string([
                    "rating": .int(rating), "replaced": .bool(summary.replaced), "average": .double(summary.average),
                    "count": .int(summary.count),
                ]) + "\n")
        } else {
            console.out(
                "\(summary.replaced ? "replaced your rating with" : "rated") \(rating); `\(positionals[0])` now averages "
                    + String(
                        format: "%.2f from %d rating%@", summary.average, summary.count, summary.count == 1 ? "" : "s")
                    + "\n")
        }
        return ExitCode.ok
    }

    static func usage(_ arguments: inout Arguments, _ context: LibraryContext, format: ReportFormat, console: Console)
        throws
        -> Int32
    {
        let limit = try arguments.integer("--limit", in: 0...100_000) ?? 100
        let positionals = try arguments.positionals()
        guard positionals.count <= 1 else { throw UsageError("name at most one UI") }
        let records = try context.open().usage(user: context.user, uiReference: positionals.first, limit: limit)
        if format == .json {
            console.out(JSONWriter(pretty: true).string(["usage": .array(records.map(\.jsonValue))]) + "\n")
        } else if records.isEmpty {
            console.out("no usage recorded for `\(context.user)`\n")
        } else {
            for r in records {
                console.out(
                    "\(r.createdAt)  \(r.success ? "ok    " : "failed")  \(r.customUIID)  \(r.executionTimeMs.map { "\($0) ms" } ?? "-")"
                        + "\(r.runID.map { "  run \($0)" } ?? "")"
                        + "\(r.errorMessage.map { "  \(TerminalText.visible($0))" } ?? "")\n")
            }
        }
        return ExitCode.ok
    }

    static func installStarters(
        _ arguments: inout Arguments, _ context: LibraryContext, format: ReportFormat, console: Console
    ) throws -> Int32 {
        let from = try arguments.value("--from")
        _ = try arguments.positionals()
        guard let directory = from ?? starterDirectory() else {
            throw UsageError("cannot find the starter templates; pass --from DIR (the repository's Templates/ folder)")
        }
        let library = try context.open()
        let starters = try Library.loadStarters(directory: directory)
        let outcomes = try library.installStarters(starters, user: context.user)
        if format == .json {
            console.out(
                JSONWriter(pretty: true).string([
                    "installed": .array(
                        outcomes.map { o in
                            let kind: Value = if case .published = o { "published" } else { "unchanged" }
                            return ["outcome": kind, "ui": o.entry.jsonValue]
                        })
                ]) + "\n")
        } else {
            for o in outcomes {
                let e = o.entry
                if case .published = o {
                    console.out("installed `\(e.definition.name)` version \(e.version) (\(e.category ?? "-"))\n")
                } else {
                    console.out("unchanged: `\(e.definition.name)` version \(e.version) is already installed\n")
                }
            }
        }
        return ExitCode.ok
    }

    /// `$CUSTOMUI_TEMPLATES`, `./Templates`, or a `Templates/` above the executable (a checkout's build folder).
    static func starterDirectory() -> String? {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["CUSTOMUI_TEMPLATES"], !env.isEmpty { return env }
        if fm.fileExists(atPath: "Templates") { return "Templates" }
        var url = URL(
            fileURLWithPath: (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        for _ in 0..<6 {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("Templates").path
            if fm.fileExists(atPath: candidate) { return candidate }
        }
        return nil
    }
}
