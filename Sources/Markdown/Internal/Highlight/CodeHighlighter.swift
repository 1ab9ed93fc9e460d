/// Server-side highlighting of a fenced code block's content: a small tokenizer per language
/// family that writes each token it recognises as `<span class="hl-…">` through the HTML writer
/// (which escapes the text) and everything else as escaped text.
///
/// Total and linear: every step consumes at least one byte and looks ahead a bounded distance or
/// scans to the construct's end, which the next step starts after; unterminated strings and
/// comments run to the end of the line or of the block; nothing throws. Tokens start and end on
/// ASCII bytes, so a span never splits a UTF-8 sequence.
enum CodeHighlighter {
    /// Writes `code` highlighted as `language`.
    static func write(_ code: UnsafeBufferPointer<UInt8>, language: CodeLanguage, into out: inout HTMLWriter) {
        if language == .markup {
            var scanner = MarkupScanner(b: code)
            scanner.run(into: &out)
        } else {
            var scanner = CodeScanner(b: code, rules: language.rules)
            scanner.run(into: &out)
        }
    }
}

extension HTMLWriter {
    /// A fenced code block's content: highlighted when the block was closed by its fence and its
    /// info string names a language the renderer knows, else escaped text.
    mutating func codeContent(_ code: String, info: String, highlighted: Bool) {
        guard highlighted, let language = CodeLanguage(info: info) else { return escape(code) }
        var code = code
        code.withUTF8 { CodeHighlighter.write($0, language: language, into: &self) }
    }

    /// One token: `<span class="hl-…">`, the escaped text, `</span>`.
    mutating func span(_ kind: TokenKind, _ text: UnsafeBufferPointer<UInt8>) {
        raw("<span class=\"")
        raw(kind.className)
        raw("\">")
        escape(text)
        raw("</span>")
    }
}

/// Byte classes the scanners use.
private enum Byte {
    static let newline: UInt8 = 0x0A
    static let backslash: UInt8 = 0x5C
    static let doubleQuote: UInt8 = 0x22
    static let singleQuote: UInt8 = 0x27
    static let dollar: UInt8 = 0x24
    static let hash: UInt8 = 0x23
    static let lessThan: UInt8 = 0x3C
    static let greaterThan: UInt8 = 0x3E
    static let ampersand: UInt8 = 0x26
    static let semicolon: UInt8 = 0x3B
    static let slash: UInt8 = 0x2F
    static let equals: UInt8 = 0x3D
    static let colon: UInt8 = 0x3A
    static let dot: UInt8 = 0x2E
    static let openParen: UInt8 = 0x28
    static let openBrace: UInt8 = 0x7B
    static let closeBrace: UInt8 = 0x7D
    static let underscore: UInt8 = 0x5F
    static let hyphen: UInt8 = 0x2D
    static let plus: UInt8 = 0x2B
    static let bang: UInt8 = 0x21
    static let question: UInt8 = 0x3F

    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
    static func isUpper(_ c: UInt8) -> Bool { c >= 0x41 && c <= 0x5A }
    /// Letters, `_`, `$` (JavaScript) and every non-ASCII byte (identifiers may be Unicode).
    static func isIdentifierStart(_ c: UInt8) -> Bool { isLetter(c) || c == underscore || c >= 0x80 }
    static func isIdentifier(_ c: UInt8) -> Bool { isIdentifierStart(c) || isDigit(c) }
}

/// The tokenizer for languages of identifiers, strings, numbers and comments (all but markup).
private struct CodeScanner {
    let b: UnsafeBufferPointer<UInt8>
    let rules: LexicalRules
    /// Where the text not yet written starts (written as plain text before the next token).
    var plain = 0
    var i = 0

    init(b: UnsafeBufferPointer<UInt8>, rules: LexicalRules) {
        self.b = b
        self.rules = rules
    }

    func at(_ k: Int) -> UInt8 { k < b.count ? b[k] : 0 }

