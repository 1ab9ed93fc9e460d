import CustomUI
import CustomUICore
import Foundation
import JSONSchema

/// What an archive import wrote, table by table.
public struct ArchiveImport: Sendable, Hashable {
    /// Rows inserted per table.
    public var rows: [String: Int]
    /// The UIs imported, as `OWNER/NAME`, in the archive's order.
    public var uis: [String]
}

/// Library archives: every row of a UI (or of the whole library) as JSON, so an export imports
/// into another library with nothing lost: versions with their ids, lineage, status, category,
/// tags, featured flag and counters, ratings, usage, and the runs the usage names.
///
/// The format (`docs/library.md`, "Export and import"):
/// `{"customui_library_export": 1, "schema_version": N, "scope": "ui"|"all", "tables": {TABLE: [ROW, …]}}`
/// where each row maps column names to text, integers or null, and a real number is
/// `{"real": "0.0125"}` (Swift's shortest round-trip text, so costs come back bit for bit).
extension Library {
    /// The tables an archive holds, in the order an import writes them (parents first).
    static let archiveTables = [
        "prompt_custom_ui_lineages", "prompt_custom_uis", "prompt_custom_ui_ratings", "ai_runs", "ai_tasks",
        "prompt_custom_ui_usage", "prompt_custom_ui_templates",
    ]

    /// The marker key and format version of an archive.
    static let archiveMarker = "customui_library_export"

    /// Whether `text` looks like a library archive (a JSON object with the marker key).
    public static func isArchive(_ text: String) -> Bool {
        text.prefix(200).contains("\"\(archiveMarker)\"")
    }

    /// One UI with its whole history, as its owner sees it: every version, the lineage row, its
    /// ratings, the owner's own usage of it and the owner's runs that usage names (with their tasks).
    /// Only the owner may export a UI's history; a UI the user cannot see is not found.
    public func exportArchive(_ reference: String, user: String) throws(LibraryError) -> String {
        try read(user: user) { () throws -> String in
            let (lineage, decisive) = try resolveLineage(reference, user: user)
            try AccessPolicy.check(.view, user: user, facts: decisive.facts, name: reference)
            guard decisive.owner == user else {
                throw LibraryError.denied(
                    "user `\(user)` may not export the history of `\(reference)`: it belongs to `\(decisive.owner)`",
                    hint: "`customui library export REF` gives the version you can see")
            }
            let uiID = lineage["ui_id"].string ?? ""
            // Both parameters are bound to every statement: ?1 the UI id, ?2 the user.
            let usage = "user_id = ?2 AND custom_ui_id IN (SELECT id FROM prompt_custom_uis WHERE ui_id = ?1)"
            let runs = "SELECT run_id FROM prompt_custom_ui_usage WHERE run_id IS NOT NULL AND \(usage)"
            let selections: [(String, String)] = [
                (
                    "prompt_custom_ui_lineages",
                    "SELECT * FROM prompt_custom_ui_lineages WHERE ui_id = ?1 AND user_id = ?2"
                ),
                ("prompt_custom_uis", "SELECT * FROM prompt_custom_uis WHERE ui_id = ?1 AND user_id = ?2"),
                (
                    "prompt_custom_ui_ratings",
                    "SELECT * FROM prompt_custom_ui_ratings WHERE custom_ui_id = ?1 AND CAST(?2 AS TEXT) IS NOT NULL"
                ),
                ("ai_runs", "SELECT * FROM ai_runs WHERE user_id = ?2 AND id IN (\(runs))"),
                ("ai_tasks", "SELECT * FROM ai_tasks WHERE user_id = ?2 AND run_id IN (\(runs))"),
                ("prompt_custom_ui_usage", "SELECT * FROM prompt_custom_ui_usage WHERE \(usage)"),
            ]
            return try archiveText(scope: "ui", selections.map { ($0.0, $0.1 + " ORDER BY rowid") }, [uiID, user])
        }
    }

    /// The whole library, every user's rows: a backup that imports into a new library identically.
    /// Like copying the file, it is not limited to the acting user; whoever can read the file can
    /// read this.
    public func exportAll() throws(LibraryError) -> String {
        try read(user: nil) { () throws -> String in
            try archiveText(scope: "all", Self.archiveTables.map { ($0, "SELECT * FROM \($0) ORDER BY rowid") }, [])
        }
    }

    private func archiveText(scope: String, _ selections: [(String, String)], _ parameters: [any SQLBindable]) throws
        -> String
    {
        // Written by hand, one row a line, so a large library needs no second copy as a `Value`.
        let writer = JSONWriter()
        var out = "{\n  \"\(Self.archiveMarker)\": 1,\n  \"schema_version\": \(Schema.currentVersion),\n"
        out += "  \"scope\": \"\(scope)\",\n  \"tables\": {"
        for (index, (table, sql)) in selections.enumerated() {
            let rows = try db.query(sql, parameters)
            out += index == 0 ? "\n" : ",\n"
            out += "    \"\(table)\": ["
            for (r, row) in rows.enumerated() {
                var object = ValueObject()
                for column in try columns(of: table) {
                    switch row[column] {
                    case .null: object[column] = .null
                    case .int(let i): object[column] = .int(Int(i))
                    case .real(let d): object[column] = ["real": .string("\(d)")]
                    case .text(let t): object[column] = .string(t)
                    }
                }
                out += (r == 0 ? "\n      " : ",\n      ") + writer.string(.object(object))
            }
            out += rows.isEmpty ? "]" : "\n    ]"
        }
        out += "\n  }\n}\n"
        return out
    }

