import CustomUICore

/// One way an instance fails its schema.
public struct ValidationError: Sendable, Hashable, CustomStringConvertible {
    /// Where in the instance, as a JSON Pointer.
    public var instanceLocation: JSONPointer
    /// The keyword path taken through the schema, `$ref`s included (the spec's `keywordLocation`).
    public var keywordLocation: String
    /// The failing keyword's canonical URI (`uri#/pointer/keyword`).
    public var absoluteKeywordLocation: String?
    /// The failing keyword (`required`, `type`, ...).
    public var keyword: String
    /// A plain explanation: lowercase, no trailing period.
    public var message: String
    /// A suggestion such as a did-you-mean, when there is one.
    public var hint: String?
    /// The source range in the instance file, when validated from a `JSONDocument`.
    public var range: SourceRange?
    /// Whether the error is about a member's name rather than its value (so the range points at the key).
    public var pointsAtKey: Bool
    /// The string written (a member name or a string value), when `suggestions` name what it may be
    /// a misspelling of.
    public var written: String?
    /// Names `written` may be a misspelling of.
    public var suggestions: [String] = []
    /// Fixes replacing the written string with each suggestion, when validated from a `JSONDocument`.
    public var fixes: [Fix] = []

    /// An error from its parts.
    public init(
        instanceLocation: JSONPointer, keywordLocation: String, absoluteKeywordLocation: String?, keyword: String,
        message: String, hint: String? = nil, range: SourceRange? = nil, pointsAtKey: Bool = false,
        code: DiagnosticCode? = nil
    ) {
        self.code = code ?? DiagnosticCode(rawValue: "schema." + keyword)
        self.instanceLocation = instanceLocation
        self.keywordLocation = keywordLocation
        self.absoluteKeywordLocation = absoluteKeywordLocation
        self.keyword = keyword
        self.message = message
        self.hint = hint
        self.range = range
        self.pointsAtKey = pointsAtKey
    }

    /// The diagnostic code: `schema.<keyword>`, or `limit.steps`/`limit.depth` when evaluation ran out of budget.
    public var code: DiagnosticCode

    /// `/pointer: message`.
    public var description: String {
        "\(instanceLocation.isRoot ? "(root)" : instanceLocation.description): \(message)"
    }

    /// The error as a diagnostic; `range` defaults to the one found when validating a document.
    public func diagnostic(file: String?, range: SourceRange? = nil) -> Diagnostic {
        var notes = [DiagnosticNote("schema keyword at `\(keywordLocation.isEmpty ? "#" : keywordLocation)`")]
        if !instanceLocation.isRoot { notes.insert(DiagnosticNote("instance location `\(instanceLocation)`"), at: 0) }
        return .error(
            code, message, file: file, range: range ?? self.range, hint: hint, notes: notes,
            fixes: range == nil || range == self.range ? fixes : [])
    }
}

/// The outcome of validating one instance.
public struct ValidationResult: Sendable, Hashable {
    /// Whether the instance is valid.
    public var isValid: Bool
    /// Every error found, in evaluation order.
    public var errors: [ValidationError]

    /// A result from its parts.
    public init(isValid: Bool, errors: [ValidationError]) {
        self.isValid = isValid
        self.errors = errors
    }

    /// The specification's "basic" output format: `{"valid": ..., "errors": [{keywordLocation, absoluteKeywordLocation, instanceLocation, error}]}`.
    public var basicOutput: Value {
        var object = ValueObject()
        object["valid"] = .bool(isValid)
        if !isValid {
            object["errors"] = .array(
                errors.map { error in
                    var entry = ValueObject()
                    entry["keywordLocation"] = .string(error.keywordLocation)
                    if let absolute = error.absoluteKeywordLocation {
                        entry["absoluteKeywordLocation"] = .string(absolute)
                    }
                    entry["instanceLocation"] = .string(error.instanceLocation.description)
                    entry["error"] = .string(error.message)
                    return .object(entry)
                })
        }
        return .object(object)
    }

    /// Every error as a diagnostic about `file`.
    public func diagnostics(file: String?) -> [Diagnostic] {
        errors.map { $0.diagnostic(file: file) }
    }
}
