import CustomUICore
import Foundation
import JSONSchema

extension Library {
    // MARK: - Ratings and usage

    /// Gives `user`'s 1–5 rating of a UI, replacing their earlier one.
    @discardableResult
    public func rate(_ reference: String, rating: Int, feedback: String? = nil, user: String) throws(LibraryError)
        -> RatingSummary
    {
        try Self.checkUser(user)
        guard (1...5).contains(rating) else {
            throw LibraryError.invalid("a rating is a whole number from 1 to 5, not \(rating)")
        }
        return try write(user: user) { () throws -> RatingSummary in
            let (lineage, decisive) = try resolveLineage(reference, user: user)
            try AccessPolicy.check(.rate, user: user, facts: decisive.facts, name: reference)
            let uiID = lineage["ui_id"].string ?? ""
            let now = Timestamp.string(Date())
            let existed =
                try db.scalar(
                    "SELECT count(*) FROM prompt_custom_ui_ratings WHERE custom_ui_id = ? AND user_id = ?",
                    [uiID, user]
                ).int ?? 0
            try db.query(
                """
                INSERT INTO prompt_custom_ui_ratings (id, custom_ui_id, user_id, rating, feedback, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (custom_ui_id, user_id) DO UPDATE SET rating = excluded.rating, feedback = excluded.feedback,
                  updated_at = excluded.updated_at
                """, [Self.newID(), uiID, user, rating, feedback, now, now])
            // On PostgreSQL a trigger keeps the totals (the rater may not write the owner's row).
            if storeKind == .sqlite {
                let totals = try db.query(
                    "SELECT coalesce(sum(rating), 0) AS s, count(*) AS c FROM prompt_custom_ui_ratings WHERE custom_ui_id = ?",
                    [uiID])
                try db.query(
                    "UPDATE prompt_custom_ui_lineages SET rating_sum = ?, rating_count = ? WHERE ui_id = ?",
                    [totals.first?["s"].int ?? 0, totals.first?["c"].int ?? 0, uiID])
            }
            let totals = try db.query(
                "SELECT rating_sum AS s, rating_count AS c FROM prompt_custom_ui_lineages WHERE ui_id = ?", [uiID])
            let sum = totals.first?["s"].int ?? 0
            let count = totals.first?["c"].int ?? 0
            return RatingSummary(
                average: count > 0 ? Double(sum) / Double(count) : 0, count: count, replaced: existed > 0)
        }
    }

    /// Records one run of a library UI (`uiID` is a version id, or a UI id meaning the version the
    /// user sees) and bumps `use_count` and `last_used_at` on the version and the UI; a `runID`
    /// must name a run already recorded for the same user.
    @discardableResult
    public func recordUsage(
        uiID: String, user: String, runID: String? = nil, variables: [String: String] = [:], success: Bool = true,
        error: String? = nil,
        durationMs: Int? = nil
    ) throws(LibraryError) -> UsageRecord {
        try Self.checkUser(user)
        return try write(user: user) { () throws -> UsageRecord in
            let versionRow: LibraryEntry
            if storeKind == .sqlite || Self.isUUID(uiID), let exact = try entries("WHERE v.id = ?", [uiID]).first {
                versionRow = exact
                try AccessPolicy.check(.recordUsage, user: user, facts: exact.facts, name: uiID)
            } else {
                let (_, decisive) = try resolveLineage(uiID, user: user)
                try AccessPolicy.check(.recordUsage, user: user, facts: decisive.facts, name: uiID)
                versionRow = decisive
            }
            if let runID {
                let owner = try db.scalar("SELECT user_id FROM ai_runs WHERE id = ?", [runID]).string
                // Row-level security hides another user's run; the database still says it exists.
                if owner == nil, storeKind == .postgres, try db.scalar("SELECT customui_run_exists(?)", [runID]).bool {
                    throw LibraryError.denied("run `\(runID)` belongs to another user")
                }
                guard let owner else {
                    throw LibraryError(
                        .libraryNotFound, "run `\(runID)` is not recorded", hint: "record the run before its usage")
                }
                guard owner == user else { throw LibraryError.denied("run `\(runID)` belongs to another user") }
            }
            let now = Timestamp.string(Date())
            let id = Self.newID()
            var vars = ValueObject()
            for key in variables.keys.sorted() { vars[key] = .string(variables[key] ?? "") }
            try db.query(
                """
                INSERT INTO prompt_custom_ui_usage (id, custom_ui_id, user_id, run_id, execution_time_ms, variables_used, success, error_message, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [id, versionRow.id, user, runID, durationMs, JSONWriter().string(.object(vars)), success, error, now])
            // On PostgreSQL a trigger counts the run (the user may not write the owner's rows).
            if storeKind == .sqlite {
                try db.query(
                    "UPDATE prompt_custom_uis SET use_count = use_count + 1, last_used_at = ? WHERE id = ?",
                    [now, versionRow.id])
                try db.query(
                    "UPDATE prompt_custom_ui_lineages SET use_count = use_count + 1, last_used_at = ? WHERE ui_id = ?",
                    [now, versionRow.uiID])
            }
            return UsageRecord(
                id: id, customUIID: versionRow.id, userID: user, runID: runID, executionTimeMs: durationMs,
                variablesUsed: variables, success: success, errorMessage: error, createdAt: now)
        }
    }

    /// The acting user's own usage records, newest first (nobody sees anyone else's).
    public func usage(user: String, uiReference: String? = nil, limit: Int = 100) throws(LibraryError) -> [UsageRecord]
    {
        try read(user: user) {
            var sql = "SELECT u.* FROM prompt_custom_ui_usage u"
            var parameters: [any SQLBindable] = [user]
            if let uiReference {
                // A UI the user cannot see answers as a missing one, not as "no usage recorded".
                let (lineage, decisive) = try resolveLineage(uiReference, user: user)
                try AccessPolicy.check(.view, user: user, facts: decisive.facts, name: uiReference)
                sql += " JOIN prompt_custom_uis v ON v.id = u.custom_ui_id WHERE u.user_id = ? AND v.ui_id = ?"
                parameters.append(lineage["ui_id"].string ?? "")
            } else {
                sql += " WHERE u.user_id = ?"
            }
            sql += " ORDER BY u.created_at DESC, u.rowid DESC LIMIT \(max(0, limit))"
            return try db.query(sql, parameters).map { row in
                var vars: [String: String] = [:]
                if let text = row["variables_used"].string, let object = (try? JSONParser.parseValue(text))?.objectValue
                {
                    for (key, value) in object { vars[key] = value.stringValue ?? "" }
                }
                return UsageRecord(
                    id: row["id"].string ?? "", customUIID: row["custom_ui_id"].string ?? "",
                    userID: row["user_id"].string ?? "",
                    runID: row["run_id"].string, executionTimeMs: row["execution_time_ms"].int, variablesUsed: vars,
                    success: row["success"].bool, errorMessage: row["error_message"].string,
                    createdAt: row["created_at"].string ?? "")
            }
        }
    }
}
