import CustomUICore

/// What a UI knows about its current run: the `run` scope of the template language.
///
/// Sessions write it field by field as events arrive; renderers read the fields; expressions see it
/// as one object, built by `value` when the scope is made. `Field` lists its members for the checker,
/// the editor and docs/language.md.
public struct RunState: Sendable, Hashable {
    /// Where the run is; `run.status` in templates.
    public enum Status: String, Sendable, Hashable, CaseIterable {
        case idle, running, streaming, completed, failed, cancelled

        /// The run is under way (its controls show it: Run disabled, Cancel enabled).
        public var isRunning: Bool { self == .running || self == .streaming }
        /// The run has ended, one way or another.
        public var isFinished: Bool { self == .completed || self == .failed || self == .cancelled }
    }

    /// A failure shown to the user: `run.error`.
    public struct Failure: Sendable, Hashable {
        public var message: String
        public var code: String?

        /// A failure from its parts.
        public init(message: String, code: String? = nil) {
            self.message = message
            self.code = code
        }
    }

    /// Token counts and cost from the completion: `run.usage`.
    public struct Usage: Sendable, Hashable {
        public var inputTokens: Int?
        public var outputTokens: Int?
        public var totalTokens: Int?
        /// US dollars, from the pricing table; nil when the model has no price.
        public var cost: Double?

        /// Usage from its parts.
        public init(inputTokens: Int? = nil, outputTokens: Int? = nil, totalTokens: Int? = nil, cost: Double? = nil) {
            self.inputTokens = inputTokens
            self.outputTokens = outputTokens
            self.totalTokens = totalTokens
            self.cost = cost
        }
    }

    /// How long the run took: `run.timing`.
    public struct Timing: Sendable, Hashable {
        public var timeToFirstTokenMs: Int?
        public var totalMs: Int?

        /// Timing from its parts.
        public init(timeToFirstTokenMs: Int? = nil, totalMs: Int? = nil) {
            self.timeToFirstTokenMs = timeToFirstTokenMs
            self.totalMs = totalMs
        }
    }

    /// One tool event: an element of `run.tool_events`.
    public struct ToolEvent: Sendable, Hashable {
        public var toolName: String
        public var event: String
        public var callID: String?
        public var message: String?

        /// A tool event from its parts.
        public init(toolName: String, event: String, callID: String? = nil, message: String? = nil) {
            self.toolName = toolName
            self.event = event
            self.callID = callID
            self.message = message
        }
    }

    public var status: Status
    /// The latest `status_update` message.
    public var statusMessage: String?
    public var error: Failure?
    public var usage: Usage?
    public var timing: Timing?
    public var toolEvents: [ToolEvent]
    /// The payload of the latest `data` event (`null` before one).
    public var data: Value
    /// How many runs this conversation has had.
    public var turn: Int
    /// The model id the prompt runs with.
    public var model: String?
    /// The backend's request id, once known.
    public var requestID: String?

    /// The state before any run: `idle`, nothing streamed.
    public init(model: String? = nil) {
        status = .idle
        toolEvents = []
        data = .null
        turn = 0
        self.model = model
    }

    /// The members of `run` in templates, in the order docs/language.md lists them.
    public enum Field: String, Sendable, CaseIterable {
        case status
        case statusMessage = "status_message"
        case error, usage, timing
        case toolEvents = "tool_events"
        case data, turn, model
        case requestID = "request_id"

        /// What the member holds, for docs, the checker's hints and the editor.
        public var summary: String {
            switch self {
            case .status:
                "`" + Status.allCases.dropLast().map(\.rawValue).joined(separator: "`, `") + "` or `"
                    + (Status.allCases.last?.rawValue ?? "") + "`"
            case .statusMessage: "the latest `status_update` message, or null"
            case .error: "the error `{ message, code }` when the run failed, or null"
            case .usage: "`{ input_tokens, output_tokens, total_tokens, cost }` from the completion, or null"
            case .timing: "`{ time_to_first_token_ms, total_ms }`, or null"
            case .toolEvents: "the tool events so far, in order"
            case .data: "the payload of the latest `data` event, or null"
            case .turn: "how many runs this conversation has had"
            case .model: "the model id the prompt runs with"
            case .requestID: "the backend's request id, once known"
            }
        }
    }

    /// One member as expressions see it.
    public subscript(field: Field) -> Value {
        switch field {
        case .status: .string(status.rawValue)
        case .statusMessage: statusMessage.map(Value.string) ?? .null
        case .error: error.map(\.value) ?? .null
        case .usage: usage.map(\.value) ?? .null
        case .timing: timing.map(\.value) ?? .null
        case .toolEvents: .array(toolEvents.map(\.value))
        case .data: data
        case .turn: .int(turn)
        case .model: model.map(Value.string) ?? .null
        case .requestID: requestID.map(Value.string) ?? .null
        }
    }

    /// The member named `name` as `run.name` evaluates, or nil when `run` has no such member.
    public subscript(name: String) -> Value? { Field(rawValue: name).map { self[$0] } }

    /// The `run` object of the expression scope.
    public var value: Value {
        var object = ValueObject()
        for field in Field.allCases { object[field.rawValue] = self[field] }
        return .object(object)
    }
}

extension RunState.Failure {
    var value: Value { ["message": .string(message), "code": code.map(Value.string) ?? .null] }
}

extension RunState.Usage {
    var value: Value {
        [
            "input_tokens": inputTokens.map(Value.int) ?? .null, "output_tokens": outputTokens.map(Value.int) ?? .null,
            "total_tokens": totalTokens.map(Value.int) ?? .null, "cost": cost.map(Value.double) ?? .null,
        ]
    }
}

extension RunState.Timing {
    var value: Value {
        [
            "time_to_first_token_ms": timeToFirstTokenMs.map(Value.int) ?? .null,
            "total_ms": totalMs.map(Value.int) ?? .null,
        ]
    }
}

extension RunState.ToolEvent {
    var value: Value {
        [
            "tool_name": .string(toolName), "event": .string(event), "call_id": callID.map(Value.string) ?? .null,
            "message": message.map(Value.string) ?? .null,
        ]
    }
}
