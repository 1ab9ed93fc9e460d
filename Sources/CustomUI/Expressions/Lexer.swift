import CustomUICore

/// An error found while lexing or parsing, in text offsets; turned into a `Diagnostic` once, at the API boundary.
struct ParseError: Error {
    var code: DiagnosticCode
    var message: String
    var start: Int
    var end: Int
    var hint: String?
    /// Fixes in the expression's text offsets, each edit with the text it replaces.
    var fixes: [(message: String, edits: [(start: Int, end: Int, written: String, text: String)])] = []

    /// The diagnostic in the source; a fix whose replaced text does not read the same in the source
    /// (it spans a character reference) is dropped.
    func diagnostic(_ origin: TextOrigin) -> Diagnostic {
        let sourceFixes = fixes.compactMap { fix -> Fix? in
            let edits = fix.edits.map { TextEdit(range: origin.range($0.start, $0.end), text: $0.text) }
            for (edit, planned) in zip(edits, fix.edits) where origin.file.text(in: edit.range) != planned.written {
                return nil
            }
            return Fix(fix.message, edits: edits)
        }
        return .error(
            code, message, file: origin.file.path, range: origin.range(start, end), hint: hint, fixes: sourceFixes)
    }
}

/// One token, with its span as UTF-8 byte offsets into the expression's text.
struct Token {
    enum Kind: Equatable {
        case identifier(String)
        case number(Number)
        case string(String)
        /// Punctuation and operators: `.`, `,`, `:`, `|`, `(`, `)`, `[`, `]`, `==`, `!=`, `<`, `<=`, `>`, `>=`.
        case symbol(String)
        case end
    }

    var kind: Kind
    var start: Int
    var end: Int

    func isSymbol(_ s: String) -> Bool { kind == .symbol(s) }

    func isKeyword(_ k: String) -> Bool { kind == .identifier(k) }
}

/// Splits an expression into tokens; stops at the first malformed token and reports it as an error.
struct Lexer {
    static let keywords: Set<String> = ["and", "or", "not", "in", "true", "false", "null"]
    private static let oneByteSymbols: [UInt8: String] = Dictionary(
        uniqueKeysWithValues: "<>.,:|()[]".unicodeScalars.map { (UInt8($0.value), String($0)) })
    private static let twoByteSymbols: [UInt8: String] = [
        UInt8(ascii: "="): "==", UInt8(ascii: "!"): "!=", UInt8(ascii: "<"): "<=", UInt8(ascii: ">"): ">=",
    ]

    private let bytes: [UInt8]
    private var position: Int
    private let end: Int

    init(bytes: [UInt8], start: Int, end: Int) {
        self.bytes = bytes
        self.position = start
        self.end = end
    }

    private func peek(_ ahead: Int = 0) -> UInt8? {
        position + ahead < end ? bytes[position + ahead] : nil
    }

    private static func isIdentifierStart(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// The next token; `.end` once the text is used up.
    mutating func next() throws(ParseError) -> Token {
        while let b = peek(), b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { position += 1 }
        let start = position
        guard let b = peek() else { return Token(kind: .end, start: start, end: start) }
        if Lexer.isIdentifierStart(b) {
            while let c = peek(), Lexer.isIdentifierStart(c) || Lexer.isDigit(c) { position += 1 }
            let name = String(decoding: bytes[start..<position], as: UTF8.self)
            return Token(kind: .identifier(name), start: start, end: position)
        }
        if Lexer.isDigit(b) || (b == UInt8(ascii: "-") && peek(1).map(Lexer.isDigit) == true) {
            return try number(start)
        }
        if b == UInt8(ascii: "'") || b == UInt8(ascii: "\"") {
            return try string(start, quote: b)
        }
        let second = peek(1)
        if second == UInt8(ascii: "="), let symbol = Lexer.twoByteSymbols[b] {
            position += 2
            return Token(kind: .symbol(symbol), start: start, end: position)
        }
        if let symbol = Lexer.oneByteSymbols[b] {
            position += 1
            return Token(kind: .symbol(symbol), start: start, end: position)
        }
        throw unexpectedCharacter(start, two: second.map { String(decoding: [b, $0], as: UTF8.self) } ?? "")
    }

    private mutating func number(_ start: Int) throws(ParseError) -> Token {
        if peek() == UInt8(ascii: "-") { position += 1 }
        while let c = peek(), Lexer.isDigit(c) { position += 1 }
        if peek() == UInt8(ascii: "."), peek(1).map(Lexer.isDigit) == true {
            position += 1
            while let c = peek(), Lexer.isDigit(c) { position += 1 }
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            var ahead = 1
            if let sign = peek(1), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { ahead = 2 }
            if peek(ahead).map(Lexer.isDigit) == true {
                position += ahead
                while let c = peek(), Lexer.isDigit(c) { position += 1 }
            }
        }
        // A letter glued to the digits (`12px`) is one malformed number, not a number and a name.
        while let c = peek(), Lexer.isIdentifierStart(c) || Lexer.isDigit(c) { position += 1 }
        let lexeme = String(decoding: bytes[start..<position], as: UTF8.self)
        guard let number = Number(lexeme: lexeme) else {
            throw ParseError(
                code: .exprInvalidNumber, message: "`\(lexeme)` is not a valid number", start: start, end: position,
                hint: "write numbers like `42`, `-7`, `3.14` or `1e6`, without leading zeros or units")
        }
        return Token(kind: .number(number), start: start, end: position)
    }

    private mutating func string(_ start: Int, quote: UInt8) throws(ParseError) -> Token {
        position += 1
        var value: [UInt8] = []
        while true {
            guard let c = peek() else {
                let q = quote == UInt8(ascii: "'") ? "'" : "\""
                throw ParseError(
                    code: .exprUnterminatedString, message: "string is missing its closing \(q)", start: start,
                    end: position, hint: "close the string with \(q); write \\\(q) for a quote inside it")
            }
            if c == quote {
                position += 1
                return Token(kind: .string(String(decoding: value, as: UTF8.self)), start: start, end: position)
            }
            if c == UInt8(ascii: "\\") {
                guard let escaped = peek(1) else {
                    position += 1
                    continue  // reported as unterminated on the next turn
                }
                switch escaped {
                case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): value.append(escaped)
                case UInt8(ascii: "n"): value.append(0x0A)
                case UInt8(ascii: "t"): value.append(0x09)
                case UInt8(ascii: "r"): value.append(0x0D)
                default:
                    var escapeEnd = position + 2
                    while escapeEnd < end, bytes[escapeEnd] & 0xC0 == 0x80 { escapeEnd += 1 }
                    let text = String(decoding: bytes[position..<escapeEnd], as: UTF8.self)
                    throw ParseError(
                        code: .exprInvalidEscape, message: "`\(text)` is not a valid escape in a string",
                        start: position, end: escapeEnd,
                        hint: "valid escapes: \\\\ \\' \\\" \\n \\t \\r")
                }
                position += 2
                continue
            }
            value.append(c)
            position += 1
        }
    }

