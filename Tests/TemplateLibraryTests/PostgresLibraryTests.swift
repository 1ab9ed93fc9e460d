import CustomUI
import CustomUICore
import Foundation
import Testing

@testable import TemplateLibrary

/// What only the PostgreSQL store has: row-level security in the database, the engine's role,
/// migrations, and URLs whose passwords never reach output.
@Suite struct PostgresLibraryTests {
    /// A cluster whose test process was killed (its `atexit` never ran) is swept by the next
    /// process: its folder goes; a folder of a live process stays.
    @Test func clustersOfDeadTestProcessesAreSwept() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        let stale = "\(directory)/\(PostgresCluster.folderPrefix)\(dead.processIdentifier)-ABCDEF12"
        let live = "\(directory)/\(PostgresCluster.folderPrefix)\(getpid())-ABCDEF12"
        let other = "\(directory)/unrelated-\(dead.processIdentifier)-ABCDEF12"
        for folder in [stale, live, other] {
            try FileManager.default.createDirectory(atPath: folder + "/socket", withIntermediateDirectories: true)
        }
        let removed = PostgresCluster.sweepStale(bin: "/nonexistent", asPostgresUser: false, in: directory)
        #expect(removed == [stale])
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(FileManager.default.fileExists(atPath: live))
        #expect(FileManager.default.fileExists(atPath: other))
    }

    @Test func passwordsInURLsAreRedacted() {
        #expect(
            LibraryLocation.redacted("postgres://app:s3cret@db.example:5432/lib?sslmode=require")
                == "postgres://app:***@db.example:5432/lib?sslmode=require")
        #expect(
            LibraryLocation.redacted("postgresql://app@/lib?host=/tmp/s&password=hunter2")
                == "postgresql://app@/lib?host=/tmp/s&password=***")
        #expect(LibraryLocation.redacted("/home/u/lib.sqlite") == "/home/u/lib.sqlite")
        #expect(LibraryLocation.isPostgres("POSTGRES://x/y"))
        #expect(!LibraryLocation.isPostgres("./postgres.sqlite"))
    }

    @Test func placeholdersAreNumberedAsSQLiteNumbersThem() {
        #expect(PostgresConnection.placeholders("a = ? AND b = ?") == "a = $1 AND b = $2")
        #expect(PostgresConnection.placeholders("x = ?2 WHERE u = ?1 AND c = ?") == "x = $2 WHERE u = $1 AND c = $3")
        #expect(PostgresConnection.placeholders("s = '?' AND t = ?") == "s = '?' AND t = $1")
    }

    @Test func serverMessagesReachTheTerminalOnOneLine() {
        #expect(
            PostgresConnection.trimmed("connection failed: No such file\n\tIs the server running?\u{1B}[31m\n")
                == "connection failed: No such file Is the server running? [31m")
    }

    @Test func timestampsReadBackAsTheLibraryWritesThem() {
        #expect(PostgresConnection.isoTimestamp("2026-12-07 15:18:40.12+00") == "2026-12-07T15:18:40.120Z")
        #expect(PostgresConnection.isoTimestamp("2026-12-07 15:18:40+00") == "2026-12-07T15:18:40.000Z")
        #expect(PostgresConnection.isoTimestamp("2026-12-07 15:18:40.123456+00") == "2026-12-07T15:18:40.123Z")
    }

    @Test func postgresFailuresBecomeLibraryCodes() {
        let location = "postgres://app:***@db/lib"
        func code(_ state: String) -> DiagnosticCode {
            LibraryError.from(PostgresError(state: state, message: "m"), location: location).code
        }
        #expect(code("") == .libraryCannotOpen)
        #expect(code("08006") == .libraryCannotOpen)
        #expect(code("42501") == .libraryDenied)
        #expect(code("40001") == .libraryBusy)
        #expect(code("40P01") == .libraryBusy)
        #expect(code("42P01") == .libraryNotALibrary)
        #expect(code("XX000") == .libraryPostgres)
        let error = LibraryError.from(PostgresError(state: "XX000", message: "internal"), location: location)
        #expect(error.message.contains("SQLSTATE XX000") && error.message.contains(location))
    }

    /// The database itself refuses: a raw query as another user returns no private row, and a raw
    /// update of someone else's UI changes nothing, whatever the Swift code would do.
    @Test func rawQueriesAsAnotherUserSeeNoPrivateRow() throws {
        guard let f = try Fixture(.postgres), let database = f.database else { return }
        let cluster = try PostgresCluster.shared()
        _ = try f.library.publish(ui: template("Secret"), user: "alice", options: PublishOptions(activate: true))
        _ = try f.library.publish(ui: template("Draft"), user: "alice", options: PublishOptions(isPublic: true))
        try f.published("Shared")
        let raw = try PostgresConnection(url: cluster.url(role: "customui_app", database: database))
        func names(as user: String) throws -> Set<String> {
            try raw.execute("BEGIN")
            defer { try? raw.execute("COMMIT") }
            try raw.query("SELECT set_config('customui.user_id', ?, true)", [user])
            return Set(try raw.query("SELECT name FROM prompt_custom_uis").compactMap { $0["name"].string })
        }
        #expect(try names(as: "bob") == ["Shared"])
        #expect(try names(as: "alice") == ["Secret", "Draft", "Shared"])
        // The search function matches through the index with the same rule: no private id comes back.
        try raw.execute("BEGIN")
        try raw.query("SELECT set_config('customui.user_id', 'bob', true)")
        #expect(try raw.query("SELECT customui_matching(to_tsquery('simple', 'secret:*')) AS id").isEmpty)
        #expect(try raw.query("SELECT customui_matching(to_tsquery('simple', 'shared:*')) AS id").count == 1)
        // So does the ranking one the searches use (schema 3): the owner's latest, others' public active.
        let matches = "SELECT id FROM customui_search_matches(to_tsquery('simple', ?))"
        #expect(try raw.query(matches, ["secret:*"]).isEmpty)
        #expect(try raw.query(matches, ["draft:*"]).isEmpty)
        #expect(try raw.query(matches, ["shared:*"]).count == 1)
        try raw.execute("COMMIT")
        try raw.execute("BEGIN")
        try raw.query("SELECT set_config('customui.user_id', 'alice', true)")
        #expect(try raw.query(matches, ["secret:*"]).count == 1)
        #expect(try raw.query(matches, ["draft:*"]).count == 1)
        try raw.execute("COMMIT")
        #expect(try raw.query(matches, ["secret:*"]).isEmpty, "no acting user: public active only")
        #expect(try raw.query(matches, ["shared:*"]).count == 1)
        // No acting user at all: only what is public and active.
        #expect(Set(try raw.query("SELECT name FROM prompt_custom_uis").compactMap { $0["name"].string }) == ["Shared"])
        // Bob's update of Alice's rows touches none of them; his insert as Alice is refused.
        try raw.execute("BEGIN")
        try raw.query("SELECT set_config('customui.user_id', 'bob', true)")
        try raw.query("UPDATE prompt_custom_uis SET is_public = true, status = 'active'")
        try raw.execute("COMMIT")
        #expect(try names(as: "bob") == ["Shared"])
        try raw.execute("BEGIN")
        try raw.query("SELECT set_config('customui.user_id', 'bob', true)")
        #expect(throws: PostgresError.self) {
            try raw.query(
                "INSERT INTO prompt_custom_ui_lineages (ui_id, user_id, name) VALUES (gen_random_uuid(), 'alice', 'x')")
        }
        try raw.execute("ROLLBACK")
        // Runs and usage are private to their owner.
        var run = RunRecord(id: "run-alice", name: "Secret")
        run.userID = "alice"
        try f.library.record(run: run)
        try raw.execute("BEGIN")
        try raw.query("SELECT set_config('customui.user_id', 'bob', true)")
        #expect(try raw.query("SELECT id FROM ai_runs").isEmpty)
        try raw.execute("COMMIT")
    }

    /// A role that owns the tables or bypasses row-level security is refused by the engine.
    @Test func theEngineRefusesARoleThePoliciesDoNotBind() throws {
        guard let f = try Fixture(.postgres), let database = f.database else { return }
        let cluster = try PostgresCluster.shared()
        for role in ["customui_owner", "postgres"] {
            let code = libraryErrorCode { _ = try Library.open(cluster.url(role: role, database: database)) }
            #expect(code == .libraryUnsafeRole, "\(role)")
        }
        // A role outside customui_engine has no grant at all.
        #expect(
            libraryErrorCode {
                let other = try Library.open(cluster.url(role: "mallory", database: database))
                _ = try other.search(LibraryQuery(), user: "alice")
            } != nil)
    }

    @Test func aDatabaseWithoutTheSchemaIsNotALibrary() throws {
        guard postgresAvailable() else { return }
        let cluster = try PostgresCluster.shared()
        let name = "e_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        try cluster.superuser("CREATE DATABASE \(name)")
        let error = #expect(throws: LibraryError.self) {
            _ = try Library.open(cluster.url(role: "customui_app", database: name, password: "pw-never-shown"))
        }
        #expect(error?.code == .libraryNotALibrary)
        #expect(error?.description.contains("pw-never-shown") == false)
        #expect(error?.hint?.contains("migrate") == true)
    }

    /// A dropped connection (the server ended the session) costs nothing: the next call connects again.
    @Test func aDroppedConnectionIsReopened() throws {
        guard let f = try Fixture(.postgres), let database = f.database else { return }
        let cluster = try PostgresCluster.shared()
        try f.published("Before")
        try cluster.superuser(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(database)' AND pid <> pg_backend_pid()"
        )
        try f.published("After")
        #expect(Set(try f.library.search(LibraryQuery(), user: "bob").map(\.definition.name)) == ["Before", "After"])
    }

    @Test func migratingAgainChangesNothing() throws {
        guard let f = try Fixture(.postgres), let database = f.database else { return }
        let cluster = try PostgresCluster.shared()
        try f.published("Kept")
        #expect(
            try Library.migrate(url: cluster.url(role: "customui_owner", database: database))
                == PostgresSchema.currentVersion)
        #expect(try f.library.schemaVersion() == PostgresSchema.currentVersion)
        #expect(try f.library.search(LibraryQuery(), user: "bob").map(\.definition.name) == ["Kept"])
    }
}
