/// How serious a diagnostic is.
public enum Severity: String, Sendable, Hashable, Comparable, CaseIterable {
    case note
    case warning
    case error

    public static func < (lhs: Severity, rhs: Severity) -> Bool {
        let order: [Severity] = [.note, .warning, .error]
        return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
    }
}

/// A stable diagnostic code such as `expr.unexpected-token`.
///
/// Codes are declared as statics beside the stage that emits them and never change meaning once
/// released: editors, CI scripts and LLMs key on them.
public struct DiagnosticCode: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    public static func < (lhs: DiagnosticCode, rhs: DiagnosticCode) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A secondary message attached to a diagnostic, optionally pointing somewhere else.
public struct DiagnosticNote: Hashable, Sendable {
    /// The text of the note.
    public var message: String
    /// The file the note points into, if any.
    public var file: String?
    /// The span the note points at, if any.
    public var range: SourceRange?

    /// A note from its parts.
    public init(_ message: String, file: String? = nil, range: SourceRange? = nil) {
        self.message = message
        self.file = file
        self.range = range
    }
}

/// A replacement of the text in `range` of the diagnostic's file.
public struct TextEdit: Hashable, Sendable {
    /// What is replaced (empty to insert).
    public var range: SourceRange
    /// What replaces it (empty to delete).
    public var text: String

    /// An edit from its parts.
    public init(range: SourceRange, text: String) {
        self.range = range
        self.text = text
    }
}

/// One machine-applicable way to fix a diagnostic: what it does and the edits that apply it together.
///
/// Set where the diagnostic is made, by the check that knows the replacement; editors offer them as
/// code actions and `validate --fix` applies a diagnostic's fix when it has exactly one.
public struct Fix: Hashable, Sendable {
    /// What the fix does, such as "change `headng` to `heading`".
    public var message: String
    /// The edits, in the diagnostic's file; they never overlap.
    public var edits: [TextEdit]

    /// A fix from its parts.
    public init(_ message: String, edits: [TextEdit]) {
        self.message = message
        self.edits = edits
    }

    /// One fix per suggestion, each replacing `range` in `file`, when the source there reads exactly
    /// `written` (a name written with a character reference or brackets gets none).
    public static func replacing(
        _ range: SourceRange?, in file: SourceFile, written: String, with suggestions: [String],
        also: (String) -> [TextEdit] = { _ in [] }
    ) -> [Fix] {
        guard let range, range.end.offset <= file.bytes.count, file.text(in: range) == written else { return [] }
        return suggestions.filter { $0 != written }.map {
            Fix("change `\(written)` to `\($0)`", edits: [TextEdit(range: range, text: $0)] + also($0))
        }
    }

    /// One fix per suggestion, each replacing the JSON string token at `range` (quotes included)
    /// when it reads exactly `"written"`; suggestions that would need escaping are left out.
    public static func replacingJSONString(
        _ range: SourceRange?, in file: SourceFile, written: String, with suggestions: [String]
    ) -> [Fix] {
        guard let range, range.end.offset <= file.bytes.count, file.text(in: range) == "\"\(written)\""
        else { return [] }
        let inner = file.range(range.start.offset + 1, range.end.offset - 1)
        let plain = suggestions.filter { !$0.unicodeScalars.contains { $0 == "\"" || $0 == "\\" || $0.value < 0x20 } }
        return replacing(inner, in: file, written: written, with: plain)
    }

    /// Applies `edits` to `bytes`, or returns nil when two edits overlap or one is not a range of
    /// `bytes`.
    public static func apply(_ edits: [TextEdit], to bytes: [UInt8]) -> [UInt8]? {
        guard edits.allSatisfy({ 0 <= $0.range.start.offset && $0.range.start.offset <= $0.range.end.offset })
        else { return nil }
        let sorted = edits.sorted {
            ($0.range.start.offset, $0.range.end.offset) < ($1.range.start.offset, $1.range.end.offset)
        }
        for (a, b) in zip(sorted, sorted.dropFirst())
        where b.range.start.offset < a.range.end.offset
            || (b.range.start.offset == a.range.start.offset && a.range.start.offset == a.range.end.offset)
        {
            return nil
        }
        guard let last = sorted.last, last.range.end.offset <= bytes.count else { return sorted.isEmpty ? bytes : nil }
        var result = bytes
        for edit in sorted.reversed() {
            result.replaceSubrange(edit.range.start.offset..<edit.range.end.offset, with: Array(edit.text.utf8))
        }
        return result
    }
}

