import CustomUICore

extension DiagnosticCode {
    /// `{{ … }}` in a prompt message that is not a placeholder (kept as literal text).
    public static let promptMalformedPlaceholder: Self = "prompt.malformed-placeholder"
    /// A placeholder with no value when the message is resolved.
    public static let promptMissingValue: Self = "prompt.missing-value"
    /// A placeholder naming a variable the prompt does not declare.
    public static let promptUnknownVariable: Self = "prompt.unknown-variable"

    /// Every code prompt message resolution can emit, for the diagnostics catalogue.
    public static let promptMessageCodes: [DiagnosticCode] = [
        .promptMalformedPlaceholder, .promptMissingValue, .promptUnknownVariable,
    ]
}

/// A prompt message's content parsed once into literal text and `{{name}}` placeholders.
///
/// Resolution is exact: each placeholder is replaced by its value exactly once, values are inserted
/// literally (a value containing `{{other}}`, `$1` or a backslash stays as it is), and a placeholder
/// without a value is an error rather than being left in or silently emptied. This replaces the
/// seeds' regex replacement, which re-substituted inserted values and broke on metacharacters.
public struct MessageTemplate: Hashable, Sendable {
    /// One part of a message.
    public enum Part: Hashable, Sendable {
        /// Literal text, including any `{{ … }}` that is not a placeholder.
        case text(String)
        /// A `{{name}}` placeholder and where it was written, when the origin is known.
        case placeholder(name: String, range: SourceRange?)
    }

    /// The parts in order.
    public let parts: [Part]
    /// Warnings for `{{ … }}` that are not placeholders (`prompt.malformed-placeholder`).
    public let diagnostics: [Diagnostic]
    private let path: String?
    /// Each placeholder's name in the source, when the source reads it as written (for fixes).
    private let nameRanges: [SourceRange?]

    /// Parses a message; `origin` maps the content back to its file so placeholders carry ranges.
    ///
    /// A placeholder is `{{name}}` with optional spaces or tabs inside the braces; names use ASCII
    /// letters, digits, `_` and `-`. In a run of braces such as `{{{name}}}` the innermost pair counts,
    /// so the outer braces stay as text.
    public init(_ content: String, origin: TextOrigin?) {
        let bytes = Array(content.utf8)
        var parts: [Part] = []
        var diagnostics: [Diagnostic] = []
        var text: [UInt8] = []
        var nameRanges: [SourceRange?] = []
        var i = 0
        func range(_ start: Int, _ end: Int) -> SourceRange? { origin?.range(start, end) }
        func isBrace(_ at: Int, _ brace: UInt8) -> Bool {
            at + 1 < bytes.count && bytes[at] == brace && bytes[at + 1] == brace
        }
        func warn(_ start: Int, _ end: Int, _ message: String) {
            diagnostics.append(
                .warning(
                    .promptMalformedPlaceholder, message, file: origin?.file.path, range: range(start, end),
                    hint:
                        "placeholders look like `{{topic}}`: letters, digits, `_` and `-`; this text is sent as written"
                ))
        }
        while i < bytes.count {
            guard isBrace(i, UInt8(ascii: "{")) else {
                text.append(bytes[i])
                i += 1
                continue
            }
            var open = i
            while open + 2 < bytes.count, bytes[open + 2] == UInt8(ascii: "{") {
                text.append(bytes[open])
                open += 1
            }
            var close = open + 2
            while close < bytes.count, !isBrace(close, UInt8(ascii: "}")), !isBrace(close, UInt8(ascii: "{")) {
                close += 1
            }
            guard isBrace(close, UInt8(ascii: "}")) else {
                warn(open, open + 2, "`{{` is not closed by `}}`")
                text.append(contentsOf: bytes[open..<open + 2])
                i = open + 2
                continue
            }
            let inner = bytes[(open + 2)..<close]
            let name = inner.drop { $0 == 0x20 || $0 == 0x09 }.reversed().drop { $0 == 0x20 || $0 == 0x09 }.reversed()
            if !name.isEmpty, name.allSatisfy(MessageTemplate.isNameByte) {
                if !text.isEmpty {
                    parts.append(.text(String(decoding: text, as: UTF8.self)))
                    text.removeAll()
                }
                parts.append(.placeholder(name: String(decoding: name, as: UTF8.self), range: range(open, close + 2)))
                let nameStart = inner.firstIndex { $0 != 0x20 && $0 != 0x09 } ?? open + 2
                let nameRange = range(nameStart, nameStart + name.count)
                nameRanges.append(
                    nameRange.flatMap {
                        origin?.file.text(in: $0) == String(decoding: name, as: UTF8.self) ? $0 : nil
                    })
            } else {
                let shown = String(decoding: bytes[open..<(close + 2)], as: UTF8.self)
                warn(
                    open, close + 2,
                    name.isEmpty ? "`\(shown)` names no variable" : "`\(shown.prefix(60))` is not a valid placeholder")
                text.append(contentsOf: bytes[open..<(close + 2)])
            }
            i = close + 2
        }
        if !text.isEmpty { parts.append(.text(String(decoding: text, as: UTF8.self))) }
        self.parts = parts
        self.diagnostics = diagnostics
        self.path = origin?.file.path
        self.nameRanges = nameRanges
    }

