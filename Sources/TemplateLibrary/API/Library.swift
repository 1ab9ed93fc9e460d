import CustomUI
import CustomUICore
import Foundation
import JSONSchema

/// The template library and run store: one SQLite file in WAL mode, every change in an immediate
/// transaction, or a shared PostgreSQL database whose row-level security policies enforce the same
/// rules; every operation is checked against `AccessPolicy` for the acting user.
///
/// One instance serialises its own calls with a lock; many processes may share a file or database.
/// Everything here is immutable but the database connection (a C wrapper), which is used only
/// inside `read`/`write` (and `init`), under `lock`.
public final class Library: Sendable {
    /// The library file, or the PostgreSQL URL with any password removed (safe to print).
    public let path: String
    /// Which database the library lives in.
    public let storeKind: LibraryStoreKind
    /// The user `RunRecorder` calls act as when a run names no user.
    public let recorderUser: String?
    /// Whether the file was opened read-only (a write-protected file); writes fail with `library.read-only`.
    public let isReadOnly: Bool

    private let lock = NSLock()
    /// The store every statement goes to.
    let db: any LibraryStore
    /// The same connection when the store is SQLite (busy timeouts), else nil.
    private let sqlite: SQLiteConnection?

    /// How long a call waits, in all, for another process's lock before failing with `library.busy`.
    public let busyTimeout: Duration
    /// The documented default wait for a held lock.
    public static let defaultBusyTimeout: Duration = .seconds(10)

    /// Opens the library at `path`, creating it (and its directory) when missing.
    ///
    /// Nothing is written to a file that is not a library (an empty file included), that is
    /// damaged, that came from a newer schema, or that is write-protected; each gives its own
    /// `library.*` error. A file that is not ours is judged from its header bytes, before SQLite
    /// opens it, so not even its WAL is touched. A new library is built in a temporary file and
    /// linked into place whole, so no other process ever sees it half made.
    ///
    /// `busyTimeout` bounds how long any one call waits for a lock another process holds.
    public init(path: String, recorderUser: String? = nil, busyTimeout: Duration = Library.defaultBusyTimeout)
        throws(LibraryError)
    {
        self.path = path
        self.recorderUser = recorderUser
        self.busyTimeout = busyTimeout
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        let exists = fm.fileExists(atPath: path, isDirectory: &isDirectory)
        if exists && isDirectory.boolValue {
            throw LibraryError(
                .libraryCannotOpen, "`\(path)` is a directory, not a library file",
                hint: "name a file, for example `\(path)/library.sqlite`")
        }
        if !exists { try Self.create(path: path, busyTimeout: busyTimeout) }
        try Self.checkHeader(path: path)
        // Root ignores permission bits, so honour the owner's intent from the mode itself.
        let mode = (try? fm.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? 0o644
        let readOnly = mode & 0o222 == 0 || access(path, W_OK) != 0
        let connection: SQLiteConnection
        do {
            connection = try SQLiteConnection(path: path, readOnly: readOnly, create: false)
        } catch {
            throw LibraryError.from(error, path: path)
        }
        db = connection
        sqlite = connection
        storeKind = .sqlite
        isReadOnly = readOnly || connection.isReadOnly
        do {
            try prepareSchema()
        } catch let error as LibraryError {
            throw error
        } catch let error as SQLiteError {
            throw LibraryError.from(error, path: path, busyTimeout: busyTimeout)
        } catch {
            throw LibraryError(.librarySQLite, "\(error)")
        }
    }

    /// Opens the library at `location`: a `postgres://` (or `postgresql://`) URL, else a file path.
    ///
    /// A PostgreSQL library must have been made with `migrate(url:)` (`customui library migrate`),
    /// and is opened as a role that row-level security applies to: one that neither owns the tables
    /// nor bypasses the policies, unless `administrative` (copying a whole library needs every row).
    public static func open(
        _ location: String, recorderUser: String? = nil, administrative: Bool = false,
        busyTimeout: Duration = Library.defaultBusyTimeout
    ) throws(LibraryError) -> Library {
        if LibraryLocation.isPostgres(location) {
            return try Library(postgresURL: location, recorderUser: recorderUser, administrative: administrative)
        }
        return try Library(path: location, recorderUser: recorderUser, busyTimeout: busyTimeout)
    }

    /// Connects to a PostgreSQL library; see `open(_:recorderUser:administrative:busyTimeout:)`.
    init(postgresURL url: String, recorderUser: String?, administrative: Bool) throws(LibraryError) {
        path = LibraryLocation.redacted(url)
        self.recorderUser = recorderUser
        busyTimeout = Self.defaultBusyTimeout
        isReadOnly = false
        storeKind = .postgres
        sqlite = nil
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection(url: url)
        } catch {
            throw LibraryError.from(error, location: path)
        }
        db = connection
        try checkPostgres(administrative: administrative)
    }

