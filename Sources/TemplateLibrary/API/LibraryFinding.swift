import CustomUI
import CustomUICore
import Foundation
import JSONSchema

extension Library {
    // MARK: - Finding

    /// The UIs visible to `user` that match the query, one row per UI (the owner's latest version,
    /// or the public active version of someone else's).
    public func search(_ query: LibraryQuery, user: String) throws(LibraryError) -> [LibraryEntry] {
        guard query.limit >= 0, query.offset >= 0 else {
            throw LibraryError.invalid("`limit` and `offset` must not be negative")
        }
        let match = Self.ftsQuery(query.text)
        var conditions = [AccessPolicy.visibleVersionSQL]
        var parameters: [any SQLBindable] = [user]
        if let category = query.category {
            conditions.append("v.category = ?")
            parameters.append(category.lowercased())
        }
        for tag in query.tags {
            conditions.append("instr(v.tags, ?) > 0")
            parameters.append("|" + tag.lowercased() + "|")
        }
        if let owner = query.owner {
            conditions.append("v.user_id = ?")
            parameters.append(owner)
        }
        if let status = query.status {
            conditions.append("v.status = ?")
            parameters.append(status.rawValue)
        }
        if let isPublic = query.isPublic {
            conditions.append("v.is_public = ?")
            parameters.append(isPublic)
        }
        if let isFeatured = query.isFeatured {
            conditions.append("v.is_featured = ?")
            parameters.append(isFeatured)
        }
        let postgres = storeKind == .postgres
        var from = ""
        if let match {
            from =
                postgres
                ? "CROSS JOIN to_tsquery('customui_search', ?2) q JOIN customui_search_matches(q) m ON m.id = v.id"
                : "JOIN prompt_custom_uis_fts f ON f.rowid = v.rowid AND prompt_custom_uis_fts MATCH ?2"
            parameters.insert(postgres ? Self.tsQuery(query.text) ?? match : match, at: 1)
        }
        let order: String
        switch query.sort {
        case .relevance where match != nil && postgres:
            order = "m.rank DESC, m.updated_at DESC, m.row_number DESC"
        case .relevance where match != nil: order = "bm25(prompt_custom_uis_fts), v.updated_at DESC"
        case .rating:
            order =
                "(CASE WHEN l.rating_count = 0 THEN 0 ELSE l.rating_sum * 1.0 / l.rating_count END) DESC, l.rating_count DESC, v.updated_at DESC"
        case .uses: order = "l.use_count DESC, v.updated_at DESC"
        case .recent, .relevance: order = "v.updated_at DESC, v.rowid DESC"
        }
        // The join comes first in the text, so MATCH is numbered ?2 explicitly; the user stays ?1.
        // Newest-first listings walk the `updated_at` index and stop at the limit instead of
        // sorting every visible row.
        let indexed =
            !postgres && match == nil && query.owner == nil && (query.sort == .recent || query.sort == .relevance)
            ? "INDEXED BY idx_prompt_custom_uis_updated" : ""
        // Only the rating and use-count orders need the lineage row; skipping the join saves two
        // lookups per matched row.
        let lineage =
            query.sort == .rating || query.sort == .uses ? "JOIN prompt_custom_ui_lineages l ON l.ui_id = v.ui_id" : ""
        var base = """
            SELECT v.id AS vid FROM prompt_custom_uis v \(indexed) \(lineage) \(from)
            WHERE \(conditions.joined(separator: " AND ")) ORDER BY \(order)
            """
        if postgres, match != nil, conditions.count == 1, query.sort == .relevance || query.sort == .recent {
            // Words and nothing else: the matching function's rows (visible ones only) carry all
            // the order needs, so no row is read until the page's own.
            base = """
                SELECT m.id AS vid FROM customui_search_matches(to_tsquery('customui_search', ?1)) m
                ORDER BY \(query.sort == .recent ? "" : "m.rank DESC, ")m.updated_at DESC, m.row_number DESC
                """
            parameters = [parameters[1]]
        }
        let end = query.offset + query.limit
        return try read(user: user) {
            // Sort only ids, then read the 20 or so full rows: sorting whole rows (template text
            // included) for thousands of matches is what made searches slow.
            var ids: [String]
            if let match, query.sort == .relevance, !postgres {
                // Relevance in two tiers: UIs whose name matches, then the others, each by bm25.
                // Ranking only the name matches keeps a broad word (a quarter of the library) fast;
                // the second tier runs only when the first does not fill the page.
                let inName = "{name} : (\(match))"
                var tiered = parameters
                tiered[1] = inName
                ids = try db.query(base + " LIMIT \(end)", tiered).compactMap { $0["vid"].string }
                if ids.count < end {
                    tiered[1] = "(\(match)) NOT (\(inName))"
                    ids += try db.query(base + " LIMIT \(end - ids.count)", tiered).compactMap { $0["vid"].string }
                }
                ids = Array(ids.dropFirst(query.offset))
            } else {
                ids = try db.query(base + " LIMIT \(query.limit) OFFSET \(query.offset)", parameters).compactMap {
                    $0["vid"].string
                }
            }
            guard !ids.isEmpty else { return [] }
            let found = try entries("WHERE v.id IN (\(ids.map { _ in "?" }.joined(separator: ", ")))", ids)
            let byID = Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            return ids.compactMap { byID[$0] }
        }
    }

