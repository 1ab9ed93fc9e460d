internal import CSQLite
import Foundation

/// SQLite's transient destructor: SQLite copies bound text before `bind` returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A failed SQLite call, with SQLite's primary result code kept so callers can tell busy,
/// read-only and corrupt files apart.
struct SQLiteError: Error, CustomStringConvertible {
    var code: Int32
    var message: String
    var description: String { "sqlite error \(code): \(message)" }

    var isBusy: Bool { code & 0xFF == SQLITE_BUSY || code & 0xFF == SQLITE_LOCKED }
    var isNotADatabase: Bool { code & 0xFF == SQLITE_NOTADB }
    var isCorrupt: Bool { code & 0xFF == SQLITE_CORRUPT }
    var isReadOnly: Bool { code & 0xFF == SQLITE_READONLY }
    var isConstraint: Bool { code & 0xFF == SQLITE_CONSTRAINT }
    /// A primary key or unique constraint: the row is already there.
    /// (SQLITE_CONSTRAINT_PRIMARYKEY and _UNIQUE are macros Swift does not import.)
    var isDuplicate: Bool { code == SQLITE_CONSTRAINT | (6 << 8) || code == SQLITE_CONSTRAINT | (8 << 8) }
    var isCantOpen: Bool { code & 0xFF == SQLITE_CANTOPEN }

    /// What SQLite says of a file that is not a database.
    static let notADatabase = SQLiteError(code: SQLITE_NOTADB, message: "file is not a database")
}

/// A column or parameter value as SQLite stores it.
enum SQLValue: Hashable, Sendable {
    case null
    case int(Int64)
    case real(Double)
    case text(String)

    var string: String? { if case .text(let s) = self { s } else { nil } }
    var int: Int? {
        switch self {
        case .int(let i): Int(i)
        case .real(let d): Int(exactly: d.rounded())
        default: nil
        }
    }
    var double: Double? {
        switch self {
        case .int(let i): Double(i)
        case .real(let d): d
        default: nil
        }
    }
    var bool: Bool { int.map { $0 != 0 } ?? false }
}

/// Lets callers write `["a", 1, nil]` for parameters.
protocol SQLBindable {
    var sqlValue: SQLValue { get }
}
extension String: SQLBindable { var sqlValue: SQLValue { .text(self) } }
extension Int: SQLBindable { var sqlValue: SQLValue { .int(Int64(self)) } }
extension Double: SQLBindable { var sqlValue: SQLValue { .real(self) } }
extension Bool: SQLBindable { var sqlValue: SQLValue { .int(self ? 1 : 0) } }
extension SQLValue: SQLBindable { var sqlValue: SQLValue { self } }
extension Optional: SQLBindable where Wrapped: SQLBindable {
    var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

/// One result row, by column name.
struct SQLRow {
    var columns: [String: SQLValue]
    subscript(_ name: String) -> SQLValue { columns[name] ?? .null }
}

/// Owns one `sqlite3*` and frees it in `deinit`; the only place in the project that touches it.
///
/// Not thread-safe by itself: `Library` serialises access with a lock.
///
/// `@unchecked Sendable` because it wraps a C handle that Swift cannot check: `Library` keeps it
/// behind its lock and uses it only in `read`/`write` (and while it is being opened), so one thread
/// at a time touches the handle and the statement cache.
final class SQLiteConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    private var statements: [String: OpaquePointer] = [:]

    /// Opens (or creates, when `create`) the database file.
    init(path: String, readOnly: Bool, create: Bool) throws(SQLiteError) {
        var db: OpaquePointer?
        var flags = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE
        if create && !readOnly { flags |= SQLITE_OPEN_CREATE }
        flags |= SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: message)
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
    }

    deinit {
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(handle)
    }

    /// Whether SQLite opened the file read-only (for example, a write-protected file).
    var isReadOnly: Bool { sqlite3_db_readonly(handle, "main") == 1 }

    /// How long a statement waits for another process's lock before failing with busy.
    func setBusyTimeout(milliseconds: Int32) { sqlite3_busy_timeout(handle, milliseconds) }

    /// Rows changed by the last statement.
    var changes: Int { Int(sqlite3_changes(handle)) }

    private func error(_ rc: Int32) -> SQLiteError {
        SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(handle)))
    }

    /// Runs one or more statements without parameters or results.
    func execute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw SQLiteError(code: rc, message: text)
        }
    }

    /// A cached prepared statement, reset and with its bindings cleared.
    private func prepared(_ sql: String) throws(SQLiteError) -> OpaquePointer {
        if let statement = statements[sql] {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
            return statement
        }
        // Listings build their SQL from filters, so the cache is bounded rather than per string.
        if statements.count >= 128 {
            for statement in statements.values { sqlite3_finalize(statement) }
            statements.removeAll()
        }
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw error(rc) }
        statements[sql] = statement
        return statement
    }

    /// Runs a statement and returns every row (values converted to Swift at once).
    @discardableResult
    func query(_ sql: String, _ parameters: [any SQLBindable] = []) throws(SQLiteError) -> [SQLRow] {
        let statement = try prepared(sql)
        defer { sqlite3_reset(statement) }
        for (index, parameter) in parameters.enumerated() {
            let position = Int32(index + 1)
            let rc: Int32
            switch parameter.sqlValue {
            case .null: rc = sqlite3_bind_null(statement, position)
            case .int(let i): rc = sqlite3_bind_int64(statement, position, i)
            case .real(let d): rc = sqlite3_bind_double(statement, position, d)
            case .text(let s):
                // With its byte length, so text with NUL bytes is stored whole (not cut at the first NUL).
                var text = s
                rc = text.withUTF8 { bytes in
                    let count = Int32(clamping: bytes.count)
                    guard let base = bytes.baseAddress, count > 0 else {
                        return sqlite3_bind_text(statement, position, "", 0, transient)
                    }
                    return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                        sqlite3_bind_text(statement, position, $0, count, transient)
                    }
                }
            }
            guard rc == SQLITE_OK else { throw error(rc) }
        }
        var rows: [SQLRow] = []
        let count = sqlite3_column_count(statement)
        var names: [String] = []
        for i in 0..<count { names.append(String(cString: sqlite3_column_name(statement, i))) }
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw error(rc) }
            var columns: [String: SQLValue] = [:]
            columns.reserveCapacity(Int(count))
            for i in 0..<count {
                let value: SQLValue
                switch sqlite3_column_type(statement, i) {
                case SQLITE_INTEGER: value = .int(sqlite3_column_int64(statement, i))
                case SQLITE_FLOAT: value = .real(sqlite3_column_double(statement, i))
                case SQLITE_NULL: value = .null
                default:
                    if let text = sqlite3_column_text(statement, i) {
                        let count = Int(sqlite3_column_bytes(statement, i))
                        value = .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
                    } else {
                        value = .null
                    }
                }
                columns[names[Int(i)]] = value
            }
            rows.append(SQLRow(columns: columns))
        }
        return rows
    }

    /// The first column of the first row, or null.
    func scalar(_ sql: String, _ parameters: [any SQLBindable] = []) throws(SQLiteError) -> SQLValue {
        let rows = try query(sql, parameters)
        guard let row = rows.first else { return .null }
        return row.columns.values.first ?? .null
    }
}
