import CustomUICore
import Foundation
import JSONSchema
import Streaming
import Testing

@testable import CustomUI

@Suite struct SessionTests {
    static func temporaryFile(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("customui-\(UUID().uuidString).ndjson")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    static func chunks(in recording: String) -> String {
        recording.split(separator: "\n").compactMap { line -> String? in
            guard let value = try? JSONParser.parseValue(line), value["event"]?.stringValue == "chunk" else {
                return nil
            }
            return value["data"]?["text"]?.stringValue
        }.joined()
    }

    static func storySession(
        _ transport: any StreamTransport, recorder: (any RunRecorder)? = nil, limits: ResourceLimits = .default
    ) throws -> Session {
        let (template, prompt) = try compiled(
            "Examples/story-writer/story-writer.ui.xml", prompt: "Examples/story-writer/story-writer.prompt.json")
        return Session(template: template, prompt: prompt, transport: transport, recorder: recorder, limits: limits)
    }

    @Test func exampleReplayFillsTheSlotWithExactlyTheChunks() async throws {
        let path = packageRoot.appendingPathComponent("Examples/story-writer/story-writer.stream.ndjson")
        let recorder = MemoryRunRecorder()
        let session = try Self.storySession(ReplayTransport(file: path), recorder: recorder)
        let diagnostics = await session.run()
        #expect(diagnostics.isEmpty)
        let expected = Self.chunks(in: try String(contentsOf: path, encoding: .utf8))
        #expect(session.state.slots["story"] == expected)
        #expect(session.state.runStatus == "completed")
        #expect(session.state.run["usage"]?["output_tokens"]?.intValue == 2115)
        #expect(session.state.run["tool_events"]?.arrayValue?.count == 2)
        #expect(session.state.broker["genre"] == "whimsical")
        #expect(session.state.run["data"]?["citations"] != nil)
        #expect(session.state.streamingSlots.isEmpty)
        // The run record: the response, timings, tokens and the priced cost.
        let task = try #require(recorder.tasks.values.first)
        #expect(task.responseText == expected)
        #expect(task.status == .completed)
        #expect(task.tokensOut == 2115 && task.tokensIn == 96)
        #expect(task.cost == PricingTable.standard.cost(model: "gpt-4o-mini", input: 96, output: 2115))
        #expect(task.timeToFirstTokenMs != nil && task.totalTimeMs != nil)
        #expect(task.toolUpdates.count == 2)
        let run = try #require(recorder.runs.values.first)
        #expect(run.messages.first?["content"]?.stringValue?.contains("whimsical") == true)
        #expect(run.messages.last?["role"] == "assistant")
        #expect(run.variableValues["length"] == "300")
    }

    @Test func tenThousandChunksArriveExactly() async throws {
        let events = RecordedStream.sample(chunks: 10_000, duration: 1, seed: 9)
        let text = RecordedStream.text(events)
        let session = try Self.storySession(ReplayTransport(file: try Self.temporaryFile(text)))
        let texts = Locked(0)
        _ = await session.run { update in if case .text = update { texts.withLock { $0 += 1 } } }
        #expect(texts.withLock { $0 } == 10_000)
        #expect(session.state.slots["story"] == Self.chunks(in: text))
        #expect(session.markdownHTML["story"] == MarkdownHTMLRendererCheck.oneShot(Self.chunks(in: text)))
    }

    @Test func faultsKeepWhatStreamed() async throws {
        let good = #"{"event":"chunk","data":{"text":"Hello "}}"# + "\n" + #"{"event":"chunk","data":{"text":"world"}}"#
        // A malformed line: the run fails, says which line, and keeps the text before it.
        let malformed = try Self.storySession(ReplayTransport(file: try Self.temporaryFile(good + "\n{not json\n")))
        let m = await malformed.run()
        #expect(m.first?.code == .runFailed)
        #expect(m.first?.message.contains("3") == true, "\(m)")
        #expect(malformed.state.slots["story"] == "Hello world")
        #expect(malformed.state.runStatus == "failed")
        #expect(malformed.state.run["error"]?["message"] != nil)
        // No `end`: failed as well, text kept.
        let cut = try Self.storySession(ReplayTransport(file: try Self.temporaryFile(good + "\n")))
        let c = await cut.run()
        #expect(c.first?.code == .runFailed)
        #expect(cut.state.slots["story"] == "Hello world")
        // A server `error` event is shown but the stream goes on to its end.
        let serverError =
            good + "\n"
            + #"{"event":"error","data":{"error_type":"rate_limit","message":"slow down","user_message":"Busy, try again"}}"#
            + "\n" + #"{"event":"end","data":{}}"#
        let withError = try Self.storySession(ReplayTransport(file: try Self.temporaryFile(serverError)))
        _ = await withError.run()
        #expect(withError.state.run["error"]?["message"] == "Busy, try again")
        #expect(withError.state.slots["story"] == "Hello world")
    }

    @Test func missingValuesAreRefusedBeforeSending() async throws {
        let (template, prompt) = try compiled(
            "Examples/story-writer/story-writer.ui.xml", prompt: "Examples/story-writer/story-writer.prompt.json")
        let recorder = MemoryRunRecorder()
        let session = Session(
            template: template, prompt: prompt, variables: ["length": "5000"],
            transport: ReplayTransport(file: URL(fileURLWithPath: "/nonexistent")), recorder: recorder)
        let diagnostics = await session.run()
        #expect(diagnostics.first?.code == .runRefused)
        #expect(diagnostics.first?.message.contains("above the maximum") == true)
        #expect(recorder.tasks.isEmpty, "nothing is sent or recorded for a refused run")
    }

    @Test func cancellingKeepsTheTextAndRecordsIt() async throws {
        let events = RecordedStream.sample(chunks: 400, duration: 4, seed: 3)
        let recorder = MemoryRunRecorder()
        let session = try Self.storySession(
            ReplayTransport(file: try Self.temporaryFile(RecordedStream.text(events)), pace: true), recorder: recorder)
        // Read while the run writes it: locked.
        let chunks = Locked(0)
        async let outcome = session.run { update in if case .text = update { chunks.withLock { $0 += 1 } } }
        // Cancel once some text has streamed (bounded wait: the machine may be busy).
        for _ in 0..<1_000 where chunks.withLock({ $0 }) < 5 { try await Task.sleep(for: .milliseconds(10)) }
        await session.cancel()
        let diagnostics = await outcome
        #expect(diagnostics.first?.code == .runCancelled)
        #expect(session.state.runStatus == "cancelled")
        let kept = session.state.slots["story"] ?? ""
        #expect(!kept.isEmpty && kept.count < Self.chunks(in: RecordedStream.text(events)).count)
        #expect(recorder.tasks.values.first?.status == .cancelled)
        #expect(recorder.tasks.values.first?.responseText == kept)
    }

    /// A cancel that comes while a run is starting, before the transport has a stream to end (a
    /// Ctrl-C just after `customui run` starts), still ends that run; the run after it is unaffected.
    @Test func aCancelBeforeTheStreamStartsEndsTheRun() async throws {
        let events = RecordedStream.sample(chunks: 50, duration: 1, seed: 5)
        let session = try Self.storySession(
            ReplayTransport(file: try Self.temporaryFile(RecordedStream.text(events))), recorder: nil)
        await session.cancel()
        let diagnostics = await session.run()
        #expect(diagnostics.first?.code == .runCancelled)
        #expect(session.state.runStatus == "cancelled")
        let next = await session.run()
        #expect(next.isEmpty, "\(next)")
        #expect(session.state.runStatus == "completed")
    }

    @Test func followUpsCarryTheConversation() async throws {
        let reply = #"{"event":"chunk","data":{"text":"Answer."}}"# + "\n" + #"{"event":"end","data":{}}"#
        let (template, prompt) = try compiled(
            "Examples/support-reply/support-reply.ui.xml", prompt: "Examples/support-reply/support-reply.prompt.json")
        let recorder = MemoryRunRecorder()
        let session = Session(
            template: template, prompt: prompt, props: ["product": "Acme", "language": "French"],
            transport: ReplayTransport(file: try Self.temporaryFile(reply)), recorder: recorder)
        _ = await session.run(message: "My sync is stuck")
        _ = await session.run(message: "Still stuck")
        let run = try #require(recorder.runs.values.first)
        let roles = run.messages.compactMap { $0["role"]?.stringValue }
        #expect(roles == ["system", "user", "assistant", "user", "assistant"])
        #expect(run.messages.first?["content"]?.stringValue?.contains("Reply in French") == true)
        #expect(session.state.conversation.map(\.role) == ["user", "assistant", "user", "assistant"])
        #expect(session.state.run["turn"] == 2)
    }

    @Test func recordsNeverHoldTheToken() async throws {
        let recorder = MemoryRunRecorder()
        let configuration = TransportConfiguration(
            baseURL: URL(string: "http://127.0.0.1:9")!, environment: ["CUSTOMUI_API_TOKEN": "sk-secret-token-123"],
            timeout: .seconds(2))
        let session = try Self.storySession(UnifiedChatTransport(configuration: configuration), recorder: recorder)
        let diagnostics = await session.run()
        #expect(diagnostics.first?.code == .runFailed)  // connection refused on the discard port
        let dump = "\(recorder.runs)\(recorder.tasks)\(diagnostics)"
        #expect(!dump.contains("sk-secret-token-123"))
    }
}

/// The one-shot markdown HTML, to compare the incremental result against.
enum MarkdownHTMLRendererCheck {
    static func oneShot(_ text: String) -> String {
        MarkdownHTMLRendererShim.render(text)
    }
}

import Markdown

enum MarkdownHTMLRendererShim {
    static func render(_ text: String) -> String { MarkdownHTMLRenderer.render(MarkdownParser.parse(text)) }
}
