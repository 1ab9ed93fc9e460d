import CustomUICore
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Something that runs an execution request and streams its events.
///
/// The stream yields events as they arrive and finishes after `.end`; every fault (connection refused,
/// HTTP error, malformed line, lost connection, missing `end`, inactivity timeout, cancellation)
/// finishes it by throwing a `StreamFailure`, after the events that arrived before it. Stopping the
/// iteration (cancelling the consuming task) cancels the request.
public protocol StreamTransport: Sendable {
    /// The run record's `service` name (`chat_unified`, `agent_execute`, `openai_chat`, `replay`).
    var service: String { get }
    /// The request data to record: the body this transport sends, never headers or the token.
    func requestData(for request: ExecutionRequest) -> Value
    /// Starts the request and streams its events.
    func events(for request: ExecutionRequest) -> AsyncThrowingStream<StreamEvent, Error>
    /// Cancels every request this transport has running; their streams throw `.cancelled`.
    func cancel() async
}

/// The machinery shared by the HTTP transports: request building, one call per request, cancellation.
struct HTTPStreamer: Sendable {
    let configuration: TransportConfiguration
    let registry = CallRegistry()

    func request(path: String, body: Value, accept: String) -> URLRequest {
        var request = URLRequest(url: configuration.url(path))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(accept, forHTTPHeaderField: "Accept")
        request.setValue(configuration.userAgent, forHTTPHeaderField: "User-Agent")
        if let token = configuration.token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        request.httpBody = Data(body.jsonText.utf8)
        return request
    }

    /// Streams `request`'s response through `framer`; `cancelPath` builds the server-side cancel path.
    func stream(
        _ request: URLRequest, framer: any EventFramer, cancelPath: (@Sendable (String) -> String)?
    ) -> AsyncThrowingStream<StreamEvent, Error> {
        let registry = self.registry
        let streamer = self
        let (stream, continuation) = AsyncThrowingStream<StreamEvent, Error>.makeStream()
        let call = HTTPStreamCall(
            framer: framer, timeout: configuration.timeout, token: configuration.token,
            tokenVariable: configuration.tokenVariable, onFinish: { registry.remove($0) })
        registry.add(call)
        continuation.onTermination = { termination in
            guard case .cancelled = termination else { return }
            // The consumer stopped listening: tell the server too, so it stops generating.
            Task { await streamer.cancel(call, cancelPath: cancelPath) }
        }
        call.start(request, continuation: continuation)
        return stream
    }

    func cancelAll(cancelPath: (@Sendable (String) -> String)?) async {
        await withTaskGroup(of: Void.self) { group in
            for call in registry.all() { group.addTask { await self.cancel(call, cancelPath: cancelPath) } }
        }
    }

    /// How long a cancel waits for a request id the server has not sent yet (the response's headers
    /// or first events may be on their way): half the cancel request's own limit, at most a second.
    var idWait: Duration { min(.seconds(1), configuration.cancelRequestTimeout / 2) }

    /// Ends one call's stream at once, then posts the cancel once its request id is known (waiting
    /// `idWait` for it at most). Without a cancel endpoint, closing the connection is the cancel.
    func cancel(_ call: HTTPStreamCall, cancelPath: (@Sendable (String) -> String)?) async {
        let (ended, id) = await call.cancel(
            StreamFailure(.cancelled, "the run was cancelled"), awaitingIDFor: cancelPath == nil ? .zero : idWait)
        if ended, let id, let cancelPath { await sendCancel(path: cancelPath(id)) }
    }

    /// Posts to `path` and waits for the response, at most `cancelRequestTimeout`; failures are returned, not thrown.
    @discardableResult
    func post(path: String, body: Value) async -> StreamFailure? {
        var request = request(path: path, body: body, accept: "application/json")
        let limit = configuration.cancelRequestTimeout
        request.timeoutInterval = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
        let token = configuration.token
        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        return await withCheckedContinuation { (done: CheckedContinuation<StreamFailure?, Never>) in
            let task = session.dataTask(with: request) { data, response, error in
                if let error {
                    done.resume(returning: HTTPStreamCall.failure(for: error, afterResponse: false).redacting(token))
                } else if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
                    done.resume(
                        returning: httpFailure(
                            status: http.statusCode, body: data ?? Data(),
                            retryAfter: http.value(forHTTPHeaderField: "Retry-After"),
                            tokenVariable: configuration.tokenVariable, hasToken: token != nil
                        ).redacting(token))
                } else {
                    done.resume(returning: nil)
                }
            }
            task.resume()
        }
    }

    func sendCancel(path: String) async {
        await post(path: path, body: .object(ValueObject()))
    }
}

/// Failing before any request is made still yields a stream, so callers handle one shape.
func failedStream(_ failure: StreamFailure) -> AsyncThrowingStream<StreamEvent, Error> {
    AsyncThrowingStream { $0.finish(throwing: failure) }
}

/// The seeds' cancel endpoint for a request id.
let seedCancelPath: @Sendable (String) -> String = { id in
    "/api/ai/cancel/" + (id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? id)
}

