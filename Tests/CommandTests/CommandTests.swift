import Foundation
import Synchronization
import Testing

/// The built `customui` executable, next to the test bundle.
let executable: URL = {
    let me = URL(
        fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0])
    return me.deletingLastPathComponent().appendingPathComponent("customui")
}()

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

struct Outcome {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// A started `customui`: its standard output a pipe to read as it streams, its standard error
/// drained on a thread of its own.
typealias Launched = (process: Process, out: Pipe, errors: DrainedPipe)

/// Starts `customui` with arguments from the repository root, with NO_COLOR so output is plain
/// and the tests' own library; `environment` adds to (or replaces) those variables.
func launchCustomUI(_ arguments: [String], environment extra: [String: String] = [:], stdin: Pipe? = nil) throws
    -> Launched
{
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = repositoryRoot
    var environment = ProcessInfo.processInfo.environment
    environment["NO_COLOR"] = "1"
    // Runs are recorded; keep them out of the user's real library.
    environment["CUSTOMUI_LIBRARY"] =
        FileManager.default.temporaryDirectory.appendingPathComponent("customui-command-tests-\(getpid()).sqlite").path
    environment.merge(extra) { _, new in new }
    process.environment = environment
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    if let stdin { process.standardInput = stdin }
    try process.run()
    // Both pipes are drained at once: a child that fills one (a sanitizer's report on stderr)
    // while the other is read to its end would wait forever.
    return (process, out, DrainedPipe(err))
}

/// Runs `customui` to its end (see `launchCustomUI`) and returns its status and output.
func customui(_ arguments: String..., stdin: String? = nil) throws -> Outcome {
    let input = Pipe()
    let launched = try launchCustomUI(arguments, stdin: input)
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    let stdoutData = launched.out.fileHandleForReading.readDataToEndOfFile()
    launched.process.waitUntilExit()
    return Outcome(
        status: launched.process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
        stderr: String(decoding: launched.errors.data, as: UTF8.self))
}

/// A pipe read to its end on a thread of its own; `data` waits for the end.
final class DrainedPipe: @unchecked Sendable {
    private var bytes = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ pipe: Pipe) {
        let handle = pipe.fileHandleForReading
        Thread {
            self.bytes = handle.readDataToEndOfFile()
            self.done.signal()
        }.start()
    }

    /// Everything written to the pipe (waits until its writers close it).
    var data: Data {
        done.wait()
        done.signal()
        return bytes
    }
}

