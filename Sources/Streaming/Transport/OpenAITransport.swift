import CustomUICore
import Foundation
import JSONSchema

/// Maps OpenAI-style chat completion chunks (server-sent events) onto the seeds' events.
///
/// `delta.content` becomes `chunk`; each tool call yields `tool_call_started` when it first appears,
/// `tool_call_arguments` for each arguments fragment and `tool_call_ready` with the whole arguments
/// when the choice finishes; `usage` is kept for the `completion` sent at `[DONE]`, followed by
/// `end` with the finish reason. An `error` object (or an `error` event) becomes an `error` event
/// followed by `end`, because such servers stop after reporting one. Public so recorded SSE bodies
/// can be decoded without a server.
public struct OpenAIEventDecoder: EventFramer, Sendable {
    private var decoder: SSEDecoder
    private var eventCount = 0
    private var finishReason: String?
    private var usage: Value?
    private var toolCalls: [Int: (id: String, name: String, arguments: String)] = [:]
    private var toolOrder: [Int] = []
    private var readyReported = false

    /// A decoder with a per-line size limit (1 MiB by default).
    public init(maxLineBytes: Int = 1 << 20) { decoder = SSEDecoder(maxLineBytes: maxLineBytes) }

    /// The events the bytes complete, then the failure that ends the stream, if any.
    public mutating func feed(_ bytes: Data) -> (events: [StreamEvent], failure: StreamFailure?) {
        let sse = decoder.feed(bytes)
        return map(sse, failure: decoder.failure)
    }

    /// The events and failure at the end of the body.
    public mutating func finish() -> (events: [StreamEvent], failure: StreamFailure?) {
        let sse = decoder.finish()
        return map(sse, failure: decoder.failure)
    }

    private mutating func map(_ sse: [ServerSentEvent], failure: StreamFailure?) -> (
        events: [StreamEvent], failure: StreamFailure?
    ) {
        var events: [StreamEvent] = []
        for event in sse {
            eventCount += 1
            let data = event.data
            if data == "[DONE]" || (data.hasSuffix("]") && data.trimmingCharacters(in: .whitespaces) == "[DONE]") {
                events.append(contentsOf: readyEvents())
                events.append(.completion(Completion(status: finishReason ?? "stop", totalUsage: usage)))
                events.append(.end(reason: finishReason))
                return (events, nil)
            }
            if data.utf8.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let value: Value
            do {
                value = try JSONParser.parseValue(bytes: data.utf8)
            } catch {
                let message =
                    "event \(eventCount): invalid JSON at column \(error.range.start.column): \(error.message)"
                return (events, StreamFailure(.malformedLine(line: eventCount), message))
            }
            if event.type == "error" || value["error"] != nil {
                events.append(.error(Self.serverError(value["error"] ?? value)))
                events.append(.end(reason: "error"))
                return (events, nil)
            }
            guard let object = value.objectValue else {
                return (
                    events,
                    StreamFailure(
                        .malformedLine(line: eventCount),
                        "event \(eventCount): expected a JSON object, found \(value.typeName)")
                )
            }
            if let usage = object["usage"], !usage.isNull { self.usage = usage }
            for choice in object["choices"]?.arrayValue ?? [] {
                let delta = choice["delta"] ?? choice["message"]
                if let text = delta?["content"]?.stringValue, !text.isEmpty { events.append(.chunk(text)) }
                for call in delta?["tool_calls"]?.arrayValue ?? [] { events.append(contentsOf: toolCall(call)) }
                if let reason = choice["finish_reason"]?.stringValue {
                    finishReason = reason
                    events.append(contentsOf: readyEvents())
                }
            }
        }
        return (events, failure)
    }

    private mutating func toolCall(_ call: Value) -> [StreamEvent] {
        let index = call["index"]?.intValue ?? toolOrder.count
        let function = call["function"]
        let fragment = function?["arguments"]?.stringValue ?? ""
        var events: [StreamEvent] = []
        if var known = toolCalls[index] {
            known.arguments += fragment
            if let name = function?["name"]?.stringValue, known.name.isEmpty { known.name = name }
            toolCalls[index] = known
            if !fragment.isEmpty {
                events.append(
                    .toolEvent(
                        ToolEvent(
                            event: "tool_call_arguments", callID: known.id, toolName: known.name,
                            data: ["delta": .string(fragment)])))
            }
        } else {
            let id = call["id"]?.stringValue ?? "call_\(index)"
            let name = function?["name"]?.stringValue ?? ""
            toolCalls[index] = (id, name, fragment)
            toolOrder.append(index)
            events.append(
                .toolEvent(
                    ToolEvent(event: "tool_call_started", callID: id, toolName: name, data: ["index": .int(index)])))
            if !fragment.isEmpty {
                events.append(
                    .toolEvent(
                        ToolEvent(
                            event: "tool_call_arguments", callID: id, toolName: name, data: ["delta": .string(fragment)]
                        )))
            }
        }
        return events
    }