    /// Refuses, from its first 100 bytes, a file that is empty, not SQLite, or SQLite made by
    /// another program (its `application_id` is not ours), without opening it with SQLite.
    static func checkHeader(path: String) throws(LibraryError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw LibraryError(
                .libraryCannotOpen, "cannot read the library `\(path)`", hint: "check the file's permissions")
        }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 100)) ?? Data()
        if header.isEmpty {
            throw LibraryError(
                .libraryNotADatabase, "`\(path)` is an empty file, not a CustomUI library",
                hint: "it was not changed; remove it to let customui create a library there, or use another --library")
        }
        let magic = Data("SQLite format 3\u{0}".utf8)
        guard header.count == 100, header.prefix(magic.count) == magic else {
            throw LibraryError.from(SQLiteError.notADatabase, path: path)
        }
        let applicationID = header[68..<72].reduce(0) { $0 << 8 | Int($1) }
        guard applicationID == Schema.applicationID else {
            throw LibraryError(
                .libraryNotALibrary, "`\(path)` is an SQLite database but not a CustomUI library",
                hint: "it was not changed; point --library at a library file or a new path")
        }
    }

    /// Builds a new library in a temporary file beside `path` and links it into place. When
    /// another process created `path` first, its library is used and this one dropped.
    private static func create(path: String, busyTimeout: Duration) throws(LibraryError) {
        let fm = FileManager.default
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty && !fm.fileExists(atPath: directory) {
            do {
                try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw LibraryError(
                    .libraryCannotOpen, "cannot create the library directory `\(directory)`",
                    hint: "check its permissions or use --library PATH")
            }
        }
        if access(directory.isEmpty ? "." : directory, W_OK) != 0 {
            throw LibraryError(
                .libraryReadOnly, "cannot create the library `\(path)`: its directory is not writable",
                hint: "make the directory writable, or use another --library")
        }
        let temporary = path + ".new-" + newID()
        defer {
            for suffix in ["", "-journal", "-wal", "-shm"] { unlink(temporary + suffix) }
        }
        do {
            let connection = try SQLiteConnection(path: temporary, readOnly: false, create: true)
            try connection.execute("PRAGMA synchronous = FULL")
            try connection.execute("BEGIN IMMEDIATE")
            for migration in Schema.migrations { try connection.execute(migration) }
            try connection.execute("PRAGMA application_id = \(Schema.applicationID)")
            try connection.execute("PRAGMA user_version = \(Schema.currentVersion)")
            try connection.execute("COMMIT")
            _ = try connection.query("PRAGMA journal_mode = WAL", [])
        } catch {
            throw LibraryError.from(error, path: path, busyTimeout: busyTimeout)
        }
        // link(2) never replaces: a library another process linked first wins, and is used.
        if link(temporary, path) != 0 {
            if errno == EEXIST { return }
            // A file system without hard links: rename, which is atomic but may replace.
            if rename(temporary, path) != 0 {
                throw LibraryError(
                    .libraryCannotOpen, "cannot create the library `\(path)`: \(String(cString: strerror(errno)))",
                    hint: "check that the directory is writable, or use another --library")
            }
        }
        // The new name must survive a power loss as the publishes that follow will.
        let fd = Glibc.open(directory.isEmpty ? "." : directory, O_RDONLY)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    /// Checks the file is ours and current, migrates it, then sets WAL and foreign keys.
    private func prepareSchema() throws {
        // One snapshot for both reads. The header was checked before SQLite opened the file; this
        // reads what SQLite sees (the WAL included) and checks again before anything is written.
        let (applicationID, version) = try withBusyRetry {
            try db.execute("BEGIN")
            defer { try? db.execute("COMMIT") }
            return (try db.scalar("PRAGMA application_id").int ?? 0, try db.scalar("PRAGMA user_version").int ?? 0)
        }
        // "Newer schema" is said only of our own files: a stranger's user_version means nothing to us.
        if applicationID != Schema.applicationID {
            throw LibraryError(
                .libraryNotALibrary, "`\(path)` is an SQLite database but not a CustomUI library",
                hint: "it was not changed; point --library at a library file or a new path")
        }
        if version > Schema.currentVersion {
            throw LibraryError(
                .libraryNewerSchema,
                "the library `\(path)` has schema version \(version); this customui understands up to \(Schema.currentVersion)",
                hint: "use a newer customui with this library; it was not changed")
        }
        try db.execute("PRAGMA foreign_keys = ON")
        if version < Schema.currentVersion {
            guard !isReadOnly else {
                throw LibraryError(
                    .libraryReadOnly, "the library `\(path)` is read-only and needs its schema created or upgraded")
            }
            try migrate()
        }
        if !isReadOnly {
            _ = try db.query("PRAGMA journal_mode = WAL")
            // FULL syncs the WAL at every commit, so a publish that returned survives even a power loss.
            try db.execute("PRAGMA synchronous = FULL")
        }
    }

    private func migrate() throws {
        try withBusyRetry {
            try db.execute("BEGIN IMMEDIATE")
            do {
                // Another process may have migrated while this one waited for the lock.
                let version = try db.scalar("PRAGMA user_version").int ?? 0
                if version > Schema.currentVersion {
                    throw LibraryError(.libraryNewerSchema, "the library `\(path)` has schema version \(version)")
                }
                for index in version..<Schema.currentVersion {
                    try db.execute(Schema.migrations[index])
                }
                try db.execute("PRAGMA application_id = \(Schema.applicationID)")
                try db.execute("PRAGMA user_version = \(Schema.currentVersion)")
                try db.execute("COMMIT")
            } catch {
                try? db.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Runs `body`, again while another process holds the lock, until `busyTimeout` has passed in
    /// all (SQLite's own busy handler waits within each attempt for what remains of it).
    private func withBusyRetry<T>(_ body: () throws -> T) throws -> T {
        let deadline = ContinuousClock.now + busyTimeout
        while true {
            let remaining = deadline - ContinuousClock.now
            let ms = max(
                0, remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000)
            sqlite?.setBusyTimeout(milliseconds: Int32(clamping: ms))
            do {
                return try body()
            } catch let error as SQLiteError where error.isBusy && ContinuousClock.now < deadline {
                usleep(UInt32.random(in: 1_000...20_000))
            }
        }
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction (the write lock is taken up front, so two
    /// publishers never read the same latest version), retrying when the lock stays busy. On
    /// PostgreSQL the transaction acts as `user` (row-level security reads it) and takes the
    /// library's write lock (an advisory lock) first, for the same reason.
    func write<T>(user: String?, _ body: () throws -> T) throws(LibraryError) -> T {
        lock.lock()
        defer { lock.unlock() }
        guard !isReadOnly else {
            throw LibraryError(
                .libraryReadOnly, "the library `\(path)` is read-only; nothing was written",
                hint: "make the file writable or use another --library")
        }
        if storeKind == .postgres { return try mapErrors { try postgresTransaction(write: true, user: user, body) } }
        return try mapErrors {
            try withBusyRetry {
                try db.execute("BEGIN IMMEDIATE")
                do {
                    let result = try body()
                    try db.execute("COMMIT")
                    return result
                } catch {
                    try? db.execute("ROLLBACK")
                    throw error
                }
            }
        }
    }

    /// Runs `body` in one read transaction, so a listing sees one consistent snapshot.
    func read<T>(user: String?, _ body: () throws -> T) throws(LibraryError) -> T {
        lock.lock()
        defer { lock.unlock() }
        if storeKind == .postgres { return try mapErrors { try postgresTransaction(write: false, user: user, body) } }
        return try mapErrors {
            try withBusyRetry {
                try db.execute("BEGIN")
                defer { try? db.execute("COMMIT") }
                return try body()
            }
        }
    }

    private func mapErrors<T>(_ body: () throws -> T) throws(LibraryError) -> T {
        do {
            return try body()
        } catch let error as LibraryError {
            throw error
        } catch let error as SQLiteError {
            throw LibraryError.from(error, path: path, busyTimeout: busyTimeout)
        } catch let error as PostgresError {
            throw LibraryError.from(error, location: path)
        } catch {
            throw LibraryError(.librarySQLite, "\(error)")
        }
    }

    /// Runs `PRAGMA integrity_check` and returns its findings (`["ok"]` when sound).
    public func integrityCheck() throws(LibraryError) -> [String] {
        if storeKind == .postgres {
            return try read(user: nil) {
                try db.query("SELECT 1"); return ["ok"]
            }
        }
        return try read(user: nil) {
            try db.query("PRAGMA integrity_check").compactMap { $0.columns.values.first?.string }
        }
    }

    /// The schema version of the file.
    public func schemaVersion() throws(LibraryError) -> Int {
        if storeKind == .postgres {
            return try read(user: nil) {
                try db.scalar("SELECT coalesce(max(version), 0) FROM customui_schema_migrations").int ?? 0
            }
        }
        return try read(user: nil) { try db.scalar("PRAGMA user_version").int ?? 0 }
    }

    /// The schema version this build creates and understands.
    public static var supportedSchemaVersion: Int { Schema.currentVersion }

    // MARK: - Publishing

    /// Validates a UI file (and its prompt) and publishes it; see `publish(_:user:options:)`.
    public func publish(
        ui: SourceFile, prompt: SourceFile? = nil, user: String, options: PublishOptions = PublishOptions()
    ) throws(LibraryError)
        -> PublishOutcome
    {
        try publish(Validator.validate(ui: ui, prompt: prompt), user: user, options: options)
    }

    /// Publishes a validated UI as a new version of the user's UI of that name (or of
    /// `options.uiReference`); refuses a report with errors and writes nothing for identical content.
    public func publish(_ report: ValidationReport, user: String, options: PublishOptions = PublishOptions())
        throws(LibraryError)
        -> PublishOutcome
    {
        let prepared = try Self.prepare(report, user: user, options: options)
        return try write(user: user) { try publishLocked(prepared, user: user, options: options) }
    }

    /// Publishes many validated UIs in one transaction (imports and benchmarks); either all are
    /// written or, on the first refusal, none.
    public func publishMany(_ items: [(report: ValidationReport, options: PublishOptions)], user: String)
        throws(LibraryError) -> [PublishOutcome]
    {
        var prepared: [PreparedPublish] = []
        prepared.reserveCapacity(items.count)
        for item in items { prepared.append(try Self.prepare(item.report, user: user, options: item.options)) }
        return try write(user: user) {
            try zip(prepared, items).map { try publishLocked($0, user: user, options: $1.options) }
        }
    }

    /// What a publish computes before taking the write lock, so the lock is held briefly.
    struct PreparedPublish {
        var definition: CustomUIDefinition
        var category: String?
        var tags: [String]?
        var templateText: String
        var hash: String
        var warnings: [Diagnostic]
    }

    static func prepare(_ report: ValidationReport, user: String, options: PublishOptions) throws(LibraryError)
        -> PreparedPublish
    {
        try checkUser(user)
        guard !report.hasErrors, let document = report.document else {
            let count = report.diagnostics.filter { $0.severity == .error }.count
            throw LibraryError(
                .libraryInvalidDefinition, "the UI has \(count) error\(count == 1 ? "" : "s"); nothing was published",
                hint: "fix the diagnostics above (`customui validate`) and publish again",
                diagnostics: report.diagnostics)
        }
        let definition = document.definition
        guard !definition.name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw LibraryError.invalid(
                "a published UI needs a `name`", hint: "add name=\"…\" to `<custom-ui>` or the `name` column")
        }
        // `OWNER/NAME` names a UI, so a slash in a name would make references ambiguous.
        guard !definition.name.contains("/") else {
            throw LibraryError.invalid(
                "a UI name cannot contain `/`: `\(definition.name)`",
                hint: "`OWNER/NAME` names a UI; choose a name without a slash")
        }
        let templateText = CustomUILoader.templateText(for: definition)
        return PreparedPublish(
            definition: definition, category: try options.category.map(normaliseCategory),
            tags: try options.tags.map(normaliseTags),
            templateText: templateText, hash: SHA256.hex(templateText),
            warnings: report.diagnostics.filter { $0.severity != .error })
    }

    private func publishLocked(_ prepared: PreparedPublish, user: String, options: PublishOptions) throws
        -> PublishOutcome
    {
        let definition = prepared.definition
        let category = prepared.category
        let tags = prepared.tags
        let templateText = prepared.templateText
        let hash = prepared.hash
        let warnings = prepared.warnings
        let now = Timestamp.string(Date())
        var lineage: SQLRow?
        if let reference = options.uiReference {
            let (row, latest) = try resolveLineage(reference, user: user)
            try AccessPolicy.check(.publishVersion, user: user, facts: latest.facts, name: reference)
            lineage = row
        } else {
            lineage = try db.query(
                "SELECT * FROM prompt_custom_ui_lineages WHERE user_id = ? AND name = ?", [user, definition.name]
            ).first
        }
        var parent: LibraryEntry?
        let uiID: String
        // The lineage row was read inside this transaction, after the write lock was taken, so
        // its latest version is current.
        let version: Int
        if let lineage, let id = lineage["ui_id"].string {
            uiID = id
            version = (lineage["latest_version"].int ?? 0) + 1
            parent = try latestVersion(uiID: id)
            if let parent, parent.contentHash == hash { return .unchanged(parent) }
        } else {
            uiID = Self.newID()
            version = 1
            try db.query(
                "INSERT INTO prompt_custom_ui_lineages (ui_id, user_id, name, latest_version, created_at) VALUES (?, ?, ?, 0, ?)",
                [uiID, user, definition.name, now])
        }
        let id = Self.newID()
        let isPublic = options.isPublic ?? parent?.definition.isPublic ?? false
        let status: DefinitionStatus = options.activate ? .active : .draft
        if lineage != nil {
            // One statement: the previous latest is no longer latest and, when this version is
            // activated, the active one is archived (an active version that is not the latest is
            // otherwise written unchanged). The two rows are found by the two partial indexes,
            // not by walking every version of the UI.
            try db.query(
                """
                UPDATE prompt_custom_uis SET is_latest = FALSE,
                  status = CASE WHEN ?1 AND status = 'active' THEN 'archived' ELSE status END,
                  updated_at = CASE WHEN ?1 AND status = 'active' THEN ?2 ELSE updated_at END
                WHERE id IN (SELECT id FROM prompt_custom_uis WHERE ui_id = ?3 AND is_latest = TRUE
                  UNION ALL SELECT id FROM prompt_custom_uis WHERE ui_id = ?3 AND status = 'active')
                """, [options.activate, now, uiID])
        }
        let json = { (value: Value?) -> String? in value.map { JSONWriter().string($0) } }
        try db.query(
            """
            INSERT INTO prompt_custom_uis (
              id, ui_id, user_id, prompt_id, name, description, component_code, component_type, props_schema, default_props,
              execution_mode, auto_submit, show_variables, layout_config, styling_config, is_public, is_featured, use_count,
              version, parent_version_id, status, validated, validation_errors, created_at, updated_at, published_at,
              last_used_at, template_text, content_hash, category, tags, is_latest)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, TRUE, ?, ?, ?, ?, NULL, ?, ?, ?, ?, TRUE)
            """,
            [
                id, uiID, user, definition.promptID, definition.name, definition.description, definition.componentCode,
                definition.componentType.rawValue, json(definition.propsSchema), json(definition.defaultProps),
                definition.executionMode.rawValue, definition.autoSubmit, definition.showVariables,
                json(definition.layoutConfig),
                json(definition.stylingConfig), isPublic, parent?.definition.isFeatured ?? false, version, parent?.id,
                status.rawValue,
                warnings.isEmpty ? nil : JSONWriter().string(.array(warnings.map(\.jsonValue))), now, now,
                options.activate ? now : nil, templateText, hash, category ?? parent?.category,
                Self.encodeTags(tags ?? parent?.tags ?? []),
            ])
        try db.query("UPDATE prompt_custom_ui_lineages SET latest_version = ? WHERE ui_id = ?", [version, uiID])
        guard let entry = try entries("WHERE v.id = ?", [id]).first else {
            throw LibraryError(.librarySQLite, "the version just written could not be read back")
        }
        return .published(entry)
    }

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

    private func latestVersion(uiID: String) throws -> LibraryEntry? {
        try entries("WHERE v.ui_id = ? AND v.is_latest = TRUE", [uiID]).first
    }

    /// Rows of `prompt_custom_uis` (aliased `v`) joined with their lineage, as entries.
    private func entries(_ clause: String, _ parameters: [any SQLBindable], join: String = "") throws -> [LibraryEntry]
    {
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

    // MARK: - Lifecycle

    /// Makes a version (the latest by default) the UI's active one; the previously active version
    /// is archived, so a UI has at most one active version.
    @discardableResult
    public func activate(_ reference: String, version: Int? = nil, user: String) throws(LibraryError) -> LibraryEntry {
        try changeLifecycle(reference, user: user) { uiID, latest, now in
            let target = version ?? latest.version
            guard
                let row = try db.query(
                    "SELECT id, status FROM prompt_custom_uis WHERE ui_id = ? AND version = ?", [uiID, target]
                ).first,
                let id = row["id"].string
            else {
                throw LibraryError(.libraryNotFound, "`\(reference)` has no version \(target)")
            }
            try db.query(
                "UPDATE prompt_custom_uis SET status = 'archived', updated_at = ? WHERE ui_id = ? AND status = 'active' AND id <> ?",
                [now, uiID, id])
            try db.query(
                "UPDATE prompt_custom_uis SET status = 'active', published_at = coalesce(published_at, ?), updated_at = ? WHERE id = ?",
                [now, now, id])
            return id
        }
    }

    /// Archives a UI (every version) or one version; archived versions are hidden from others.
    @discardableResult
    public func archive(_ reference: String, version: Int? = nil, user: String) throws(LibraryError) -> LibraryEntry {
        try changeLifecycle(reference, user: user) { uiID, latest, now in
            if let version {
                guard
                    let id = try db.query(
                        "SELECT id FROM prompt_custom_uis WHERE ui_id = ? AND version = ?", [uiID, version]
                    ).first?["id"].string
                else {
                    throw LibraryError(.libraryNotFound, "`\(reference)` has no version \(version)")
                }
                try db.query(
                    "UPDATE prompt_custom_uis SET status = 'archived', updated_at = ? WHERE id = ?", [now, id])
                return id
            }
            try db.query(
                "UPDATE prompt_custom_uis SET status = 'archived', updated_at = ? WHERE ui_id = ? AND status <> 'archived'",
                [now, uiID])
            return latest.id
        }
    }

    /// Makes every version of a UI public or private.
    @discardableResult
    public func setPublic(_ reference: String, _ isPublic: Bool, user: String) throws(LibraryError) -> LibraryEntry {
        try changeLifecycle(reference, user: user) { uiID, latest, now in
            try db.query(
                "UPDATE prompt_custom_uis SET is_public = ?, updated_at = ? WHERE ui_id = ?", [isPublic, now, uiID])
            return latest.id
        }
    }

    /// Marks a UI featured (it must be public and active) or not.
    @discardableResult
    public func feature(_ reference: String, _ featured: Bool, user: String) throws(LibraryError) -> LibraryEntry {
        try write(user: user) { () throws -> LibraryEntry in
            let (lineage, latest) = try resolveLineage(reference, user: user)
            let uiID = lineage["ui_id"].string ?? ""
            let published = try entries("WHERE v.ui_id = ? AND v.is_public = TRUE AND v.status = 'active'", [uiID])
                .first
            let facts = featured ? (published ?? latest).facts : latest.facts
            try AccessPolicy.check(featured ? .feature : .changeLifecycle, user: user, facts: facts, name: reference)
            try db.query(
                "UPDATE prompt_custom_uis SET is_featured = ?, updated_at = ? WHERE ui_id = ?",
                [featured, Timestamp.string(Date()), uiID])
            return try latestVersion(uiID: uiID) ?? latest
        }
    }

    private func changeLifecycle(
        _ reference: String, user: String,
        _ change: (_ uiID: String, _ latest: LibraryEntry, _ now: String) throws -> String
    ) throws(LibraryError) -> LibraryEntry {
        try write(user: user) { () throws -> LibraryEntry in
            let (lineage, latest) = try resolveLineage(reference, user: user)
            try AccessPolicy.check(.changeLifecycle, user: user, facts: latest.facts, name: reference)
            let id = try change(lineage["ui_id"].string ?? "", latest, Timestamp.string(Date()))
            guard let entry = try entries("WHERE v.id = ?", [id]).first else {
                throw LibraryError(.libraryNotFound, "no UI `\(reference)`")
            }
            return entry
        }
    }

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

    // MARK: - Starters

    /// Publishes starter templates as public, active UIs of `user` and lists them in the gallery
    /// table (`prompt_custom_ui_templates`); installing again changes nothing.
    public func installStarters(_ starters: [StarterTemplate], user: String) throws(LibraryError) -> [PublishOutcome] {
        var outcomes: [PublishOutcome] = []
        for starter in starters {
            let ui = SourceFile(path: starter.path, text: starter.templateText)
            let prompt = starter.promptText.map { SourceFile(path: starter.slug + ".prompt.json", text: $0) }
            let report = Validator.validate(ui: ui, prompt: prompt)
            var outcome = try publish(
                report, user: user,
                options: PublishOptions(isPublic: true, category: starter.category, tags: starter.tags, activate: true))
            if case .unchanged(let entry) = outcome, !entry.facts.isPublished {
                outcome = .published(try activate(entry.uiID, user: user))
            }
            let entry = outcome.entry
            try write(user: user) { () throws in
                let now = Timestamp.string(Date())
                try db.query(
                    """
                    INSERT INTO prompt_custom_ui_templates (id, name, description, category, component_code, demo_prompt, tags, difficulty,
                      is_official, created_by, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, TRUE, ?, ?, ?)
                    ON CONFLICT (name) DO UPDATE SET description = excluded.description, category = excluded.category,
                      component_code = excluded.component_code, demo_prompt = excluded.demo_prompt, tags = excluded.tags,
                      difficulty = excluded.difficulty, updated_at = excluded.updated_at
                    WHERE prompt_custom_ui_templates.component_code <> excluded.component_code
                      OR coalesce(prompt_custom_ui_templates.demo_prompt, '') <> coalesce(excluded.demo_prompt, '')
                      OR prompt_custom_ui_templates.tags <> excluded.tags OR prompt_custom_ui_templates.difficulty <> excluded.difficulty
                      OR prompt_custom_ui_templates.category <> excluded.category
                    """,
                    [
                        Self.newID(), entry.definition.name, entry.definition.description, starter.category,
                        entry.templateText,
                        starter.promptText, Self.encodeTags(starter.tags), starter.difficulty, user, now, now,
                    ])
            }
            outcomes.append(outcome)
        }
        return outcomes
    }

    /// Reads the starters in a directory: each `NAME.ui.xml` with `NAME.prompt.json` and
    /// `NAME.meta.json` (`{"category", "tags", "difficulty"}`).
    public static func loadStarters(directory: String) throws(LibraryError) -> [StarterTemplate] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory) else {
            throw LibraryError(
                .libraryCannotOpen, "cannot read the starter directory `\(directory)`",
                hint: "pass --from DIR with the `Templates/` folder")
        }
        var starters: [StarterTemplate] = []
        for name in names.sorted() where name.hasSuffix(".ui.xml") {
            let slug = String(name.dropLast(".ui.xml".count))
            let base = (directory as NSString).appendingPathComponent(slug)
            guard let text = try? String(contentsOfFile: base + ".ui.xml", encoding: .utf8) else {
                throw LibraryError(.libraryCannotOpen, "cannot read the starter `\(base).ui.xml`")
            }
            let prompt = try? String(contentsOfFile: base + ".prompt.json", encoding: .utf8)
            var category = "general"
            var tags: [String] = []
            var difficulty = "beginner"
            if let metaText = try? String(contentsOfFile: base + ".meta.json", encoding: .utf8) {
                guard let meta = try? JSONParser.parseValue(metaText), meta.objectValue != nil else {
                    throw LibraryError.invalid("the starter metadata `\(base).meta.json` is not a JSON object")
                }
                category = meta["category"]?.stringValue ?? category
                tags = meta["tags"]?.arrayValue?.compactMap(\.stringValue) ?? []
                difficulty = meta["difficulty"]?.stringValue ?? difficulty
                guard ["beginner", "intermediate", "advanced"].contains(difficulty) else {
                    throw LibraryError.invalid(
                        "`\(base).meta.json`: difficulty must be beginner, intermediate or advanced")
                }
            }
            starters.append(
                StarterTemplate(
                    slug: slug, templateText: text, promptText: prompt, category: category, tags: tags,
                    difficulty: difficulty,
                    path: base + ".ui.xml"))
        }
        return starters
    }

    // MARK: - Helpers

    static func escapeAttribute(_ text: String) -> String { XMLText.escapeAttribute(text) }

    static func newID() -> String { UUID().uuidString.lowercased() }

    static func checkUser(_ user: String) throws(LibraryError) {
        guard !user.isEmpty, user.count <= 200,
            !user.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw LibraryError.invalid("`\(user)` is not a user name", hint: "pass --user NAME or set CUSTOMUI_USER")
        }
    }

    static func normaliseCategory(_ category: String) throws(LibraryError) -> String {
        let c = category.trimmingCharacters(in: .whitespaces).lowercased()
        guard !c.isEmpty, c.count <= 64, !c.contains("|") else {
            throw LibraryError.invalid(
                "`\(category)` is not a category", hint: "a short word such as `form`, `chat` or `writing`")
        }
        return c
    }

    static func normaliseTags(_ tags: [String]) throws(LibraryError) -> [String] {
        var result: [String] = []
        for tag in tags {
            let t = tag.trimmingCharacters(in: .whitespaces).lowercased()
            guard !t.isEmpty, t.count <= 64, !t.contains("|") else {
                throw LibraryError.invalid("`\(tag)` is not a tag", hint: "tags are short words without `|`")
            }
            if !result.contains(t) { result.append(t) }
        }
        return result
    }

    /// Tags as `|a|b|`, so one tag is found with `instr` without matching inside another.
    static func encodeTags(_ tags: [String]) -> String { tags.isEmpty ? "" : "|" + tags.joined(separator: "|") + "|" }

    static func decodeTags(_ text: String) -> [String] { text.split(separator: "|").map(String.init) }

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
