import CustomUI
import CustomUICore
import Foundation
import JSONSchema

/// A run as `customui runs list` shows it: the run's totals with timings gathered from its tasks.
public struct RunSummary: Sendable, Hashable {
    /// The run.
    public var run: RunRecord
    /// Number of tasks.
    public var taskCount: Int
    /// Time to first token of the first task.
    public var timeToFirstTokenMs: Int?
    /// Sum of the tasks' total times.
    public var totalTimeMs: Int?
    /// Sum of the tasks' costs, nil when no task has a price (`run.cost` is then 0).
    public var cost: Double?

    /// The summary as JSON with the seeds' column names.
    public var jsonValue: Value {
        var o = RunStoreCodec.runJSON(run).objectValue ?? ValueObject()
        o["task_count"] = .int(taskCount)
        o["time_to_first_token"] = timeToFirstTokenMs.map(Value.int) ?? .null
        o["total_time"] = totalTimeMs.map(Value.int) ?? .null
        o["total_cost"] = cost.map(Value.double) ?? .null
        return .object(o)
    }
}

/// Filters for `runs(…)`.
public struct RunQuery: Sendable, Hashable {
    /// Only runs of this library UI (a UI id, version id or name).
    public var uiReference: String?
    /// Only runs with this status.
    public var status: RunStatus?
    /// Only runs created at or after this time.
    public var since: Date?
    /// Only runs created before this time.
    public var until: Date?
    /// At most this many.
    public var limit: Int

    /// All of the user's runs, newest first, 50 at most.
    public init(
        uiReference: String? = nil, status: RunStatus? = nil, since: Date? = nil, until: Date? = nil, limit: Int = 50
    ) {
        self.uiReference = uiReference
        self.status = status
        self.since = since
        self.until = until
        self.limit = limit
    }
}

extension Library: RunRecorder {
    /// Creates or replaces a run; a run owned by someone else is never overwritten.
    public func record(run: RunRecord) throws {
        guard let user = run.userID ?? recorderUser else {
            throw LibraryError.invalid(
                "run `\(run.id)` has no user", hint: "set `userID` or open the library with a recorder user")
        }
        try Self.checkUser(user)
        let json = { (value: Value) in JSONWriter().string(value) }
        var vars = ValueObject()
        for key in run.variableValues.keys.sorted() { vars[key] = .string(run.variableValues[key] ?? "") }
        try write(user: user) { () throws in
            if let owner = try db.scalar("SELECT user_id FROM ai_runs WHERE id = ?", [run.id]).string, owner != user {
                throw LibraryError.denied("run `\(run.id)` belongs to another user")
            }
            try db.query(
                """
                INSERT INTO ai_runs (id, user_id, source_type, source_id, custom_ui_id, name, messages, settings, variable_values,
                  broker_values, status, total_tokens, total_cost, message_count, task_count, created_at, updated_at, last_message_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT count(*) FROM ai_tasks WHERE run_id = ?), ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET source_type = excluded.source_type, source_id = excluded.source_id,
                  custom_ui_id = coalesce(excluded.custom_ui_id, ai_runs.custom_ui_id), name = excluded.name, messages = excluded.messages, settings = excluded.settings,
                  variable_values = excluded.variable_values, broker_values = excluded.broker_values, status = excluded.status,
                  total_tokens = excluded.total_tokens, total_cost = excluded.total_cost, message_count = excluded.message_count,
                  updated_at = excluded.updated_at, last_message_at = excluded.last_message_at
                """,
                [
                    run.id, user, run.sourceType, run.sourceID, run.customUIID, run.name, json(.array(run.messages)),
                    json(run.settings),
                    json(.object(vars)), json(run.brokerValues), run.status.rawValue, run.tokensTotal, run.cost,
                    run.messages.count, run.id,
                    Timestamp.string(run.createdAt), Timestamp.string(run.updatedAt),
                    run.messages.isEmpty ? nil : Timestamp.string(run.updatedAt),
                ])
        }
    }