@Suite struct ValidateCommandTests {
    @Test func validExampleExitsZero() throws {
        let r = try customui("validate", "Examples/story-writer/story-writer.ui.xml")
        #expect(r.status == 0)
        #expect(
            r.stdout.contains(
                "story-writer.ui.xml: valid (0 errors, 0 warnings, prompt Examples/story-writer/story-writer.prompt.json)"
            ))
    }

    @Test func invalidExampleExitsOneWithCaret() throws {
        let r = try customui("validate", "Examples/invalid/unknown-element.ui.xml")
        #expect(r.status == 1)
        #expect(
            r.stdout.contains(
                "Examples/invalid/unknown-element.ui.xml:8:6: error[template.unknown-element]: unknown element `headng`"
            ))
        #expect(r.stdout.contains("  |      ^~~~~~"))
        #expect(r.stdout.contains("= hint: did you mean `heading`?"))
        #expect(!r.stdout.contains("\u{1B}["), "NO_COLOR output has escape codes")
    }

    @Test func jsonFormatIsMachineReadable() throws {
        let r = try customui(
            "validate", "--format", "json", "Examples/invalid/bindings.ui.xml",
            "Examples/story-writer/story-writer.ui.xml")
        #expect(r.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let files = try #require(object["files"] as? [[String: Any]])
        #expect(files.count == 2)
        let diagnostics = try #require(files[0]["diagnostics"] as? [[String: Any]])
        let first = try #require(diagnostics.first)
        for key in ["severity", "code", "message", "line", "column", "endLine", "endColumn", "hint"] {
            #expect(first[key] != nil, "missing \(key)")
        }
        #expect((files[1]["diagnostics"] as? [Any])?.isEmpty == true)
    }

    @Test func usageAndIOErrorsExitTwo() throws {
        let missing = try customui("validate", "Examples/nope.ui.xml")
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("file `Examples/nope.ui.xml` does not exist"))
        let noFiles = try customui("validate")
        #expect(noFiles.status == 2)
        #expect(noFiles.stderr.contains("usage: customui validate"))
        let badOption = try customui("validate", "--formt", "json", "x")
        #expect(badOption.status == 2)
        #expect(badOption.stderr.contains("unknown option `--formt`"))
        let badChoice = try customui("validate", "--format", "yaml", "x")
        #expect(badChoice.status == 2)
        let unknown = try customui("valdate")
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("did you mean `validate`?"))
    }

    @Test func readsStandardInput() throws {
        let r = try customui("validate", "-", stdin: "<custom-ui name=\"x\"><view><headng/></view></custom-ui>")
        #expect(r.status == 1)
        #expect(r.stdout.contains("<stdin>:1:28: error[template.unknown-element]"))
    }

    @Test func helpListsCommands() throws {
        let r = try customui("--help")
        #expect(r.status == 0)
        for command in ["validate", "explain", "grammar"] { #expect(r.stdout.contains("  \(command)")) }
        let validateHelp = try customui("validate", "--help")
        #expect(validateHelp.stdout.hasPrefix("usage: customui validate FILE..."))
    }

    @Test func explainPrintsExampleAndOutput() throws {
        let r = try customui("explain", "a11y.image-alt")
        #expect(r.status == 0)
        #expect(r.stdout.contains("error[a11y.image-alt]: `image` has no `alt` text"))
        let bad = try customui("explain", "a11y.image-alts")
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("did you mean `a11y.image-alt`?"))
    }
}

