import CustomUICore

extension DiagnosticCode {
    /// The library file exists but is not an SQLite database.
    public static let libraryNotADatabase: Self = "library.not-a-database"
    /// The file is an SQLite database that some other program made.
    public static let libraryNotALibrary: Self = "library.not-a-library"
    /// SQLite found the library damaged.
    public static let libraryCorrupt: Self = "library.corrupt"
    /// The library was made by a newer CustomUI (a later schema version).
    public static let libraryNewerSchema: Self = "library.newer-schema"
    /// The library cannot be written (a write-protected file or directory).
    public static let libraryReadOnly: Self = "library.read-only"
    /// The library file or its directory cannot be opened or created.
    public static let libraryCannotOpen: Self = "library.cannot-open"
    /// Another process held the library for longer than the busy timeout.
    public static let libraryBusy: Self = "library.busy"
    /// No UI, version or run by that reference is visible to the acting user.
    public static let libraryNotFound: Self = "library.not-found"
    /// The access rules do not let the acting user do this.
    public static let libraryDenied: Self = "library.denied"
    /// The definition has errors; it was not published.
    public static let libraryInvalidDefinition: Self = "library.invalid-definition"
    /// An argument is out of range or malformed (a rating of 7, an unknown sort, …).
    public static let libraryInvalidInput: Self = "library.invalid-input"
    /// A reference names more than one UI.
    public static let libraryAmbiguous: Self = "library.ambiguous"
    /// An import would replace a UI (or a run) the library already has.
    public static let libraryExists: Self = "library.exists"
    /// SQLite failed in a way not listed above.
    public static let librarySQLite: Self = "library.sqlite"
}

/// Every failure of the library, with a stable code, a message and a hint; converted to text once.
public struct LibraryError: Error, Sendable, CustomStringConvertible {
    /// The stable code (`library.*`).
    public var code: DiagnosticCode
    /// What went wrong, lowercase, identifiers quoted.
    public var message: String
    /// What to do about it.
    public var hint: String?
    /// Validation findings, when a publish was refused for them.
    public var diagnostics: [Diagnostic]

    /// An error with a code, message and optional hint.
    public init(_ code: DiagnosticCode, _ message: String, hint: String? = nil, diagnostics: [Diagnostic] = []) {
        self.code = code
        self.message = message
        self.hint = hint
        self.diagnostics = diagnostics
    }

    /// `error[code]: message` and the hint on its own line.
    public var description: String {
        var text = "error[\(code)]: \(message)"
        if let hint { text += "\n  = hint: \(hint)" }
        return text
    }

    /// The error as a diagnostic, for JSON output and the shared renderer.
    public var diagnostic: Diagnostic { .error(code, message, hint: hint) }

    static func denied(_ message: String, hint: String? = nil) -> LibraryError {
        LibraryError(.libraryDenied, message, hint: hint)
    }

    static func invalid(_ message: String, hint: String? = nil) -> LibraryError {
        LibraryError(.libraryInvalidInput, message, hint: hint)
    }

    /// A duration as `10 s` or `0.5 s`.
    static func seconds(_ duration: Duration) -> String {
        let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return ms % 1000 == 0 ? "\(ms / 1000) s" : String(format: "%.1f s", Double(ms) / 1000)
    }

    /// Turns an SQLite failure into a library error the user can act on.
    static func from(_ error: SQLiteError, path: String, busyTimeout: Duration = Library.defaultBusyTimeout)
        -> LibraryError
    {
        if error.isNotADatabase {
            return LibraryError(
                .libraryNotADatabase, "`\(path)` is not a CustomUI library (not an SQLite database)",
                hint:
                    "point --library or CUSTOMUI_LIBRARY at a library file, or at a path where a new one may be created"
            )
        }
        if error.isCorrupt {
            return LibraryError(
                .libraryCorrupt, "the library `\(path)` is damaged: \(error.message)",
                hint: "restore it from a backup; `sqlite3 FILE .recover` may salvage rows")
        }
        if error.isReadOnly {
            return LibraryError(
                .libraryReadOnly, "the library `\(path)` is read-only",
                hint: "make the file and its directory writable, or use another --library")
        }
        if error.isBusy {
            return LibraryError(
                .libraryBusy,
                "the library `\(path)` stayed locked by another process for more than \(Self.seconds(busyTimeout)); nothing was written",
                hint: "try again when the other `customui` finishes")
        }
        if error.isCantOpen {
            return LibraryError(
                .libraryCannotOpen, "cannot open the library `\(path)`: \(error.message)",
                hint: "check that the directory exists and is writable")
        }
        return LibraryError(
            .librarySQLite, "the library `\(path)` failed: \(error.message) (sqlite code \(error.code))")
    }
}