    /// Creates or replaces a task; its run must be recorded first and belong to the same user.
    /// On PostgreSQL the task is written as `recorderUser`, whom the run must belong to.
    public func record(task: TaskRecord) throws {
        try write(user: recorderUser) { () throws in
            guard let owner = try db.scalar("SELECT user_id FROM ai_runs WHERE id = ?", [task.runID]).string else {
                throw LibraryError(
                    .libraryNotFound, "task `\(task.id)` names run `\(task.runID)`, which is not recorded",
                    hint: "record the run before its tasks")
            }
            if let taskOwner = try db.scalar("SELECT user_id FROM ai_tasks WHERE id = ?", [task.id]).string,
                taskOwner != owner
            {
                throw LibraryError.denied("task `\(task.id)` belongs to another user")
            }
            let json = { (value: Value) in JSONWriter().string(value) }
            let now = Timestamp.string(Date())
            try db.query(
                """
                INSERT INTO ai_tasks (id, run_id, user_id, service, provider, model_id, request_data, response_text, response_errors,
                  tool_updates, tokens_input, tokens_output, tokens_total, cost, time_to_first_token, total_time, status, created_at,
                  updated_at, completed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET service = excluded.service, provider = excluded.provider, model_id = excluded.model_id,
                  request_data = excluded.request_data, response_text = excluded.response_text, response_errors = excluded.response_errors,
                  tool_updates = excluded.tool_updates, tokens_input = excluded.tokens_input, tokens_output = excluded.tokens_output,
                  tokens_total = excluded.tokens_total, cost = excluded.cost, time_to_first_token = excluded.time_to_first_token,
                  total_time = excluded.total_time, status = excluded.status, updated_at = excluded.updated_at,
                  completed_at = excluded.completed_at
                """,
                [
                    task.id, task.runID, owner, task.service, task.provider, task.model, json(task.requestData),
                    task.responseText,
                    json(.array(task.errors)), json(.array(task.toolUpdates)), task.tokensIn, task.tokensOut,
                    task.tokensTotal, task.cost,
                    task.timeToFirstTokenMs, task.totalTimeMs, task.status.rawValue, Timestamp.string(task.createdAt),
                    now,
                    task.completedAt.map(Timestamp.string),
                ])
            try db.query(
                "UPDATE ai_runs SET task_count = (SELECT count(*) FROM ai_tasks WHERE run_id = ?1) WHERE id = ?1",
                [task.runID])
        }
    }

    /// A run's status as listed, shown and filtered: a conversation still `active` takes the
    /// outcome of its latest task (`completed`, `failed` or `cancelled`; one still streaming keeps
    /// it `active`); any other stored status stands. Runs alias `ai_runs` as `r`.
    static let runStatusSQL = """
        (CASE WHEN r.status = 'active' THEN coalesce((SELECT CASE WHEN t.status IN ('completed', 'failed', 'cancelled')
            THEN t.status ELSE 'active' END FROM ai_tasks t WHERE t.run_id = r.id ORDER BY t.created_at DESC, t.rowid DESC LIMIT 1),
          'active') ELSE r.status END)
        """

    /// The columns every run query reads besides `r.*`: the status above, and the totals the seeds
    /// aggregate from the tasks (tokens, cost, timings), so a listing and `run(_:)` agree.
    static let runColumnsSQL = """
        \(runStatusSQL) AS run_status,
          (SELECT t.time_to_first_token FROM ai_tasks t WHERE t.run_id = r.id ORDER BY t.created_at, t.rowid LIMIT 1) AS first_ttft,
          (SELECT sum(t.total_time) FROM ai_tasks t WHERE t.run_id = r.id) AS sum_total_time,
          (SELECT sum(t.tokens_total) FROM ai_tasks t WHERE t.run_id = r.id) AS sum_tokens,
          (SELECT sum(t.cost) FROM ai_tasks t WHERE t.run_id = r.id) AS sum_cost,
          (SELECT count(*) FROM ai_tasks t WHERE t.run_id = r.id) AS tasks
        """

    /// A run row read with `runColumnsSQL`: the status and totals come from its tasks, when it has any.
    static func summary(_ row: SQLRow) -> RunSummary {
        var run = RunStoreCodec.run(row)
        run.status = RunStatus(rawValue: row["run_status"].string ?? "") ?? run.status
        let tasks = row["tasks"].int ?? 0
        var cost: Double? = run.cost == 0 ? nil : run.cost
        if tasks > 0 {
            run.tokensTotal = row["sum_tokens"].int ?? 0
            cost = row["sum_cost"].double
            run.cost = cost ?? 0
        }
        return RunSummary(
            run: run, taskCount: tasks, timeToFirstTokenMs: row["first_ttft"].int,
            totalTimeMs: row["sum_total_time"].int, cost: cost)
    }