@Suite struct RenderAndRunCommandTests {
    @Test func renderWritesACheckedPage() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("story-\(UUID().uuidString).html")
            .path
        let r = try customui(
            "render", "Examples/story-writer/story-writer.ui.xml", "--slot", "story=# Hi <there>", "--output", output)
        #expect(r.status == 0, "\(r.stderr)")
        let html = try String(contentsOfFile: output, encoding: .utf8)
        #expect(html.contains("<h1>Hi &lt;there&gt;</h1>"))
        #expect(html.contains("Content-Security-Policy"))
        let bad = try customui("render", "Examples/story-writer/story-writer.ui.xml", "--var", "length=9000")
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("error[render.invalid-variable]: `length`: 9000 is above the maximum 1000"))
    }

    /// `--output` to something that is not a regular file (a FIFO here; `/dev/null` alike) writes
    /// into it: an atomic rename would have replaced it with a regular file.
    @Test func outputToAFIFOWritesIntoIt() throws {
        let fifo = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID().uuidString).fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { unlink(fifo) }
        let received = Mutex<Data?>(nil)
        let reader = Thread {
            let data = FileHandle(forReadingAtPath: fifo)?.readDataToEndOfFile()
            received.withLock { $0 = data }
        }
        reader.start()
        let r = try customui(
            "render", "Examples/story-writer/story-writer.ui.xml", "--slot", "story=# Hi", "--output", fifo)
        #expect(r.status == 0, "\(r.stderr)")
        for _ in 0..<500 where received.withLock({ $0 == nil }) { usleep(10_000) }
        var status = stat()
        #expect(stat(fifo, &status) == 0 && status.st_mode & S_IFMT == S_IFIFO, "still a FIFO")
        let html = received.withLock { $0.map { String(decoding: $0, as: UTF8.self) } } ?? ""
        #expect(html.contains("<h1>Hi</h1>"))
    }

    @Test func runStreamsTheRecordedAnswerAsPlainTextWhenPiped() throws {
        let r = try customui("run", "Examples/story-writer/story-writer.ui.xml", "--no-input", "--no-record")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("# The Keeper of Gull Rock"))
        #expect(r.stdout.contains("She did not charge him rent."))
        #expect(r.stderr.contains("2211 tokens · completed"))
    }

    @Test func runWritesTheFinalPage() throws {
        let r = try customui(
            "run", "Examples/support-reply/support-reply.ui.xml", "--message", "Sync is stuck", "--format", "html",
            "--no-record")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            r.stdout.contains("<li class=\"cui-turn cui-user\"><p class=\"cui-role\">You</p>\n<p>Sync is stuck</p>"))
        #expect(r.stdout.contains("kb_search"))
    }

    @Test func runFailuresAreClear() throws {
        let refused = try customui(
            "run", "Examples/story-writer/story-writer.ui.xml", "--no-input", "--no-record", "--backend",
            "http://127.0.0.1:9", "--timeout", "2")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("error[run.failed]"))
        let usage = try customui(
            "run", "Examples/story-writer/story-writer.ui.xml", "--replay", "x", "--backend", "http://x")
        #expect(usage.status == 2)
        let missing = try customui(
            "run", "Examples/story-writer/story-writer.ui.xml", "--replay", "nope.ndjson", "--no-record")
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("file `nope.ndjson` does not exist"))
    }

    @Test func interruptCancelsAndKeepsTheText() throws {
        let (process, out, errors) = try launchCustomUI([
            "run", "Examples/story-writer/story-writer.ui.xml", "--pace", "--speed", "4", "--no-input", "--no-record",
        ])
        // Interrupt once the answer has started streaming (a fixed sleep races a slow start: under
        // a sanitizer on a loaded machine the process may not have set up its signal handling yet).
        var streamed = Data()
        while !String(decoding: streamed, as: UTF8.self).contains("\n") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            streamed += chunk
        }
        kill(process.processIdentifier, SIGINT)
        streamed += out.fileHandleForReading.readDataToEndOfFile()
        let stdout = String(decoding: streamed, as: UTF8.self)
        let stderr = String(decoding: errors.data, as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit, "Ctrl-C must cancel the run, not kill the process")
        #expect(process.terminationStatus == 1)
        #expect(stdout.hasPrefix("# The Keeper"))
        #expect(!stdout.contains("She did not charge him rent."))
        #expect(stderr.contains("warning[run.cancelled]"))
        #expect(stderr.contains("cancelled"))
    }
}

/// `customui format`: rewrites in place; `--check` lists and exits 1; a malformed file is left alone.
@Suite struct FormatCommandTests {
    @Test func formatRewritesAndCheckReports() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("customui-format-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let messy = dir.appendingPathComponent("messy.ui.xml").path
        let bad = dir.appendingPathComponent("bad.ui.xml").path
        try #"<custom-ui name="x"><view><text>{{props.a}}</text></view></custom-ui>"#.write(
            toFile: messy, atomically: true, encoding: .utf8)
        try "<custom-ui name=\"x\"><view>".write(toFile: bad, atomically: true, encoding: .utf8)

        let check = try customui("format", "--check", messy)
        #expect(check.status == 1)
        #expect(check.stdout.contains("messy.ui.xml: would be reformatted"))
        #expect(try String(contentsOfFile: messy, encoding: .utf8).hasPrefix("<custom-ui name=\"x\"><view>"))