    /// The version a reference names as `user` sees it: the latest for the owner, the public
    /// active one for others, or the numbered version.
    public func entry(_ reference: String, version: Int? = nil, user: String) throws(LibraryError) -> LibraryEntry {
        try read(user: user) {
            let versions = try visibleVersions(reference, user: user)
            if let version {
                guard let match = versions.first(where: { $0.version == version }) else {
                    throw LibraryError(
                        .libraryNotFound, "`\(reference)` has no version \(version) visible to user `\(user)`",
                        hint: "`customui library versions \(reference)` lists them")
                }
                return match
            }
            if let own = versions.first(where: { $0.owner == user && $0.isLatest }) { return own }
            guard let shown = versions.first(where: { $0.facts.isPublished }) ?? versions.first else {
                throw AccessPolicy.notFound(reference, user: user)
            }
            return shown
        }
    }

    /// Every version of a UI that `user` may see, newest first.
    public func versions(_ reference: String, user: String) throws(LibraryError) -> [LibraryEntry] {
        try read(user: user) { try visibleVersions(reference, user: user) }
    }

    /// A version as text: the template file, or the definition JSON (a `prompt_custom_uis` row).
    public func export(_ reference: String, version: Int? = nil, asDefinition: Bool, user: String) throws(LibraryError)
        -> String
    {
        Self.text(of: try entry(reference, version: version, user: user), asDefinition: asDefinition)
    }

    /// A version as a file: the template file, or the definition JSON (a `prompt_custom_uis` row).
    /// A UI that is not a template (`component_type: json-schema`) has no template file form, so
    /// it is always given as its definition JSON, which keeps its component type.
    public static func text(of found: LibraryEntry, asDefinition: Bool) -> String {
        if asDefinition || found.definition.componentType != .template {
            var definition = found.definition
            // The validator asks `component_code`'s root for a `name` (it does not yet take it from
            // the column), so the export repeats it there; the loader checks that the two agree.
            if definition.componentCode.hasPrefix("<custom-ui>") {
                definition.componentCode =
                    "<custom-ui name=\"\(Self.escapeAttribute(definition.name))\">"
                    + definition.componentCode.dropFirst("<custom-ui>".count)
            }
            return JSONWriter(pretty: true).string(definition.jsonValue) + "\n"
        }
        return found.templateText
    }

    private func visibleVersions(_ reference: String, user: String) throws -> [LibraryEntry] {
        let (lineage, latest) = try resolveLineage(reference, user: user)
        try AccessPolicy.check(.view, user: user, facts: latest.facts, name: reference)
        let all = try entries("WHERE v.ui_id = ? ORDER BY v.version DESC", [lineage["ui_id"].string ?? ""])
        // A version the user may not see (someone else's draft) is not listed, not even as a number.
        let visible = all.filter { AccessPolicy.canView(user, $0.facts) }
        guard !visible.isEmpty else { throw AccessPolicy.notFound(reference, user: user) }
        return visible
    }

    /// Finds the lineage a reference names: a UI id, a version id, `owner/name`, or a name (the
    /// user's own first, then a unique visible one). Returns the lineage row and the version whose
    /// facts decide access (the user's latest, else the public active one).
    func resolveLineage(_ reference: String, user: String) throws -> (SQLRow, LibraryEntry) {
        // PostgreSQL's ids are `uuid`s: a name is not compared with them (it could not match).
        var candidates =
            storeKind == .postgres && !Self.isUUID(reference)
            ? []
            : try db.query(
                "SELECT * FROM prompt_custom_ui_lineages WHERE ui_id = ? OR ui_id = (SELECT ui_id FROM prompt_custom_uis WHERE id = ?)",
                [reference, reference])
        if candidates.isEmpty, let slash = reference.firstIndex(of: "/") {
            // `OWNER/NAME` names only that owner's UI: names cannot contain `/`, so it is never a
            // bare name, and it never falls back to the acting user's or a public UI.
            let owner = String(reference[..<slash])
            let name = String(reference[reference.index(after: slash)...])
            candidates = try db.query(
                "SELECT * FROM prompt_custom_ui_lineages WHERE user_id = ? AND name = ?", [owner, name])
        } else if candidates.isEmpty {
            candidates = try db.query(
                "SELECT * FROM prompt_custom_ui_lineages WHERE user_id = ? AND name = ?", [user, reference])
        }
        if candidates.isEmpty, !reference.contains("/") {
            candidates = try db.query(
                """
                SELECT l.* FROM prompt_custom_ui_lineages l
                WHERE l.name = ? AND EXISTS (SELECT 1 FROM prompt_custom_uis v WHERE v.ui_id = l.ui_id AND v.is_public = TRUE AND v.status = 'active')
                """, [reference])
            if candidates.count > 1 {
                let owners = candidates.compactMap { $0["user_id"].string }.sorted().map { "`\($0)/\(reference)`" }
                throw LibraryError(
                    .libraryAmbiguous, "`\(reference)` names \(candidates.count) UIs",
                    hint: "name one as OWNER/NAME: \(owners.joined(separator: ", "))")
            }
        }
        guard let lineage = candidates.first, let uiID = lineage["ui_id"].string else {
            throw AccessPolicy.notFound(reference, user: user)
        }
        let owner = lineage["user_id"].string ?? ""
        let decisive: LibraryEntry?
        if owner == user {
            decisive = try latestVersion(uiID: uiID)
        } else {
            decisive =
                try entries(
                    "WHERE v.ui_id = ? AND v.is_public = TRUE AND v.status = 'active' ORDER BY v.version DESC LIMIT 1",
                    [uiID]
                ).first
                ?? latestVersion(uiID: uiID)
        }
        guard let decisive else { throw AccessPolicy.notFound(reference, user: user) }
        return (lineage, decisive)
    }

