/// Which database a library lives in.
public enum LibraryStoreKind: String, Sendable, Hashable, CaseIterable {
    /// One SQLite file on this machine (the embedded default).
    case sqlite
    /// A shared PostgreSQL database, its rows guarded by row-level security.
    case postgres
}

/// The store interface the library's operations are written against: statements with SQLite's
/// `?` and `?N` placeholders, rows by column name, values as SQLite gives them. The SQLite file
/// and the PostgreSQL connection each implement it; `Library` keeps what differs between the two
/// (transactions, locking, full-text search, schema checks) in its own `kind` branches.
protocol LibraryStore: AnyObject, Sendable {
    /// Which database this is.
    var kind: LibraryStoreKind { get }
    /// Runs statements without parameters or results.
    func execute(_ sql: String) throws
    /// Runs a statement and returns every row.
    @discardableResult
    func query(_ sql: String, _ parameters: [any SQLBindable]) throws -> [SQLRow]
}

extension LibraryStore {
    @discardableResult
    func query(_ sql: String) throws -> [SQLRow] { try query(sql, []) }

    /// The first column of the first row, or null.
    func scalar(_ sql: String, _ parameters: [any SQLBindable] = []) throws -> SQLValue {
        let rows = try query(sql, parameters)
        guard let row = rows.first else { return .null }
        return row.columns.values.first ?? .null
    }
}

extension SQLiteConnection: LibraryStore {
    var kind: LibraryStoreKind { .sqlite }
}

extension PostgresConnection: LibraryStore {
    var kind: LibraryStoreKind { .postgres }
}

extension LibraryLocation {
    /// Whether a `--library` value names a PostgreSQL database (`postgres://` or `postgresql://`).
    public static func isPostgres(_ location: String) -> Bool {
        let lower = location.lowercased()
        return lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://")
    }

    /// A location as it may be printed: a URL's password (and any `password=` parameter) replaced
    /// by `***`; a file path unchanged.
    public static func redacted(_ location: String) -> String {
        guard isPostgres(location), let scheme = location.range(of: "://") else { return location }
        var rest = String(location[scheme.upperBound...])
        // user:password@host — the password ends at the last `@` before the path.
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        if let at = rest[..<authorityEnd].lastIndex(of: "@"),
            let colon = rest[..<at].firstIndex(of: ":")
        {
            rest.replaceSubrange(rest.index(after: colon)..<at, with: "***")
        }
        if let question = rest.firstIndex(of: "?") {
            let query = rest[rest.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false).map
            {
                part -> String in
                part.lowercased().hasPrefix("password=") ? "password=***" : String(part)
            }
            rest = String(rest[...question]) + query.joined(separator: "&")
        }
        return String(location[..<scheme.upperBound]) + rest
    }
}
