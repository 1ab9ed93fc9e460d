import Foundation

/// A compiled `pattern`, translated from ECMA-262 syntax to ICU so the common differences behave as JSON Schema expects.
///
/// ECMA-262 `\d`, `\w` and `\s` have fixed ASCII (and, for `\s`, a fixed Unicode) meaning and `$` only matches at
/// the very end; ICU's differ, so they are rewritten before compiling. Patterns that are just a literal prefix or
/// a `^literal$` skip the regex engine, because bridging to NSString dominates the cost of short matches. Patterns
/// without lookaround or backreferences run on in-house matchers (`SimpleRegex`, then the linear-time `PikeRegex`)
/// so that no schema can make matching take exponential time; ICU handles only the rest, under a step limit
/// (`icuStepLimit(length:)`): a pattern with lookaround or backreferences that backtracks catastrophically on a value
/// gives up with `.tooManySteps` instead of hanging the validation.
final class SchemaRegex: Sendable {
    private enum Kind: Sendable {
        case regex(NSRegularExpression)
        case simple(SimpleRegex, PikeRegex)
        case pike(PikeRegex)
        case prefix(String)
        case contains(String)
        case exact(String)
        case always
    }

    private let kind: Kind

    /// The outcome of one match: ICU's backtracking can give up.
    enum Outcome {
        case match
        case noMatch
        /// ICU ran past `icuStepLimit(length:)` matching steps; the value counts as not matching.
        case tooManySteps
    }

    /// ICU's matching steps a match may take: a million, plus a hundred for each UTF-16 unit of the value,
    /// so that a linear pattern on a long value always finishes while an exponential one stops within a
    /// fraction of a second (about 0.1 s per million steps on the development machine).
    static func icuStepLimit(length: Int) -> Int { 1_000_000 + 100 * length }

    init(_ pattern: String) throws {
        if let fast = SchemaRegex.literalForm(pattern) {
            kind = fast
            return
        }
        if let pike = PikeRegex(pattern) {
            // The in-house matchers take a strict subset of ECMA-262 that ICU accepts too (`pikeMatcherAgreesWithICU`
            // compiles each with ICU), so ICU is not asked: its first use costs a process most of a millisecond.
            kind = SimpleRegex(pattern).map { .simple($0, pike) } ?? .pike(pike)
        } else {
            // Everything else is valid exactly when ICU (after translation) accepts it.
            kind = .regex(try NSRegularExpression(pattern: SchemaRegex.translate(pattern), options: []))
        }
    }

    /// Whether the pattern matches anywhere in `text`, and whether ICU gave up (patterns are not anchored implicitly).
    func match(_ text: String) -> Outcome {
        if case .regex(let regex) = kind { return SchemaRegex.icuMatch(regex, text) }
        return matches(text) ? .match : .noMatch
    }

    /// Whether the pattern matches anywhere in `text` (patterns are not anchored implicitly); a match that runs
    /// out of steps counts as no match.
    func matches(_ text: String) -> Bool {
        switch kind {
        case .always: return true
        // Byte comparisons: Swift's String comparison would treat canonically equivalent text (U+212A KELVIN SIGN
        // and `K`) as equal, and regular expressions compare code points.
        case .prefix(let p): return text.utf8.starts(with: p.utf8)
        case .contains(let p): return SchemaRegex.containsBytes(text, p)
        case .exact(let p): return text.utf8.elementsEqual(p.utf8)
        case .pike(let pike): return pike.matches(text)
        case .regex(let regex):
            return SchemaRegex.icuMatch(regex, text) == .match
        case .simple(let simple, let pike):
            switch simple.matches(text) {
            case .match: return true
            case .noMatch: return false
            case .tooHard: return pike.matches(text)
            }
        }
    }