    func matches(_ bytes: [UInt8], at k: Int) -> Bool {
        guard k + bytes.count <= b.count else { return false }
        for (n, c) in bytes.enumerated() where b[k + n] != c { return false }
        return true
    }

    /// Writes the plain text before `start`, then `b[start..<end]` as a `kind` token.
    mutating func token(_ kind: TokenKind, _ start: Int, _ end: Int, into out: inout HTMLWriter) {
        if plain < start { out.escape(UnsafeBufferPointer(rebasing: b[plain..<start])) }
        out.span(kind, UnsafeBufferPointer(rebasing: b[start..<end]))
        plain = end
    }

    func lineEnd(from k: Int) -> Int {
        var j = k
        while j < b.count, b[j] != Byte.newline { j += 1 }
        return j
    }

    mutating func run(into out: inout HTMLWriter) {
        let n = b.count
        while i < n {
            let start = i
            if let kind = step() {
                token(kind, start, i, into: &out)
            }
            if i == start { i += 1 }  // never stands still
        }
        if plain < n { out.escape(UnsafeBufferPointer(rebasing: b[plain..<n])) }
    }

    /// Scans one construct from `i`, leaving `i` after it; the token kind, or nil for plain text.
    mutating func step() -> TokenKind? {
        let c = b[i]
        if rules.dollarVariables, c == Byte.dollar { return variable() }
        if let comment = comment() { return comment }
        if rules.quotes.contains(c) { return string(quote: c) }
        if Byte.isDigit(c) || (c == Byte.dot && Byte.isDigit(at(i + 1)) && !(i > 0 && Byte.isIdentifier(b[i - 1]))) {
            return number()
        }
        if Byte.isIdentifierStart(c) { return identifier() }
        if let d = rules.decorator, c == d, Byte.isIdentifierStart(at(i + 1)) {
            i += 1
            while i < b.count, Byte.isIdentifier(b[i]) || b[i] == Byte.dot { i += 1 }
            return .meta
        }
        if rules.hashDirectives, c == Byte.hash, Byte.isLetter(at(i + 1)) {
            i += 1
            while i < b.count, Byte.isIdentifier(b[i]) { i += 1 }
            return .meta
        }
        i += 1
        return nil
    }

    /// A line or block comment at `i`, if one starts there.
    mutating func comment() -> TokenKind? {
        for opener in rules.lineComments where matches(opener, at: i) {
            if rules.commentAtWordStart, i > 0, !Byte.isSpace(b[i - 1]), b[i - 1] != Byte.semicolon {
                continue
            }
            i = lineEnd(from: i)
            return .comment
        }
        guard let (open, close) = rules.blockComment, matches(open, at: i) else { return nil }
        i += open.count
        var depth = 1
        while i < b.count {
            if matches(close, at: i) {
                i += close.count
                depth -= 1
                if depth == 0 { break }
            } else if rules.nestedComments, matches(open, at: i) {
                i += open.count
                depth += 1
            } else {
                i += 1
            }
        }
        return .comment
    }

    /// A string from the quote at `i`: to its closing quote, the line's end (a one-line string
    /// left open) or the block's end. JSON's keys (a string then `:`) are properties.
    mutating func string(quote: UInt8) -> TokenKind {
        let escapes = rules.backslashEscapes && !rules.rawQuotes.contains(quote)
        if rules.tripleQuotes, at(i + 1) == quote, at(i + 2) == quote {
            i += 3
            while i < b.count {
                if escapes, b[i] == Byte.backslash {
                    i += 2
                } else if b[i] == quote, at(i + 1) == quote, at(i + 2) == quote {
                    i += 3
                    break
                } else {
                    i += 1
                }
            }
            i = min(i, b.count)
            return .string
        }
        let multiline = rules.multilineQuotes.contains(quote)
        i += 1
        while i < b.count {
            let c = b[i]
            if escapes, c == Byte.backslash {
                i += 2
            } else if c == quote {
                i += 1
                // SQL doubles a quote to put it in a string.
                if !rules.backslashEscapes, at(i) == quote {
                    i += 1
                    continue
                }
                break
            } else if c == Byte.newline, !multiline {
                break
            } else {
                i += 1
            }
        }
        i = min(i, b.count)
        if rules.propertyKeys {
            var k = i
            while k < b.count, b[k] == 0x20 || b[k] == 0x09 { k += 1 }
            if at(k) == Byte.colon { return .property }
        }
        return .string
    }

