import Foundation
import Testing

@testable import TemplateLibrary

/// A throwaway PostgreSQL cluster for the tests: `initdb` and `pg_ctl` in a temporary folder,
/// listening only on a Unix socket there, started once per test process and stopped at its exit.
/// As root (CI) the server runs as the `postgres` user, since PostgreSQL refuses to run as root.
///
/// Roles, as docs/library.md sets them up: `postgres` (superuser), `customui_owner` (owns each
/// test database's tables and runs the migrations), `customui_engine` (the group the migrations
/// grant to) and `customui_app` (the engine's login role, a member of it).
final class PostgresCluster: @unchecked Sendable {
    /// Why the PostgreSQL tests cannot run here, or nil when they can. They skip without
    /// PostgreSQL, unless `CI` is set, where they are required.
    static var unavailable: String? {
        binDirectory == nil
            ? "PostgreSQL is not installed (Debian: apt-get install postgresql; .ci/setup installs it as root)" : nil
    }

    /// The folder with `initdb`, `pg_ctl` and `postgres`.
    static var binDirectory: String? {
        var candidates: [String] = []
        if let versions = try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql") {
            candidates += versions.sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin" }
        }
        candidates += ["/usr/local/bin", "/usr/bin"]
        return candidates.first { dir in
            ["initdb", "pg_ctl", "postgres"].allSatisfy {
                FileManager.default.isExecutableFile(atPath: "\(dir)/\($0)")
            }
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var started: Result<PostgresCluster, Failure>?

    /// The cluster of this test process, started on first use.
    static func shared() throws -> PostgresCluster {
        lock.lock()
        defer { lock.unlock() }
        if let started { return try started.get() }
        let result = Result { () throws(Failure) -> PostgresCluster in try PostgresCluster() }
        started = result
        if case .success = result {
            atexit { PostgresCluster.stopShared() }
        }
        return try result.get()
    }

    private static func stopShared() {
        if case .success(let cluster) = started { cluster.stop() }
    }

    /// The folder holding the data directory, the socket and the log.
    let root: String
    private let bin: String
    private let asPostgresUser: Bool

    var socketDirectory: String { root + "/socket" }

    private init() throws(Failure) {
        guard let bin = Self.binDirectory else { throw Failure(description: Self.unavailable ?? "no PostgreSQL") }
        // initdb's shell writes to /dev/null; a root process that wrote a file "to" it replaces it.
        var null = stat()
        guard stat("/dev/null", &null) == 0, null.st_mode & S_IFMT == S_IFCHR else {
            throw Failure(
                description:
                    "/dev/null is not the null device (a process running as root replaced it with a file); initdb cannot run"
            )
        }
        self.bin = bin
        asPostgresUser = geteuid() == 0
        Self.sweepStale(bin: bin, asPostgresUser: asPostgresUser)
        root = "/tmp/\(Self.folderPrefix)\(getpid())-\(UUID().uuidString.prefix(8))"
        let fm = FileManager.default
        try? fm.createDirectory(atPath: root + "/socket", withIntermediateDirectories: true)
        if asPostgresUser {
            guard let pw = getpwnam("postgres") else {
                throw Failure(description: "running as root needs the `postgres` user to run the server")
            }
            for path in [root, root + "/socket"] { chown(path, pw.pointee.pw_uid, pw.pointee.pw_gid) }
        }
        chmod(root, 0o755)
        chmod(root + "/socket", 0o777)
        do {
            try start()
        } catch {
            // Leave nothing behind: a server that did start is stopped, the folder removed.
            stop()
            throw error
        }
    }

    /// Makes the cluster, starts it and creates the roles.
    private func start() throws(Failure) {
        try run(bin + "/initdb", ["-D", root + "/data", "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
        try run(
            bin + "/pg_ctl",
            [
                "-D", root + "/data", "-l", root + "/log", "-w", "-t", "60", "-o",
                "-k \(root)/socket -c listen_addresses='' -F -c max_connections=200", "start",
            ])
        try superuser(
            """
            CREATE ROLE customui_owner LOGIN CREATEROLE;
            CREATE ROLE customui_engine NOLOGIN;
            CREATE ROLE customui_app LOGIN IN ROLE customui_engine;
            CREATE ROLE mallory LOGIN;
            """)
    }

    /// Each cluster's folder in /tmp: this prefix, the test process's id, a dash and a random part.
    static let folderPrefix = "customui-pg-"

    /// Stops and removes the clusters of test processes that are gone: a process killed by a
    /// signal or a timeout never runs its `atexit`, and its server would run on. Returns the
    /// folders removed. A folder whose process still runs (or whose id cannot be read) is kept.
    @discardableResult
    static func sweepStale(bin: String, asPostgresUser: Bool, in directory: String = "/tmp") -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var removed: [String] = []
        for name in names where name.hasPrefix(folderPrefix) {
            guard let pid = pid_t(name.dropFirst(folderPrefix.count).prefix { $0 != "-" }), pid > 0,
                kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            let folder = directory + "/" + name
            if FileManager.default.fileExists(atPath: folder + "/data/postmaster.pid") {
                try? run(
                    bin + "/pg_ctl", ["-D", folder + "/data", "-m", "immediate", "-w", "stop"],
                    asPostgresUser: asPostgresUser, output: folder + "/command-output")
            }
            try? FileManager.default.removeItem(atPath: folder)
            removed.append(folder)
        }
        return removed
    }

    /// Runs a program (as `postgres` when root) and fails with its output when it fails. Spawned
    /// and reaped directly: the server `pg_ctl` leaves running must not keep a pipe open.
    private func run(_ program: String, _ arguments: [String]) throws(Failure) {
        try Self.run(program, arguments, asPostgresUser: asPostgresUser, output: root + "/command-output")
    }

    private static func run(_ program: String, _ arguments: [String], asPostgresUser: Bool, output outputPath: String)
        throws(Failure)
    {
        let argv0 = asPostgresUser ? ["/usr/sbin/runuser", "-u", "postgres", "--", program] : [program]
        let all = argv0 + arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o666)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = all.map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, all[0], &actions, nil, argv, environ)
        guard rc == 0 else { throw Failure(description: "cannot run \(program): error \(rc)") }
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        let output = String(decoding: FileManager.default.contents(atPath: outputPath) ?? Data(), as: UTF8.self)
        guard status == 0 else {
            throw Failure(description: "\(program) failed (status \(status)): \(output)")
        }
    }