        let format = try customui("format", messy)
        #expect(format.status == 0)
        #expect(
            try String(contentsOfFile: messy, encoding: .utf8)
                == "<custom-ui name=\"x\">\n  <view>\n    <text>{{ props.a }}</text>\n  </view>\n</custom-ui>\n")
        #expect(try customui("format", "--check", messy).status == 0)

        let malformed = try customui("format", bad)
        #expect(malformed.status == 1)
        #expect(malformed.stderr.contains("error[xml.malformed]"))
        #expect(try String(contentsOfFile: bad, encoding: .utf8) == "<custom-ui name=\"x\"><view>")

        let stdin = try customui("format", "-", stdin: "<custom-ui name=\"x\"><view/></custom-ui>")
        #expect(stdin.stdout == "<custom-ui name=\"x\">\n  <view/>\n</custom-ui>\n")
    }

    @Test func everyExampleAndStarterPassesCheck() throws {
        let r = try customui(
            "format", "--check", "Examples/story-writer/story-writer.ui.xml",
            "Examples/support-reply/support-reply.ui.xml",
            "Examples/article-summary/article-summary.ui.xml", "Templates/chat-assistant.ui.xml",
            "Templates/translator.ui.xml")
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    }
}

/// `validate --format json` lists fixes; `validate --fix` applies the unambiguous ones in place.
@Suite struct ValidateFixCommandTests {
    @Test func fixesInsideADefinitionsComponentCodeAreAppliedInItsJSON() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("customui-fix-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("d.definition.json").path
        let definition = #"""
            {
              "name": "d", "component_type": "template", "execution_mode": "manul",
              "props_schema": { "type": "object", "properties": { "title": { "type": "string" } } },
              "component_code": "<custom-ui>\n  <view>\n    <headng level=\"1\">{{ props.titel }}</headng>\n    <run/>\n    <slot name=\"s\"/>\n  </view>\n</custom-ui>"
            }
            """#
        try definition.write(toFile: path, atomically: true, encoding: .utf8)
        let fixed = try customui("validate", "--fix", path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(#"<heading level=\"1\">{{ props.title }}</heading>\n"#), "\(text)")
        #expect(text.contains(#""execution_mode": "manual""#))
        #expect(
            fixed.stdout.contains("d.definition.json:2:"), "fixes are listed at their JSON positions: \(fixed.stdout)")
        #expect(fixed.status == 0, "\(fixed.stdout)")
    }

    @Test func fixesAreListedAndApplied() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("customui-fix-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let ui = dir.appendingPathComponent("b.ui.xml").path
        try FileManager.default.copyItem(
            atPath: repositoryRoot.appendingPathComponent("Examples/invalid/bindings.ui.xml").path, toPath: ui)
        try FileManager.default.copyItem(
            atPath: repositoryRoot.appendingPathComponent("Examples/invalid/bindings.prompt.json").path,
            toPath: dir.appendingPathComponent("b.prompt.json").path)

        let json = try customui("validate", "--format", "json", ui)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let diagnostics = try #require((object["files"] as? [[String: Any]])?.first?["diagnostics"] as? [[String: Any]])
        let prop = try #require(diagnostics.first { $0["code"] as? String == "binding.unknown-prop" })
        let fix = try #require((prop["fixes"] as? [[String: Any]])?.first)
        let edit = try #require((fix["edits"] as? [[String: Any]])?.first)
        #expect(edit["text"] as? String == "title")
        #expect(edit["line"] as? Int == prop["line"] as? Int)
        #expect(edit["column"] as? Int == prop["column"] as? Int)
        #expect(diagnostics.allSatisfy { $0["fixes"] is [Any] })

        let fixed = try customui("validate", "--fix", ui)
        let unambiguous = diagnostics.filter { ($0["fixes"] as? [Any])?.count == 1 }.count
        #expect(unambiguous >= 4)
        #expect(fixed.stdout.contains("applied \(unambiguous) fixes"), "\(fixed.stdout)")
        #expect(fixed.stdout.contains("b.ui.xml:16:33: fixed [binding.unknown-prop]: change `titel` to `title`"))
        let text = try String(contentsOfFile: ui, encoding: .utf8)
        #expect(
            text.contains("{{ props.title }}") && text.contains("{{ vars.topic }}")
                && text.contains("{{ slots.answer }}"))
        #expect(!fixed.stdout.contains("error[binding.unknown-prop]"))
        #expect(fixed.stdout.contains("binding.type-mismatch"), "what has no fix is still reported")
        #expect(fixed.status == 1)
    }
}