    /// A number: digits, then letters, digits, `_` and `.` before a digit (hex, suffixes,
    /// exponents, with a sign after `e`).
    mutating func number() -> TokenKind {
        i += 1
        while i < b.count {
            let c = b[i]
            if Byte.isIdentifier(c) && c < 0x80 {
                i += 1
            } else if c == Byte.dot, Byte.isDigit(at(i + 1)) {
                i += 1
            } else if c == Byte.plus || c == Byte.hyphen, b[i - 1] | 0x20 == 0x65, Byte.isDigit(at(i + 1)) {
                i += 1
            } else {
                break
            }
        }
        return .number
    }

    /// An identifier: a keyword, literal, type or function name, or plain (nil). Python's string
    /// prefixes (`f"…"`, `rb'…'`) start their string.
    mutating func identifier() -> TokenKind? {
        let start = i
        while i < b.count, Byte.isIdentifier(b[i]) { i += 1 }
        let length = i - start
        if !rules.stringPrefixes.isEmpty, length <= 2, i < b.count, rules.quotes.contains(b[i]),
            b[start..<i].allSatisfy({ rules.stringPrefixes.contains($0) })
        {
            let quote = b[i]
            return string(quote: quote)
        }
        guard length <= 32 else { return nil }
        var word = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
        if rules.caseInsensitive { word = word.uppercased() }
        if rules.keywords.contains(word) { return .keyword }
        if rules.literals.contains(word) { return .literal }
        if rules.types.contains(word) { return .type }
        if rules.functionCalls, at(i) == Byte.openParen { return .function }
        if rules.capitalisedTypes, Byte.isUpper(b[start]) { return .type }
        return nil
    }

    /// The shell's variables: `${…}` (to `}` on the line), `$NAME`, `$1`, `$@`, `$?`, `$#`, `$$`…
    mutating func variable() -> TokenKind? {
        let next = at(i + 1)
        if next == Byte.openBrace {
            i += 2
            while i < b.count, b[i] != Byte.closeBrace, b[i] != Byte.newline { i += 1 }
            if at(i) == Byte.closeBrace { i += 1 }
            return .variable
        }
        if Byte.isIdentifierStart(next) && next < 0x80 {
            i += 1
            while i < b.count, Byte.isIdentifier(b[i]) && b[i] < 0x80 { i += 1 }
            return .variable
        }
        if Byte.isDigit(next) || [0x40, 0x2A, 0x23, 0x3F, 0x24, 0x21, 0x2D].contains(next) {
            i += 2
            return .variable
        }
        i += 1
        return nil
    }
}

/// The tokenizer for HTML and XML: comments, CDATA, declarations and processing instructions,
/// tags with their attributes and values, and character references.
private struct MarkupScanner {
    let b: UnsafeBufferPointer<UInt8>
    var plain = 0
    var i = 0

    init(b: UnsafeBufferPointer<UInt8>) { self.b = b }

    func at(_ k: Int) -> UInt8 { k < b.count ? b[k] : 0 }

    func matches(_ s: StaticString, at k: Int) -> Bool {
        let count = s.utf8CodeUnitCount
        guard k + count <= b.count else { return false }
        let p = s.utf8Start
        // Letters in any case (`<!doctype`), everything else exactly.
        for n in 0..<count where b[k + n] != p[n] {
            guard Byte.isLetter(p[n]), b[k + n] | 0x20 == p[n] | 0x20 else { return false }
        }
        return true
    }