    private static func containsBytes(_ text: String, _ needle: String) -> Bool {
        let haystack = Array(text.utf8)
        let pattern = Array(needle.utf8)
        guard pattern.count <= haystack.count else { return pattern.isEmpty }
        guard let first = pattern.first else { return true }
        var i = 0
        while i + pattern.count <= haystack.count {
            if haystack[i] == first, haystack[i..<(i + pattern.count)].elementsEqual(pattern) { return true }
            i += 1
        }
        return false
    }

    private static func icuMatch(_ regex: NSRegularExpression, _ text: String) -> Outcome {
        let ns = text as NSString
        var outcome = Outcome.noMatch
        var checks = 0
        // With `.reportProgress` the block is called once for each start position that does not match, and by ICU
        // about every 10,000 matching steps, so a match can be stopped part way.
        let checkLimit = ns.length + 1 + icuStepLimit(length: ns.length) / 10_000
        regex.enumerateMatches(in: text, options: [.reportProgress], range: NSRange(location: 0, length: ns.length)) {
            result, _, stop in
            if result != nil {
                outcome = .match
                stop.pointee = true
                return
            }
            checks += 1
            if checks > checkLimit {
                outcome = .tooManySteps
                stop.pointee = true
            }
        }
        return outcome
    }

    private static let special: Set<Character> = [
        "\\", "^", "$", ".", "|", "?", "*", "+", "(", ")", "[", "]", "{", "}",
    ]

    private static func literalForm(_ pattern: String) -> Kind? {
        if pattern.isEmpty { return .always }
        var body = Substring(pattern)
        let anchoredStart = body.hasPrefix("^")
        if anchoredStart { body = body.dropFirst() }
        let anchoredEnd = body.hasSuffix("$") && !body.hasSuffix("\\$")
        if anchoredEnd { body = body.dropLast() }
        guard !body.contains(where: { special.contains($0) }) else { return nil }
        // Comparing Strings uses canonical equivalence; literal matching must not, so only ASCII takes this path.
        guard body.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        let literal = String(body)
        switch (anchoredStart, anchoredEnd) {
        case (true, true): return .exact(literal)
        case (true, false): return .prefix(literal)
        case (false, false): return literal.isEmpty ? .always : .contains(literal)
        case (false, true): return nil
        }
    }

    static let ecmaSpace =
        "\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}"

    /// Rewrites ECMA-262 escapes whose meaning differs in ICU.
    static func translate(_ pattern: String) -> String {
        var out = ""
        var inClass = false
        var chars = Array(pattern)[...]
        while let c = chars.first {
            chars = chars.dropFirst()
            if c == "\\", let next = chars.first {
                chars = chars.dropFirst()
                switch (next, inClass) {
                case ("d", false): out += "[0-9]"
                case ("D", false): out += "[^0-9]"
                case ("w", false): out += "[a-zA-Z0-9_]"
                case ("W", false): out += "[^a-zA-Z0-9_]"
                case ("s", false): out += "[\(ecmaSpace)]"
                case ("S", false): out += "[^\(ecmaSpace)]"
                case ("d", true): out += "0-9"
                case ("w", true): out += "a-zA-Z0-9_"
                case ("s", true): out += ecmaSpace
                default:
                    out.append(c)
                    out.append(next)
                }
                continue
            }
            if inClass {
                if c == "]" { inClass = false }
                // ICU treats `[` inside a class as a nested set; ECMA treats it literally.
                if c == "[" {
                    out += "\\["
                    continue
                }
                out.append(c)
            } else if c == "[" && chars.first == "]" {
                // ECMA-262 `[]` matches nothing.
                out += "(?!)"
                chars = chars.dropFirst()
            } else if c == "[" && chars.starts(with: ["^", "]"]) {
                // ECMA-262 `[^]` matches any character.
                out += "[\\s\\S]"
                chars = chars.dropFirst(2)
            } else if c == "[" {
                inClass = true
                out.append(c)
                if chars.first == "^" {
                    out.append("^")
                    chars = chars.dropFirst()
                }
            } else if c == "$" {
                out += "(?![\\s\\S])"
            } else {
                out.append(c)
            }
        }
        return out
    }
}
