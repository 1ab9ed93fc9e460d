import CustomUICore
import Foundation
import Testing
@testable import Streaming

@Suite("Seed transports over loopback HTTP", .timeLimit(.minutes(1)))
struct SeedTransportTests {
    let request = ExecutionRequest(
        messages: [ChatMessage(role: "user", content: "Hi")], modelID: "gpt-test",
        settings: ValueObject([("temperature", 0.5)]))

    @Test("unified chat: request shape, bearer header and every event in order")
    func unifiedHappyPath() async throws {
        let lines = sampleEvents.map(wire)
        let server = try TestHTTPServer { _ in Reply.ndjson(lines) }
        defer { server.stop() }
        let transport = UnifiedChatTransport(configuration: configuration(server))
        let outcome = await collect(transport.events(for: request))
        #expect(outcome.failure == nil)
        #expect(outcome.otherError == nil)
        #expect(outcome.events == sampleEvents)
        let received = try #require(server.requests.first)
        #expect(received.method == "POST")
        #expect(received.path == "/api/ai/chat/unified")
        #expect(received.header("Authorization") == "Bearer \(testToken)")
        #expect(received.header("Content-Type") == "application/json")
        let body = try #require(received.json)
        #expect(body["messages"] == [["role": "user", "content": "Hi"]])
        #expect(body["ai_model_id"] == "gpt-test")
        #expect(body["stream"] == true)
        #expect(body["temperature"] == 0.5)
        #expect(body == transport.requestData(for: request))
    }

    @Test("agent execute: prompt id, conversation id, user input and sorted variables")
    func agentHappyPath() async throws {
        let server = try TestHTTPServer { _ in Reply.ndjson([wire(.chunk("ok")), wire(.end(reason: nil))]) }
        defer { server.stop() }
        let transport = AgentTransport(configuration: configuration(server))
        let agentRequest = ExecutionRequest(
            promptID: "p-1", conversationID: "conv-1", userInput: "go", variables: ["b": "2", "a": "1"])
        let outcome = await collect(transport.events(for: agentRequest))
        #expect(outcome.events == [.chunk("ok"), .end(reason: nil)])
        #expect(outcome.failure == nil)
        let received = try #require(server.requests.first)
        #expect(received.path == "/api/ai/agent/execute")
        #expect(received.header("Authorization") == "Bearer \(testToken)")
        let body = try #require(received.json)
        #expect(body["prompt_id"] == "p-1")
        #expect(body["conversation_id"] == "conv-1")
        #expect(body["user_input"] == "go")
        #expect(body["variables"]?.objectValue?.keys == ["a", "b"])
        #expect(body["stream"] == true)
        #expect(body["is_builtin"] == false)
    }

    @Test("agent requests without a prompt id fail before any request is made")
    func agentNeedsPrompt() async throws {
        let server = try TestHTTPServer { _ in [] }
        defer { server.stop() }
        let outcome = await collect(
            AgentTransport(configuration: configuration(server)).events(for: ExecutionRequest(conversationID: "c")))
        #expect(outcome.failure?.kind == .transport)
        #expect(outcome.failure?.message.contains("prompt id") == true)
        #expect(server.requests.isEmpty)
    }

    @Test("warm posts the prompt id to /api/ai/agent/warm")
    func warm() async throws {
        let server = try TestHTTPServer { _ in Reply.json(status: 200, "{}") }
        defer { server.stop() }
        let failure = await AgentTransport(configuration: configuration(server)).warm(promptID: "p-9")
        #expect(failure == nil)
        let received = try #require(server.requests.first)
        #expect(received.path == "/api/ai/agent/warm")
        #expect(received.json?["prompt_id"] == "p-9")
    }

    @Test("no token in the environment means no Authorization header")
    func noToken() async throws {
        let server = try TestHTTPServer { _ in Reply.ndjson([wire(.end(reason: nil))]) }
        defer { server.stop() }
        _ = await collect(UnifiedChatTransport(configuration: configuration(server, token: nil)).events(for: request))
        #expect(server.requests.first?.header("Authorization") == nil)
    }