    func stop() {
        try? run(bin + "/pg_ctl", ["-D", root + "/data", "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: root)
    }

    /// A URL for `role` on `database` over the cluster's socket.
    func url(role: String, database: String = "postgres", password: String? = nil) -> String {
        let credentials = password.map { "\(role):\($0)" } ?? role
        return "postgres://\(credentials)@/\(database)?host=\(socketDirectory)"
    }

    /// Runs statements as the superuser on `database`.
    func superuser(_ sql: String, database: String = "postgres") throws(Failure) {
        do {
            try PostgresConnection(url: url(role: "postgres", database: database)).execute(sql)
        } catch {
            throw Failure(description: "\(error)")
        }
    }

    /// A new, empty database owned by `customui_owner`, migrated; returns its name.
    func newDatabase() throws -> String {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        try superuser("CREATE DATABASE \(name) OWNER customui_owner")
        try superuser(
            "REVOKE ALL ON SCHEMA public FROM PUBLIC; ALTER SCHEMA public OWNER TO customui_owner", database: name)
        try Library.migrate(url: url(role: "customui_owner", database: name))
        return name
    }

    /// A library on a new database, connected as the engine's role.
    func newLibrary(recorderUser: String? = nil) throws -> (library: Library, database: String) {
        let database = try newDatabase()
        return (try Library.open(url(role: "customui_app", database: database), recorderUser: recorderUser), database)
    }
}

/// Whether the PostgreSQL tests run here; records why not (an issue when `CI` is set).
func postgresAvailable() -> Bool {
    guard let reason = PostgresCluster.unavailable else { return true }
    if ProcessInfo.processInfo.environment["CI"] != nil {
        Issue.record("PostgreSQL is required in CI: \(reason)")
    } else {
        print("skipped: \(reason)")
    }
    return false
}
