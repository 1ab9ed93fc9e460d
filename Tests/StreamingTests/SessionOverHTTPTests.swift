import CustomUI
import CustomUICore
import Foundation
import Testing

@testable import Streaming

/// Sessions over the real transports and a loopback server: for every fault, what the user sees
/// (slot text, status, error in the UI) and what the run record holds.
@Suite("Sessions over loopback HTTP", .timeLimit(.minutes(1)))
struct SessionOverHTTPTests {
    static let template = """
        <custom-ui name="Chat" execution-mode="manual-with-hidden-variables">
          <view><message-input label="Message"/><run/><cancel/><slot name="answer" format="text"/><error/><usage/></view>
        </custom-ui>
        """
    static let promptText =
        #"{"id": "p-42", "messages": [{"role": "system", "content": "Be brief."}], "settings": {"model_id": "gpt-4o-mini"}}"#

    struct Run {
        var session: Session
        var recorder: MemoryRunRecorder
        var diagnostics: [Diagnostic]
        var task: TaskRecord? { recorder.tasks.values.first }
        var shown: String { session.state.slots["answer"] ?? "" }
        var errorShown: String? { session.state.run["error"]?["message"]?.stringValue }
    }

    static func session(_ transport: any StreamTransport) throws -> (Session, MemoryRunRecorder) {
        let report = Validator.validate(
            ui: SourceFile(path: "chat.ui.xml", text: template), prompt: SourceFile(path: "p.json", text: promptText))
        let compiled = try #require(report.template, "\(report.diagnostics)")
        let recorder = MemoryRunRecorder()
        return (
            Session(template: compiled, prompt: try #require(report.prompt), transport: transport, recorder: recorder),
            recorder
        )
    }

    static func run(_ transport: any StreamTransport, message: String = "Hi") async throws -> Run {
        let (session, recorder) = try session(transport)
        let diagnostics = await session.run(message: message)
        return Run(session: session, recorder: recorder, diagnostics: diagnostics)
    }

    @Test("unified: a completed run shows the text, usage and cost, and records the request without the token")
    func completed() async throws {
        let lines = [
            wire(.chunk("Hello ")), wire(.chunk("there")),
            wire(.completion(Completion(status: "success", totalUsage: ["input_tokens": 10, "output_tokens": 2]))),
            wire(.end(reason: nil)),
        ]
        let server = try TestHTTPServer { _ in Reply.ndjson(lines) }
        defer { server.stop() }
        let r = try await Self.run(UnifiedChatTransport(configuration: configuration(server)))
        #expect(r.diagnostics.isEmpty)
        #expect(r.shown == "Hello there")
        #expect(r.session.state.runStatus == "completed")
        #expect(r.task?.status == .completed && r.task?.responseText == "Hello there")
        #expect(r.task?.tokensIn == 10 && r.task?.cost != nil)
        #expect(
            r.task?.requestData["messages"] == [
                ["role": "system", "content": "Be brief."], ["role": "user", "content": "Hi"],
            ])
        #expect(!"\(r.recorder.runs)\(r.recorder.tasks)".contains(testToken))
        #expect(server.requests.first?.header("Authorization") == "Bearer \(testToken)")
    }

    @Test("connection refused: failed, the error is shown and recorded")
    func refused() async throws {
        let port = try closedPort()
        let configuration = TransportConfiguration(
            baseURL: URL(string: "http://127.0.0.1:\(port)")!, environment: ["CUSTOMUI_API_TOKEN": testToken])
        let r = try await Self.run(UnifiedChatTransport(configuration: configuration))
        #expect(r.diagnostics.first?.code == .runFailed)
        #expect(r.session.state.runStatus == "failed")
        #expect(r.errorShown != nil)
        #expect(r.task?.status == .failed && r.task?.errors.count == 1)
        #expect(!(r.diagnostics.first?.message.contains(testToken) ?? true))
    }

