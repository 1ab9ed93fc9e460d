import CustomUI
import CustomUICore
import Foundation
import JSONSchema
import Testing

@testable import TemplateLibrary

/// The built `customui`, run from the repository root without colour or an inherited library.
struct CLI {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
        var all: String { stdout + stderr }
    }

    /// Runs it with `extra` added to the environment (after the inherited library and identity are removed).
    static func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: customuiExecutable)
        process.arguments = arguments
        process.currentDirectoryURL = repositoryRoot
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        for name in [
            "CUSTOMUI_LIBRARY", "CUSTOMUI_USER", "CUSTOMUI_BACKEND_URL", "CUSTOMUI_PROTOCOL", "CUSTOMUI_TOKEN",
            "CUSTOMUI_JWT_SECRET_FILE",
        ] {
            environment[name] = nil
        }
        environment.merge(extra) { _, new in new }
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        // stderr goes to a file, so a full pipe never blocks the child while stdout is read.
        let errPath = (NSTemporaryDirectory() as NSString).appendingPathComponent(
            "customui-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let out = Pipe()
        process.standardOutput = out
        process.standardError = errHandle
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try? errHandle.close()
        let e = FileManager.default.contents(atPath: errPath) ?? Data()
        return Outcome(
            status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
            stderr: String(decoding: e, as: UTF8.self))
    }

    static var available: Bool { FileManager.default.isExecutableFile(atPath: customuiExecutable) }
}

let storyUI = "Examples/story-writer/story-writer.ui.xml"
let storyPrompt = "Examples/story-writer/story-writer.prompt.json"
let storyStream = "Examples/story-writer/story-writer.stream.ndjson"

/// Issue 15, points 5, 10, 12 and 13: runs listed as they are, a library that tells no one what
/// it must not, json-schema UIs run from the library, and library files judged before they are touched.
@Suite struct LibraryAnswersTests {
    // MARK: - Point 5: runs list and runs show agree; status filters; runs linked to their UI

    @Test func runsOfALibraryUIAreLinkedListedAndShownAlike() throws {
        try #require(CLI.available, "build the customui product first")
        let dir = TemporaryDirectory()
        let lib = ["--library", dir.file("lib.sqlite"), "--user", "alice"]
        var r = try CLI.run(["publish", storyUI, "--public", "--activate"] + lib)
        #expect(r.status == 0)
        r = try CLI.run(["publish", "Examples/support-reply/support-reply.ui.xml", "--activate"] + lib)
        #expect(r.status == 0)

        r = try CLI.run(
            ["run", "Story writer", "--prompt", storyPrompt, "--replay", storyStream, "--no-input"] + lib)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("completed"))

        // Linked: the stored run names the version that ran, and --ui finds it by name or OWNER/NAME.
        let library = try Library(path: dir.file("lib.sqlite"))
        let version = try library.entry("Story writer", user: "alice")
        let stored = try library.runs(RunQuery(), user: "alice")
        #expect(stored.count == 1)
        let run = try #require(stored.first)
        #expect(run.run.customUIID == version.id)
        #expect(run.run.status == .completed)
        for reference in ["Story writer", "alice/Story writer", version.uiID, version.id] {
            r = try CLI.run(["runs", "list", "--ui", reference] + lib)
            #expect(r.status == 0)
            #expect(r.stdout.hasPrefix("\(run.run.id)  completed"), "\(reference): \(r.stdout)")
        }
        r = try CLI.run(["runs", "list", "--ui", "Support reply"] + lib)
        #expect(r.status == 0)
        #expect(r.stdout == "no runs recorded for `alice`\n")