    @Test("redirects are not followed, so the token never goes elsewhere")
    func redirectRefused() async throws {
        let server = try TestHTTPServer { request in
            if request.path == "/elsewhere" { return Reply.ndjson([wire(.end(reason: nil))]) }
            return Reply.json(status: 307, #"{"detail":"moved"}"#, extra: ["Location": "/elsewhere"])
        }
        defer { server.stop() }
        let outcome = await collect(UnifiedChatTransport(configuration: configuration(server)).events(for: request))
        #expect(outcome.failure?.kind == .http(status: 307))
        #expect(server.requests.map(\.path) == ["/api/ai/chat/unified"])
    }

    @Test("connection refused ends the run with connectionRefused")
    func connectionRefused() async throws {
        let port = try closedPort()
        let config = TransportConfiguration(
            baseURL: URL(string: "http://127.0.0.1:\(port)")!, environment: [:], timeout: .seconds(5))
        let outcome = await collect(UnifiedChatTransport(configuration: config).events(for: request))
        #expect(outcome.events.isEmpty)
        #expect(outcome.failure?.kind == .connectionRefused)
        #expect(outcome.failure?.diagnosticCode == "stream.connection-refused")
    }

    @Test(
        "HTTP errors carry the server's message from their JSON body",
        arguments: [
            (
                422, #"{"detail":[{"loc":["body","messages"],"msg":"field required"}]}"#, "HTTP 422: field required",
                nil as String?
            ),
            (500, #"{"detail":"model crashed"}"#, "HTTP 500: model crashed", nil),
            (
                429, #"{"error_type":"rate_limit","message":"too many","user_message":"Slow down","code":"RL1"}"#,
                "HTTP 429: too many", "Slow down"
            ),
            (503, #"{"error":{"message":"overloaded","type":"server_error"}}"#, "HTTP 503: overloaded", nil),
            (502, "Bad gateway from proxy", "HTTP 502: Bad gateway from proxy", nil),
        ])
    func httpErrors(status: Int, body: String, message: String, userMessage: String?) async throws {
        let server = try TestHTTPServer { _ in Reply.json(status: status, body) }
        defer { server.stop() }
        let outcome = await collect(UnifiedChatTransport(configuration: configuration(server)).events(for: request))
        #expect(outcome.events.isEmpty)
        #expect(outcome.failure?.kind == .http(status: status))
        #expect(outcome.failure?.message == message)
        #expect(outcome.failure?.userMessage == userMessage)
    }

    @Test("a connection cut mid-stream ends with connectionLost after delivering what came before")
    func cutMidStream() async throws {
        let server = try TestHTTPServer { _ in
            [
                Reply.head(), Reply.chunk(wire(.chunk("first")) + "\n"), Reply.chunk(wire(.chunk("second")) + "\n"),
                .pause(milliseconds: 50), .write(Data("40\r\n{\"event\":\"chu".utf8)),
            ]
        }
        defer { server.stop() }
        let outcome = await collect(UnifiedChatTransport(configuration: configuration(server)).events(for: request))
        #expect(outcome.events == [.chunk("first"), .chunk("second")])
        #expect(outcome.failure?.kind == .connectionLost)
    }

    @Test("a stream that ends without `end` ends with missingEnd")
    func missingEnd() async throws {
        let server = try TestHTTPServer { _ in
            [Reply.head(chunked: false), .write(Data((wire(.chunk("a")) + "\n" + wire(.chunk("b")) + "\n").utf8))]
        }
        defer { server.stop() }
        let outcome = await collect(UnifiedChatTransport(configuration: configuration(server)).events(for: request))
        #expect(outcome.events == [.chunk("a"), .chunk("b")])
        #expect(outcome.failure?.kind == .missingEnd)
    }

    @Test("a malformed line ends the run with its line number after the events before it")
    func malformedLine() async throws {
        let server = try TestHTTPServer { _ in Reply.ndjson([wire(.chunk("a")), "", "{oops", wire(.end(reason: nil))]) }
        defer { server.stop() }
        let outcome = await collect(UnifiedChatTransport(configuration: configuration(server)).events(for: request))
        #expect(outcome.events == [.chunk("a")])
        #expect(outcome.failure?.kind == .malformedLine(line: 3))
        #expect(outcome.failure?.message.hasPrefix("line 3: invalid JSON") == true)
    }

    @Test("error events pass through and the stream goes on to `end`")
    func serverErrorEvent() async throws {
        let error = StreamEvent.error(
            StreamFailure(kind: .server, errorType: "tool_failed", message: "boom", userMessage: "Sorry"))
        let server = try TestHTTPServer { _ in
            Reply.ndjson([wire(.chunk("a")), wire(error), wire(.end(reason: "error"))])
        }
        defer { server.stop() }
        let outcome = await collect(UnifiedChatTransport(configuration: configuration(server)).events(for: request))
        #expect(outcome.events == [.chunk("a"), error, .end(reason: "error")])
        #expect(outcome.failure == nil)
    }

    @Test("bytes drip-fed one at a time are delivered before the response ends")
    func dripFeed() async throws {
        let gate = Gate()
        let first = Array((wire(.chunk("drip ✓")) + "\n").utf8)
        let server = try TestHTTPServer { _ in
            [Reply.head()] + first.flatMap { [Reply.chunk(Data([$0])), .pause(milliseconds: 2)] }
                + [.wait(gate), Reply.chunk(wire(.end(reason: nil)) + "\n"), Reply.lastChunk]
        }
        defer {
            gate.open()
            server.stop()
        }
        let stream = UnifiedChatTransport(configuration: configuration(server)).events(for: request)
        let outcome: Outcome = await withTaskGroup(of: Outcome?.self) { group in
            group.addTask {
                var events: [StreamEvent] = []
                do {
                    for try await event in stream {
                        events.append(event)
                        // The rest of the response is held back until the first event is seen here.
                        if events.count == 1 { gate.open() }
                    }
                    return Outcome(events: events)
                } catch {
                    return Outcome(events: events, failure: error as? StreamFailure)
                }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(8))
                return nil
            }
            let result = await group.next() ?? nil
            group.cancelAll()
            return result ?? Outcome(events: [], otherError: "the first event never arrived before the response ended")
        }
        #expect(outcome.otherError == nil)
        #expect(outcome.events == [.chunk("drip ✓"), .end(reason: nil)])
    }

    @Test("heartbeats every 50 ms keep a 200 ms inactivity timeout alive")
    func heartbeatsKeepAlive() async throws {
        let server = try TestHTTPServer { _ in
            var steps: [ResponseStep] = [Reply.head()]
            for _ in 0..<12 {
                steps += [.pause(milliseconds: 50), Reply.chunk(wire(.heartbeat(timestamp: nil)) + "\n")]
            }
            return steps + [Reply.chunk(wire(.end(reason: nil)) + "\n"), Reply.lastChunk]
        }
        defer { server.stop() }
        let config = configuration(server, timeout: .milliseconds(200))
        let outcome = await collect(UnifiedChatTransport(configuration: config).events(for: request))
        #expect(outcome.failure == nil)
        #expect(outcome.events.count == 13)
        #expect(outcome.events.last == .end(reason: nil))
    }

    @Test("silence trips the inactivity timeout, keeping what arrived")
    func silenceTimesOut() async throws {
        let server = try TestHTTPServer { _ in [Reply.head(), Reply.chunk(wire(.chunk("a")) + "\n"), .hang] }
        defer { server.stop() }
        let config = configuration(server, timeout: .milliseconds(200))
        let outcome = await collect(UnifiedChatTransport(configuration: config).events(for: request), within: 60)
        #expect(outcome.events == [.chunk("a")])
        #expect(outcome.failure?.kind == .timeout)
    }

    @Test("a server that never answers trips the timeout too")
    func neverAnswers() async throws {
        let server = try TestHTTPServer { _ in [.hang] }
        defer { server.stop() }
        let outcome = await collect(
            UnifiedChatTransport(configuration: configuration(server, timeout: .milliseconds(200))).events(
                for: request), within: 60)
        #expect(outcome.events.isEmpty)
        #expect(outcome.failure?.kind == .timeout)
    }

    @Test("cancel posts to /api/ai/cancel/{request_id} with the id from the X-Request-ID header")
    func cancelWithHeaderID() async throws {
        let server = try TestHTTPServer { request in
            if request.path.hasPrefix("/api/ai/cancel/") { return Reply.json(status: 200, #"{"cancelled":true}"#) }
            return [Reply.head(extra: ["X-Request-ID": "req-42"]), Reply.chunk(wire(.chunk("a")) + "\n"), .hang]
        }
        defer { server.stop() }
        let transport = UnifiedChatTransport(configuration: configuration(server))
        let outcome = await cancelAfterFirstEvent(transport)
        #expect(outcome.events == [.chunk("a")])
        #expect(outcome.failure?.kind == .cancelled)
        let cancel = try #require(await server.request(path: "/api/ai/cancel/req-42"))
        #expect(cancel.method == "POST")
        #expect(cancel.header("Authorization") == "Bearer \(testToken)")
    }

    @Test("without the header, the request id comes from the first event carrying `request_id`")
    func cancelWithEventID() async throws {
        let status = StreamEvent.statusUpdate(StatusUpdate(status: "started", metadata: ["request_id": "req-7"]))
        let server = try TestHTTPServer { request in
            if request.path.hasPrefix("/api/ai/cancel/") { return Reply.json(status: 200, "{}") }
            return [Reply.head(), Reply.chunk(wire(status) + "\n"), .hang]
        }
        defer { server.stop() }
        let outcome = await cancelAfterFirstEvent(
            AgentTransport(configuration: configuration(server)),
            request: ExecutionRequest(promptID: "p", conversationID: "c"))
        #expect(outcome.events == [status])
        #expect(outcome.failure?.kind == .cancelled)
        #expect(await server.request(path: "/api/ai/cancel/req-7") != nil)
    }

    @Test("a consumer that stops listening cancels the request on the server too")
    func consumerStops() async throws {
        let server = try TestHTTPServer { request in
            if request.path.hasPrefix("/api/ai/cancel/") { return Reply.json(status: 200, "{}") }
            return [Reply.head(extra: ["X-Request-ID": "req-gone"]), Reply.chunk(wire(.chunk("a")) + "\n"), .hang]
        }
        defer { server.stop() }
        let transport = UnifiedChatTransport(configuration: configuration(server))
        let consumer = Task {
            for try await event in transport.events(for: request) {
                if case .chunk = event { return true }
            }
            return false
        }
        #expect(try await consumer.value)
        #expect(await server.request(path: "/api/ai/cancel/req-gone") != nil)
        for _ in 0..<200 where transport.runningCount > 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(transport.runningCount == 0)
    }

    func cancelAfterFirstEvent(_ transport: some StreamTransport, request: ExecutionRequest? = nil) async -> Outcome {
        let stream = transport.events(for: request ?? self.request)
        return await withTaskGroup(of: Outcome?.self) { group in
            group.addTask {
                var events: [StreamEvent] = []
                do {
                    for try await event in stream {
                        events.append(event)
                        if events.count == 1 { await transport.cancel() }
                    }
                    return Outcome(events: events)
                } catch {
                    return Outcome(events: events, failure: error as? StreamFailure)
                }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(8))
                return nil
            }
            let result = await group.next() ?? nil
            group.cancelAll()
            return result ?? Outcome(events: [], otherError: "timed out")
        }
    }
}
