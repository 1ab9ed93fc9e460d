import CustomUICore

extension DiagnosticCode {
    /// Malformed JSON text.
    public static let jsonSyntax: Self = "json.syntax"
    /// An object names the same member twice.
    public static let jsonDuplicateKey: Self = "json.duplicate-key"
}

/// Why a JSON text could not be parsed, with the position of the offending bytes.
public struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stable code: `json.syntax`, `json.duplicate-key`, `limit.depth` or `limit.document-size`.
    public var code: DiagnosticCode
    /// What is wrong, lowercase, without a trailing period.
    public var message: String
    /// Where the problem starts and ends.
    public var range: SourceRange
    /// How to fix it, when there is something useful to say.
    public var hint: String?
    /// For duplicate keys, where the first occurrence was.
    public var firstOccurrence: SourceRange?

    /// An error from its parts.
    public init(
        code: DiagnosticCode, message: String, range: SourceRange, hint: String? = nil,
        firstOccurrence: SourceRange? = nil
    ) {
        self.code = code
        self.message = message
        self.range = range
        self.hint = hint
        self.firstOccurrence = firstOccurrence
    }

    /// The 1-based position where the problem starts.
    public var location: SourceLocation { range.start }

    /// `line:col: message`.
    public var description: String { "\(range.start.line):\(range.start.column): \(message)" }

    /// The error as a diagnostic about `file`.
    public func diagnostic(file: String) -> Diagnostic {
        var notes: [DiagnosticNote] = []
        if let firstOccurrence {
            notes.append(DiagnosticNote("first defined here", file: file, range: firstOccurrence))
        }
        return .error(code, message, file: file, range: range, hint: hint, notes: notes)
    }
}
