import CustomUICore

/// One event of the seeds' Stream Event Protocol, shared by every endpoint and transport.
///
/// Each payload keeps the members it does not know in `extra`, so a newer server's fields survive a
/// round trip into run records and recordings.
public enum StreamEvent: Sendable, Hashable {
    /// Incremental response text, passed on as soon as it arrives.
    case chunk(String)
    /// Progress reported by the server.
    case statusUpdate(StatusUpdate)
    /// A step in a tool call's lifecycle.
    case toolEvent(ToolEvent)
    /// The final status with usage and timing statistics.
    case completion(Completion)
    /// An arbitrary data payload, kept whole.
    case data(Value)
    /// An error the server reported inside the stream (its kind is `.server`).
    case error(StreamFailure)
    /// A broker value update.
    case broker(BrokerUpdate)
    /// A keepalive; it resets the inactivity timeout and carries nothing else.
    case heartbeat(timestamp: String?)
    /// The end of the stream; nothing follows it.
    case end(reason: String?)

    /// The wire name of the event (`chunk`, `status_update`, …).
    public var typeName: String {
        switch self {
        case .chunk: "chunk"
        case .statusUpdate: "status_update"
        case .toolEvent: "tool_event"
        case .completion: "completion"
        case .data: "data"
        case .error: "error"
        case .broker: "broker"
        case .heartbeat: "heartbeat"
        case .end: "end"
        }
    }

    /// Every wire name this module decodes, in the seeds' order.
    public static let typeNames = [
        "chunk", "status_update", "tool_event", "completion", "data", "error", "broker", "heartbeat", "end",
    ]

    /// The event's payload as the wire's `data` object (snake_case members, extras kept).
    public var payload: Value {
        switch self {
        case .chunk(let text): ["text": .string(text)]
        case .statusUpdate(let update): update.value
        case .toolEvent(let event): event.value
        case .completion(let completion): completion.value
        case .data(let value): value
        case .error(let failure): failure.value
        case .broker(let update): update.wireValue
        case .heartbeat(let timestamp): timestamp.map { ["timestamp": .string($0)] } ?? [:]
        case .end(let reason): reason.map { ["reason": .string($0)] } ?? [:]
        }
    }

    /// The whole NDJSON line's object: `{"event": name, "data": payload}`.
    public var wireValue: Value {
        .object(ValueObject([("event", .string(typeName)), ("data", payload)]))
    }
}

/// A `status_update` payload: `{ status, system_message?, user_message?, metadata? }`.
public struct StatusUpdate: Sendable, Hashable {
    /// The server's status word (`processing`, `searching`, …).
    public var status: String
    /// A message meant for logs and developers.
    public var systemMessage: String?
    /// A message meant for the user.
    public var userMessage: String?
    /// Free-form metadata, kept whole.
    public var metadata: Value?
    /// Members this version does not know.
    public var extra: ValueObject

    /// A status update from its parts.
    public init(
        status: String, systemMessage: String? = nil, userMessage: String? = nil, metadata: Value? = nil,
        extra: ValueObject = ValueObject()
    ) {
        self.status = status
        self.systemMessage = systemMessage
        self.userMessage = userMessage
        self.metadata = metadata
        self.extra = extra
    }

    /// The wire payload.
    public var value: Value {
        var object = ValueObject([("status", .string(status))])
        object["system_message"] = systemMessage.map(Value.string)
        object["user_message"] = userMessage.map(Value.string)
        object["metadata"] = metadata
        return .object(object.merging(extra))
    }
}

/// A `tool_event` payload: `{ event, call_id, tool_name, message?, data? }`.
public struct ToolEvent: Sendable, Hashable {
    /// The lifecycle step (`tool_started`, `tool_progress`, `tool_completed`, `tool_error`, …).
    public var event: String
    /// Identifies the call across its events.
    public var callID: String
    /// The tool's name.
    public var toolName: String
    /// A human-readable message.
    public var message: String?
    /// The step's data (arguments, results), kept whole.
    public var data: Value?
    /// Members this version does not know.
    public var extra: ValueObject

    /// A tool event from its parts.
    public init(
        event: String, callID: String, toolName: String, message: String? = nil, data: Value? = nil,
        extra: ValueObject = ValueObject()
    ) {
        self.event = event
        self.callID = callID
        self.toolName = toolName
        self.message = message
        self.data = data
        self.extra = extra
    }

