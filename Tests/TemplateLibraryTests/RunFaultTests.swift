import CustomUI
import CustomUICore
import Foundation
import JSONSchema
import Testing

@testable import TemplateLibrary

#if canImport(Glibc)
    import Glibc
#endif

/// `customui run` against a loopback server under faults and signals (issue 15, points 1–4 and 6–8;
/// issue 16, finding 2): each test checks the exit status, the line the user sees, the text kept and
/// the task status recorded in the library.
@Suite struct RunFaultTests {
    static let story = "Examples/story-writer/story-writer.ui.xml"

    /// A library of its own and the arguments that record into it as `alice`.
    struct Fixture {
        let directory = TemporaryDirectory()
        var library: String { directory.file("lib.sqlite") }

        func run(_ extra: [String], ui: String = RunFaultTests.story) -> [String] {
            ["run", ui, "--no-input", "--library", library, "--user", "alice"] + extra
        }

        /// Every recorded run with its tasks, newest first.
        func recorded() throws -> [(run: RunRecord, tasks: [TaskRecord])] {
            let library = try Library(path: self.library, recorderUser: "alice")
            return try library.runs(RunQuery(limit: 1_000), user: "alice").map {
                try library.run($0.run.id, user: "alice")
            }
        }

        /// The only recorded run and its only task.
        func only() throws -> (run: RunRecord, task: TaskRecord) {
            let all = try recorded()
            try #require(all.count == 1, "expected one recorded run, found \(all.count)")
            let task = try #require(all[0].tasks.first)
            return (all[0].run, task)
        }

        /// A copy of the story writer's prompt with other settings.
        func prompt(settings: String) throws -> String {
            let original = try String(
                contentsOf: repositoryRoot.appendingPathComponent("Examples/story-writer/story-writer.prompt.json"),
                encoding: .utf8)
            let start = try #require(original.range(of: "\"settings\":"))
            let text = original[..<start.lowerBound] + "\"settings\": " + settings + "\n}\n"
            let path = directory.file("story.prompt.json")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        func file(_ name: String, _ text: String) throws -> String {
            let path = directory.file(name)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
    }

    static func occurrences(of needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    static func requireExecutable() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: customuiExecutable), "build the customui product first")
    }

    /// A server that streams slowly until the client goes away, names each request `req-N`, and
    /// answers `/api/ai/cancel/…` with 200.
    static func slowServer() throws -> LoopbackServer {
        final class Counter: @unchecked Sendable {
            let lock = NSLock()
            var n = 0
            func next() -> Int {
                lock.withLock {
                    n += 1; return n
                }
            }
        }
        let counter = Counter()
        return try LoopbackServer { request in
            if request.path.hasPrefix("/api/ai/cancel/") { return Script.json(status: 200, #"{"cancelled":true}"#) }
            var steps: [LoopbackStep] = [
                Script.head(extra: ["X-Request-ID": "req-\(counter.next())"]),
                Script.chunk(Script.chunkEvent("first ") + "\n"),
            ]
            for _ in 0..<300 { steps += [.pause(milliseconds: 50), Script.chunk(Script.chunkEvent("more ") + "\n")] }
            return steps
        }
    }

    // MARK: 1. Ctrl-C reaches the backend

    @Test("Ctrl-C sends the cancel to the backend before exiting; the run is recorded cancelled with its text")
    func interruptReachesTheBackend() throws {
        try Self.requireExecutable()
        let server = try Self.slowServer()
        let fixture = Fixture()
        let process = try CustomUIProcess(fixture.run(["--backend", server.baseURL]))
        #expect(process.waitForOutput("first"))
        process.signal(SIGINT)
        let status = process.wait()
        #expect(process.process.terminationReason == .exit)
        #expect(status == 1)
        #expect(
            process.stderr.contains("warning[run.cancelled]: the run was cancelled (Ctrl-C (SIGINT))"),
            "\(process.stderr)")
        #expect(server.requests(prefix: "/api/ai/cancel/req-1").count == 1, "the cancel left before the process did")
        let (run, task) = try fixture.only()
        #expect(run.status == .cancelled)
        #expect(task.status == .cancelled)
        #expect(task.responseText.hasPrefix("first "))
        #expect(process.stdout.hasPrefix("first "))
    }

    @Test(
        "Ctrl-C before the response starts still reaches the backend once the request id arrives",
        arguments: ["header", "event"])
    func interruptBeforeTheResponse(idIn: String) throws {
        try Self.requireExecutable()
        let server = try LoopbackServer { request in
            if request.path.hasPrefix("/api/ai/cancel/") { return Script.json(status: 200, "{}") }
            var steps: [LoopbackStep] = [.pause(milliseconds: 400)]
            if idIn == "header" {
                steps.append(Script.head(extra: ["X-Request-ID": "req-early"]))
            } else {
                steps += [
                    Script.head(),
                    Script.chunk(
                        #"{"event":"status_update","data":{"status":"processing","metadata":{"request_id":"req-early"}}}"#
                            + "\n"),
                ]
            }
            for _ in 0..<100 { steps += [.pause(milliseconds: 50), Script.chunk(Script.chunkEvent("late ") + "\n")] }
            return steps
        }
        let fixture = Fixture()
        let process = try CustomUIProcess(fixture.run(["--backend", server.baseURL]))
        let deadline = Date().addingTimeInterval(15)
        while server.requests(prefix: "/api/ai/chat/unified").isEmpty, Date() < deadline { usleep(5_000) }
        process.signal(SIGINT)
        let status = process.wait()
        #expect(status == 1)
        #expect(
            process.stderr.contains("warning[run.cancelled]: the run was cancelled (Ctrl-C (SIGINT))"),
            "\(process.stderr)")
        #expect(server.requests(prefix: "/api/ai/cancel/req-early").count == 1, "the cancel waited for the id")
        #expect(!process.stdout.contains("late"), "nothing after the cancel is shown")
        let (run, task) = try fixture.only()
        #expect(run.status == .cancelled)
        #expect(task.status == .cancelled)
        #expect(task.responseText == "")
    }

