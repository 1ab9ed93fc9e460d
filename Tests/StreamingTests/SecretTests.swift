import CustomUICore
import Foundation
import Testing
@testable import Streaming

@Suite("Secrets never leak", .timeLimit(.minutes(1)))
struct SecretTests {
    @Test("the configuration's description, debug description and dump redact the token")
    func configurationRedacts() throws {
        let config = TransportConfiguration(
            baseURL: URL(string: "http://127.0.0.1:1")!, environment: ["CUSTOMUI_API_TOKEN": testToken])
        #expect(config.hasToken)
        var dumped = ""
        dump(config, to: &dumped)
        for text in [config.description, config.debugDescription, String(reflecting: config), "\(config)", dumped] {
            #expect(!text.contains(testToken), "\(text)")
        }
        #expect(config.description.contains("CUSTOMUI_API_TOKEN"))
    }

    @Test("defaults: a two-minute inactivity timeout, the token from CUSTOMUI_API_TOKEN")
    func defaults() throws {
        let config = TransportConfiguration(baseURL: URL(string: "http://127.0.0.1:1/base/")!, environment: [:])
        #expect(config.timeout == .seconds(120))
        #expect(config.tokenVariable == "CUSTOMUI_API_TOKEN")
        #expect(!config.hasToken)
        #expect(config.description.contains("unset"))
        #expect(config.url("/api/ai/cancel/x").absoluteString == "http://127.0.0.1:1/base/api/ai/cancel/x")
    }

    @Test("request data for records holds no token and no headers")
    func requestDataClean() throws {
        let config = TransportConfiguration(
            baseURL: URL(string: "http://127.0.0.1:1")!, environment: ["CUSTOMUI_API_TOKEN": testToken])
        let request = ExecutionRequest(
            messages: [ChatMessage(role: "user", content: "hi")], modelID: "m", promptID: "p", conversationID: "c",
            variables: ["x": "y"])
        let transports: [any StreamTransport] = [
            UnifiedChatTransport(configuration: config), AgentTransport(configuration: config),
            OpenAITransport(configuration: config),
            ReplayTransport(file: URL(fileURLWithPath: "/tmp/r.ndjson")),
        ]
        for transport in transports {
            let text = transport.requestData(for: request).jsonText
            #expect(!text.contains(testToken))
            #expect(!text.lowercased().contains("authorization"))
            #expect(!text.lowercased().contains("bearer"))
        }
        #expect(!request.recordValue.jsonText.contains(testToken))
    }

    @Test("a server echoing the token in an HTTP error or an error event leaks nothing")
    func echoedToken() async throws {
        let server = try TestHTTPServer { request in
            let auth = request.header("Authorization") ?? ""
            if request.path == "/api/ai/agent/execute" {
                let event = StreamEvent.error(
                    StreamFailure(kind: .server, errorType: "auth", message: "bad credentials: \(auth)"))
                return Reply.ndjson([wire(event), wire(.end(reason: nil))])
            }
            let body: Value = ["detail": .string("invalid token \(auth)"), "user_message": .string(auth)]
            return Reply.json(status: 401, body.jsonText)
        }
        defer { server.stop() }
        let config = configuration(server)
        let failed = await collect(
            UnifiedChatTransport(configuration: config).events(for: ExecutionRequest(modelID: "m")))
        let failure = try #require(failed.failure)
        #expect(failure.kind == .http(status: 401))
        #expect(server.requests.first?.rawText.contains(testToken) == true, "the server did receive the token")
        var dumped = ""
        dump(failure, to: &dumped)
        for text in [
            failure.description, failure.message, failure.displayMessage, failure.value.jsonText, dumped, "\(failure)",
        ] {
            #expect(!text.contains(testToken), "\(text)")
        }
        #expect(failure.message.contains("[redacted]"))

        let streamed = await collect(
            AgentTransport(configuration: config).events(for: ExecutionRequest(promptID: "p", conversationID: "c")))
        guard case .error(let serverError)? = streamed.events.first else {
            Issue.record("expected an error event, got \(streamed.events)")
            return
        }
        #expect(!serverError.message.contains(testToken))
        #expect(serverError.message.contains("[redacted]"))
    }
}
