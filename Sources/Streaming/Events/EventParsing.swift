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
        if name == "chunk", data.count == 1, case .string(let text)? = data["text"] { return .event(.chunk(text)) }
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

/// Reads known members of a payload; what it did not read becomes `extra`.
///
/// It never mutates the payload: removing members from a shared `ValueObject` would copy it, and this
/// runs once per chunk, thousands of times per stream.
private struct PayloadReader {
    let event: String
    let object: ValueObject
    private var read = 0
    private var names: [String] = []

    init(event: String, object: ValueObject) {
        self.event = event
        self.object = object
    }

    /// The members not read, empty without any allocation in the common case of no extras.
    var rest: ValueObject {
        if read == object.count { return ValueObject() }
        return ValueObject(object.filter { !names.contains($0.key) }.map { ($0.key, $0.value) })
    }

    private mutating func lookup(_ key: String) -> Value? {
        guard let value = object[key] else { return nil }
        read += 1
        names.append(key)
        return value
    }

    mutating func any(_ key: String) -> Value? {
        guard let value = lookup(key), !value.isNull else { return nil }
        return value
    }

    mutating func required(_ key: String) throws(EventShapeError) -> String {
        guard let value = lookup(key) else {
            throw EventShapeError(reason: "`\(event)` event: missing member `\(key)`")
        }
        guard case .string(let string) = value else {
            throw EventShapeError(reason: "`\(event)` event: member `\(key)` must be a string, found \(value.typeName)")
        }
        return string
    }

    mutating func optional(_ key: String) throws(EventShapeError) -> String? {
        guard let value = lookup(key) else { return nil }
        switch value {
        case .null: return nil
        case .string(let string): return string
        default:
            throw EventShapeError(reason: "`\(event)` event: member `\(key)` must be a string, found \(value.typeName)")
        }
    }

    /// Servers send codes and timestamps as strings or numbers; both are kept as text.
    mutating func optionalCode(_ key: String) throws(EventShapeError) -> String? {
        guard let value = lookup(key) else { return nil }
        switch value {
        case .null: return nil
        case .string(let string): return string
        case .number(let number): return number.description
        default:
            throw EventShapeError(reason: "`\(event)` event: member `\(key)` must be a string, found \(value.typeName)")
        }
    }
}