    // MARK: 2. SIGINT, SIGTERM and SIGHUP, 20 times each; a closed standard output

    @Test(
        "SIGINT, SIGTERM and SIGHUP mid-stream, 20 times each (SIGQUIT 5): every one cancels at the backend and is recorded cancelled"
    )
    func everySignalCancelsAtTheBackend() throws {
        try Self.requireExecutable()
        let server = try Self.slowServer()
        let fixture = Fixture()
        let rounds = 20
        var failures: [String] = []
        // SIGQUIT (Ctrl-\) is handled the same way; it gets a few rounds.
        // A regression fails after three bad rounds rather than running all 65 to their time limits.
        rounds: for (number, count) in [(SIGINT, rounds), (SIGTERM, rounds), (SIGHUP, rounds), (SIGQUIT, 5)] {
            for round in 0..<count {
                if failures.count >= 3 { break rounds }
                let before = server.requests(prefix: "/api/ai/chat/unified").count
                let process = try CustomUIProcess(fixture.run(["--backend", server.baseURL]))
                guard process.waitForOutput("first", seconds: 10) else {
                    failures.append("signal \(number) round \(round): no text arrived: \(process.stderr)")
                    process.signal(SIGKILL)
                    process.wait()
                    continue
                }
                process.signal(number)
                let status = process.wait(seconds: 10)
                let id = "req-\(before + 1)"
                if process.process.terminationReason != .exit || status != 1 {
                    failures.append(
                        "signal \(number) round \(round): status \(status) \(process.process.terminationReason)")
                }
                let name =
                    [SIGINT: "Ctrl-C (SIGINT)", SIGTERM: "SIGTERM", SIGHUP: "SIGHUP", SIGQUIT: "SIGQUIT"][number] ?? ""
                if !process.stderr.contains("warning[run.cancelled]: the run was cancelled (\(name))") {
                    failures.append("signal \(number) round \(round): \(process.stderr)")
                }
                if server.requests(prefix: "/api/ai/cancel/\(id)").count != 1 {
                    failures.append("signal \(number) round \(round): the server received no cancel for \(id)")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        guard failures.isEmpty else { return }
        #expect(server.requests(prefix: "/api/ai/cancel/").count == 3 * rounds + 5)
        let recorded = try fixture.recorded()
        #expect(recorded.count == 3 * rounds + 5)
        for (run, tasks) in recorded {
            #expect(run.status == .cancelled)
            #expect(tasks.map(\.status) == [.cancelled])
            #expect(tasks.first?.responseText.hasPrefix("first ") == true)
        }
    }

    @Test("a closed standard output (`| head`) ends the run as cancelled and tells the backend")
    func closedOutputCancels() throws {
        try Self.requireExecutable()
        let server = try Self.slowServer()
        let fixture = Fixture()
        let process = try CustomUIProcess(fixture.run(["--backend", server.baseURL]), closeStdoutAfterFirstRead: true)
        let status = process.wait()
        #expect(process.process.terminationReason == .exit, "a closed pipe must not kill the process with SIGPIPE")
        #expect(status == 1)
        #expect(
            process.stderr.contains("warning[run.cancelled]: the run was cancelled (standard output was closed)"),
            "\(process.stderr)")
        #expect(server.requests(prefix: "/api/ai/cancel/req-1").count == 1)
        let (run, task) = try fixture.only()
        #expect(run.status == .cancelled)
        #expect(task.status == .cancelled)
        #expect(task.responseText.hasPrefix("first "))
    }

    // MARK: 3. Outcomes that are true

    @Test("an `error` event that nothing recovers fails the run: exit 1, the error printed once, the text kept")
    func unrecoveredErrorFails() throws {
        try Self.requireExecutable()
        let server = try LoopbackServer { _ in
            Script.ndjson([
                Script.chunkEvent("Partial answer"),
                #"{"event":"error","data":{"error_type":"overloaded","message":"the model is overloaded"}}"#,
                #"{"event":"end","data":{"reason":"completed"}}"#,
            ])
        }
        let fixture = Fixture()
        let r = try runCustomUI(fixture.run(["--backend", server.baseURL]))
        #expect(r.status == 1)
        #expect(r.stdout.hasPrefix("Partial answer"))
        #expect(r.stderr.contains("\(server.baseURL): error[run.failed]: the model is overloaded"), "\(r.stderr)")
        #expect(Self.occurrences(of: "the model is overloaded", in: r.stderr) == 1, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("failed\n"), "the summary line names the outcome; the diagnostic names the error")
        let (run, task) = try fixture.only()
        #expect(run.status == .failed)
        #expect(task.status == .failed)
        #expect(task.responseText == "Partial answer")
        #expect(task.errors.count == 1, "the error is recorded once")
    }

    @Test("an `error` event that a later successful `completion` recovers leaves the run completed")
    func recoveredErrorCompletes() throws {
        try Self.requireExecutable()
        let server = try LoopbackServer { _ in
            Script.ndjson([
                #"{"event":"error","data":{"error_type":"tool_error","message":"search timed out"}}"#,
                Script.chunkEvent("Answer anyway"),
                #"{"event":"completion","data":{"status":"success","total_usage":{"input_tokens":3,"output_tokens":4}}}"#,
                #"{"event":"end","data":{"reason":"completed"}}"#,
            ])
        }
        let fixture = Fixture()
        let r = try runCustomUI(fixture.run(["--backend", server.baseURL]))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("Answer anyway"))
        #expect(r.stderr.contains("recovered from error: search timed out · 7 tokens · completed"), "\(r.stderr)")
        let (run, task) = try fixture.only()
        #expect(run.status == .completed, "a run takes its latest task's outcome")
        #expect(task.status == .completed)
        #expect(task.tokensTotal == 7)
    }

    @Test(
        "a `completion` whose status is `failed` and an `end` whose reason is `error` fail the run",
        arguments: [
            #"{"event":"completion","data":{"status":"failed"}}"# + "\n"
                + #"{"event":"end","data":{"reason":"completed"}}"#,
            #"{"event":"end","data":{"reason":"error"}}"#,
        ])
    func failedCompletionOrErrorEndFails(tail: String) throws {
        try Self.requireExecutable()
        let server = try LoopbackServer { _ in
            Script.ndjson([Script.chunkEvent("Some text")] + tail.split(separator: "\n").map(String.init))
        }
        let fixture = Fixture()
        let r = try runCustomUI(fixture.run(["--backend", server.baseURL]))
        #expect(r.status == 1)
        #expect(r.stdout.hasPrefix("Some text"))
        let expected =
            tail.contains("failed")
            ? "the server reported the completion as `failed`" : "the stream ended with reason `error`"
        #expect(r.stderr.contains("error[run.failed]: \(expected)"), "\(r.stderr)")
        #expect(Self.occurrences(of: expected, in: r.stderr) == 1)
        let (run, task) = try fixture.only()
        #expect(run.status == .failed)
        #expect(task.status == .failed)
        #expect(task.responseText == "Some text")
    }

    // MARK: 4. response_text while streaming; NUL bytes

    @Test("the task's text is written while streaming, so a killed run keeps what it showed")
    func killedRunKeepsItsText() throws {
        try Self.requireExecutable()
        let server = try LoopbackServer { request in
            var steps = [
                Script.head(extra: ["X-Request-ID": "req-1"]), Script.chunk(Script.chunkEvent("Hello ") + "\n"),
                .pause(milliseconds: 100),
                Script.chunk(Script.chunkEvent("world") + "\n"),
            ]
            for _ in 0..<100 {
                steps += [.pause(milliseconds: 100), Script.chunk(#"{"event":"heartbeat","data":{}}"# + "\n")]
            }
            return steps
        }
        let fixture = Fixture()
        let process = try CustomUIProcess(fixture.run(["--backend", server.baseURL]))
        #expect(process.waitForOutput("Hello world"))
        // The debounced write happens within 250 ms of the last chunk.
        Thread.sleep(forTimeInterval: 1)
        process.signal(SIGKILL)
        process.wait()
        #expect(process.process.terminationReason == .uncaughtSignal)
        let (run, task) = try fixture.only()
        #expect(task.status == .streaming, "a killed run cannot record its end")
        #expect(run.status == .active)
        #expect(task.responseText == "Hello world")
    }

    @Test("text with NUL bytes is recorded whole")
    func nulBytesAreStoredWhole() throws {
        try Self.requireExecutable()
        let server = try LoopbackServer { _ in
            Script.ndjson([#"{"event":"chunk","data":{"text":"before\u0000after"}}"#, #"{"event":"end","data":{}}"#])
        }
        let fixture = Fixture()
        let r = try runCustomUI(fixture.run(["--backend", server.baseURL]))
        #expect(r.status == 0, "\(r.stderr)")
        let (_, task) = try fixture.only()
        #expect(task.status == .completed)
        #expect(task.responseText == "before\u{0}after")
        #expect(task.responseText.utf8.count == 12)
    }

    // MARK: 6. OpenAI parameters

    @Test("`--protocol openai` sends only Chat Completions parameters and lists what it dropped with --verbose")
    func openAIGetsOnlyItsParameters() throws {
        try Self.requireExecutable()
        let server = try LoopbackServer { _ in
            Script.sse([
                #"data: {"choices":[{"delta":{"content":"Once upon a time"}}]}"# + "\n\n",
                #"data: {"choices":[{"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":4,"total_tokens":9}}"#
                    + "\n\n",
                "data: [DONE]\n\n",
            ])
        }
        let fixture = Fixture()
        let prompt = try fixture.prompt(
            settings:
                #"{ "model_id": "gpt-4o-mini", "temperature": 0.5, "max_output_tokens": 300, "top_k": 40, "stream": true, "agent_mode": "fast" }"#
        )
        let r = try runCustomUI(
            fixture.run(["--backend", server.baseURL, "--protocol", "openai", "--prompt", prompt, "--verbose"]))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("Once upon a time"))
        #expect(
            r.stderr.contains(
                "settings not sent (the OpenAI Chat Completions API has no such parameter): `agent_mode`, `top_k`"),
            "\(r.stderr)")
        let request = try #require(server.requests(prefix: "/v1/chat/completions").first)
        let body = try JSONParser.parseValue(bytes: request.body)
        let keys = Set(body.objectValue?.keys ?? [])
        #expect(
            keys == ["model", "messages", "stream", "stream_options", "temperature", "max_completion_tokens"], "\(keys)"
        )
        #expect(body["model"] == "gpt-4o-mini")
        #expect(body["max_completion_tokens"] == 300)
        let (_, task) = try fixture.only()
        #expect(task.status == .completed)
        #expect(task.responseText == "Once upon a time")
        #expect(task.requestData["model_id"] == nil, "the record holds the body that was sent")
    }

    // MARK: 7. Keep-alives reset the inactivity timeout

    @Test(
        "SSE comments and blank NDJSON lines reset the inactivity timeout; silence still times out",
        arguments: ["openai", "unified", "silent"])
    func keepAlivesResetTheTimeout(mode: String) throws {
        try Self.requireExecutable()
        let server = try LoopbackServer { _ in
            if mode == "openai" {
                var steps = [Script.head(contentType: "text/event-stream")]
                for _ in 0..<8 { steps += [.pause(milliseconds: 300), Script.chunk(": keep-alive\n\n")] }
                return steps + [
                    Script.chunk(
                        #"data: {"choices":[{"delta":{"content":"Thought about it"},"finish_reason":"stop"}]}"# + "\n\n"
                    ),
                    Script.chunk("data: [DONE]\n\n"), Script.lastChunk,
                ]
            }
            var steps = [Script.head(extra: ["X-Request-ID": "req-1"])]
            for _ in 0..<8 {
                steps += [.pause(milliseconds: 300), mode == "silent" ? .pause(milliseconds: 0) : Script.chunk("\n")]
            }
            return steps + [
                Script.chunk(Script.chunkEvent("Thought about it") + "\n" + #"{"event":"end","data":{}}"# + "\n"),
                Script.lastChunk,
            ]
        }
        let fixture = Fixture()
        let r = try runCustomUI(
            fixture.run([
                "--backend", server.baseURL, "--protocol", mode == "openai" ? "openai" : "unified", "--timeout", "1",
            ]))
        let (_, task) = try fixture.only()
        if mode == "silent" {
            #expect(r.status == 1)
            #expect(r.stderr.contains("error[run.failed]: nothing arrived from the server for 1 s"), "\(r.stderr)")
            #expect(task.status == .failed)
        } else {
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.hasPrefix("Thought about it"))
            #expect(task.status == .completed)
            #expect(task.responseText == "Thought about it")
        }
    }

    // MARK: 8. Protocol details and error sources

    @Test("`--model` on the agent protocol goes into config_overrides; the User-Agent names the version")
    func agentModelOverrideAndUserAgent() throws {
        try Self.requireExecutable()
        let server = try LoopbackServer { _ in
            Script.ndjson([Script.chunkEvent("Agent answer"), #"{"event":"end","data":{}}"#])
        }
        let fixture = Fixture()
        let r = try runCustomUI(
            fixture.run(["--backend", server.baseURL, "--protocol", "agent", "--model", "claude-3-5-haiku"]))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("Agent answer"))
        let request = try #require(server.requests(prefix: "/api/ai/agent/execute").first)
        let body = try JSONParser.parseValue(bytes: request.body)
        #expect(body["config_overrides"]?["model_id"] == "claude-3-5-haiku")
        let version = try runCustomUI(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let number = try #require(version.split(separator: " ").last)
        #expect(request.header("User-Agent") == "customui/\(number)")
        let (_, task) = try fixture.only()
        #expect(task.status == .completed)
        #expect(task.requestData["config_overrides"]?["model_id"] == "claude-3-5-haiku")
    }

    @Test("a 429 shows Retry-After; a 401 says how the token is given; each error once, named after the backend")
    func httpErrorsSayWhatToDo() throws {
        try Self.requireExecutable()
        let server = try LoopbackServer { request in
            request.header("Authorization") == nil
                ? Script.json(status: 401, #"{"detail":"Not authenticated"}"#)
                : Script.json(status: 429, #"{"error":{"message":"Rate limit reached"}}"#, extra: ["Retry-After": "30"])
        }
        let fixture = Fixture()
        let unauthorized = try runCustomUI(fixture.run(["--backend", server.baseURL]))
        #expect(unauthorized.status == 1)
        #expect(
            unauthorized.stderr.contains("\(server.baseURL): error[run.failed]: HTTP 401: Not authenticated"),
            "\(unauthorized.stderr)")
        #expect(unauthorized.stderr.contains("set `CUSTOMUI_API_TOKEN` to the server's bearer token"))
        #expect(Self.occurrences(of: "Not authenticated", in: unauthorized.stderr) == 1)
        #expect(!unauthorized.stderr.contains("<input>"))

        let limited = try runCustomUI(
            fixture.run(["--backend", server.baseURL]), environment: ["CUSTOMUI_API_TOKEN": "sk-secret-123"])
        #expect(limited.status == 1)
        #expect(
            limited.stderr.contains("error[run.failed]: HTTP 429: Rate limit reached (retry after 30 s)"),
            "\(limited.stderr)")
        #expect(limited.stderr.contains("it asks to wait 30 s before trying again"))
        #expect(Self.occurrences(of: "Rate limit reached", in: limited.stderr) == 1)
        #expect(!limited.stderr.contains("sk-secret-123"))
        let statuses = try fixture.recorded().flatMap { $0.tasks.map(\.status) }
        #expect(statuses == [.failed, .failed])
    }

    @Test("a replay's malformed line is named by file and line, once")
    func replayErrorsNameTheFileAndLine() throws {
        try Self.requireExecutable()
        let fixture = Fixture()
        let recording = try fixture.file(
            "broken.ndjson", Script.chunkEvent("Kept text") + "\n" + #"{"event":"status_update","data":{}}"# + "\n")
        let r = try runCustomUI(fixture.run(["--replay", recording]))
        #expect(r.status == 1)
        #expect(r.stdout.hasPrefix("Kept text"))
        #expect(r.stderr.contains("\(recording):2:1: error[run.failed]: line 2:"), "\(r.stderr)")
        #expect(Self.occurrences(of: "line 2:", in: r.stderr) == 1)
        #expect(!r.stderr.contains("<input>"))
        let (_, task) = try fixture.only()
        #expect(task.status == .failed)
        #expect(task.responseText == "Kept text")

        // A server `error` event in a recording is named by its line too.
        let withError = try fixture.file(
            "error.ndjson",
            [
                Script.chunkEvent("Kept"), #"{"event":"error","data":{"error_type":"x","message":"the tool broke"}}"#,
                #"{"event":"end","data":{}}"#,
            ]
            .joined(separator: "\n"))
        let e = try runCustomUI(fixture.run(["--replay", withError]))
        #expect(e.status == 1)
        #expect(e.stderr.contains("\(withError):2:1: error[run.failed]: the tool broke"), "\(e.stderr)")
        #expect(Self.occurrences(of: "the tool broke", in: e.stderr) == 1)
    }

    // MARK: Issue 16, finding 2: token counts that overflow

    @Test(
        "token counts that overflow are a clear error, not a crash (replay, unified, OpenAI)",
        arguments: ["replay", "unified", "openai"])
    func overflowingTokenCountsFailClearly(source: String) throws {
        try Self.requireExecutable()
        let max = Int.max
        let completion =
            #"{"event":"completion","data":{"status":"success","total_usage":{"input_tokens":\#(max),"output_tokens":1}}}"#
        let server = try LoopbackServer { _ in
            source == "openai"
                ? Script.sse([
                    #"data: {"choices":[{"delta":{"content":"Counted"},"finish_reason":"stop"}]}"# + "\n\n",
                    #"data: {"choices":[],"usage":{"prompt_tokens":\#(max),"completion_tokens":7}}"# + "\n\n",
                    "data: [DONE]\n\n",
                ])
                : Script.ndjson([Script.chunkEvent("Counted"), completion, #"{"event":"end","data":{}}"#])
        }
        let fixture = Fixture()
        var arguments = ["--backend", server.baseURL, "--protocol", source]
        if source == "replay" {
            arguments = [
                "--replay",
                try fixture.file(
                    "overflow.ndjson",
                    [Script.chunkEvent("Counted"), completion, #"{"event":"end","data":{}}"#].joined(separator: "\n")),
            ]
        }
        let r = try runCustomUI(fixture.run(arguments))
        #expect(r.exited, "the process must not trap")
        #expect(r.status == 1)
        #expect(r.stdout.hasPrefix("Counted"))
        #expect(
            r.stderr.contains(
                "error[run.failed]: the `completion` has unusable token counts: input tokens \(max) + output tokens"),
            "\(r.stderr)")
        let (run, task) = try fixture.only()
        #expect(task.status == .failed)
        #expect(task.responseText == "Counted")
        #expect(task.tokensTotal == nil)
        #expect(run.tokensTotal == 0)
    }
}
