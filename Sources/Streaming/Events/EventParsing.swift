import CustomUICore

/// Why a decoded JSON object is not an event; the decoder adds the line number.
struct EventShapeError: Error {
    var reason: String
}

/// The result of reading one wire object.
enum ParsedEvent {
    case event(StreamEvent)
    case unknown(type: String, payload: Value)
}

extension StreamEvent {
    /// Reads `{"event": name, "data": {...}}`; an unknown name is returned as such, not as an error.
    static func parse(wire value: Value) throws(EventShapeError) -> ParsedEvent {
        guard let object = value.objectValue else {
            throw EventShapeError(reason: "expected a JSON object, found \(value.typeName)")
        }
        guard let nameValue = object["event"] else {
            throw EventShapeError(reason: "missing member `event`")
        }
        guard let name = nameValue.stringValue else {
            throw EventShapeError(reason: "member `event` must be a string, found \(nameValue.typeName)")
        }
        let payload = object["data"] ?? .object(ValueObject())
        if name == "data" { return .event(.data(payload)) }
        guard let data = payload.objectValue else {
            throw EventShapeError(reason: "`\(name)` event: member `data` must be an object, found \(payload.typeName)")
        }
        var reader = PayloadReader(event: name, object: data)
        switch name {
        case "chunk":
            let text = try reader.required("text")
            return .event(.chunk(text))
        case "status_update":
            let update = StatusUpdate(
                status: try reader.required("status"), systemMessage: try reader.optional("system_message"),
                userMessage: try reader.optional("user_message"), metadata: reader.any("metadata"))
            return .event(.statusUpdate(with(update) { $0.extra = reader.rest }))
        case "tool_event":
            let event = ToolEvent(
                event: try reader.required("event"), callID: try reader.required("call_id"),
                toolName: try reader.required("tool_name"), message: try reader.optional("message"),
                data: reader.any("data"))
            return .event(.toolEvent(with(event) { $0.extra = reader.rest }))
        case "completion":
            let completion = Completion(
                status: try reader.required("status"), output: reader.any("output"),
                totalUsage: reader.any("total_usage"), timingStats: reader.any("timing_stats"))
            return .event(.completion(with(completion) { $0.extra = reader.rest }))
        case "error":
            let failure = StreamFailure(
                kind: .server, errorType: try reader.required("error_type"), message: try reader.required("message"),
                userMessage: try reader.optional("user_message"), code: try reader.optionalCode("code"))
            return .event(.error(with(failure) { $0.extra = reader.rest }))
        case "broker":
            let brokerID = try reader.required("broker_id")
            guard let value = reader.any("value") else {
                throw EventShapeError(reason: "`broker` event: missing member `value`")
            }
            let update = BrokerUpdate(brokerID: brokerID, value: value, source: try reader.optional("source"))
            return .event(.broker(with(update) { $0.extra = reader.rest }))
        case "heartbeat":
            return .event(.heartbeat(timestamp: try reader.optionalCode("timestamp")))
        case "end":
            return .event(.end(reason: try reader.optional("reason")))
        default:
            return .unknown(type: name, payload: payload)
        }
    }
}

private func with<T>(_ value: T, _ change: (inout T) -> Void) -> T {
    var copy = value
    change(&copy)
    return copy
}

/// Takes known members out of a payload so what remains becomes `extra`.
private struct PayloadReader {
    let event: String
    var rest: ValueObject

    init(event: String, object: ValueObject) {
        self.event = event
        rest = object
    }

    mutating func any(_ key: String) -> Value? {
        defer { rest[key] = nil }
        guard let value = rest[key], !value.isNull else { return nil }
        return value
    }

    mutating func required(_ key: String) throws(EventShapeError) -> String {
        guard let value = rest[key] else {
            throw EventShapeError(reason: "`\(event)` event: missing member `\(key)`")
        }
        guard let string = value.stringValue else {
            throw EventShapeError(reason: "`\(event)` event: member `\(key)` must be a string, found \(value.typeName)")
        }
        rest[key] = nil
        return string
    }

    mutating func optional(_ key: String) throws(EventShapeError) -> String? {
        guard let value = rest[key], !value.isNull else {
            rest[key] = nil
            return nil
        }
        return try required(key)
    }

    /// Servers send codes and timestamps as strings or numbers; both are kept as text.
    mutating func optionalCode(_ key: String) throws(EventShapeError) -> String? {
        if let number = rest[key]?.numberValue {
            rest[key] = nil
            return number.description
        }
        return try optional(key)
    }
}