    /// The columns of one of our tables, in order.
    private func columns(of table: String) throws -> [String] {
        if storeKind == .postgres {
            // The generated columns (row order, search vector) are the database's, not the archive's.
            return try db.query(
                """
                SELECT column_name AS name FROM information_schema.columns
                WHERE table_schema = 'public' AND table_name = ? AND column_name NOT IN ('rowid', 'search_vector')
                ORDER BY ordinal_position
                """, [table]
            ).compactMap { $0["name"].string }
        }
        return try db.query("SELECT name FROM pragma_table_info(?) ORDER BY cid", [table]).compactMap {
            $0["name"].string
        }
    }

    /// Imports an archive in one transaction: every row as it was, ids included. A UI archive
    /// (`scope: ui`) must hold only the acting user's UIs; a whole-library archive restores every
    /// user's rows. A UI or run the library already has is refused (`library.exists`) and
    /// nothing is written.
    public func importArchive(_ text: String, user: String) throws(LibraryError) -> ArchiveImport {
        try Self.checkUser(user)
        let limits = ResourceLimits(maxDocumentBytes: Int(Int32.max), maxDepth: 16, maxNodes: Int.max)
        let document: Value
        do {
            document = try JSONParser.parseValue(text, limits: limits)
        } catch {
            throw LibraryError.invalid("the archive is not valid JSON: \(error)", hint: "export it again")
        }
        guard document[Self.archiveMarker]?.intValue == 1, let tables = document["tables"]?.objectValue else {
            throw LibraryError.invalid(
                "not a library archive (no `\(Self.archiveMarker)`: 1 and `tables`)",
                hint: "`customui library export REF --history` or `--all` writes one")
        }
        let version = document["schema_version"]?.intValue ?? 0
        guard version >= 1, version <= Schema.currentVersion else {
            throw LibraryError(
                .libraryNewerSchema,
                "the archive has schema version \(version); this customui understands up to \(Schema.currentVersion)",
                hint: "import it with a newer customui; nothing was imported")
        }
        let scopeAll = document["scope"] == "all"
        for name in tables.keys where !Self.archiveTables.contains(name) {
            throw LibraryError.invalid("the archive has an unknown table `\(name)`")
        }
        return try write(user: user) { () throws -> ArchiveImport in
            // Rows reference each other in both directions (a version's parent); check at commit.
            if storeKind == .sqlite {
                try db.execute("PRAGMA defer_foreign_keys = ON")
            } else if scopeAll {
                // A copy brings the usage counters with it; the trigger must not count its usage rows again.
                try db.query("SELECT set_config('customui.copying', 'on', true)")
            }
            var result = ArchiveImport(rows: [:], uis: [])
            for table in Self.archiveTables {
                let known = try columns(of: table)
                let rows = tables[table]?.arrayValue ?? []
                for row in rows {
                    guard let object = row.objectValue else {
                        throw LibraryError.invalid("a row of `\(table)` in the archive is not an object")
                    }
                    var names: [String] = []
                    var values: [any SQLBindable] = []
                    for (column, value) in object {
                        guard known.contains(column) else {
                            throw LibraryError.invalid("the archive's `\(table)` has an unknown column `\(column)`")
                        }
                        names.append(column)
                        values.append(try Self.sqlValue(value, table: table, column: column))
                    }
                    guard try checkImport(table, object, user: user, scopeAll: scopeAll, result: &result) else {
                        continue
                    }
                    let sql =
                        "INSERT INTO \(table) (\(names.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))"
                    do {
                        try db.query(sql, values)
                        result.rows[table, default: 0] += 1
                    } catch let error as PostgresError where error.state.hasPrefix("23") {
                        let row =
                            "a row of `\(table)` (`\(object["id"]?.stringValue ?? object["ui_id"]?.stringValue ?? "?")`)"
                        throw LibraryError(
                            error.isDuplicate ? .libraryExists : .libraryInvalidInput,
                            "\(row) cannot be imported: \(error.message); nothing was imported",
                            hint: error.isDuplicate
                                ? "import into a new library, or delete what it would replace first"
                                : "export the whole UI (`--history`) or the whole library (`--all`) again")
                    } catch let error as SQLiteError where error.isConstraint {
                        let row =
                            "a row of `\(table)` (`\(object["id"]?.stringValue ?? object["ui_id"]?.stringValue ?? "?")`)"
                        if error.isDuplicate {
                            throw LibraryError(
                                .libraryExists,
                                "\(row) is already in the library (\(error.message)); nothing was imported",
                                hint: "import into a new library, or delete what it would replace first")
                        }
                        throw LibraryError.invalid(
                            "\(row) in the archive is not valid: \(error.message); nothing was imported",
                            hint: "export it again with `customui library export`")
                    }
                }
            }
            // A row naming one that is neither in the archive nor in the library: say which, not
            // SQLite's bare "FOREIGN KEY constraint failed" at commit.
            if storeKind == .sqlite, let dangling = try db.query("PRAGMA foreign_key_check").first {
                throw LibraryError.invalid(
                    "a row of `\(dangling["table"].string ?? "?")` in the archive names a `\(dangling["parent"].string ?? "?")` row that is neither in the archive nor in the library; nothing was imported",
                    hint: "export the whole UI (`--history`) or the whole library (`--all`) again")
            }
            return result
        }
    }

