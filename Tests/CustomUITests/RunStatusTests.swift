import CustomUICore
import Foundation
import Markdown
import Streaming
import Testing

@testable import CustomUI

/// What `status` and `usage` say: a finished run's own state, "Starting…" before a UI that runs on
/// mount starts, and a replay's recorded timings.
@Suite struct RunStatusTests {
    static func generated(_ mode: ExecutionMode) throws -> (CompiledTemplate, Prompt) {
        let report = Validator.validate(
            ui: SourceFile(
                path: "g.definition.json",
                text: #"{ "name": "Gen", "component_type": "json-schema", "execution_mode": "\#(mode.rawValue)" }"#),
            prompt: try repositoryFile("Examples/story-writer/story-writer.prompt.json"))
        let (template, _) = RenderPipeline.template(for: report)
        return (try #require(template), try #require(report.prompt))
    }

    static func terminal(_ template: CompiledTemplate, _ prompt: Prompt, _ state: RenderState) throws -> [String] {
        let text = try #require(
            RenderPipeline.render(
                template, prompt: prompt, state: state,
                options: RenderOptions(format: .terminal, terminal: TerminalStyle(width: 120))
            ).output)
        return text.split(separator: "\n").map(String.init)
    }

    @Test func aFinishedReplayShowsItsFinalStateAndItsRecordedTimings() async throws {
        let (template, prompt) = try Self.generated(.autoRun)
        let recording = packageRoot.appendingPathComponent("Examples/story-writer/story-writer.stream.ndjson")
        // The recording sends a `status_update` ("Thinking…") before its chunks.
        #expect(try String(contentsOf: recording, encoding: .utf8).contains("\"user_message\": \"Thinking…\""))
        let session = Session(template: template, prompt: prompt, transport: ReplayTransport(file: recording))
        #expect(await session.run().isEmpty)
        let lines = try Self.terminal(template, prompt, session.state)
        #expect(lines.contains("● Done"), "\(lines)")
        #expect(!lines.contains { $0.contains("Thinking") })
        // timing_stats of the recording: 420 ms to the first token, 30 s in all (not the 0.00 s the file took to read).
        #expect(lines.contains { $0.hasSuffix("First token: 0.42 s · Total: 30.00 s") }, "\(lines)")
        #expect(session.task?.totalTimeMs == 30_000 && session.task?.timeToFirstTokenMs == 420)
    }

    @Test func whileRunningTheProgressMessageShows() throws {
        let (template, prompt) = try Self.generated(.manual)
        var (state, _) = RenderState.initial(template, prompt: prompt)
        state.run.status = .streaming
        state.run.statusMessage = "Thinking…"
        #expect(try Self.terminal(template, prompt, state).contains("◐ Writing… — Thinking…"))
        state.run.status = .failed
        #expect(try Self.terminal(template, prompt, state).contains("✗ Failed"))
    }

    @Test(arguments: ExecutionMode.allCases)
    func beforeTheFirstRunTheStatusSaysWhatHappensNext(mode: ExecutionMode) throws {
        let (template, prompt) = try Self.generated(mode)
        let (state, _) = RenderState.initial(template, prompt: prompt)
        let expected = mode.runsOnMount ? "○ Starting…" : "○ Ready"
        #expect(try Self.terminal(template, prompt, state).contains(expected))
        let html = try #require(
            RenderPipeline.render(template, prompt: prompt, state: state, options: RenderOptions(fragment: true)).output
        )
        #expect(html.contains(mode.runsOnMount ? ">Starting…</p>" : ">Ready</p>"))
    }
}
