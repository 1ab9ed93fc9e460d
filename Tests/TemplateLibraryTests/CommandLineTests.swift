import CustomUI
import CustomUICore
import Foundation
import JSONSchema
import Testing

@testable import TemplateLibrary

/// The `publish`, `library` and `runs` commands end to end, through the built executable.
@Suite struct CommandLineTests {
    typealias Outcome = CLI.Outcome

    func customui(_ arguments: [String]) throws -> Outcome { try CLI.run(arguments) }

    @Test func publishListShowAndDenials() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: customuiExecutable), "build the customui product first")
        let dir = TemporaryDirectory()
        let lib = ["--library", dir.file("lib.sqlite")]
        let story = "Examples/story-writer/story-writer.ui.xml"
        var r = try customui(
            ["publish", story, "--public", "--activate", "--category", "writing", "--tag", "story", "--user", "alice"]
                + lib)
        #expect(r.status == 0)
        #expect(r.stdout.contains("published `Story writer` version 1 (active, public"))
        r = try customui(["publish", story, "--user", "alice"] + lib)
        #expect(r.status == 0)
        #expect(r.stdout.contains("unchanged: `Story writer` version 1 already has this content; nothing written"))

        r = try customui(["library", "list", "--format", "json", "--user", "bob"] + lib)
        #expect(r.status == 0)
        let json = try JSONParser.parseValue(r.stdout)
        #expect(json["uis"]?.arrayValue?.first?["name"] == "Story writer")
        #expect(json["uis"]?.arrayValue?.first?["tags"] == ["story"])

        r = try customui(["library", "search", "stor", "--user", "bob"] + lib)
        #expect(r.stdout.contains("Story writer  alice"))

        r = try customui(["library", "archive", "alice/Story writer", "--user", "bob"] + lib)
        #expect(r.status == 1)
        #expect(r.stderr.contains("error[library.denied]: user `bob` may not change `alice/Story writer`"))

        r = try customui(["library", "rate", "alice/Story writer", "4", "--user", "bob"] + lib)
        #expect(r.status == 0)
        r = try customui(["library", "rate", "alice/Story writer", "2", "--user", "bob"] + lib)
        #expect(r.stdout.contains("replaced your rating with 2"))

        r = try customui(["library", "show", "Story writer", "--user", "alice"] + lib)
        #expect(r.stdout.contains("rating:         2.00 from 1 rating"))
        #expect(r.stdout.contains("v1  active"))

        r = try customui(["runs", "list", "--user", "alice"] + lib)
        #expect(r.status == 0)
        #expect(r.stdout.contains("no runs recorded for `alice`"))
    }

    @Test func publishRefusesErrorsAndWritesNothing() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: customuiExecutable), "build the customui product first")
        let dir = TemporaryDirectory()
        let path = dir.file("lib.sqlite")
        let r = try customui([
            "publish", "Examples/invalid/unknown-element.ui.xml", "--library", path, "--user", "alice",
        ])
        #expect(r.status == 1)
        #expect(r.stderr.contains("error[template.unknown-element]: unknown element `headng`"))
        #expect(r.stderr.contains("error[library.invalid-definition]"))
        #expect(try Library(path: path).search(LibraryQuery(), user: "alice").isEmpty)
    }

    @Test func aNonLibraryFileIsAnIOError() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: customuiExecutable), "build the customui product first")
        let dir = TemporaryDirectory()
        let path = dir.file("notes.txt")
        try String(repeating: "not a database\n", count: 100).write(toFile: path, atomically: true, encoding: .utf8)
        let r = try customui(["library", "list", "--library", path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("error[library.not-a-database]"))
    }

    @Test func installStartersFromTheCheckout() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: customuiExecutable), "build the customui product first")
        let dir = TemporaryDirectory()
        let lib = ["--library", dir.file("lib.sqlite"), "--user", "customui"]
        var r = try customui(["library", "install-starters"] + lib)
        #expect(r.status == 0)
        #expect(r.stdout.contains("installed `Quick answer` version 1 (chat)"))
        r = try customui(["library", "install-starters"] + lib)
        #expect(r.stdout.contains("unchanged: `Quick answer` version 1 is already installed"))
        r = try customui(["library", "export", "Translator", "--user", "someone", "--library", dir.file("lib.sqlite")])
        #expect(r.stdout.hasPrefix("<custom-ui name=\"Translator\""))
    }

    @Test func runsListAndShowPrintTimingsTokensAndCost() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: customuiExecutable), "build the customui product first")
        let dir = TemporaryDirectory()
        let path = dir.file("lib.sqlite")
        do {
            let library = try Library(path: path, recorderUser: "alice")
            var run = RunRecord(id: "run-1", name: "Owls")
            run.status = .completed
            run.tokensTotal = 42
            run.cost = 0.0125
            try library.record(run: run)
            var task = TaskRecord(id: "task-1", runID: "run-1", service: "replay", requestData: [:])
            task.status = .completed
            task.model = "gpt-4o-mini"
            task.tokensIn = 10
            task.tokensOut = 32
            task.tokensTotal = 42
            task.cost = 0.0125
            task.timeToFirstTokenMs = 150
            task.totalTimeMs = 900
            try library.record(task: task)
        }
        var r = try customui(["runs", "list", "--library", path, "--user", "alice"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("run-1  completed"))
        #expect(r.stdout.contains("ttft 150 ms  total 900 ms  42 tokens  $0.0125  Owls"))
        r = try customui(["runs", "show", "run-1", "--library", path, "--user", "alice"])
        #expect(
            r.stdout.contains(
                "time to first token 150 ms, total 900 ms, tokens 10 in / 32 out / 42 total, cost $0.0125"))
        r = try customui(["runs", "show", "run-1", "--library", path, "--user", "bob"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("error[library.not-found]: no run `run-1` belongs to user `bob`"))
        r = try customui(["runs", "list", "--since", "yesterday", "--library", path])
        #expect(r.status == 2)
        r = try customui(["runs", "list", "--format", "json", "--library", path, "--user", "alice"])
        let json = try JSONParser.parseValue(r.stdout)
        #expect(json["runs"]?.arrayValue?.first?["time_to_first_token"] == 150)
    }
}
