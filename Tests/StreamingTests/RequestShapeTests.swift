import CustomUICore
import Foundation
import JSONSchema
import Testing

@testable import Streaming

/// What the transports send and how they read what comes back (issue 15, points 6–8; issue 16,
/// finding 2), below the command line.
@Suite("request shapes, keep-alives, HTTP hints and token counts", .timeLimit(.minutes(1)))
struct RequestShapeTests {
    let request = ExecutionRequest(messages: [ChatMessage(role: "user", content: "Hi")], modelID: "gpt-4o-mini")

    @Test("settings map onto Chat Completions parameters; the rest is dropped and named")
    func chatParameters() {
        let settings = ValueObject([
            ("model_id", "gpt-4o-mini"), ("temperature", 0.3), ("max_output_tokens", 100), ("stop_sequences", ["END"]),
            ("top_k", 40), ("stream", true), ("tools", [["type": "function"]]), ("custom", "x"),
        ])
        let (parameters, dropped) = OpenAITransport.chatParameters(from: settings)
        #expect(Set(parameters.keys) == ["temperature", "max_completion_tokens", "stop", "tools"])
        #expect(parameters["max_completion_tokens"] == 100)
        #expect(parameters["stop"] == ["END"])
        #expect(dropped == ["custom", "top_k"])
        // A parameter under its own name wins over one renamed to it.
        let both = OpenAITransport.chatParameters(
            from: ValueObject([("max_output_tokens", 1), ("max_completion_tokens", 2)]))
        #expect(both.parameters["max_completion_tokens"] == 2)
        #expect(both.dropped.isEmpty)
        var withSettings = request
        withSettings.settings = settings
        let body = OpenAITransport(
            configuration: TransportConfiguration(baseURL: URL(string: "http://x")!, environment: [:])
        )
        .requestData(for: withSettings)
        #expect(body["model"] == "gpt-4o-mini")
        #expect(body["model_id"] == nil)
        #expect(body["stream"] == true)
        #expect(body["custom"] == nil)
    }

    /// 2.5 s of comments only: without them counting as activity the 1 s timeout would fire (a
    /// wide margin, so a busy machine delaying the server's pauses does not decide the outcome).
    @Test("an SSE comment every 100 ms keeps a 1 s inactivity timeout alive for 2.5 s")
    func commentsKeepAlive() async throws {
        let server = try TestHTTPServer { _ in
            var steps: [ResponseStep] = [Reply.head(contentType: "text/event-stream")]
            for _ in 0..<25 { steps += [.pause(milliseconds: 100), Reply.chunk(": still thinking\n\n")] }
            return steps + [
                Reply.chunk(#"data: {"choices":[{"delta":{"content":"ok"}}]}"# + "\n\ndata: [DONE]\n\n"),
                Reply.lastChunk,
            ]
        }
        defer { server.stop() }
        let transport = OpenAITransport(configuration: configuration(server, timeout: .milliseconds(1000)))
        let outcome = await collect(transport.events(for: request))
        #expect(outcome.failure == nil)
        #expect(outcome.text == "ok")
    }

    @Test("401 names the token variable; 429 names Retry-After; the User-Agent carries the version")
    func httpHints() async throws {
        let server = try TestHTTPServer { request in
            request.header("Authorization") == nil
                ? Reply.json(status: 401, #"{"detail":"Not authenticated"}"#)
                : Reply.json(status: 429, #"{"message":"slow down"}"#, extra: ["Retry-After": "12"])
        }
        defer { server.stop() }
        let anonymous = await collect(
            UnifiedChatTransport(configuration: configuration(server, token: nil)).events(for: request))
        #expect(anonymous.failure?.kind == .http(status: 401))
        #expect(anonymous.failure?.hint?.contains("set `CUSTOMUI_API_TOKEN`") == true)
        let limited = await collect(UnifiedChatTransport(configuration: configuration(server)).events(for: request))
        #expect(limited.failure?.message == "HTTP 429: slow down (retry after 12 s)")
        #expect(limited.failure?.hint?.contains("12 s") == true)
        #expect(server.requests.allSatisfy { $0.header("User-Agent") == "customui/\(CustomUIVersion.number)" })
        #expect(retryAfterText("Wed, 21 Oct 2026 07:28:00 GMT") == "Wed, 21 Oct 2026 07:28:00 GMT")
        #expect(retryAfterText("\u{1B}[31m") == "[31m", "control bytes from the header are dropped")
    }

    @Test(
        "token counts that cannot be added up are reported, never trapped on",
        arguments: [
            (#"{"input_tokens":9223372036854775807,"output_tokens":1}"#, "overflow"),
            (#"{"prompt_tokens":1e30,"completion_tokens":1}"#, "not a whole number"),
            (#"{"input_tokens":-5,"output_tokens":1}"#, "negative"),
            (#"{"input_tokens":2.5,"output_tokens":1}"#, "not a whole number"),
        ])
    func unusableCounts(usage: String, problem: String) throws {
        let completion = Completion(status: "success", totalUsage: try JSONParser.parseValue(usage))
        #expect(completion.usage?.problem?.contains(problem) == true, "\(String(describing: completion.usage))")
        let fine = Completion(status: "success", totalUsage: ["input_tokens": 2, "output_tokens": 3])
        #expect(fine.usage == TokenUsage(input: 2, output: 3, total: 5))
        let decimal = Completion(
            status: "success", totalUsage: try JSONParser.parseValue(#"{"input_tokens":10.0,"output_tokens":2}"#))
        #expect(
            decimal.usage == TokenUsage(input: 10, output: 2, total: 12),
            "a whole count written with a fraction is fine")
    }
}
