import CustomUICore
import Foundation
import Testing
@testable import Streaming

@Suite("OpenAI-compatible transport over loopback HTTP", .timeLimit(.minutes(1)))
struct OpenAITransportTests {
    let request = ExecutionRequest(
        messages: [ChatMessage(role: "system", content: "Be brief"), ChatMessage(role: "user", content: "Hi")],
        modelID: "llama3", settings: ValueObject([("temperature", 0.2), ("max_tokens", 64)]))

    static func sse(_ payloads: [String], comment: Bool = false) -> [ResponseStep] {
        var steps: [ResponseStep] = [Reply.head(contentType: "text/event-stream")]
        if comment { steps.append(Reply.chunk(": keep-alive\n\n")) }
        steps += payloads.map { Reply.chunk("data: \($0)\n\n") }
        return steps + [Reply.lastChunk]
    }

    @Test("content deltas become chunks, usage a completion, [DONE] the end")
    func happyPath() async throws {
        let server = try TestHTTPServer { _ in
            Self.sse(
                [
                    #"{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#,
                    #"{"choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}"#,
                    #"{"choices":[{"index":0,"delta":{"content":"lo ✓"},"finish_reason":null}]}"#,
                    #"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
                    #"{"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}"#,
                    "[DONE]",
                ], comment: true)
        }
        defer { server.stop() }
        let transport = OpenAITransport(configuration: configuration(server))
        let outcome = await collect(transport.events(for: request))
        #expect(outcome.failure == nil)
        #expect(
            outcome.events == [
                .chunk("Hel"), .chunk("lo ✓"),
                .completion(
                    Completion(
                        status: "stop", totalUsage: ["prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11])),
                .end(reason: "stop"),
            ])
        if case .completion(let completion)? = outcome.events.dropLast().last {
            #expect(completion.usage == TokenUsage(input: 9, output: 2, total: 11))
        }
        let received = try #require(server.requests.first)
        #expect(received.path == "/v1/chat/completions")
        #expect(received.header("Authorization") == "Bearer \(testToken)")
        let body = try #require(received.json)
        #expect(body["model"] == "llama3")
        #expect(body["stream"] == true)
        #expect(body["stream_options"] == ["include_usage": true])
        #expect(body["max_tokens"] == 64)
        #expect(body["messages"]?.arrayValue?.count == 2)
    }

    @Test("tool-call deltas become tool events with the arguments assembled")
    func toolCalls() async throws {
        let server = try TestHTTPServer { _ in
            Self.sse([
                #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}]}}]}"#,
                #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]}}]}"#,
                #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Oslo\"}"}}]}}]}"#,
                #"{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
                "[DONE]",
            ])
        }
        defer { server.stop() }
        let outcome = await collect(OpenAITransport(configuration: configuration(server)).events(for: request))
        #expect(outcome.failure == nil)
        #expect(
            outcome.events == [
                .toolEvent(
                    ToolEvent(event: "tool_call_started", callID: "call_a", toolName: "get_weather", data: ["index": 0])
                ),
                .toolEvent(
                    ToolEvent(
                        event: "tool_call_arguments", callID: "call_a", toolName: "get_weather",
                        data: ["delta": "{\"city\":"])),
                .toolEvent(
                    ToolEvent(
                        event: "tool_call_arguments", callID: "call_a", toolName: "get_weather",
                        data: ["delta": "\"Oslo\"}"])),
                .toolEvent(
                    ToolEvent(
                        event: "tool_call_ready", callID: "call_a", toolName: "get_weather",
                        data: ["arguments": "{\"city\":\"Oslo\"}"])),
                .completion(Completion(status: "tool_calls")),
                .end(reason: "tool_calls"),
            ])
    }

    @Test("an error object inside the stream becomes an error event and the end")
    func errorInStream() async throws {
        let server = try TestHTTPServer { _ in
            Self.sse([
                #"{"choices":[{"index":0,"delta":{"content":"a"}}]}"#,
                #"{"error":{"message":"context length exceeded","type":"invalid_request_error","code":"context_length_exceeded"}}"#,
            ])
        }
        defer { server.stop() }
        let outcome = await collect(OpenAITransport(configuration: configuration(server)).events(for: request))
        #expect(outcome.failure == nil)
        #expect(
            outcome.events == [
                .chunk("a"),
                .error(
                    StreamFailure(
                        kind: .server, errorType: "invalid_request_error", message: "context length exceeded",
                        code: "context_length_exceeded")),
                .end(reason: "error"),
            ])
    }

    @Test("an HTTP error with an OpenAI error body carries its message")
    func httpError() async throws {
        let body = #"{"error":{"message":"model 'nope' not found","type":"not_found_error","code":404}}"#
        let server = try TestHTTPServer { _ in Reply.json(status: 404, body) }
        defer { server.stop() }
        let outcome = await collect(OpenAITransport(configuration: configuration(server)).events(for: request))
        #expect(outcome.failure?.kind == .http(status: 404))
        #expect(outcome.failure?.message == "HTTP 404: model 'nope' not found")
        #expect(outcome.failure?.errorType == "not_found_error")
        #expect(outcome.failure?.code == "404")
    }

    @Test("invalid JSON in an event ends the run as a malformed event")
    func malformed() async throws {
        let server = try TestHTTPServer { _ in Self.sse([#"{"choices":[{"delta":{"content":"a"}}]}"#, "{nope"]) }
        defer { server.stop() }
        let outcome = await collect(OpenAITransport(configuration: configuration(server)).events(for: request))
        #expect(outcome.events == [.chunk("a")])
        #expect(outcome.failure?.kind == .malformedLine(line: 2))
    }

    @Test("a stream closed before [DONE] ends with missingEnd")
    func missingDone() async throws {
        let server = try TestHTTPServer { _ in Self.sse([#"{"choices":[{"delta":{"content":"a"}}]}"#]) }
        defer { server.stop() }
        let outcome = await collect(OpenAITransport(configuration: configuration(server)).events(for: request))
        #expect(outcome.events == [.chunk("a")])
        #expect(outcome.failure?.kind == .missingEnd)
    }

    @Test("SSE drip-fed one byte at a time still decodes, with CRLF line endings")
    func dripFeed() async throws {
        let text = "data: {\"choices\":[{\"delta\":{\"content\":\"é\"}}]}\r\n\r\ndata: [DONE]\r\n\r\n"
        let server = try TestHTTPServer { _ in
            [Reply.head(contentType: "text/event-stream")] + Array(text.utf8).map { Reply.chunk(Data([$0])) } + [
                Reply.lastChunk
            ]
        }
        defer { server.stop() }
        let outcome = await collect(OpenAITransport(configuration: configuration(server)).events(for: request))
        #expect(outcome.events == [.chunk("é"), .completion(Completion(status: "stop")), .end(reason: nil)])
    }

    @Test("cancel closes the connection and ends the stream with cancelled")
    func cancel() async throws {
        let server = try TestHTTPServer { _ in
            [
                Reply.head(contentType: "text/event-stream"),
                Reply.chunk("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"), .hang,
            ]
        }
        defer { server.stop() }
        let transport = OpenAITransport(configuration: configuration(server))
        let stream = transport.events(for: request)
        var events: [StreamEvent] = []
        var failure: StreamFailure?
        do {
            for try await event in stream {
                events.append(event)
                await transport.cancel()
            }
        } catch {
            failure = error as? StreamFailure
        }
        #expect(events == [.chunk("a")])
        #expect(failure?.kind == .cancelled)
        #expect(server.requests.count == 1)
    }
}
