import CustomUICore
import Foundation

/// One chat message sent to a model.
public struct ChatMessage: Sendable, Hashable {
    /// `system`, `user`, `assistant` or `tool`.
    public var role: String
    /// The message text.
    public var content: String

    /// A message from its parts.
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }

    /// `{ role, content }`.
    public var value: Value { .object(ValueObject([("role", .string(role)), ("content", .string(content))])) }
}

/// What a session asks a transport to run; each transport sends the parts its endpoint takes.
///
/// It holds no credentials: tokens live in `TransportConfiguration` and go only into the
/// Authorization header, so any body built from a request is safe to record.
public struct ExecutionRequest: Sendable, Hashable {
    /// The conversation so far (chat endpoints).
    public var messages: [ChatMessage]
    /// The model id (`ai_model_id`, or `model` for OpenAI-compatible servers).
    public var modelID: String?
    /// Model settings (temperature, max_output_tokens, tools, …) merged into the body.
    public var settings: ValueObject
    /// The prompt to execute (agent endpoint).
    public var promptID: String?
    /// The conversation id (agent endpoint).
    public var conversationID: String?
    /// The user's input (agent endpoint).
    public var userInput: String?
    /// Variable values (agent endpoint), sent with keys sorted.
    public var variables: [String: String]
    /// Per-run overrides of the prompt's configuration (agent endpoint).
    public var configOverrides: ValueObject
    /// Whether the prompt is a builtin (agent endpoint).
    public var isBuiltin: Bool
    /// Whether this request starts a conversation.
    public var isNewConversation: Bool
    /// Whether to ask the server for debug output.
    public var debug: Bool

    /// A request from its parts; everything is optional so each transport takes what it needs.
    public init(
        messages: [ChatMessage] = [], modelID: String? = nil, settings: ValueObject = ValueObject(),
        promptID: String? = nil, conversationID: String? = nil, userInput: String? = nil,
        variables: [String: String] = [:], configOverrides: ValueObject = ValueObject(), isBuiltin: Bool = false,
        isNewConversation: Bool = true, debug: Bool = false
    ) {
        self.messages = messages
        self.modelID = modelID
        self.settings = settings
        self.promptID = promptID
        self.conversationID = conversationID
        self.userInput = userInput
        self.variables = variables
        self.configOverrides = configOverrides
        self.isBuiltin = isBuiltin
        self.isNewConversation = isNewConversation
        self.debug = debug
    }

    /// A summary of the request for run records: no headers, no token, variables sorted.
    public var recordValue: Value {
        var object = ValueObject()
        if !messages.isEmpty { object["messages"] = .array(messages.map(\.value)) }
        object["ai_model_id"] = modelID.map(Value.string)
        if !settings.isEmpty { object["settings"] = .object(settings) }
        object["prompt_id"] = promptID.map(Value.string)
        object["conversation_id"] = conversationID.map(Value.string)
        object["user_input"] = userInput.map(Value.string)
        if !variables.isEmpty { object["variables"] = variablesValue }
        return .object(object)
    }

    var variablesValue: Value {
        .object(ValueObject(variables.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))
    }
}

/// A secret whose every textual form is redacted, so it cannot leak through `print`, `dump` or logs.
struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let revealed: String

    var description: String { Redaction.marker }
    var debugDescription: String { Redaction.marker }
    var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// Where a network transport connects, how it authenticates, and how long it waits.
public struct TransportConfiguration: Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The server's base URL; endpoint paths are appended to it.
    public var baseURL: URL
    /// The environment variable the bearer token was read from.
    public let tokenVariable: String
    /// The inactivity timeout: the run fails when nothing (no event, heartbeat, SSE comment or blank
    /// keep-alive line) arrives for this long.
    public var timeout: Duration
    /// The longest NDJSON or SSE line accepted, in bytes.
    public var maxLineBytes: Int
    /// How long a cancel request may take before it is abandoned.
    public var cancelRequestTimeout: Duration
    /// The `User-Agent` header sent with every request (`customui/VERSION`).
    public var userAgent: String
    private let secret: Secret?

    /// The default environment variable holding the bearer token.
    public static let defaultTokenVariable = "CUSTOMUI_API_TOKEN"

    /// A configuration whose token is read from `tokenVariable` in `environment` (the process's by default).
    public init(
        baseURL: URL, tokenVariable: String = TransportConfiguration.defaultTokenVariable,
        environment: [String: String] = ProcessInfo.processInfo.environment, timeout: Duration = .seconds(120),
        maxLineBytes: Int = 1 << 20, cancelRequestTimeout: Duration = .seconds(2),
        userAgent: String = CustomUIVersion.userAgent
    ) {
        self.userAgent = userAgent
        self.baseURL = baseURL
        self.tokenVariable = tokenVariable
        self.timeout = timeout
        self.maxLineBytes = maxLineBytes
        self.cancelRequestTimeout = cancelRequestTimeout
        if let token = environment[tokenVariable], !token.isEmpty {
            secret = Secret(revealed: token)
        } else {
            secret = nil
        }
    }

    /// Whether a token was found.
    public var hasToken: Bool { secret != nil }

    var token: String? { secret?.revealed }

    /// Names the URL, the token variable and whether it is set, never the token.
    public var description: String {
        "TransportConfiguration(baseURL: \(baseURL.absoluteString), token: \(tokenVariable) "
            + "\(hasToken ? Redaction.marker : "unset"), timeout: \(timeout))"
    }

    /// Same as `description`.
    public var debugDescription: String { description }

    /// Reflection shows the redacted description only.
    public var customMirror: Mirror { Mirror(self, children: ["description": description], displayStyle: .struct) }

    func url(_ path: String) -> URL {
        var text = baseURL.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        return URL(string: text + path) ?? baseURL.appendingPathComponent(path)
    }
}
