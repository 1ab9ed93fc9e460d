import CustomUICore
import Foundation
import Testing
@testable import Streaming

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

@Suite("Calls release their resources", .timeLimit(.minutes(1)))
struct LifetimeTests {
    @Test("a finished call is freed (its session released the delegate) and leaves the registry")
    func callIsFreed() async throws {
        let server = try TestHTTPServer { _ in Reply.ndjson([wire(.chunk("a")), wire(.end(reason: nil))]) }
        defer { server.stop() }
        weak var weakCall: HTTPStreamCall?
        do {
            let (stream, continuation) = AsyncThrowingStream<StreamEvent, Error>.makeStream()
            let call = HTTPStreamCall(framer: NDJSONFramer(maxLineBytes: 1 << 20), timeout: .seconds(5), token: nil) {
                _ in
            }
            weakCall = call
            var request = URLRequest(url: server.baseURL.appendingPathComponent("stream"))
            request.httpMethod = "POST"
            call.start(request, continuation: continuation)
            let outcome = await collect(stream)
            #expect(outcome.events == [.chunk("a"), .end(reason: nil)])
        }
        for _ in 0..<200 where weakCall != nil { try await Task.sleep(for: .milliseconds(10)) }
        #expect(weakCall == nil)
    }

    @Test("finished, failed and cancelled runs all leave the transport with nothing running")
    func registryEmpties() async throws {
        let server = try TestHTTPServer { request in
            switch request.path {
            case "/api/ai/chat/unified": return Reply.ndjson([wire(.chunk("a")), "{bad"])
            default: return Reply.json(status: 200, "{}")
            }
        }
        defer { server.stop() }
        let transport = UnifiedChatTransport(configuration: configuration(server))
        let outcome = await collect(transport.events(for: ExecutionRequest(modelID: "m")))
        #expect(outcome.failure?.kind == .malformedLine(line: 2))
        #expect(transport.runningCount == 0)
    }
}