    mutating func token(_ kind: TokenKind, _ start: Int, _ end: Int, into out: inout HTMLWriter) {
        if plain < start { out.escape(UnsafeBufferPointer(rebasing: b[plain..<start])) }
        out.span(kind, UnsafeBufferPointer(rebasing: b[start..<end]))
        plain = end
    }

    /// Moves `i` past the first `terminator` from `i` on, or to the end.
    mutating func skip(past terminator: StaticString) {
        while i < b.count, !matches(terminator, at: i) { i += 1 }
        i = min(i + terminator.utf8CodeUnitCount, b.count)
    }

    static func isNameByte(_ c: UInt8) -> Bool {
        Byte.isIdentifier(c) || c == Byte.hyphen || c == Byte.colon || c == Byte.dot
    }

    mutating func run(into out: inout HTMLWriter) {
        while i < b.count {
            let c = b[i]
            let start = i
            if c == Byte.lessThan {
                if matches("<!--", at: i) {
                    skip(past: "-->")
                    token(.comment, start, i, into: &out)
                } else if matches("<![CDATA[", at: i) {
                    skip(past: "]]>")
                    token(.string, start, i, into: &out)
                } else if at(i + 1) == Byte.bang || at(i + 1) == Byte.question {
                    skip(past: ">")
                    token(.meta, start, i, into: &out)
                } else if Byte.isLetter(at(i + 1)) || (at(i + 1) == Byte.slash && Byte.isLetter(at(i + 2))) {
                    i += at(i + 1) == Byte.slash ? 2 : 1
                    tag(into: &out)
                } else {
                    i += 1
                }
            } else if c == Byte.ampersand {
                entity(into: &out)
            } else {
                i += 1
            }
        }
        if plain < b.count { out.escape(UnsafeBufferPointer(rebasing: b[plain..<b.count])) }
    }

    /// A tag's name from `i`, then its attributes up to and including `>` (or the next `<`, or the end).
    mutating func tag(into out: inout HTMLWriter) {
        let name = i
        while i < b.count, MarkupScanner.isNameByte(b[i]) { i += 1 }
        token(.tag, name, i, into: &out)
        var afterEquals = false
        while i < b.count {
            let c = b[i]
            if c == Byte.greaterThan {
                i += 1
                return
            }
            if c == Byte.lessThan { return }
            if Byte.isSpace(c) || c == Byte.slash {
                i += 1
            } else if c == Byte.equals {
                afterEquals = true
                i += 1
            } else if c == Byte.doubleQuote || c == Byte.singleQuote {
                let start = i
                i += 1
                while i < b.count, b[i] != c { i += 1 }
                i = min(i + 1, b.count)
                token(.string, start, i, into: &out)
                afterEquals = false
            } else {
                let start = i
                while i < b.count {
                    let d = b[i]
                    if Byte.isSpace(d) || d == Byte.slash || d == Byte.equals || d == Byte.greaterThan
                        || d == Byte.lessThan || d == Byte.doubleQuote || d == Byte.singleQuote
                    {
                        break
                    }
                    i += 1
                }
                token(afterEquals ? .string : .attribute, start, i, into: &out)
                afterEquals = false
            }
        }
    }

    /// `&name;`, `&#123;` or `&#x1F;` (at most 32 bytes), else a plain `&`.
    mutating func entity(into out: inout HTMLWriter) {
        let start = i
        var k = i + 1
        if at(k) == Byte.hash { k += 1 }
        let first = k
        while k < b.count, k - start < 32, Byte.isLetter(b[k]) || Byte.isDigit(b[k]) { k += 1 }
        if k > first, at(k) == Byte.semicolon {
            i = k + 1
            token(.entity, start, i, into: &out)
        } else {
            i += 1
        }
    }
}