    private func unexpectedCharacter(_ start: Int, two: String) -> ParseError {
        var stop = start + 1
        while stop < end, bytes[stop] & 0xC0 == 0x80 { stop += 1 }
        let text = String(decoding: bytes[start..<stop], as: UTF8.self)
        var hint: String?
        switch text {
        case "=": hint = "compare with `==`"
        case "!": hint = "negate with `not`, as in `not props.done`"
        case "&": hint = two == "&&" ? "combine conditions with `and`" : nil
        case "{": hint = two == "{{" ? "attribute values are bare expressions; remove the `{{ }}`" : nil
        case "}": hint = two == "}}" ? "this `}}` closes nothing; remove it" : nil
        case "-":
            hint = "subtract with `| minus: 1`; a key containing `-` needs brackets, as in `props[\"my-key\"]`"
        case "+", "*", "/", "%":
            hint = "arithmetic is done with filters: `| plus: 1`, `| minus: 1`, `| times: 2`, `| divided_by: 2`"
        default: break
        }
        if two == "&&" { stop = start + 2 }
        let shown = stop == start + 2 ? two : text
        var error = ParseError(
            code: .exprUnexpectedToken, message: "unexpected `\(shown)` in expression", start: start, end: stop,
            hint: hint)
        error.fixes = fixes(for: shown, at: start, hint: hint)
        return error
    }

    /// The fix each hint above names: `==` for `=`, `and` for `&&`, `not ` for `!`, and removing
    /// `{{ }}` or a stray `}}`.
    private func fixes(for shown: String, at start: Int, hint: String?) -> [(
        message: String, edits: [(start: Int, end: Int, written: String, text: String)]
    )] {
        guard hint != nil else { return [] }
        let stop = start + shown.utf8.count
        // A word operator needs a space where it would otherwise touch a name, number, string or bracket.
        func touches(_ b: UInt8, _ brackets: String) -> Bool {
            Lexer.isIdentifierStart(b) || Lexer.isDigit(b) || "'\"".utf8.contains(b) || brackets.utf8.contains(b)
        }
        func spaced(_ word: String) -> String {
            let before = start > 0 && touches(bytes[start - 1], ")]") ? " " : ""
            let after = stop < end && touches(bytes[stop], "([") ? " " : ""
            return before + word + after
        }
        switch shown {
        case "=": return [("change `=` to `==`", [(start, stop, "=", "==")])]
        case "&&": return [("change `&&` to `and`", [(start, stop, "&&", spaced("and"))])]
        case "!": return [("change `!` to `not`", [(start, stop, "!", spaced("not"))])]
        case "}": return [("remove the `}}`", [(start, start + 2, "}}", "")])]
        case "{":
            var open = start + 2
            while open < end, bytes[open] == 0x20 { open += 1 }
            var i = open
            while i + 1 < end, !(bytes[i] == UInt8(ascii: "}") && bytes[i + 1] == UInt8(ascii: "}")) { i += 1 }
            guard i + 1 < end else { return [] }
            var close = i
            while close > open, bytes[close - 1] == 0x20 { close -= 1 }
            let opening = String(decoding: bytes[start..<open], as: UTF8.self)
            let closing = String(decoding: bytes[close..<(i + 2)], as: UTF8.self)
            return [("remove the `{{ }}`", [(start, open, opening, ""), (close, i + 2, closing, "")])]
        default: return []
        }
    }
}
