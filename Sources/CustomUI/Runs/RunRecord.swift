import CustomUICore
import Foundation

/// A conversation's lifecycle, as the seeds' `ai_runs.status`.
public enum RunStatus: String, Sendable, CaseIterable, Hashable {
    case active, completed, failed, cancelled
}

/// One request's lifecycle, as the seeds' `ai_tasks.status`.
public enum TaskStatus: String, Sendable, CaseIterable, Hashable {
    case pending, streaming, completed, failed, cancelled
}

/// One request and its response (the seeds' `ai_tasks` row).
///
/// Secrets never enter a record: `requestData` is built from the request body only, never from
/// headers, and transports redact anything that looks like a credential before it gets here.
public struct TaskRecord: Sendable, Hashable {
    public var id: String
    public var runID: String
    /// `chat_unified`, `agent_execute`, `openai_chat`, `replay`, …
    public var service: String
    public var provider: String?
    public var model: String?
    public var requestData: Value
    public var responseText: String
    /// Error events and transport failures, in order (`{ error_type, message, code? }`).
    public var errors: [Value]
    /// Tool events, in order.
    public var toolUpdates: [Value]
    public var tokensIn: Int?
    public var tokensOut: Int?
    public var tokensTotal: Int?
    /// Cost in US dollars, from the user's pricing table; nil when the model has no price.
    public var cost: Double?
    public var timeToFirstTokenMs: Int?
    public var totalTimeMs: Int?
    public var status: TaskStatus
    public var createdAt: Date
    public var completedAt: Date?

    /// A pending task.
    public init(id: String, runID: String, service: String, requestData: Value, createdAt: Date = Date()) {
        self.id = id
        self.runID = runID
        self.service = service
        self.requestData = requestData
        responseText = ""
        errors = []
        toolUpdates = []
        status = .pending
        self.createdAt = createdAt
    }
}

/// A conversation (the seeds' `ai_runs` row): messages, settings, variable and broker values, totals.
public struct RunRecord: Sendable, Hashable {
    public var id: String
    public var userID: String?
    /// `prompt` for runs of a custom UI's prompt.
    public var sourceType: String
    /// The prompt's id, when known.
    public var sourceID: String?
    /// The library UI that ran, when it came from a library.
    public var customUIID: String?
    public var name: String
    /// The conversation so far, as `{ role, content }` objects.
    public var messages: [Value]
    public var settings: Value
    public var variableValues: [String: String]
    public var brokerValues: Value
    public var status: RunStatus
    public var tokensTotal: Int
    public var cost: Double
    public var createdAt: Date
    public var updatedAt: Date

    /// A new active run.
    public init(id: String, name: String, sourceType: String = "prompt", createdAt: Date = Date()) {
        self.id = id
        self.name = name
        self.sourceType = sourceType
        messages = []
        settings = [:]
        variableValues = [:]
        brokerValues = [:]
        status = .active
        tokensTotal = 0
        cost = 0
        self.createdAt = createdAt
        updatedAt = createdAt
    }
}

/// Where sessions report runs and tasks as they progress; the library's store persists them.
///
/// Calls are upserts keyed by id, so a recorder may be given the same task many times as it
/// streams (sessions debounce these calls). A recorder that fails must not fail the run: sessions
/// report recorder errors separately and keep streaming.
public protocol RunRecorder: Sendable {
    /// Creates or replaces a run.
    func record(run: RunRecord) throws
    /// Creates or replaces a task.
    func record(task: TaskRecord) throws
}

/// A recorder that keeps records in memory, for tests and for runs without a library.
public final class MemoryRunRecorder: RunRecorder, Sendable {
    private let storage = Locked<(runs: [String: RunRecord], tasks: [String: TaskRecord])>(([:], [:]))

    /// An empty recorder.
    public init() {}

    public func record(run: RunRecord) throws {
        storage.withLock { $0.runs[run.id] = run }
    }

    public func record(task: TaskRecord) throws {
        storage.withLock { $0.tasks[task.id] = task }
    }

    /// Every run recorded, by id.
    public var runs: [String: RunRecord] { storage.withLock { $0.runs } }

    /// Every task recorded, by id.
    public var tasks: [String: TaskRecord] { storage.withLock { $0.tasks } }
}