/// One finding about an input: what is wrong, where, and how to fix it.
///
/// Messages are lowercase, without a trailing period, and quote identifiers with backticks; the
/// hint says what the expected form is.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    /// How serious it is.
    public var severity: Severity
    /// The stable code.
    public var code: DiagnosticCode
    /// What is wrong.
    public var message: String
    /// The file it is about (as the user named it), if any.
    public var file: String?
    /// Where in that file, if known.
    public var range: SourceRange?
    /// How to fix it, if there is something to say.
    public var hint: String?
    /// Further context, possibly pointing elsewhere.
    public var notes: [DiagnosticNote]
    /// Machine-applicable fixes in `file`: alternatives, one per suggestion.
    public var fixes: [Fix]

    /// A diagnostic from its parts.
    public init(
        _ severity: Severity, _ code: DiagnosticCode, _ message: String, file: String? = nil,
        range: SourceRange? = nil, hint: String? = nil, notes: [DiagnosticNote] = [], fixes: [Fix] = []
    ) {
        self.severity = severity
        self.code = code
        self.message = message
        self.file = file
        self.range = range
        self.hint = hint
        self.notes = notes
        self.fixes = fixes
    }

    /// An error.
    public static func error(
        _ code: DiagnosticCode, _ message: String, file: String? = nil, range: SourceRange? = nil,
        hint: String? = nil, notes: [DiagnosticNote] = [], fixes: [Fix] = []
    ) -> Diagnostic {
        Diagnostic(.error, code, message, file: file, range: range, hint: hint, notes: notes, fixes: fixes)
    }

    /// A warning.
    public static func warning(
        _ code: DiagnosticCode, _ message: String, file: String? = nil, range: SourceRange? = nil,
        hint: String? = nil, notes: [DiagnosticNote] = [], fixes: [Fix] = []
    ) -> Diagnostic {
        Diagnostic(.warning, code, message, file: file, range: range, hint: hint, notes: notes, fixes: fixes)
    }

    /// `file:line:col: severity[code]: message`, without the source excerpt.
    public var description: String {
        var prefix = file ?? "<input>"
        if let range { prefix += ":\(range.start.line):\(range.start.column)" }
        return "\(prefix): \(severity.rawValue)[\(code)]: \(message)"
    }
}

extension Array where Element == Diagnostic {
    /// Whether any diagnostic is an error.
    public var hasErrors: Bool { contains { $0.severity == .error } }

    /// Sorted by file, then position, then code, so output is deterministic.
    public func sortedByLocation() -> [Diagnostic] {
        enumerated().sorted { a, b in
            let (x, y) = (a.element, b.element)
            if x.file != y.file { return (x.file ?? "") < (y.file ?? "") }
            let xo = x.range?.start.offset ?? -1
            let yo = y.range?.start.offset ?? -1
            if xo != yo { return xo < yo }
            return a.offset < b.offset
        }.map(\.element)
    }
}

/// Suggestions for "did you mean" hints.
public enum Suggestions {
    /// The candidate closest to `word` by edit distance, if it is close enough to be a plausible typo.
    public static func closest(to word: String, in candidates: some Sequence<String>) -> String? {
        nearest(to: word, in: candidates).first
    }

    /// Every candidate at the smallest plausible distance from `word` (ties sorted, at most three).
    public static func nearest(to word: String, in candidates: some Sequence<String>) -> [String] {
        let lowered = Array(word.lowercased().unicodeScalars)
        var best: [String] = []
        var bestDistance = Int.max
        for candidate in Set(candidates) where candidate != word {
            let distance = editDistance(lowered, Array(candidate.lowercased().unicodeScalars))
            let allowed = max(1, min(3, (max(lowered.count, candidate.count) + 2) / 4))
            guard distance <= allowed, distance <= bestDistance else { continue }
            if distance < bestDistance { best = [] }
            bestDistance = distance
            best.append(candidate)
        }
        return Array(best.sorted().prefix(3))
    }

    /// `did you mean `x`?` (or `` `x` or `y` ``) or nil.
    public static func didYouMean(_ word: String, in candidates: some Sequence<String>) -> String? {
        didYouMean(nearest(to: word, in: candidates))
    }

    /// `did you mean `x`?` naming each suggestion, or nil when there is none.
    public static func didYouMean(_ suggestions: [String]) -> String? {
        guard !suggestions.isEmpty else { return nil }
        let names = suggestions.map { "`\($0)`" }
        let listed = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " or " + names.last!
        return "did you mean \(listed)?"
    }

    /// For a closed set of words (a mode, a layout): the closest spelling, else the shortest word
    /// that starts with what was written (`auto` → `auto-run`, `visible` → none: not a prefix).
    public static func closestChoice(to word: String, in candidates: [String]) -> String? {
        nearestChoices(to: word, in: candidates).first
    }

    /// `closestChoice`, with every tie at the smallest distance.
    public static func nearestChoices(to word: String, in candidates: [String]) -> [String] {
        let close = nearest(to: word, in: candidates)
        if !close.isEmpty { return close }
        let lowered = word.lowercased()
        guard lowered.count >= 3 else { return [] }
        return candidates.filter { $0.lowercased().hasPrefix(lowered) && $0 != word }.min {
            ($0.count, $0) < ($1.count, $1)
        }.map { [$0] } ?? []
    }

    /// Levenshtein distance with transpositions counted as one edit.
    public static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = Swift.min(current[j], previous2[j - 2] + 1)
                }
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}

/// A diagnostic can be the failure of a `Result`, so single-error APIs (such as parsing one expression) need no wrapper.
extension Diagnostic: Error {}