/// `POST {base}/api/ai/chat/unified`: raw messages to a model, answered with the seeds' NDJSON.
///
/// The request id for cancellation comes from the `X-Request-ID` response header, or else from the
/// first event whose payload (or its `metadata`) has a `request_id` member.
public struct UnifiedChatTransport: StreamTransport {
    /// Where and how to connect.
    public let configuration: TransportConfiguration
    private let streamer: HTTPStreamer

    /// A transport for a server.
    public init(configuration: TransportConfiguration) {
        self.configuration = configuration
        streamer = HTTPStreamer(configuration: configuration)
    }

    /// `chat_unified`.
    public var service: String { "chat_unified" }

    /// `{ messages, ai_model_id, stream: true, is_new_conversation, debug?, …settings }`.
    public func requestData(for request: ExecutionRequest) -> Value {
        var body = ValueObject([
            ("messages", .array(request.messages.map(\.value))),
            ("ai_model_id", request.modelID.map(Value.string) ?? .null),
            ("stream", true),
            ("is_new_conversation", .bool(request.isNewConversation)),
        ])
        if request.debug { body["debug"] = true }
        return .object(body.merging(request.settings))
    }

    /// Streams the chat's events.
    public func events(for request: ExecutionRequest) -> AsyncThrowingStream<StreamEvent, Error> {
        guard request.modelID != nil else {
            return failedStream(StreamFailure(.transport, "a unified chat request needs a model id (`ai_model_id`)"))
        }
        let urlRequest = streamer.request(
            path: "/api/ai/chat/unified", body: requestData(for: request), accept: "application/x-ndjson")
        return streamer.stream(
            urlRequest, framer: NDJSONFramer(maxLineBytes: configuration.maxLineBytes), cancelPath: seedCancelPath)
    }

    /// Cancels running requests locally and posts to `/api/ai/cancel/{request_id}` for each whose id is known.
    public func cancel() async {
        await streamer.cancelAll(cancelPath: seedCancelPath)
    }

    /// How many requests are still running, for tests that check nothing outlives a run.
    var runningCount: Int { streamer.registry.count }
}

/// `POST {base}/api/ai/agent/execute`: a prompt or builtin run by id with variables, answered with NDJSON.
///
/// The request id for cancellation is found as for `UnifiedChatTransport`.
public struct AgentTransport: StreamTransport {
    /// Where and how to connect.
    public let configuration: TransportConfiguration
    private let streamer: HTTPStreamer

    /// A transport for a server.
    public init(configuration: TransportConfiguration) {
        self.configuration = configuration
        streamer = HTTPStreamer(configuration: configuration)
    }

    /// `agent_execute`.
    public var service: String { "agent_execute" }

    /// `{ prompt_id, conversation_id, user_input, variables, config_overrides?, stream, debug, is_builtin, is_new_conversation }`.
    public func requestData(for request: ExecutionRequest) -> Value {
        var body = ValueObject([
            ("prompt_id", request.promptID.map(Value.string) ?? .null),
            ("conversation_id", request.conversationID.map(Value.string) ?? .null),
            ("user_input", .string(request.userInput ?? "")),
            ("variables", request.variablesValue),
        ])
        if !request.configOverrides.isEmpty { body["config_overrides"] = .object(request.configOverrides) }
        body["stream"] = true
        body["debug"] = .bool(request.debug)
        body["is_builtin"] = .bool(request.isBuiltin)
        body["is_new_conversation"] = .bool(request.isNewConversation)
        return .object(body)
    }

    /// Streams the agent's events; a request without a prompt id or conversation id fails at once.
    public func events(for request: ExecutionRequest) -> AsyncThrowingStream<StreamEvent, Error> {
        guard request.promptID != nil else {
            return failedStream(StreamFailure(.transport, "an agent request needs a prompt id (`prompt_id`)"))
        }
        guard request.conversationID != nil else {
            return failedStream(
                StreamFailure(.transport, "an agent request needs a conversation id (`conversation_id`)"))
        }
        let urlRequest = streamer.request(
            path: "/api/ai/agent/execute", body: requestData(for: request), accept: "application/x-ndjson")
        return streamer.stream(
            urlRequest, framer: NDJSONFramer(maxLineBytes: configuration.maxLineBytes), cancelPath: seedCancelPath)
    }

    /// Cancels running requests locally and posts to `/api/ai/cancel/{request_id}` for each whose id is known.
    public func cancel() async {
        await streamer.cancelAll(cancelPath: seedCancelPath)
    }

    /// Pre-warms the server's cache for a prompt (`POST /api/ai/agent/warm`); returns the failure, if any,
    /// because warming is an optimisation callers may ignore.
    @discardableResult
    public func warm(promptID: String, isBuiltin: Bool = false) async -> StreamFailure? {
        await streamer.post(
            path: "/api/ai/agent/warm",
            body: .object(ValueObject([("prompt_id", .string(promptID)), ("is_builtin", .bool(isBuiltin))])))
    }
}
