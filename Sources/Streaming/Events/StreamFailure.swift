import Foundation
import CustomUICore

/// Why a stream failed: an `error` event from the server, or a transport fault that ends the run.
///
/// Transport faults carry a stable `kind` and `errorType`; server errors carry the server's own
/// `errorType` and `code`. Messages never contain the bearer token: transports redact it.
public struct StreamFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which fault this is.
    public enum Kind: Sendable, Hashable {
        /// The server sent an `error` event (or an OpenAI-style error object) inside the stream.
        case server
        /// Nothing listens at the base URL.
        case connectionRefused
        /// The server answered with a non-2xx status; the message is taken from its JSON body.
        case http(status: Int)
        /// A line (1-based) that is not a valid event or exceeds the per-line size limit.
        case malformedLine(line: Int)
        /// The connection broke after the response started.
        case connectionLost
        /// The stream ended without an `end` event.
        case missingEnd
        /// No event arrived within the inactivity timeout.
        case timeout
        /// The run was cancelled by the user.
        case cancelled
        /// The request could not be made (bad URL, unreadable recording, TLS or DNS failure).
        case transport
    }

    /// Which fault this is.
    public var kind: Kind
    /// The server's `error_type`, or the fault's stable snake_case name for transport faults.
    public var errorType: String
    /// What went wrong, for developers and logs.
    public var message: String
    /// What to show the user, when the server provided it.
    public var userMessage: String?
    /// The server's error code, when it provided one.
    public var code: String?
    /// Members of the server's error payload this version does not know.
    public var extra: ValueObject
    /// What the user can do about it (how the token is given, when to retry), when the transport knows.
    /// Not part of the wire payload.
    public var hint: String?
    /// The recording's line an `error` event came from, when a replay read it (malformed lines carry
    /// theirs in `kind`). Not part of the wire payload.
    public var sourceLine: Int?

    /// A failure from its parts.
    public init(
        kind: Kind, errorType: String, message: String, userMessage: String? = nil, code: String? = nil,
        extra: ValueObject = ValueObject()
    ) {
        self.kind = kind
        self.errorType = errorType
        self.message = message
        self.userMessage = userMessage
        self.code = code
        self.extra = extra
    }

    /// Equal when the wire content and kind are: `hint` and `sourceLine` are presentation only.
    public static func == (a: StreamFailure, b: StreamFailure) -> Bool {
        a.kind == b.kind && a.errorType == b.errorType && a.message == b.message && a.userMessage == b.userMessage
            && a.code == b.code && a.extra == b.extra
    }

    /// Hashes what `==` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(errorType)
        hasher.combine(message)
        hasher.combine(userMessage)
        hasher.combine(code)
        hasher.combine(extra)
    }

    /// The line a diagnostic points at: a malformed line's number, or the recording line of an `error` event.
    public var line: Int? {
        if case .malformedLine(let line) = kind { return line }
        return sourceLine
    }

    /// A transport fault with its kind's stable `errorType`.
    public init(_ kind: Kind, _ message: String) {
        self.init(kind: kind, errorType: kind.errorType, message: message)
    }

    /// The stable diagnostic code of the fault (`stream.connection-refused`, …).
    public var diagnosticCode: String { "stream." + kind.errorType.replacingOccurrences(of: "_", with: "-") }

    /// The message to show the user: the server's user message when there is one.
    public var displayMessage: String { userMessage ?? message }

    /// One line naming the code and the message, safe for logs.
    public var description: String {
        var text = "\(diagnosticCode): \(message)"
        if let code { text += " (code \(code))" }
        return text
    }

    /// The wire payload of an `error` event: `{ error_type, message, user_message?, code? }`.
    public var value: Value {
        var object = ValueObject([("error_type", .string(errorType)), ("message", .string(message))])
        object["user_message"] = userMessage.map(Value.string)
        object["code"] = code.map(Value.string)
        return .object(object.merging(extra))
    }

    /// This failure with every occurrence of `secret` replaced, so a server echoing a token leaks nothing.
    func redacting(_ secret: String?) -> StreamFailure {
        guard let secret, !secret.isEmpty else { return self }
        var copy = self
        copy.message = Redaction.redact(message, secret)
        copy.userMessage = userMessage.map { Redaction.redact($0, secret) }
        copy.code = code.map { Redaction.redact($0, secret) }
        if !extra.isEmpty, let redacted = Redaction.redact(.object(extra), secret).objectValue { copy.extra = redacted }
        return copy
    }
}

extension StreamFailure.Kind {
    /// The fault's stable snake_case name.
    public var errorType: String {
        switch self {
        case .server: "server_error"
        case .connectionRefused: "connection_refused"
        case .http: "http_error"
        case .malformedLine: "malformed_line"
        case .connectionLost: "connection_lost"
        case .missingEnd: "missing_end"
        case .timeout: "timeout"
        case .cancelled: "cancelled"
        case .transport: "transport_error"
        }
    }
}

/// Replaces a secret wherever it appears.
enum Redaction {
    static let marker = "[redacted]"

    static func redact(_ text: String, _ secret: String) -> String {
        text.contains(secret) ? text.replacingOccurrences(of: secret, with: marker) : text
    }

    static func redact(_ value: Value, _ secret: String) -> Value {
        switch value {
        case .string(let s): .string(redact(s, secret))
        case .array(let items): .array(items.map { redact($0, secret) })
        case .object(let object):
            .object(ValueObject(object.map { (redact($0.key, secret), redact($0.value, secret)) }))
        default: value
        }
    }
}