        // --status completed finds it; list and show print the same status, tokens and cost.
        r = try CLI.run(["runs", "list", "--status", "completed"] + lib)
        #expect(r.status == 0)
        let line = try #require(r.stdout.split(separator: "\n").first.map(String.init))
        #expect(line.hasPrefix("\(run.run.id)  completed"))
        let cost = try #require(line.firstMatch(of: /\$[0-9]+\.[0-9]{4}/)).output
        #expect(line.contains("\(run.run.tokensTotal) tokens"))
        r = try CLI.run(["runs", "list", "--status", "failed"] + lib)
        #expect(r.stdout == "no runs recorded for `alice`\n")
        r = try CLI.run(["runs", "show", run.run.id] + lib)
        #expect(r.status == 0)
        #expect(r.stdout.contains("  status:   completed\n"))
        #expect(r.stdout.contains("  cost:     \(cost)\n"))
        #expect(r.stdout.contains("  tokens:   \(run.run.tokensTotal)\n"))
        #expect(r.stdout.contains("  ui:       \(version.id)\n"))

        // The task kept its text and status; the usage row names the same run.
        let task = try #require(try library.run(run.run.id, user: "alice").tasks.first)
        #expect(task.status == .completed)
        #expect(task.responseText.contains("The Keeper of Gull Rock"))
        let usage = try library.usage(user: "alice", uiReference: "Story writer")
        #expect(usage.map(\.runID) == [run.run.id])
    }

    @Test func aRunsStatusAndTotalsComeFromItsTasks() throws {
        try #require(CLI.available, "build the customui product first")
        let dir = TemporaryDirectory()
        let path = dir.file("lib.sqlite")
        do {
            let library = try Library(path: path, recorderUser: "alice")
            let outcomes: [(String, TaskStatus, Double?)] = [
                ("done", .completed, 0.5), ("broke", .failed, nil), ("stopped", .cancelled, nil),
                ("going", .streaming, nil),
            ]
            for (index, (name, status, cost)) in outcomes.enumerated() {
                // The session keeps a finished conversation `active`; its latest task tells how it went.
                var run = RunRecord(id: name, name: name, createdAt: Date(timeIntervalSince1970: Double(index)))
                run.cost = 99  // stale: the totals are the tasks' sums
                try library.record(run: run)
                var task = TaskRecord(id: "\(name)-task", runID: name, service: "replay", requestData: [:])
                task.status = status
                task.tokensTotal = 10
                task.cost = cost
                try library.record(task: task)
            }
        }
        let lib = ["--library", path, "--user", "alice"]
        for (status, id) in [("completed", "done"), ("failed", "broke"), ("cancelled", "stopped"), ("active", "going")]
        {
            let r = try CLI.run(["runs", "list", "--status", status] + lib)
            #expect(r.status == 0)
            #expect(r.stdout.split(separator: "\n").map { String($0.prefix(while: { $0 != " " })) } == [id])
            let show = try CLI.run(["runs", "show", id] + lib)
            #expect(show.stdout.contains("  status:   \(status)\n"))
        }
        var r = try CLI.run(["runs", "list"] + lib)
        #expect(r.stdout.contains("done  completed"))
        #expect(r.stdout.contains("10 tokens  $0.5000  done"))
        #expect(r.stdout.contains("10 tokens  -  broke"))
        r = try CLI.run(["runs", "show", "broke"] + lib)
        #expect(r.stdout.contains("  cost:     -\n"))
        r = try CLI.run(["runs", "show", "done", "--format", "json"] + lib)
        let json = try JSONParser.parseValue(r.stdout)
        #expect(json["run"]?["status"] == "completed")
        #expect(json["run"]?["total_cost"] == .double(0.5))
    }

    // MARK: - Point 10: a private UI answers as a missing one; OWNER/NAME is that owner's only

    @Test func everyCommandAnswersAlikeForAPrivateUIAndAMissingOne() throws {
        try #require(CLI.available, "build the customui product first")
        let dir = TemporaryDirectory()
        let path = dir.file("lib.sqlite")
        let secret: LibraryEntry
        do {
            let library = try Library(path: path)
            secret = try library.publish(ui: template("Secret"), user: "alice").entry
            _ = try library.publish(ui: template("Secret", body: "v2"), user: "alice")
            _ = try library.recordUsage(uiID: secret.uiID, user: "alice")
            // Someone else's public UI with the same name must not answer for `alice/…`.
            _ = try library.publish(
                ui: template("Shared"), user: "carol", options: PublishOptions(isPublic: true, activate: true))
        }
        let before = FileManager.default.contents(atPath: path)
        let ui = dir.file("mine.ui.xml")
        try template("Mine").text.write(toFile: ui, atomically: true, encoding: .utf8)
        let lib = ["--library", path, "--user", "bob"]
        let commands: [[String]] = [
            ["library", "show", "REF"], ["library", "versions", "REF"], ["library", "export", "REF"],
            ["library", "export", "REF", "--definition"], ["library", "show", "REF", "--version", "1"],
            ["library", "activate", "REF"], ["library", "archive", "REF"], ["library", "visibility", "REF", "public"],
            ["library", "feature", "REF"], ["library", "rate", "REF", "4"], ["library", "usage", "REF"],
            ["library", "delete", "REF"], ["library", "export", "REF", "--history"],
            ["publish", ui, "--ui", "REF"], ["runs", "list", "--ui", "REF"],
            ["run", "REF", "--prompt", storyPrompt, "--replay", storyStream, "--no-input"],
        ]
        let pairs = [
            ("alice/Secret", "alice/Nothing"), (secret.uiID, UUID().uuidString.lowercased()),
            (secret.id, UUID().uuidString.lowercased()), ("alice/Shared", "alice/Absent"),
        ]
        for (hidden, missing) in pairs {
            for command in commands {
                let a = try CLI.run(command.map { $0 == "REF" ? hidden : $0 } + lib)
                let b = try CLI.run(command.map { $0 == "REF" ? missing : $0 } + lib)
                #expect(a.status != 0, "\(command) \(hidden)")
                #expect(a.status == b.status, "\(command)")
                #expect(a.stdout == b.stdout, "\(command)")
                #expect(
                    a.stderr.replacingOccurrences(of: hidden, with: "REF")
                        == b.stderr.replacingOccurrences(of: missing, with: "REF"),
                    "\(command): \(a.stderr) | \(b.stderr)")
                #expect(
                    a.stderr.contains("error[library.not-found]: no UI `\(hidden)` is visible to user `bob`")
                        || a.stderr.contains("`\(hidden)` is neither a file nor a UI in the library"),
                    "\(command): \(a.stderr)")
            }
        }
        // Bob's publish under `--ui` wrote nothing; nothing else changed either.
        #expect(FileManager.default.contents(atPath: path) == before)
        let library = try Library(path: path)
        #expect(try library.versions("Secret", user: "alice").map(\.definition.status) == [.draft, .draft])
        #expect(try library.search(LibraryQuery(), user: "bob").map(\.owner) == ["carol"])
    }

    @Test func aUINameCannotContainASlash() throws {
        try #require(CLI.available, "build the customui product first")
        let dir = TemporaryDirectory()
        let file = dir.file("slash.ui.xml")
        try template("alice/Story").text.write(toFile: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["publish", file, "--library", dir.file("lib.sqlite"), "--user", "bob"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("error[library.invalid-input]: a UI name cannot contain `/`: `alice/Story`"))
        #expect(try Library(path: dir.file("lib.sqlite")).search(LibraryQuery(), user: "bob").isEmpty)
    }

    // MARK: - Point 11: export and import lose nothing; owners delete their UIs

    /// Every row of every table, in rowid order, as SQLite stores it.
    func rows(_ path: String) throws -> [String: [[String: SQLValue]]] {
        let connection = try SQLiteConnection(path: path, readOnly: true, create: false)
        var all: [String: [[String: SQLValue]]] = [:]
        for table in Library.archiveTables {
            all[table] = try connection.query("SELECT * FROM \(table) ORDER BY rowid").map(\.columns)
        }
        return all
    }

    /// A library with several users, versions in every status, ratings, usage, runs with tasks
    /// (priced and not), featured and archived UIs, starters, and a deleted UI's gaps.
    func richLibrary(_ path: String) throws {
        let library = try Library(path: path, recorderUser: "alice")
        _ = try library.installStarters(
            try Library.loadStarters(directory: repositoryRoot.appendingPathComponent("Templates").path),
            user: "customui")
        let first = try library.publish(
            ui: template("Story", body: "one"), user: "alice",
            options: PublishOptions(isPublic: true, category: "writing", tags: ["story", "fun"], activate: true)
        ).entry
        _ = try library.publish(ui: template("Story", body: "two"), user: "alice")
        _ = try library.publish(
            ui: template("Story", body: "three"), user: "alice", options: PublishOptions(activate: true))
        try library.archive("Story", version: 2, user: "alice")
        try library.feature("Story", true, user: "alice")
        _ = try library.publish(ui: template("Private notes"), user: "bob")
        _ = try library.publish(ui: template("Gone"), user: "bob")
        try library.rate("alice/Story", rating: 4, feedback: "lovely", user: "bob")
        try library.rate("alice/Story", rating: 2, user: "carol")
        for (index, user) in ["alice", "bob"].enumerated() {
            var run = RunRecord(id: "run-\(user)", name: "Story")
            run.userID = user
            run.customUIID = first.id
            run.variableValues = ["topic": "owls \(index)"]
            try library.record(run: run)
            var task = TaskRecord(id: "task-\(user)", runID: run.id, service: "replay", requestData: ["n": .int(index)])
            task.status = .completed
            task.responseText = "Once upon a time, \u{1F989}"
            task.cost = index == 0 ? 0.0012834 : nil
            task.tokensTotal = 2211
            try library.record(task: task)
            try library.recordUsage(
                uiID: first.uiID, user: user, runID: run.id, variables: ["topic": "owls"], durationMs: 120 + index)
        }
        try library.delete("Gone", user: "bob")
    }

    @Test func aWholeLibraryExportImportsIntoAFreshLibraryIdentically() throws {
        try #require(CLI.available, "build the customui product first")
        let dir = TemporaryDirectory()
        let source = dir.file("source.sqlite")
        try richLibrary(source)
        let archive = dir.file("all.json")
        var r = try CLI.run(["library", "export", "--all", "--output", archive, "--library", source, "--user", "zoe"])
        #expect(r.status == 0, "\(r.stderr)")
        let fresh = dir.file("fresh.sqlite")
        r = try CLI.run(["library", "import", archive, "--library", fresh, "--user", "zoe"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("imported 8 UIs with 10 versions, 2 ratings, 2 usage records, 2 runs and 2 tasks\n"))
        #expect(r.stdout.contains("\n  alice/Story\n"))

        let before = try rows(source)
        let after = try rows(fresh)
        for table in Library.archiveTables {
            #expect(before[table]?.isEmpty == false, "\(table) has rows to compare")
            #expect(after[table] == before[table], "\(table)")
        }
        // The search index was rebuilt from the rows, and the figures read back the same.
        let copy = try Library(path: fresh)
        #expect(try copy.integrityCheck() == ["ok"])
        #expect(
            try copy.search(LibraryQuery(text: "story"), user: "bob").map(\.id)
                == (try Library(path: source).search(LibraryQuery(text: "story"), user: "bob").map(\.id)))
        let story = try copy.entry("alice/Story", user: "bob")
        #expect(story.ratingCount == 2 && story.definition.isFeatured && story.uiUseCount == 2)

        // Importing it again would replace what is there: refused, nothing written.
        r = try CLI.run(["library", "import", archive, "--library", fresh, "--user", "zoe"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("error[library.exists]: the library already has the UI `customui/"))
        #expect(try rows(fresh) == after)
    }

    @Test func aUIsHistoryExportsDeletesAndImportsWithNothingLost() throws {
        try #require(CLI.available, "build the customui product first")
        let dir = TemporaryDirectory()
        let path = dir.file("lib.sqlite")
        try richLibrary(path)
        let lib = ["--library", path]
        let before = try rows(path)
        let archive = dir.file("story.json")

        // Only the owner exports a UI's history; others may still export the version they see.
        var r = try CLI.run(["library", "export", "alice/Story", "--history", "--user", "bob"] + lib)
        #expect(r.status == 1)
        #expect(r.stderr.contains("error[library.denied]: user `bob` may not export the history of `alice/Story`"))
        r = try CLI.run(["library", "export", "Story", "--history", "--output", archive, "--user", "alice"] + lib)
        #expect(r.status == 0, "\(r.stderr)")

        // Only the owner deletes; deleting cascades to ratings and usage (seed 002), runs stay.
        r = try CLI.run(["library", "delete", "alice/Story", "--user", "bob"] + lib)
        #expect(r.status == 1)
        #expect(r.stderr.contains("error[library.denied]: user `bob` may not delete `alice/Story`"))
        #expect(try rows(path) == before)
        r = try CLI.run(["library", "delete", "Story", "--user", "alice"] + lib)
        #expect(r.status == 0)
        #expect(r.stdout == "deleted `Story`: 3 versions, 2 ratings, 2 usage records\n")
        let library = try Library(path: path)
        #expect(try library.search(LibraryQuery(text: "story"), user: "alice").allSatisfy { $0.owner == "customui" })
        let afterDelete = try rows(path)
        #expect(afterDelete["prompt_custom_ui_ratings"]?.isEmpty == true)
        #expect(afterDelete["prompt_custom_ui_usage"]?.isEmpty == true)
        #expect(afterDelete["ai_runs"] == before["ai_runs"])
        r = try CLI.run(["library", "show", "alice/Story", "--user", "alice"] + lib)
        #expect(r.status == 1)

        // Someone else cannot import it as theirs; the owner gets back every row but bob's usage,
        // which was bob's own and never left the library in alice's export.
        r = try CLI.run(["library", "import", archive, "--user", "bob"] + lib)
        #expect(r.status == 1)
        #expect(r.stderr.contains("error[library.denied]: the archive's UI `alice/Story` belongs to `alice`"))
        r = try CLI.run(["library", "import", archive, "--user", "alice"] + lib)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("imported 1 UI with 3 versions, 2 ratings, 1 usage record, 0 runs and 0 tasks\n"))
        let restored = try rows(path)
        for table in [
            "prompt_custom_ui_lineages", "prompt_custom_uis", "prompt_custom_ui_ratings", "ai_runs", "ai_tasks",
        ] {
            #expect(Set(restored[table] ?? []) == Set(before[table] ?? []), "\(table)")
        }
        #expect(
            restored["prompt_custom_ui_usage"]
                == before["prompt_custom_ui_usage"]?.filter { $0["user_id"] == .text("alice") })
        let story = try Library(path: path).entry("Story", user: "alice")
        #expect(story.version == 3 && story.tags == ["story", "fun"] && story.category == "writing")
        #expect(
            try Library(path: path).versions("Story", user: "alice").map(\.definition.status) == [
                .active, .archived, .archived,
            ])
    }

    @Test(arguments: [
        ("{\"customui_library_export\": 1", "the archive is not valid JSON"),
        (
            "{\"customui_library_export\": 1, \"schema_version\": 1, \"tables\": {\"sqlite_master\": []}}",
            "the archive has an unknown table `sqlite_master`"
        ),
        (
            "{\"customui_library_export\": 1, \"schema_version\": 1, \"scope\": \"all\", \"tables\": {\"ai_runs\": [{\"id\": \"r\", \"evil) --\": 1}]}}",
            "the archive's `ai_runs` has an unknown column `evil) --`"
        ),
        (
            "{\"customui_library_export\": 1, \"schema_version\": 1, \"scope\": \"all\", \"tables\": {\"prompt_custom_ui_ratings\": [{\"id\": \"x\", \"custom_ui_id\": \"nope\", \"user_id\": \"a\", \"rating\": 3, \"created_at\": \"t\", \"updated_at\": \"t\"}]}}",
            "a row of `prompt_custom_ui_ratings` in the archive names a `prompt_custom_ui_lineages` row that is neither in the archive nor in the library"
        ),
        (
            "{\"customui_library_export\": 1, \"schema_version\": 1, \"scope\": \"all\", \"tables\": {\"prompt_custom_uis\": [{\"id\": \"x\"}]}}",
            "a row of `prompt_custom_uis` (`x`) in the archive is not valid: NOT NULL constraint failed"
        ),
    ])
    func aDamagedArchiveIsRefusedAndNothingIsWritten(archive: String, message: String) throws {
        let f = try Fixture()
        try f.published("Kept")
        var thrown: LibraryError?
        do { _ = try f.library.importArchive(archive, user: "alice") } catch { thrown = error }
        #expect(thrown?.code == .libraryInvalidInput)
        #expect(thrown?.message.hasPrefix(message) == true, "\(thrown?.message ?? "")")
        #expect(try rows(f.path)["prompt_custom_ui_ratings"]?.isEmpty == true)
        #expect(try rows(f.path)["prompt_custom_uis"]?.count == 1)
    }

    // MARK: - Point 12: a json-schema UI runs from the library

    @Test func aJSONSchemaUIPublishedToTheLibraryRuns() throws {
        try #require(CLI.available, "build the customui product first")
        let dir = TemporaryDirectory()
        let file = dir.file("quick.definition.json")
        try """
        { "name": "Quick form", "component_type": "json-schema", "execution_mode": "manual-with-visible-variables",
          "props_schema": { "type": "object", "properties": { "customer": { "type": "string", "title": "Customer" } } },
          "default_props": { "customer": "Ada" } }
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let lib = ["--library", dir.file("lib.sqlite"), "--user", "alice"]
        var r = try CLI.run(["publish", file, "--prompt", storyPrompt, "--public", "--activate"] + lib)
        #expect(r.status == 0, "\(r.stderr)")
        r = try CLI.run(["library", "export", "Quick form"] + lib)
        #expect(r.status == 0)
        let exported = try JSONParser.parseValue(r.stdout)
        #expect(exported["component_type"] == "json-schema")

        r = try CLI.run(
            [
                "run", "Quick form", "--prompt", storyPrompt, "--replay", storyStream, "--no-input", "--var",
                "topic=owls",
            ]
                + lib + ["--format", "html"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("<strong>Customer:</strong> Ada"))
        #expect(r.stdout.contains("The Keeper of Gull Rock"))
        // Someone else runs the public UI too; both runs are recorded with their usage.
        r = try CLI.run(
            [
                "run", "alice/Quick form", "--prompt", storyPrompt, "--replay", storyStream, "--no-input",
                "--library", dir.file("lib.sqlite"), "--user", "bob",
            ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Keeper of Gull Rock"))

        let library = try Library(path: dir.file("lib.sqlite"))
        let runs = try library.runs(RunQuery(uiReference: "Quick form"), user: "alice")
        #expect(runs.map(\.run.status) == [.completed])
        let quickRun = try #require(runs.first)
        let task = try #require(try library.run(quickRun.run.id, user: "alice").tasks.first)
        #expect(task.status == .completed)
        #expect(task.responseText.contains("The Keeper of Gull Rock"))
        #expect(try library.usage(user: "bob").map(\.success) == [true])
        #expect(try library.entry("Quick form", user: "alice").uiUseCount == 2)
    }

    // MARK: - Point 13: library files

    @Test func aForeignDatabaseWithAWALIsRefusedAndNotChanged() throws {
        let directory = TemporaryDirectory()
        let original = directory.file("original.sqlite")
        let path = directory.file("theirs.sqlite")
        do {
            // Copy the database and its WAL while the writer still has them open, as after a crash.
            let connection = try SQLiteConnection(path: original, readOnly: false, create: true)
            _ = try connection.query("PRAGMA journal_mode = WAL")
            try connection.execute("PRAGMA wal_autocheckpoint = 0")
            try connection.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT)")
            try connection.execute("PRAGMA user_version = 9")
            for i in 0..<50 { try connection.query("INSERT INTO accounts (name) VALUES (?)", ["account \(i)"]) }
            try FileManager.default.copyItem(atPath: original, toPath: path)
            try FileManager.default.copyItem(atPath: original + "-wal", toPath: path + "-wal")
        }
        let db = try #require(FileManager.default.contents(atPath: path))
        let wal = try #require(FileManager.default.contents(atPath: path + "-wal"))
        #expect(wal.count > 4096)
        var thrown: LibraryError?
        do { _ = try Library(path: path) } catch { thrown = error }
        // Its user_version of 9 is not "a newer schema": the file is not ours at all.
        #expect(thrown?.code == .libraryNotALibrary)
        #expect(thrown?.message.contains("schema") == false)
        #expect(FileManager.default.contents(atPath: path) == db)
        #expect(FileManager.default.contents(atPath: path + "-wal") == wal)
        #expect(!FileManager.default.fileExists(atPath: path + "-shm"))

        if CLI.available {
            let r = try CLI.run(["library", "list", "--library", path])
            #expect(r.status == 2)
            #expect(
                r.stderr.contains(
                    "error[library.not-a-library]: `\(path)` is an SQLite database but not a CustomUI library"))
            #expect(FileManager.default.contents(atPath: path) == db)
            #expect(FileManager.default.contents(atPath: path + "-wal") == wal)
        }
    }

    @Test func aHeldLockIsWaitedForAsLongAsTheTimeoutAndNoLonger() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("library.sqlite")
        #expect(try Library(path: path).busyTimeout == .seconds(10), "docs/library.md says 10 s")
        let library = try Library(path: path, recorderUser: "alice", busyTimeout: .seconds(1))
        final class Holder: @unchecked Sendable {
            let connection: SQLiteConnection
            init(_ connection: SQLiteConnection) { self.connection = connection }
            func execute(_ sql: String) throws { try connection.execute(sql) }
        }
        let holder = Holder(try SQLiteConnection(path: path, readOnly: false, create: false))
        try holder.execute("BEGIN IMMEDIATE")
        let start = ContinuousClock.now
        var thrown: LibraryError?
        do { _ = try library.publish(ui: template("Waits"), user: "alice") } catch { thrown = error }
        let waited = ContinuousClock.now - start
        #expect(thrown?.code == .libraryBusy)
        #expect(thrown?.message.contains("stayed locked by another process for more than 1 s") == true)
        #expect(waited >= .seconds(1))
        // Not the timeout again for each retry (that was six times it in all): one deadline.
        #expect(waited < .seconds(5))
        try holder.execute("COMMIT")
        #expect(try library.search(LibraryQuery(), user: "alice").isEmpty)

        // A lock released within the timeout is waited for, and the write goes through.
        try holder.execute("BEGIN IMMEDIATE")
        let release = Thread {
            usleep(300_000)
            try? holder.execute("COMMIT")
        }
        release.start()
        let patient = try Library(path: path, recorderUser: "alice", busyTimeout: .seconds(20))
        #expect(try patient.publish(ui: template("Waits"), user: "alice").entry.version == 1)
        while !release.isFinished { usleep(1_000) }
    }

    @Test func aNewLibraryAppearsWholeOrNotAtAll() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("new/library.sqlite")
        let library = try Library(path: path)
        #expect(try library.schemaVersion() == Library.supportedSchemaVersion)
        // No temporary file is left beside it.
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.file("new"))
        #expect(names.allSatisfy { $0.hasPrefix("library.sqlite") && !$0.contains(".new-") }, "\(names)")
        // Its header marks it ours before SQLite is asked anything.
        #expect(throws: Never.self) { try Library.checkHeader(path: path) }
    }
}