    /// The user's own runs, newest first, with timings from their tasks.
    public func runs(_ query: RunQuery = RunQuery(), user: String) throws(LibraryError) -> [RunSummary] {
        try read(user: user) {
            var conditions = ["r.user_id = ?"]
            var parameters: [any SQLBindable] = [user]
            if let reference = query.uiReference {
                // Runs name the UI by its id or a version's id; match both for the named UI,
                // resolved as every library command resolves it. A UI the user cannot see (or
                // that does not exist) is not found, the same either way.
                let ids: [String]
                do {
                    let (lineage, decisive) = try resolveLineage(reference, user: user)
                    try AccessPolicy.check(.view, user: user, facts: decisive.facts, name: reference)
                    let uiID = lineage["ui_id"].string ?? ""
                    ids =
                        [uiID]
                        + (try db.query("SELECT id FROM prompt_custom_uis WHERE ui_id = ?", [uiID]).compactMap {
                            $0["id"].string
                        })
                } catch let error as LibraryError where error.code == .libraryNotFound {
                    // A UI deleted since (or made private by its owner) is still named by its id in runs.
                    let linked =
                        try db.scalar(
                            "SELECT count(*) FROM ai_runs WHERE user_id = ? AND custom_ui_id = ?", [user, reference]
                        ).int ?? 0
                    guard linked > 0 else { throw error }
                    ids = [reference]
                }
                conditions.append("r.custom_ui_id IN (\(ids.map { _ in "?" }.joined(separator: ", ")))")
                parameters += ids
            }
            if let status = query.status {
                conditions.append("\(Self.runStatusSQL) = ?")
                parameters.append(status.rawValue)
            }
            if let since = query.since {
                conditions.append("r.created_at >= ?")
                parameters.append(Timestamp.string(since))
            }
            if let until = query.until {
                conditions.append("r.created_at < ?")
                parameters.append(Timestamp.string(until))
            }
            let rows = try db.query(
                """
                SELECT r.*, \(Self.runColumnsSQL)
                FROM ai_runs r WHERE \(conditions.joined(separator: " AND "))
                ORDER BY r.created_at DESC, r.rowid DESC LIMIT \(max(0, query.limit))
                """, parameters)
            return rows.map(Self.summary)
        }
    }

    /// One of the user's runs with its tasks in order; someone else's run is not found. The run's
    /// status and totals are those `runs(_:user:)` lists.
    public func run(_ id: String, user: String) throws(LibraryError) -> (run: RunRecord, tasks: [TaskRecord]) {
        let (summary, tasks) = try runSummary(id, user: user)
        return (summary.run, tasks)
    }

    /// One of the user's runs as `runs(_:user:)` lists it, with its tasks in order.
    public func runSummary(_ id: String, user: String) throws(LibraryError) -> (
        summary: RunSummary, tasks: [TaskRecord]
    ) {
        try read(user: user) {
            guard let row = try db.query("SELECT r.*, \(Self.runColumnsSQL) FROM ai_runs r WHERE r.id = ?", [id]).first,
                AccessPolicy.canViewRecord(user, owner: row["user_id"].string ?? "")
            else {
                throw LibraryError(
                    .libraryNotFound, "no run `\(id)` belongs to user `\(user)`",
                    hint: "`customui runs list` shows your runs")
            }
            let tasks = try db.query("SELECT * FROM ai_tasks WHERE run_id = ? ORDER BY created_at, rowid", [id]).map(
                RunStoreCodec.task)
            return (Self.summary(row), tasks)
        }
    }
}

/// Records runs into a library, each linked to the library UI that ran (`ai_runs.custom_ui_id`),
/// so `runs list --ui NAME` finds them from their first record on, even when the run is killed.
public struct LinkedRunRecorder: RunRecorder {
    /// The library the records go to.
    public let library: Library
    /// The version id of the UI that ran; nil records runs unlinked.
    public let customUIID: String?

    /// A recorder linking every run it records to `customUIID`.
    public init(library: Library, customUIID: String?) {
        self.library = library
        self.customUIID = customUIID
    }

    public func record(run: RunRecord) throws {
        var linked = run
        if linked.customUIID == nil { linked.customUIID = customUIID }
        try library.record(run: linked)
    }

    public func record(task: TaskRecord) throws { try library.record(task: task) }
}

/// Converts run and task rows to records and back to JSON in the seeds' column names.
enum RunStoreCodec {
    static func value(_ text: String?) -> Value? { text.flatMap { try? JSONParser.parseValue($0) } }

    static func run(_ row: SQLRow) -> RunRecord {
        let created = row["created_at"].string.flatMap(Timestamp.date) ?? Date(timeIntervalSince1970: 0)
        var r = RunRecord(
            id: row["id"].string ?? "", name: row["name"].string ?? "",
            sourceType: row["source_type"].string ?? "prompt", createdAt: created)
        r.userID = row["user_id"].string
        r.sourceID = row["source_id"].string
        r.customUIID = row["custom_ui_id"].string
        r.messages = value(row["messages"].string)?.arrayValue ?? []
        r.settings = value(row["settings"].string) ?? [:]
        var vars: [String: String] = [:]
        for (key, v) in value(row["variable_values"].string)?.objectValue ?? ValueObject() {
            vars[key] = v.stringValue ?? ""
        }
        r.variableValues = vars
        r.brokerValues = value(row["broker_values"].string) ?? [:]
        r.status = RunStatus(rawValue: row["status"].string ?? "") ?? .active
        r.tokensTotal = row["total_tokens"].int ?? 0
        r.cost = row["total_cost"].double ?? 0
        r.updatedAt = row["updated_at"].string.flatMap(Timestamp.date) ?? created
        return r
    }