    /// Refuses rows an import must not write (someone else's UI in a UI archive, a UI the library
    /// already has); returns false for a run or task the library already has for the same user,
    /// which is kept as it is (a UI deleted and imported again finds its runs still there).
    private func checkImport(
        _ table: String, _ row: ValueObject, user: String, scopeAll: Bool, result: inout ArchiveImport
    )
        throws -> Bool
    {
        switch table {
        case "prompt_custom_ui_lineages":
            let owner = row["user_id"]?.stringValue ?? ""
            let name = row["name"]?.stringValue ?? ""
            if !scopeAll, owner != user {
                throw LibraryError.denied(
                    "the archive's UI `\(owner)/\(name)` belongs to `\(owner)`; user `\(user)` may import only their own UIs",
                    hint: "import it as `--user \(owner)`, or import a whole-library archive into a new library")
            }
            let id = row["ui_id"]?.stringValue ?? ""
            if try db.scalar(
                "SELECT count(*) FROM prompt_custom_ui_lineages WHERE ui_id = ? OR (user_id = ? AND name = ?)",
                [id, owner, name]
            ).int ?? 0 > 0 {
                throw LibraryError(
                    .libraryExists, "the library already has the UI `\(owner)/\(name)`; nothing was imported",
                    hint: "import into a new library, or delete it first (`customui library delete \(owner)/\(name)`)")
            }
            result.uis.append("\(owner)/\(name)")
        case "ai_runs", "ai_tasks":
            let owner = row["user_id"]?.stringValue ?? ""
            if !scopeAll, owner != user {
                throw LibraryError.denied("the archive's run `\(row["id"]?.stringValue ?? "")` belongs to another user")
            }
            if let existing = try db.scalar("SELECT user_id FROM \(table) WHERE id = ?", [row["id"]?.stringValue ?? ""])
                .string
            {
                guard existing == owner else {
                    throw LibraryError(
                        .libraryExists,
                        "the archive's run `\(row["id"]?.stringValue ?? "")` is in the library as another user's; nothing was imported"
                    )
                }
                return false
            }
        default:
            break
        }
        return true
    }

    private static func sqlValue(_ value: Value, table: String, column: String) throws -> SQLValue {
        switch value {
        case .null: return .null
        case .string(let s): return .text(s)
        case .bool(let b): return .int(b ? 1 : 0)
        case .number(let n):
            guard let i = n.intValue else {
                throw LibraryError.invalid("`\(table).\(column)` in the archive is not a whole number")
            }
            return .int(Int64(i))
        case .object(let o):
            if let text = o["real"]?.stringValue, let d = Double(text) { return .real(d) }
            throw LibraryError.invalid("`\(table).\(column)` in the archive is not a column value")
        case .array:
            throw LibraryError.invalid("`\(table).\(column)` in the archive is not a column value")
        }
    }

    // MARK: - Deleting

    /// Deletes a UI: every version, its lineage, and (as seed 002 cascades) its ratings and usage
    /// records. Runs stay; they keep the id of the UI that ran. Only the owner may delete a UI.
    @discardableResult
    public func delete(_ reference: String, user: String) throws(LibraryError) -> (
        name: String, versions: Int, ratings: Int, usage: Int
    ) {
        try write(user: user) { () throws -> (name: String, versions: Int, ratings: Int, usage: Int) in
            let (lineage, latest) = try resolveLineage(reference, user: user)
            try AccessPolicy.check(.delete, user: user, facts: latest.facts, name: reference)
            let uiID = lineage["ui_id"].string ?? ""
            let count = { (sql: String) throws -> Int in try self.db.scalar(sql, [uiID]).int ?? 0 }
            let versions = try count("SELECT count(*) FROM prompt_custom_uis WHERE ui_id = ?")
            let ratings = try count("SELECT count(*) FROM prompt_custom_ui_ratings WHERE custom_ui_id = ?")
            let usage = try count(
                "SELECT count(*) FROM prompt_custom_ui_usage WHERE custom_ui_id IN (SELECT id FROM prompt_custom_uis WHERE ui_id = ?)"
            )
            // Versions point at their parents; clear the links first so no order of deletion matters.
            try db.query("UPDATE prompt_custom_uis SET parent_version_id = NULL WHERE ui_id = ?", [uiID])
            try db.query("DELETE FROM prompt_custom_ui_lineages WHERE ui_id = ?", [uiID])
            return (lineage["name"].string ?? reference, versions, ratings, usage)
        }
    }
}