    private static func isNameByte(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x5F || b == 0x2D
    }

    /// The placeholders in order, with where each was written.
    public var placeholders: [(name: String, range: SourceRange?)] {
        parts.compactMap { if case .placeholder(let name, let range) = $0 { (name, range) } else { nil } }
    }

    /// The distinct variable names, in order of first use.
    public var variableNames: [String] {
        var seen = Set<String>()
        return placeholders.map(\.name).filter { seen.insert($0).inserted }
    }

    /// `prompt.unknown-variable` errors for placeholders naming variables outside `declared`, with did-you-mean hints.
    public func check(declared: some Sequence<String>) -> [Diagnostic] {
        let known = Array(declared)
        let knownSet = Set(known)
        return zip(placeholders, nameRanges).filter { !knownSet.contains($0.0.name) }.map { placeholder, nameRange in
            let guesses = Suggestions.nearest(to: placeholder.name, in: known)
            let fixes =
                nameRange.map { range in
                    guesses.map {
                        Fix("change `\(placeholder.name)` to `\($0)`", edits: [TextEdit(range: range, text: $0)])
                    }
                } ?? []
            return .error(
                .promptUnknownVariable, "message uses `\(placeholder.name)`, which the prompt does not declare",
                file: path, range: placeholder.range,
                hint: Suggestions.didYouMean(guesses)
                    ?? "declare it in the prompt's variableDefaults, or remove the placeholder",
                fixes: fixes)
        }
    }

    /// The message with every placeholder replaced by its value, inserted literally and exactly once.
    public func resolve(_ values: [String: String]) throws(MessageResolutionError) -> String {
        var out = ""
        var missing: [(name: String, range: SourceRange?)] = []
        for part in parts {
            switch part {
            case .text(let text): out += text
            case .placeholder(let name, let range):
                if let value = values[name] {
                    out += value
                } else {
                    missing.append((name, range))
                }
            }
        }
        guard missing.isEmpty else { throw MessageResolutionError(missing: missing, file: path) }
        return out
    }
}

/// Placeholders that had no value when a message was resolved.
public struct MessageResolutionError: Error, Sendable, CustomStringConvertible {
    /// Each placeholder without a value, in order, with where it was written when known.
    public var missing: [(name: String, range: SourceRange?)]
    /// The file the message came from, when known.
    public var file: String?

    /// An error from its parts.
    public init(missing: [(name: String, range: SourceRange?)], file: String? = nil) {
        self.missing = missing
        self.file = file
    }

    /// The distinct missing names, in order.
    public var names: [String] {
        var seen = Set<String>()
        return missing.map(\.name).filter { seen.insert($0).inserted }
    }

    /// One `prompt.missing-value` error per placeholder without a value.
    public var diagnostics: [Diagnostic] {
        missing.map {
            .error(
                .promptMissingValue, "no value for variable `\($0.name)`", file: file, range: $0.range,
                hint: "give `\($0.name)` a value or a default in the prompt's variableDefaults")
        }
    }

    /// `no value for variables `a`, `b``.
    public var description: String {
        let list = names.map { "`\($0)`" }.joined(separator: ", ")
        return names.count == 1 ? "no value for variable \(list)" : "no value for variables \(list)"
    }
}
