import CustomUICore
import Foundation
import JSONSchema

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Turns a response body's bytes into events for one wire format.
protocol EventFramer: Sendable {
    /// The events the bytes complete, then the failure that ends the run, if any.
    mutating func feed(_ bytes: Data) -> (events: [StreamEvent], failure: StreamFailure?)
    /// The events and failure at the end of the body.
    mutating func finish() -> (events: [StreamEvent], failure: StreamFailure?)
}

/// The seeds' NDJSON: unknown event types are skipped; the first malformed line ends the run.
struct NDJSONFramer: EventFramer {
    var decoder: NDJSONDecoder

    init(maxLineBytes: Int) { decoder = NDJSONDecoder(maxLineBytes: maxLineBytes) }

    mutating func feed(_ bytes: Data) -> (events: [StreamEvent], failure: StreamFailure?) {
        Self.split(decoder.feed(bytes))
    }

    mutating func finish() -> (events: [StreamEvent], failure: StreamFailure?) {
        Self.split(decoder.finish())
    }

    static func split(_ lines: [DecodedLine]) -> (events: [StreamEvent], failure: StreamFailure?) {
        var events: [StreamEvent] = []
        events.reserveCapacity(lines.count)
        for line in lines {
            switch line.content {
            case .event(let event): events.append(event)
            case .unknown: continue
            case .failure(let failure): return (events, failure)
            }
        }
        return (events, nil)
    }
}

/// Builds the failure for a non-2xx response from its body, reading the error shapes servers use:
/// the seeds' `{error_type, message, user_message, code}`, FastAPI's `{detail}`, OpenAI's
/// `{error: {message, type, code}}`, and plain `{message}` or `{error: "…"}`.
///
/// A 401 or 403 gets a hint naming how the token is given (`tokenVariable`, and whether it was set);
/// a 429's `Retry-After` (seconds or an HTTP date) is named in the message and the hint.
func httpFailure(
    status: Int, body: Data, retryAfter: String? = nil,
    tokenVariable: String = TransportConfiguration.defaultTokenVariable,
    hasToken: Bool = false
) -> StreamFailure {
    var failure = httpFailureFromBody(status: status, body: body)
    switch status {
    case 401, 403:
        failure.hint =
            hasToken
            ? "the server refused the bearer token in `\(tokenVariable)`; set it to a token this server accepts"
            : "no token was sent: set `\(tokenVariable)` to the server's bearer token (it is sent as `Authorization: Bearer …` and never printed)"
    case 429:
        if let wait = retryAfterText(retryAfter) {
            failure.message += " (retry after \(wait))"
            failure.hint = "the server is rate limiting; it asks to wait \(wait) before trying again"
        } else {
            failure.hint = "the server is rate limiting; wait a little before trying again"
        }
    case 503:
        if let wait = retryAfterText(retryAfter) {
            failure.message += " (retry after \(wait))"
            failure.hint = "the server is unavailable; it asks to wait \(wait) before trying again"
        }
    default: break
    }
    return failure
}

/// `Retry-After` as words: `30 s` for delay-seconds, the date as sent otherwise (control bytes dropped).
func retryAfterText(_ header: String?) -> String? {
    guard let header else { return nil }
    let text = String(
        header.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F && !(0x80...0x9F).contains($0.value) }
            .prefix(64)
    )
    .trimmingCharacters(in: .whitespaces)
    guard !text.isEmpty else { return nil }
    if text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
        return text.count > 9 ? "\(text) s" : "\(Int(text) ?? 0) s"
    }
    return text
}

private func httpFailureFromBody(status: Int, body: Data) -> StreamFailure {
    let reason = HTTPURLResponse.localizedString(forStatusCode: status)
    var failure = StreamFailure(.http(status: status), "HTTP \(status) \(reason)")
    if let value = try? JSONParser.parseValue(bytes: body), let object = value.objectValue {
        var message: String?
        if let text = object["message"]?.stringValue { message = text }
        if let type = object["error_type"]?.stringValue { failure.errorType = type }
        failure.userMessage = object["user_message"]?.stringValue
        failure.code = codeText(object["code"])
        switch object["detail"] {
        case .string(let text)?: message = message ?? text
        case .array(let items)?:
            let texts = items.compactMap { $0["msg"]?.stringValue ?? $0.stringValue }
            if !texts.isEmpty { message = message ?? texts.joined(separator: "; ") }
        case .object(let detail)?: message = message ?? detail["message"]?.stringValue ?? Value.object(detail).jsonText
        default: break
        }
        switch object["error"] {
        case .string(let text)?: message = message ?? text
        case .object(let error)?:
            message = message ?? error["message"]?.stringValue
            if let type = error["type"]?.stringValue ?? error["error_type"]?.stringValue { failure.errorType = type }
            failure.code = failure.code ?? codeText(error["code"])
            failure.userMessage = failure.userMessage ?? error["user_message"]?.stringValue
        default: break
        }
        if let message { failure.message = "HTTP \(status): \(message)" }
    } else {
        let text = String(decoding: body.prefix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if !text.isEmpty { failure.message = "HTTP \(status): \(text)" }
    }
    return failure
}

func codeText(_ value: Value?) -> String? {
    switch value {
    case .string(let s)?: s
    case .number(let n)?: n.description
    default: nil
    }
}
