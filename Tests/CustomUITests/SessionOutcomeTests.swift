import CustomUICore
import Foundation
import Streaming
import Testing

@testable import CustomUI

/// How a session decides a run's outcome from its events (issue 15, point 3), writes the streamed
/// text while streaming (point 4), and keeps token totals in range (issue 16, finding 2).
@Suite struct SessionOutcomeTests {
    /// Keeps every task write, in order.
    final class WriteLog: RunRecorder, @unchecked Sendable {
        private let lock = NSLock()
        private var writes: [TaskRecord] = []
        func record(run: RunRecord) throws {}
        func record(task: TaskRecord) throws { lock.withLock { writes.append(task) } }
        var tasks: [TaskRecord] { lock.withLock { writes } }
    }

    static func session(_ lines: [String], pace: Bool = false, recorder: (any RunRecorder)? = nil) throws -> Session {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "customui-outcome-\(UUID().uuidString).ndjson")
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        let (template, prompt) = try compiled(
            "Examples/support-reply/support-reply.ui.xml", prompt: "Examples/support-reply/support-reply.prompt.json")
        return Session(
            template: template, prompt: prompt, props: ["product": "Acme", "language": "French"],
            transport: ReplayTransport(file: url, pace: pace), recorder: recorder)
    }

    static let chunk = #"{"event":"chunk","data":{"text":"Answer."}}"#
    static let end = #"{"event":"end","data":{}}"#
    static let error = #"{"event":"error","data":{"error_type":"overloaded","message":"busy"}}"#
    static func completion(_ status: String) -> String { #"{"event":"completion","data":{"status":"\#(status)"}}"# }

    @Test(
        "the last word decides: an unrecovered error, a failed completion or an `error` end fail the run",
        arguments: [
            ([chunk, error, end], "failed", "busy"),
            ([chunk, error, completion("success"), end], "completed", nil),
            ([chunk, completion("failed"), end], "failed", "the server reported the completion as `failed`"),
            ([chunk, error, completion("failed"), end], "failed", "busy"),
            (
                [chunk, completion("success"), #"{"event":"end","data":{"reason":"error"}}"#], "failed",
                "the stream ended with reason `error`"
            ),
            ([chunk, completion("stop"), end], "completed", nil),
        ] as [([String], String, String?)])
    func outcomeRule(lines: [String], status: String, message: String?) async throws {
        let recorder = MemoryRunRecorder()
        let session = try Self.session(lines, recorder: recorder)
        let diagnostics = await session.run(message: "Hi")
        #expect(session.state.runStatus == status)
        #expect(diagnostics.first?.message == message)
        #expect(diagnostics.hasErrors == (status == "failed"))
        #expect(recorder.tasks.values.first?.status.rawValue == status)
        #expect(recorder.tasks.values.first?.responseText == "Answer.")
    }

    @Test("a follow-up whose tokens would overflow the conversation's total fails clearly instead of trapping")
    func followUpTotalsAreChecked() async throws {
        let half = Int.max / 2 + 1
        let usage = #"{"event":"completion","data":{"status":"success","total_usage":{"total_tokens":\#(half)}}}"#
        let recorder = MemoryRunRecorder()
        let session = try Self.session([Self.chunk, usage, Self.end], recorder: recorder)
        let first = await session.run(message: "Hi")
        #expect(first.isEmpty)
        #expect(session.run.tokensTotal == half)
        let second = await session.run(message: "Again")
        #expect(second.first?.code == .runFailed)
        #expect(second.first?.message.contains("the conversation's token total overflows") == true)
        #expect(session.state.runStatus == "failed")
        #expect(session.run.tokensTotal == half, "the total stays what it was")
        #expect(recorder.runs.values.first?.tokensTotal == half)
    }

    @Test("a cost past what a Double holds is a clear error, never `inf` in a record")
    func costOutOfRange() async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "customui-outcome-\(UUID().uuidString).ndjson")
        let usage =
            #"{"event":"completion","data":{"status":"success","total_usage":{"input_tokens":1000000,"output_tokens":1000000}}}"#
        try [Self.chunk, usage, Self.end].joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        let (template, prompt) = try compiled(
            "Examples/story-writer/story-writer.ui.xml", prompt: "Examples/story-writer/story-writer.prompt.json")
        let recorder = MemoryRunRecorder()
        let pricing = PricingTable(prices: [prompt.modelID ?? "": .init(input: 1e308, output: 1e308)])
        let session = Session(
            template: template, prompt: prompt, transport: ReplayTransport(file: url), recorder: recorder,
            pricing: pricing)
        let diagnostics = await session.run()
        #expect(diagnostics.first?.message.contains("the cost of this completion is out of range") == true)
        #expect(session.state.runStatus == "failed")
        #expect(recorder.tasks.values.first?.cost == nil)
        #expect(recorder.runs.values.first?.cost == 0)
        #expect(!session.state.run.value.jsonText.contains("inf"))
    }

    @Test("the streamed text is written while streaming, debounced, and the last write is the final one")
    func responseTextIsWrittenWhileStreaming() async throws {
        var lines: [String] = []
        for i in 0..<60 { lines.append(#"{"event":"chunk","data":{"text":"w\#(i) "},"t":\#(Double(i) * 0.02)}"#) }
        lines.append(Self.end)
        let log = WriteLog()
        let session = try Self.session(lines, pace: true, recorder: log)
        let diagnostics = await session.run(message: "Hi")
        #expect(diagnostics.isEmpty)
        let writes = log.tasks
        let streaming = writes.filter { $0.status == .streaming && !$0.responseText.isEmpty }
        let final = try #require(writes.last)
        #expect(final.status == .completed)
        #expect(!streaming.isEmpty, "text reaches the record before the run ends")
        #expect(streaming.count < 30, "writes are debounced, not one per chunk (\(streaming.count) for 60 chunks)")
        for write in streaming { #expect(final.responseText.hasPrefix(write.responseText)) }
        #expect(zip(streaming, streaming.dropFirst()).allSatisfy { $0.responseText.count <= $1.responseText.count })
    }
}
