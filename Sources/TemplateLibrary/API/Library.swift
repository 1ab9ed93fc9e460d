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
}