    static func task(_ row: SQLRow) -> TaskRecord {
        let created = row["created_at"].string.flatMap(Timestamp.date) ?? Date(timeIntervalSince1970: 0)
        var t = TaskRecord(
            id: row["id"].string ?? "", runID: row["run_id"].string ?? "", service: row["service"].string ?? "",
            requestData: value(row["request_data"].string) ?? .null, createdAt: created)
        t.provider = row["provider"].string
        t.model = row["model_id"].string
        t.responseText = row["response_text"].string ?? ""
        t.errors = value(row["response_errors"].string)?.arrayValue ?? []
        t.toolUpdates = value(row["tool_updates"].string)?.arrayValue ?? []
        t.tokensIn = row["tokens_input"].int
        t.tokensOut = row["tokens_output"].int
        t.tokensTotal = row["tokens_total"].int
        t.cost = row["cost"].double
        t.timeToFirstTokenMs = row["time_to_first_token"].int
        t.totalTimeMs = row["total_time"].int
        t.status = TaskStatus(rawValue: row["status"].string ?? "") ?? .pending
        t.completedAt = row["completed_at"].string.flatMap(Timestamp.date)
        return t
    }

    static func runJSON(_ r: RunRecord) -> Value {
        var o = ValueObject()
        o["id"] = .string(r.id)
        o["user_id"] = r.userID.map(Value.string) ?? .null
        o["source_type"] = .string(r.sourceType)
        o["source_id"] = r.sourceID.map(Value.string) ?? .null
        o["custom_ui_id"] = r.customUIID.map(Value.string) ?? .null
        o["name"] = .string(r.name)
        o["status"] = .string(r.status.rawValue)
        o["total_tokens"] = .int(r.tokensTotal)
        o["total_cost"] = .double(r.cost)
        o["message_count"] = .int(r.messages.count)
        var vars = ValueObject()
        for key in r.variableValues.keys.sorted() { vars[key] = .string(r.variableValues[key] ?? "") }
        o["variable_values"] = .object(vars)
        o["created_at"] = .string(Timestamp.string(r.createdAt))
        o["updated_at"] = .string(Timestamp.string(r.updatedAt))
        return .object(o)
    }

    static func taskJSON(_ t: TaskRecord) -> Value {
        var o = ValueObject()
        o["id"] = .string(t.id)
        o["run_id"] = .string(t.runID)
        o["service"] = .string(t.service)
        o["provider"] = t.provider.map(Value.string) ?? .null
        o["model_id"] = t.model.map(Value.string) ?? .null
        o["status"] = .string(t.status.rawValue)
        o["response_text"] = .string(t.responseText)
        o["response_errors"] = .array(t.errors)
        o["tokens_input"] = t.tokensIn.map(Value.int) ?? .null
        o["tokens_output"] = t.tokensOut.map(Value.int) ?? .null
        o["tokens_total"] = t.tokensTotal.map(Value.int) ?? .null
        o["cost"] = t.cost.map(Value.double) ?? .null
        o["time_to_first_token"] = t.timeToFirstTokenMs.map(Value.int) ?? .null
        o["total_time"] = t.totalTimeMs.map(Value.int) ?? .null
        o["created_at"] = .string(Timestamp.string(t.createdAt))
        o["completed_at"] = t.completedAt.map { .string(Timestamp.string($0)) } ?? .null
        return .object(o)
    }
}

extension RunRecord {
    /// The run as JSON with the seeds' `ai_runs` column names.
    public var libraryJSON: Value { RunStoreCodec.runJSON(self) }
}

extension TaskRecord {
    /// The task as JSON with the seeds' `ai_tasks` column names.
    public var libraryJSON: Value { RunStoreCodec.taskJSON(self) }
}

extension RunQuery {
    /// Reads a UTC date as `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS[.mmm]Z`, the forms `--since` takes.
    public static func parseDate(_ text: String) -> Date? { Timestamp.date(text) }
    /// A date as the library stores and prints it (ISO 8601, UTC, milliseconds).
    public static func format(_ date: Date) -> String { Timestamp.string(date) }
}