    /// The UI's latest version (whatever its status), or nil when the UI has none.
    func latestVersion(uiID: String) throws -> LibraryEntry? {
        try entries("WHERE v.ui_id = ? AND v.is_latest = TRUE", [uiID]).first
    }

    /// Rows of `prompt_custom_uis` (aliased `v`) joined with their lineage, as entries.
    func entries(_ clause: String, _ parameters: [any SQLBindable], join: String = "") throws -> [LibraryEntry] {
        let rows = try db.query(
            """
            SELECT v.*, l.use_count AS l_use_count, l.last_used_at AS l_last_used_at, l.rating_sum AS l_rating_sum,
                   l.rating_count AS l_rating_count
            FROM prompt_custom_uis v JOIN prompt_custom_ui_lineages l ON l.ui_id = v.ui_id \(join) \(clause)
            """, parameters)
        return rows.map(Self.entry)
    }

    private static func entry(_ row: SQLRow) -> LibraryEntry {
        func json(_ column: String) -> Value? {
            guard let text = row[column].string else { return nil }
            return try? JSONParser.parseValue(text)
        }
        var d = CustomUIDefinition(
            name: row["name"].string ?? "", componentCode: row["component_code"].string ?? "",
            componentType: ComponentType(rawValue: row["component_type"].string ?? "") ?? .template)
        d.id = row["id"].string
        d.userID = row["user_id"].string
        d.promptID = row["prompt_id"].string
        d.description = row["description"].string
        d.propsSchema = json("props_schema")
        d.defaultProps = json("default_props")
        d.executionMode = ExecutionMode(rawValue: row["execution_mode"].string ?? "") ?? .manual
        d.autoSubmit = row["auto_submit"].bool
        d.showVariables = row["show_variables"].bool
        d.layoutConfig = json("layout_config")
        d.stylingConfig = json("styling_config")
        d.isPublic = row["is_public"].bool
        d.isFeatured = row["is_featured"].bool
        d.useCount = row["use_count"].int ?? 0
        d.version = row["version"].int ?? 1
        d.parentVersionID = row["parent_version_id"].string
        d.status = DefinitionStatus(rawValue: row["status"].string ?? "") ?? .draft
        d.validated = row["validated"].bool
        d.validationErrors = json("validation_errors")
        d.createdAt = row["created_at"].string
        d.updatedAt = row["updated_at"].string
        d.publishedAt = row["published_at"].string
        d.lastUsedAt = row["last_used_at"].string
        let ratingCount = row["l_rating_count"].int ?? 0
        let ratingSum = row["l_rating_sum"].int ?? 0
        return LibraryEntry(
            definition: d, uiID: row["ui_id"].string ?? "", category: row["category"].string,
            tags: decodeTags(row["tags"].string ?? ""),
            templateText: row["template_text"].string ?? "", contentHash: row["content_hash"].string ?? "",
            isLatest: row["is_latest"].bool,
            uiUseCount: row["l_use_count"].int ?? 0, uiLastUsedAt: row["l_last_used_at"].string,
            ratingAverage: ratingCount > 0 ? Double(ratingSum) / Double(ratingCount) : nil, ratingCount: ratingCount)
    }

    /// Each word of the user's text as a PostgreSQL prefix term (`'word':*`), all required.
    static func tsQuery(_ text: String) -> String? {
        ftsWords(text).map { $0.map { "'\($0)':*" }.joined(separator: " & ") }
    }

    /// Each word of the user's text as a quoted FTS5 prefix term, so no input is FTS syntax.
    static func ftsQuery(_ text: String) -> String? {
        ftsWords(text).map { $0.map { "\"\($0)\"*" }.joined(separator: " ") }
    }

    /// The user's text as at most 16 words of letters and digits; nil when it has none.
    static func ftsWords(_ text: String) -> [String]? {
        var words: [String] = []
        var current = ""
        for scalar in text.unicodeScalars {
            if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                current.unicodeScalars.append(scalar)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        guard !words.isEmpty else { return nil }
        return Array(words.prefix(16))
    }
}
