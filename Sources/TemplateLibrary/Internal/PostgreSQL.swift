internal import CLibPQ
import Foundation

/// A failed PostgreSQL call, with the server's SQLSTATE kept so callers can tell a lost
/// connection, a refused row and a serialisation failure apart.
struct PostgresError: Error, CustomStringConvertible {
    /// The five-character SQLSTATE, empty when the failure was the connection's.
    var state: String
    var message: String
    var description: String { state.isEmpty ? "postgres: \(message)" : "postgres error \(state): \(message)" }

    /// A unique or primary-key violation: the row is already there.
    var isDuplicate: Bool { state == "23505" }
    /// Row-level security refused a row (`new row violates row-level security policy`).
    var isPolicyViolation: Bool { state == "42501" }
    /// A deadlock or serialisation failure: the transaction may simply be tried again.
    var isRetryable: Bool { state == "40001" || state == "40P01" }
    /// The connection failed or was lost.
    var isConnection: Bool { state.isEmpty || state.hasPrefix("08") || state == "57P01" }
}

/// Owns one `PGconn*` and frees it in `deinit`; the only place in the project that touches libpq.
///
/// Not thread-safe by itself: `Library` serialises access with a lock. A statement runs with text
/// parameters (`PQexecParams`), so no value is ever spliced into SQL; one run a second time is
/// prepared on this connection (`PQprepare`, kept by its text) and from then on run with
/// `PQexecPrepared`, not parsed and planned again. Statements are written
/// with SQLite's `?` and `?N` placeholders and numbered as SQLite numbers them, so the library's SQL
/// is shared by both stores; columns come back as SQLite would give them (integers, reals, text,
/// booleans as 0 or 1, timestamps as the library's ISO 8601 text).
///
/// `@unchecked Sendable` because it wraps a C handle that Swift cannot check: `Library` keeps it
/// behind its lock and uses it only in `read`/`write` (and while it is being opened), so one thread
/// at a time touches the connection and its caches.
final class PostgresConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    /// Prepared statements by their SQL text (as the library writes it), with their names.
    private var prepared: [String: String] = [:]
    /// Statements run once so far, unprepared: one run costs a round trip less without preparing
    /// (a short-lived CLI process runs most statements once); the second run prepares.
    private var seenOnce: Set<String> = []
    private var preparedCount = 0
    /// Statements kept prepared at most; more, and they are all deallocated and prepared again
    /// as used (statements built with a varying number of ids would otherwise pile up).
    static let preparedLimit = 512

    /// Connects with a `postgres://` URL (or any libpq connection string).
    init(url: String) throws(PostgresError) {
        guard let connection = PQconnectdb(url) else {
            throw PostgresError(state: "", message: "out of memory")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.trimmed(String(cString: PQerrorMessage(connection)))
            PQfinish(connection)
            throw PostgresError(state: "", message: message)
        }
        handle = connection
        // Timestamps in UTC and ISO form, so they read back as the library writes them.
        try execute("SET TIME ZONE 'UTC'; SET datestyle = 'ISO, YMD'; SET client_min_messages = warning")
    }

    deinit { PQfinish(handle) }

    /// Whether the connection is still up (false after the server went away).
    var isConnected: Bool { PQstatus(handle) == CONNECTION_OK }

    /// Connects again with the same parameters (after a server restart or a dropped connection).
    func reconnect() throws(PostgresError) {
        PQreset(handle)
        guard PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(state: "", message: Self.trimmed(String(cString: PQerrorMessage(handle))))
        }
        prepared.removeAll()
        seenOnce.removeAll()
        try execute("SET TIME ZONE 'UTC'; SET datestyle = 'ISO, YMD'; SET client_min_messages = warning")
    }

    /// libpq's text on one line: its newlines and tabs (and any other control character) become
    /// spaces, so a server's message never reaches a terminal with control bytes.
    static func trimmed(_ text: String) -> String {
        let flat = String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
        return flat.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    private func failure(_ result: OpaquePointer?) -> PostgresError {
        let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? ""
        var message =
            PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { Self.trimmed(String(cString: $0)) } ?? ""
        if message.isEmpty { message = Self.trimmed(String(cString: PQerrorMessage(handle))) }
        return PostgresError(state: state, message: message)
    }

    /// Runs one or more statements without parameters or results.
    func execute(_ sql: String) throws(PostgresError) {
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else { throw failure(result) }
    }

    /// SQLite's placeholders as PostgreSQL's: `?N` becomes `$N`, and a bare `?` takes the number
    /// one above the largest given so far, as SQLite numbers it. Quoted text is left alone.
    static func placeholders(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count + 16)
        var largest = 0
        var quote: Character?
        var index = sql.startIndex
        while index < sql.endIndex {
            let c = sql[index]
            if let q = quote {
                out.append(c)
                if c == q { quote = nil }
                index = sql.index(after: index)
                continue
            }
            if c == "'" || c == "\"" {
                quote = c
                out.append(c)
                index = sql.index(after: index)
                continue
            }
            guard c == "?" else {
                out.append(c)
                index = sql.index(after: index)
                continue
            }
            var end = sql.index(after: index)
            while end < sql.endIndex, sql[end].isASCII, sql[end].isNumber { end = sql.index(after: end) }
            let digits = sql[sql.index(after: index)..<end]
            let number: Int
            if let given = Int(digits) {
                number = given
            } else {
                number = largest + 1
            }
            largest = max(largest, number)
            out += "$\(number)"
            index = end
        }
        return out
    }

    /// Runs a statement and returns every row, values converted as SQLite would give them.
    @discardableResult
    func query(_ sql: String, _ parameters: [any SQLBindable] = []) throws(PostgresError) -> [SQLRow] {
        var name: String?
        if prepared[sql] != nil || seenOnce.contains(sql) {
            name = try preparedName(sql)
            seenOnce.remove(sql)
        } else {
            if seenOnce.count >= Self.preparedLimit * 2 { seenOnce.removeAll() }
            seenOnce.insert(sql)
        }
        // Text parameters; PostgreSQL infers each one's type from where it is used.
        var strings: [String?] = []
        strings.reserveCapacity(parameters.count)
        for parameter in parameters {
            switch parameter.sqlValue {
            case .null: strings.append(nil)
            case .int(let i): strings.append(String(i))
            case .real(let d):
                strings.append(d.isFinite ? "\(d)" : (d.isNaN ? "NaN" : (d > 0 ? "Infinity" : "-Infinity")))
            case .text(let s):
                // PostgreSQL text cannot hold a NUL byte; refuse it with a message instead of cutting it.
                if s.utf8.contains(0) {
                    throw PostgresError(state: "22021", message: "text with a NUL byte cannot be stored in PostgreSQL")
                }
                strings.append(s)
            }
        }
        let result = Self.withCStrings(strings) { pointers in
            if let name { return PQexecPrepared(handle, name, Int32(strings.count), pointers, nil, nil, 0) }
            return PQexecParams(handle, Self.placeholders(sql), Int32(strings.count), nil, pointers, nil, nil, 0)
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        if status == PGRES_COMMAND_OK { return [] }
        guard status == PGRES_TUPLES_OK else {
            let error = failure(result)
            // The statement is gone (a reset connection) or its plan no longer fits the tables
            // (a migration by another process): it is prepared again on its next use.
            if error.state == "26000" || error.state == "0A000" { prepared[sql] = nil }
            throw error
        }
        let rowCount = PQntuples(result)
        let fieldCount = PQnfields(result)
        var names: [String] = []
        var types: [UInt32] = []
        for i in 0..<fieldCount {
            names.append(String(cString: PQfname(result, i)))
            types.append(PQftype(result, i))
        }
        var rows: [SQLRow] = []
        rows.reserveCapacity(Int(rowCount))
        for r in 0..<rowCount {
            var columns: [String: SQLValue] = [:]
            columns.reserveCapacity(Int(fieldCount))
            for f in 0..<fieldCount {
                if PQgetisnull(result, r, f) == 1 {
                    columns[names[Int(f)]] = .null
                    continue
                }
                let count = Int(PQgetlength(result, r, f))
                let raw = PQgetvalue(result, r, f)!
                let string = raw.withMemoryRebound(to: UInt8.self, capacity: count) {
                    String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
                }
                columns[names[Int(f)]] = Self.value(string, type: types[Int(f)])
            }
            rows.append(SQLRow(columns: columns))
        }
        return rows
    }

    /// The name of `sql`'s prepared statement on this connection, preparing it on first use.
    private func preparedName(_ sql: String) throws(PostgresError) -> String {
        if let name = prepared[sql] { return name }
        if prepared.count >= Self.preparedLimit {
            try execute("DEALLOCATE ALL")
            prepared.removeAll()
        }
        preparedCount += 1
        let name = "customui_\(preparedCount)"
        let result = PQprepare(handle, name, Self.placeholders(sql), 0, nil)
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else { throw failure(result) }
        prepared[sql] = name
        return name
    }

    /// `text` as an SQL string literal, quoted by libpq for this connection's settings; for the
    /// few statements sent together without parameters (opening a transaction in one round trip).
    func literal(_ text: String) throws(PostgresError) -> String {
        if text.utf8.contains(0) {
            throw PostgresError(state: "22021", message: "text with a NUL byte cannot be stored in PostgreSQL")
        }
        guard let quoted = PQescapeLiteral(handle, text, text.utf8.count) else {
            throw PostgresError(state: "", message: Self.trimmed(String(cString: PQerrorMessage(handle))))
        }
        defer { PQfreemem(quoted) }
        return String(cString: quoted)
    }

    /// The first column of the first row, or null.
    func scalar(_ sql: String, _ parameters: [any SQLBindable] = []) throws(PostgresError) -> SQLValue {
        let rows = try query(sql, parameters)
        guard let row = rows.first else { return .null }
        return row.columns.values.first ?? .null
    }

    /// A column's text as SQLite would give the value (by the column's type OID).
    static func value(_ text: String, type: UInt32) -> SQLValue {
        switch type {
        case 16: return .int(text == "t" ? 1 : 0)  // bool
        case 20, 21, 23: return Int64(text).map(SQLValue.int) ?? .text(text)  // int8, int2, int4
        case 700, 701, 1700: return Double(text).map(SQLValue.real) ?? .text(text)  // float4, float8, numeric
        case 1184, 1114: return .text(isoTimestamp(text))  // timestamptz, timestamp
        default: return .text(text)
        }
    }

    /// `2026-12-07 15:18:40.123+00` (ISO datestyle, UTC) as `2026-12-07T15:18:40.123Z`.
    static func isoTimestamp(_ text: String) -> String {
        var body = Substring(text)
        if let plus = body.lastIndex(where: { $0 == "+" || $0 == "-" }),
            plus > body.index(body.startIndex, offsetBy: 10)
        {
            body = body[..<plus]
        }
        let parts = body.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { return text }
        let time = parts[1].split(separator: ".", maxSplits: 1)
        var fraction = time.count == 2 ? String(time[1].prefix(3)) : ""
        while fraction.count < 3 { fraction += "0" }
        return "\(parts[0])T\(time[0]).\(fraction)Z"
    }

    private static func withCStrings<R>(
        _ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R
    ) -> R {
        if strings.isEmpty { return body(nil) }
        let buffers: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0) } ?? nil }
        defer { for buffer in buffers { free(buffer) } }
        let constant: [UnsafePointer<CChar>?] = buffers.map { $0.map { UnsafePointer($0) } }
        return constant.withUnsafeBufferPointer { body($0.baseAddress) }
    }

    /// Quotes a name for SQL (`"…"`, inner quotes doubled).
    static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Quotes a literal for SQL (`'…'`, inner quotes doubled); only for statements that take no parameters.
    static func quoteLiteral(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
}
