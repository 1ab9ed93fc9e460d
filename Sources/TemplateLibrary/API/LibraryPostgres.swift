import CustomUICore
import Foundation

extension DiagnosticCode {
    /// PostgreSQL failed in a way not listed among the other `library.*` codes.
    public static let libraryPostgres: Self = "library.postgres"
    /// The engine connected to a PostgreSQL library as a role the row-level security policies do
    /// not bind (the tables' owner, a superuser, or a role with BYPASSRLS).
    public static let libraryUnsafeRole: Self = "library.unsafe-role"
}

extension LibraryError {
    /// Turns a PostgreSQL failure into a library error the user can act on. `location` is the
    /// URL with its password removed.
    static func from(_ error: PostgresError, location: String) -> LibraryError {
        if error.isConnection {
            return LibraryError(
                .libraryCannotOpen, "cannot reach the PostgreSQL library `\(location)`: \(error.message)",
                hint: "check the URL's host, port, database, user and password, and that the server is running")
        }
        if error.isPolicyViolation {
            return LibraryError(
                .libraryDenied, "the database refused the change: \(error.message)",
                hint: "row-level security lets a user change only their own rows")
        }
        if error.isRetryable {
            return LibraryError(
                .libraryBusy, "the PostgreSQL library `\(location)` stayed busy; nothing was written",
                hint: "try again")
        }
        if error.state == "22021" || error.state == "22P02" || error.state == "22007" {
            return LibraryError(.libraryInvalidInput, "the database refused a value: \(error.message)")
        }
        if error.state == "42P01" {
            return LibraryError(
                .libraryNotALibrary, "`\(location)` has no CustomUI library tables (\(error.message))",
                hint: "create them with `customui library migrate --library URL` as the owning role")
        }
        return LibraryError(
            .libraryPostgres, "the PostgreSQL library `\(location)` failed: \(error.message) (SQLSTATE \(error.state))")
    }
}

extension Library {
    /// Creates or upgrades the PostgreSQL library at `url` (connected as the role that is to own
    /// the tables) and returns the schema version it now has. Safe to run again and from several
    /// processes at once: migrations run in one transaction under an advisory lock.
    @discardableResult
    public static func migrate(url: String) throws(LibraryError) -> Int {
        let location = LibraryLocation.redacted(url)
        do {
            let db = try PostgresConnection(url: url)
            try db.execute("BEGIN")
            do {
                try db.query("SELECT pg_advisory_xact_lock(\(advisoryKey))")
                try db.execute(PostgresSchema.versionTable)
                let version = try db.scalar("SELECT coalesce(max(version), 0) FROM customui_schema_migrations").int ?? 0
                if version > PostgresSchema.currentVersion {
                    throw LibraryError(
                        .libraryNewerSchema,
                        "the library `\(location)` has schema version \(version); this customui understands up to \(PostgresSchema.currentVersion)",
                        hint: "use a newer customui with this library; it was not changed")
                }
                for index in version..<PostgresSchema.currentVersion {
                    try db.execute(PostgresSchema.migrations[index])
                    try db.query("INSERT INTO customui_schema_migrations (version) VALUES (?)", [index + 1])
                }
                try db.execute("COMMIT")
            } catch {
                try? db.execute("ROLLBACK")
                throw error
            }
            return PostgresSchema.currentVersion
        } catch let error as LibraryError {
            throw error
        } catch let error as PostgresError {
            throw LibraryError.from(error, location: location)
        } catch {
            throw LibraryError(.libraryPostgres, "\(error)")
        }
    }

    /// The advisory lock key ("CUI1") writers and migrations take, so two publishers of one UI
    /// never read the same latest version (SQLite's `BEGIN IMMEDIATE` does the same).
    static let advisoryKey = 0x4355_4931