    /// The wire payload.
    public var value: Value {
        var object = ValueObject([
            ("event", .string(event)), ("call_id", .string(callID)), ("tool_name", .string(toolName)),
        ])
        object["message"] = message.map(Value.string)
        object["data"] = data
        return .object(object.merging(extra))
    }
}

/// A `completion` payload: `{ status, output?, total_usage?, timing_stats? }`.
public struct Completion: Sendable, Hashable {
    /// The final status (`success`, `stop`, `length`, …).
    public var status: String
    /// The final output, when the server repeats it.
    public var output: Value?
    /// Token counts as the server reported them, kept whole.
    public var totalUsage: Value?
    /// Timing statistics as the server reported them, kept whole.
    public var timingStats: Value?
    /// Members this version does not know.
    public var extra: ValueObject

    /// A completion from its parts.
    public init(
        status: String, output: Value? = nil, totalUsage: Value? = nil, timingStats: Value? = nil,
        extra: ValueObject = ValueObject()
    ) {
        self.status = status
        self.output = output
        self.totalUsage = totalUsage
        self.timingStats = timingStats
        self.extra = extra
    }

    /// Token counts read from `total_usage`, accepting both the seeds' and OpenAI's member names.
    public var usage: TokenUsage? {
        guard let usage = totalUsage?.objectValue else { return nil }
        var problem: String?
        func int(_ names: String...) -> Int? {
            for name in names {
                guard let number = usage[name]?.numberValue else { continue }
                if let n = number.intValue { return n }
                // `10.0` is ten tokens; only a count that is not whole or not in range is unusable.
                let d = number.doubleValue
                if d.rounded() == d, abs(d) < 9.2e18 { return Int(d) }
                // A count that is not a whole number within Int's range cannot be added up.
                if problem == nil {
                    let text = number.description
                    let shown = text.count > 40 ? text.prefix(40) + "…" : text[...]
                    problem = "`\(name)` \(shown) is not a whole number of tokens up to \(Int.max)"
                }
            }
            return nil
        }
        let input = int("input_tokens", "prompt_tokens")
        let output = int("output_tokens", "completion_tokens")
        var total = int("total_tokens")
        if total == nil, let input, let output {
            let (sum, overflow) = input.addingReportingOverflow(output)
            if overflow {
                problem = "input tokens \(input) + output tokens \(output) overflow (more than \(Int.max))"
            } else {
                total = sum
            }
        }
        if input == nil, output == nil, total == nil, problem == nil { return nil }
        for (name, count) in [("input", input), ("output", output), ("total", total)] {
            if let count, count < 0, problem == nil { problem = "\(name) tokens \(count) is negative" }
        }
        return TokenUsage(input: input, output: output, total: total, problem: problem)
    }

    /// The wire payload.
    public var value: Value {
        var object = ValueObject([("status", .string(status))])
        object["output"] = output
        object["total_usage"] = totalUsage
        object["timing_stats"] = timingStats
        return .object(object.merging(extra))
    }
}

/// Token counts of one response.
public struct TokenUsage: Sendable, Hashable {
    /// Prompt tokens.
    public var input: Int?
    /// Generated tokens.
    public var output: Int?
    /// All tokens.
    public var total: Int?
    /// Why the counts cannot be used (negative, or a sum past `Int.max`); nil when they can.
    public var problem: String?

    /// Usage from its parts.
    public init(input: Int?, output: Int?, total: Int?, problem: String? = nil) {
        self.input = input
        self.output = output
        self.total = total
        self.problem = problem
    }
}

/// A `broker` payload: `{ broker_id, value, source? }`.
public struct BrokerUpdate: Sendable, Hashable {
    /// The broker's id.
    public var brokerID: String
    /// Its new value.
    public var value: Value
    /// Where the value came from.
    public var source: String?
    /// Members this version does not know.
    public var extra: ValueObject

    /// A broker update from its parts.
    public init(brokerID: String, value: Value, source: String? = nil, extra: ValueObject = ValueObject()) {
        self.brokerID = brokerID
        self.value = value
        self.source = source
        self.extra = extra
    }

    /// The wire payload (named `wireValue` because `value` is the broker's value).
    public var wireValue: Value {
        var object = ValueObject([("broker_id", .string(brokerID)), ("value", value)])
        object["source"] = source.map(Value.string)
        return .object(object.merging(extra))
    }
}

extension ValueObject {
    /// This object with `other`'s members appended where this one lacks them.
    func merging(_ other: ValueObject) -> ValueObject {
        guard !other.isEmpty else { return self }
        var result = self
        for (key, value) in other where result[key] == nil { result[key] = value }
        return result
    }
}