    private mutating func readyEvents() -> [StreamEvent] {
        guard !readyReported, !toolOrder.isEmpty else { return [] }
        readyReported = true
        return toolOrder.compactMap { index in
            guard let call = toolCalls[index] else { return nil }
            return .toolEvent(
                ToolEvent(
                    event: "tool_call_ready", callID: call.id, toolName: call.name,
                    data: ["arguments": .string(call.arguments)]))
        }
    }

    static func serverError(_ value: Value) -> StreamFailure {
        guard let object = value.objectValue else {
            return StreamFailure(kind: .server, errorType: "server_error", message: value.stringValue ?? value.jsonText)
        }
        return StreamFailure(
            kind: .server,
            errorType: object["type"]?.stringValue ?? object["error_type"]?.stringValue ?? "server_error",
            message: object["message"]?.stringValue ?? value.jsonText, userMessage: object["user_message"]?.stringValue,
            code: codeText(object["code"]))
    }
}

/// `POST {base}/v1/chat/completions` with `stream: true`: any OpenAI-compatible server (OpenAI, Ollama,
/// llama.cpp, vLLM). The base URL is the server root, without `/v1`.
///
/// There is no server-side cancel endpoint; cancelling closes the connection, which these servers
/// take as the signal to stop generating.
public struct OpenAITransport: StreamTransport {
    /// Where and how to connect.
    public let configuration: TransportConfiguration
    /// Whether to send `stream_options: {include_usage: true}` so the last chunk reports usage.
    public var includeUsage: Bool
    private let streamer: HTTPStreamer

    /// A transport for a server.
    public init(configuration: TransportConfiguration, includeUsage: Bool = true) {
        self.configuration = configuration
        self.includeUsage = includeUsage
        streamer = HTTPStreamer(configuration: configuration)
    }

    /// `openai_chat`.
    public var service: String { "openai_chat" }

    /// `{ model, messages, stream: true, stream_options?, …parameters }`: only parameters of the Chat
    /// Completions API, mapped from the prompt's settings by `chatParameters(from:)`.
    public func requestData(for request: ExecutionRequest) -> Value {
        var body = ValueObject([
            ("model", request.modelID.map(Value.string) ?? .null),
            ("messages", .array(request.messages.map(\.value))),
            ("stream", true),
        ])
        if includeUsage { body["stream_options"] = ["include_usage": true] }
        return .object(body.merging(Self.chatParameters(from: request.settings).parameters))
    }

    /// The request parameters of the OpenAI Chat Completions API that settings may set. `model`,
    /// `messages`, `stream` and `stream_options` are the transport's own and never taken from settings.
    public static let chatCompletionsParameters: Set<String> = [
        "audio", "frequency_penalty", "logit_bias", "logprobs", "max_completion_tokens", "max_tokens", "metadata",
        "modalities", "n", "parallel_tool_calls", "prediction", "presence_penalty", "prompt_cache_key",
        "reasoning_effort", "response_format", "safety_identifier", "seed", "service_tier", "stop", "store",
        "temperature", "tool_choice", "tools", "top_logprobs", "top_p", "user", "verbosity", "web_search_options",
    ]

    /// Settings the seeds name differently, with their Chat Completions names.
    public static let renamedSettings: [String: String] = [
        "max_output_tokens": "max_completion_tokens", "stop_sequences": "stop",
    ]

    /// Settings the transport reads itself: the model id becomes `model`; streaming is always on.
    static let transportSettings: Set<String> = [
        "model_id", "ai_model_id", "model", "messages", "stream", "stream_options",
    ]

    /// The Chat Completions parameters a prompt's settings map to, and the settings dropped because
    /// the API has no such parameter (sorted), for `customui run --verbose` to list. A parameter given
    /// under its own name wins over one renamed to it.
    public static func chatParameters(from settings: ValueObject) -> (parameters: ValueObject, dropped: [String]) {
        var parameters = ValueObject()
        var dropped: [String] = []
        for (name, value) in settings where !transportSettings.contains(name) {
            if chatCompletionsParameters.contains(name) {
                parameters[name] = value
            } else if renamedSettings[name] == nil {
                dropped.append(name)
            }
        }
        for (name, value) in settings {
            if let target = renamedSettings[name], parameters[target] == nil { parameters[target] = value }
        }
        return (parameters, dropped.sorted())
    }

    /// Streams the completion's events.
    public func events(for request: ExecutionRequest) -> AsyncThrowingStream<StreamEvent, Error> {
        guard request.modelID != nil else {
            return failedStream(StreamFailure(.transport, "an OpenAI-compatible request needs a model id (`model`)"))
        }
        let urlRequest = streamer.request(
            path: "/v1/chat/completions", body: requestData(for: request), accept: "text/event-stream")
        return streamer.stream(
            urlRequest, framer: OpenAIEventDecoder(maxLineBytes: configuration.maxLineBytes), cancelPath: nil)
    }

    /// Cancels running requests by closing their connections.
    public func cancel() async {
        await streamer.cancelAll(cancelPath: nil)
    }
}