    /// Checks the schema version and that the policies bind the connected role.
    func checkPostgres(administrative: Bool) throws(LibraryError) {
        let facts: SQLRow
        do {
            let hasTable =
                try db.scalar("SELECT to_regclass('public.customui_schema_migrations') IS NOT NULL").bool
            guard hasTable else {
                throw LibraryError(
                    .libraryNotALibrary, "`\(path)` has no CustomUI library",
                    hint:
                        "create it with `customui library migrate --library URL`, connected as the role that is to own the tables"
                )
            }
            let version = try db.scalar("SELECT coalesce(max(version), 0) FROM customui_schema_migrations").int ?? 0
            if version > PostgresSchema.currentVersion {
                throw LibraryError(
                    .libraryNewerSchema,
                    "the library `\(path)` has schema version \(version); this customui understands up to \(PostgresSchema.currentVersion)",
                    hint: "use a newer customui with this library; it was not changed")
            }
            if version < PostgresSchema.currentVersion {
                throw LibraryError(
                    .libraryNewerSchema,
                    "the library `\(path)` has schema version \(version); this customui needs \(PostgresSchema.currentVersion)",
                    hint: "upgrade it with `customui library migrate --library URL` as the owning role")
            }
            facts =
                try db.query(
                    """
                    SELECT r.rolsuper OR r.rolbypassrls AS bypasses,
                      pg_has_role(current_user, (SELECT tableowner FROM pg_tables WHERE schemaname = 'public'
                        AND tablename = 'prompt_custom_uis'), 'MEMBER') AS owns,
                      current_user AS role
                    FROM pg_roles r WHERE r.rolname = current_user
                    """
                ).first ?? SQLRow(columns: [:])
        } catch let error as LibraryError {
            throw error
        } catch let error as PostgresError {
            throw LibraryError.from(error, location: path)
        } catch {
            throw LibraryError(.libraryPostgres, "\(error)")
        }
        // Copying a whole library reads and writes every user's rows: as a role the policies bind
        // it would see only public rows and silently copy a part, so it is refused instead.
        if administrative && !(facts["bypasses"].bool || facts["owns"].bool) {
            throw LibraryError.denied(
                "copying a whole library needs the role that owns its tables; `\(facts["role"].string ?? "?")` sees only the rows row-level security shows it, so the copy would be partial",
                hint:
                    "give `library copy` the owner's URL (the role that ran `customui library migrate`); nothing was copied"
            )
        }
        if !administrative && (facts["bypasses"].bool || facts["owns"].bool) {
            throw LibraryError(
                .libraryUnsafeRole,
                "the role `\(facts["role"].string ?? "?")` owns the library's tables or bypasses row-level security, so the database would not enforce the access rules",
                hint: "connect as a login role that is a member of `\(PostgresSchema.engineRole)` (docs/library.md)")
        }
    }

    /// One PostgreSQL transaction acting as `user`: `auth.uid()` reads it for the policies. A
    /// write takes the library's advisory lock first; a read sees one snapshot. A deadlock or
    /// serialisation failure is tried again, a few times.
    func postgresTransaction<T>(write: Bool, user: String?, _ body: () throws -> T) throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                do {
                    // Begin, act as the user and (for a write) take the lock in one round trip.
                    guard let connection = db as? PostgresConnection else {
                        throw PostgresError(state: "", message: "not PostgreSQL")
                    }
                    let acting = "SELECT set_config('customui.user_id', \(try connection.literal(user ?? "")), true)"
                    try db.execute(
                        write
                            ? "BEGIN; \(acting); SELECT pg_advisory_xact_lock(\(Self.advisoryKey))"
                            : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; \(acting)")
                    let result = try body()
                    try db.execute("COMMIT")
                    return result
                } catch {
                    try? db.execute("ROLLBACK")
                    throw error
                }
            } catch let error as PostgresError where error.isRetryable && attempt < 5 {
                usleep(UInt32.random(in: 1_000...20_000))
            } catch let error as PostgresError
                where error.isConnection && attempt == 1 && (db as? PostgresConnection)?.isConnected == false
            {
                // The server restarted or dropped the connection: the transaction was rolled back
                // there, so it is run again, once, on a new connection.
                try (db as? PostgresConnection)?.reconnect()
            }
        }
    }

    /// Whether a reference has a UUID's form, so it may be compared with a `uuid` column.
    static func isUUID(_ text: String) -> Bool { UUID(uuidString: text) != nil }
}