    @Test("HTTP error with a JSON body: the server's message is shown")
    func httpError() async throws {
        let server = try TestHTTPServer { _ in
            Reply.json(status: 429, #"{"error": {"message": "Rate limit reached", "type": "rate_limit"}}"#)
        }
        defer { server.stop() }
        let r = try await Self.run(OpenAITransport(configuration: configuration(server)))
        #expect(r.session.state.runStatus == "failed")
        #expect(r.errorShown?.contains("Rate limit reached") == true, "\(String(describing: r.errorShown))")
        #expect(r.task?.status == .failed)
    }

    @Test("malformed line: failed at that line, the text before it kept")
    func malformed() async throws {
        let server = try TestHTTPServer { _ in
            Reply.ndjson([wire(.chunk("Kept ")), wire(.chunk("text")), "{oops", wire(.end(reason: nil))])
        }
        defer { server.stop() }
        let r = try await Self.run(AgentTransport(configuration: configuration(server)))
        #expect(r.shown == "Kept text")
        #expect(r.session.state.runStatus == "failed")
        #expect(r.errorShown?.contains("3") == true, "\(String(describing: r.errorShown))")
        #expect(r.task?.responseText == "Kept text" && r.task?.status == .failed)
    }

    @Test("connection cut mid-stream: failed, the text before it kept")
    func cut() async throws {
        let server = try TestHTTPServer { _ in
            [Reply.head(), Reply.chunk(wire(.chunk("Half an ")) + "\n"), Reply.chunk(wire(.chunk("answer")) + "\n")]
        }
        defer { server.stop() }
        let r = try await Self.run(UnifiedChatTransport(configuration: configuration(server)))
        #expect(r.shown == "Half an answer")
        #expect(r.session.state.runStatus == "failed")
        #expect(r.task?.status == .failed && r.task?.responseText == "Half an answer")
    }

    @Test("stream ending without `end`: failed, the text kept")
    func missingEnd() async throws {
        let server = try TestHTTPServer { _ in Reply.ndjson([wire(.chunk("No end"))]) }
        defer { server.stop() }
        let r = try await Self.run(UnifiedChatTransport(configuration: configuration(server)))
        #expect(r.shown == "No end")
        #expect(r.session.state.runStatus == "failed")
        #expect(r.diagnostics.first?.code == .runFailed)
    }

    @Test("one byte at a time: every byte arrives, the text is exact")
    func dripFed() async throws {
        let body =
            [wire(.chunk("Drip ")), wire(.chunk("fed ")), wire(.chunk("text")), wire(.end(reason: nil))].joined(
                separator: "\n") + "\n"
        let server = try TestHTTPServer { _ in
            [Reply.head(chunked: false)]
                + body.utf8.flatMap { [ResponseStep.write(Data([$0])), .pause(milliseconds: 1)] }
        }
        defer { server.stop() }
        let seen = Locked([String]())
        let (session, recorder) = try Self.session(UnifiedChatTransport(configuration: configuration(server)))
        _ = await session.run(message: "Hi") { update in
            if case .text(_, let t) = update { seen.withLock { $0.append(t) } }
        }
        #expect(seen.withLock { $0 } == ["Drip ", "fed ", "text"])
        #expect(session.state.slots["answer"] == "Drip fed text")
        #expect(recorder.tasks.values.first?.status == .completed)
    }

    @Test("cancel: the cancel request names the run's request id; the text so far is kept")
    func cancelled() async throws {
        let gate = Gate()
        let server = try TestHTTPServer { request in
            if request.path.hasPrefix("/api/ai/cancel/") { return Reply.json(status: 200, #"{"cancelled": true}"#) }
            return [
                Reply.head(extra: ["X-Request-ID": "req-77"]), Reply.chunk(wire(.chunk("Before cancel")) + "\n"),
                .wait(gate), .hang,
            ]
        }
        defer {
            gate.open()
            server.stop()
        }
        let (session, recorder) = try Self.session(UnifiedChatTransport(configuration: configuration(server)))
        // Read while the run writes it: locked.
        let sawText = Locked(false)
        async let diagnostics = session.run(message: "Hi") { update in
            if case .text = update { sawText.withLock { $0 = true } }
        }
        for _ in 0..<200 where !sawText.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        await session.cancel()
        let result = await diagnostics
        #expect(result.first?.code == .runCancelled)
        #expect(session.state.slots["answer"] == "Before cancel")
        #expect(session.state.runStatus == "cancelled")
        #expect(recorder.tasks.values.first?.status == .cancelled)
        let cancel = await server.request(path: "/api/ai/cancel/req-77")
        #expect(cancel?.method == "POST")
    }

    @Test("timeout: silence after some text fails the run, the text kept; heartbeats keep it alive")
    func timeout() async throws {
        let server = try TestHTTPServer { _ in
            [
                Reply.head(), Reply.chunk(wire(.chunk("Partial")) + "\n"),
                Reply.chunk(wire(.heartbeat(timestamp: nil)) + "\n"), .pause(milliseconds: 150),
                Reply.chunk(wire(.heartbeat(timestamp: nil)) + "\n"), .pause(milliseconds: 150),
                Reply.chunk(wire(.chunk(" answer")) + "\n"), .hang,
            ]
        }
        defer { server.stop() }
        let r = try await Self.run(
            UnifiedChatTransport(configuration: configuration(server, timeout: .milliseconds(250))))
        #expect(r.shown == "Partial answer")
        #expect(r.session.state.runStatus == "failed")
        #expect(r.task?.status == .failed)
        #expect(r.task?.errors.first?["error_type"] != nil)
    }
}
