import CustomUICore

/// Parses the expression language: whole attribute values and `{{ … }}` interpolations in text.
public enum ExpressionParser {
    /// Parses a whole attribute value such as `test="run.status == 'completed'"` as one expression.
    public static func parse(_ text: String, origin: TextOrigin, limits: ResourceLimits = .default) -> Result<
        Expr, Diagnostic
    > {
        let bytes = Array(text.utf8)
        return parse(bytes: bytes, start: 0, end: bytes.count, origin: origin, limits: limits, interpolated: false)
    }

    /// Parses text with `{{ … }}` parts into literal text and expressions, reporting every malformed part.
    ///
    /// There is no escape syntax: a literal `{{` is written as an expression, `{{ "{{" }}`. A `}}`
    /// outside an interpolation is plain text. A part that fails to parse is reported and left out.
    public static func parseInterpolated(
        _ text: String, origin: TextOrigin, limits: ResourceLimits = .default
    ) -> (segments: [Interpolation.Segment], diagnostics: [Diagnostic]) {
        let bytes = Array(text.utf8)
        var segments: [Interpolation.Segment] = []
        var diagnostics: [Diagnostic] = []
        var textStart = 0
        var i = 0
        func flushText(upTo end: Int) {
            if end > textStart {
                let literal = String(decoding: bytes[textStart..<end], as: UTF8.self)
                segments.append(.text(literal, origin.range(textStart, end)))
            }
        }
        while i + 1 < bytes.count {
            guard bytes[i] == UInt8(ascii: "{"), bytes[i + 1] == UInt8(ascii: "{") else {
                i += 1
                continue
            }
            let open = i
            guard let close = closingBraces(bytes, from: open + 2) else {
                flushText(upTo: open)
                textStart = bytes.count
                diagnostics.append(
                    .error(
                        .exprUnclosedInterpolation, "`{{` is not closed", file: origin.file.path,
                        range: origin.range(open, open + 2),
                        hint: "close the expression with `}}`; write a literal `{{` as `{{ \"{{\" }}`"))
                break
            }
            flushText(upTo: open)
            switch parse(bytes: bytes, start: open + 2, end: close, origin: origin, limits: limits, interpolated: true)
            {
            case .success(let expr): segments.append(.expr(expr))
            case .failure(let diagnostic): diagnostics.append(diagnostic)
            }
            i = close + 2
            textStart = i
        }
        flushText(upTo: bytes.count)
        return (segments, diagnostics)
    }

    /// The offset of the `}}` that closes an interpolation opened just before `start`, skipping string
    /// literals. With `fallBackOnUnterminatedString`, an unterminated string ends at the first `}}`
    /// (the parser then reports the string); without it there is no closing `}}` (the formatter keeps
    /// such text as written).
    static func closingBraces(_ bytes: [UInt8], from start: Int, fallBackOnUnterminatedString: Bool = true) -> Int? {
        var i = start
        var quote: UInt8?
        while i < bytes.count {
            let b = bytes[i]
            if let q = quote {
                if b == UInt8(ascii: "\\") {
                    i += 2
                    continue
                }
                if b == q { quote = nil }
            } else if b == UInt8(ascii: "'") || b == UInt8(ascii: "\"") {
                quote = b
            } else if b == UInt8(ascii: "}"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "}") {
                return i
            }
            i += 1
        }
        // An unterminated string swallows the rest; fall back to the first `}}` so the string error is reported.
        if quote != nil, fallBackOnUnterminatedString {
            var j = start
            while j + 1 < bytes.count {
                if bytes[j] == UInt8(ascii: "}"), bytes[j + 1] == UInt8(ascii: "}") { return j }
                j += 1
            }
        }
        return nil
    }

    static func parse(
        bytes: [UInt8], start: Int, end: Int, origin: TextOrigin, limits: ResourceLimits, interpolated: Bool
    ) -> Result<Expr, Diagnostic> {
        var parser = Parser(
            lexer: Lexer(bytes: bytes, start: start, end: end), origin: origin, limits: limits, start: start,
            end: end, interpolated: interpolated)
        do {
            return .success(try parser.parseAll())
        } catch {
            return .failure(error.diagnostic(origin))
        }
    }
}

/// Literal text and expressions, in order, as parsed from text with `{{ … }}` parts.
public struct Interpolation: Hashable, Sendable {
    /// One part of interpolated text.
    public enum Segment: Hashable, Sendable {
        /// Literal text and where it was written.
        case text(String, SourceRange)
        /// An expression whose value is inserted.
        case expr(Expr)
    }

    /// The parts in order.
    public var segments: [Segment]

    /// An interpolation from its parts.
    public init(segments: [Segment]) { self.segments = segments }

    /// Whether there are no expressions, so the text can be used as it is.
    public var isLiteral: Bool {
        segments.allSatisfy { if case .text = $0 { true } else { false } }
    }

    /// The expressions, in order.
    public var expressions: [Expr] {
        segments.compactMap { if case .expr(let e) = $0 { e } else { nil } }
    }
}

/// Recursive descent over the token list; recursion only happens at `(` and `[`, and is capped by the nesting limit.
private struct Parser {
    /// A parsed node with the height of its tree, so evaluation depth stays under the limit.
    struct Node {
        var expr: Expr
        var depth: Int
    }

    /// Tokens are lexed on demand, so an early syntax error never pays for lexing the rest.
    var lexer: Lexer
    /// The current token and, after a `lookahead`, the one after it.
    var buffer: [Token] = []
    var lexError: ParseError?
    var previousEnd: Int
    let origin: TextOrigin
    let limits: ResourceLimits
    let start: Int
    let end: Int
    let interpolated: Bool
    var nesting = 0

    init(lexer: Lexer, origin: TextOrigin, limits: ResourceLimits, start: Int, end: Int, interpolated: Bool) {
        self.lexer = lexer
        self.previousEnd = start
        self.origin = origin
        self.limits = limits
        self.start = start
        self.end = end
        self.interpolated = interpolated
    }

    var maxDepth: Int { max(limits.maxExpressionDepth, 1) }

    /// Lexes until the buffer holds `count` tokens; false if lexing failed first.
    mutating func fill(_ count: Int) -> Bool {
        while buffer.count < count {
            if lexError != nil { return false }
            if let last = buffer.last, last.kind == .end {
                buffer.append(last)
                continue
            }
            do {
                buffer.append(try lexer.next())
            } catch {
                lexError = error
                return false
            }
        }
        return true
    }

    /// The current token; at the point where lexing failed, throws the lexical error instead.
    mutating func current() throws(ParseError) -> Token {
        if fill(1) { return buffer[0] }
        throw lexError
            ?? ParseError(code: .exprUnexpectedToken, message: "unreadable expression", start: start, end: end)
    }

    /// The token after the current one, if it lexed.
    mutating func lookahead() -> Token? {
        fill(2) ? buffer[1] : nil
    }

    @discardableResult
    mutating func advance() -> Token? {
        guard fill(1) else { return nil }
        let token = buffer.removeFirst()
        previousEnd = token.end
        return token
    }

    func range(_ from: Int, _ to: Int) -> SourceRange { origin.range(from, to) }

    func describe(_ token: Token) -> String {
        switch token.kind {
        case .end: "end of expression"
        case .identifier(let name): "`\(name)`"
        case .number(let n): "`\(n)`"
        case .string: "string"
        case .symbol(let s): "`\(s)`"
        }
    }

    func unexpected(_ token: Token, expected: String, hint: String? = nil) -> ParseError {
        ParseError(
            code: .exprUnexpectedToken, message: "expected \(expected), found \(describe(token))",
            start: token.start, end: max(token.end, token.start), hint: hint)
    }

    func make(_ kind: Expr.Kind, _ from: Int, _ to: Int, depth: Int, blame: Token) throws(ParseError) -> Node {
        if depth > maxDepth { throw depthError(blame) }
        return Node(expr: Expr(kind, range: range(from, to)), depth: depth)
    }

    func depthError(_ token: Token) -> ParseError {
        ParseError(
            code: .limitExpressionDepth,
            message: LimitExceeded(.expressionDepth, maximum: maxDepth).description, start: token.start,
            end: token.end,
            hint: "split the expression, or compute the value before it reaches the template")
    }

    mutating func enter(_ token: Token) throws(ParseError) {
        nesting += 1
        if nesting > maxDepth { throw depthError(token) }
    }

    mutating func parseAll() throws(ParseError) -> Expr {
        let first = try current()
        if first.kind == .end {
            throw ParseError(
                code: .exprEmpty, message: interpolated ? "`{{ }}` holds no expression" : "expression is empty",
                start: interpolated ? max(start - 2, 0) : start, end: interpolated ? end + 2 : end,
                hint: "write an expression such as `props.title`")
        }
        let node = try parseOr()
        let next = try current()
        guard next.kind == .end else {
            var hint = "operators: == != < <= > >= in, and, or, not; filters: `| name: argument`"
            if next.isSymbol(")") { hint = "this `)` has no matching `(`" }
            if next.isSymbol("]") { hint = "this `]` has no matching `[`" }
            throw unexpected(next, expected: "an operator or the end of the expression", hint: hint)
        }
        return node.expr
    }

    mutating func parseOr() throws(ParseError) -> Node {
        var lhs = try parseAnd()
        while try current().isKeyword("or") {
            let op = try current()
            _ = advance()
            let rhs = try parseAnd()
            lhs = try make(
                .binary(.or, lhs.expr, rhs.expr), 0, 0, depth: max(lhs.depth, rhs.depth) + 1, blame: op
            ).spanning(lhs.expr, rhs.expr)
        }
        return lhs
    }

    mutating func parseAnd() throws(ParseError) -> Node {
        var lhs = try parseNot()
        while try current().isKeyword("and") {
            let op = try current()
            _ = advance()
            let rhs = try parseNot()
            lhs = try make(.binary(.and, lhs.expr, rhs.expr), 0, 0, depth: max(lhs.depth, rhs.depth) + 1, blame: op)
                .spanning(lhs.expr, rhs.expr)
        }
        return lhs
    }

    mutating func parseNot() throws(ParseError) -> Node {
        // Iterative, so `not not not …` cannot recurse.
        var nots: [Token] = []
        while try current().isKeyword("not") {
            nots.append(try current())
            _ = advance()
        }
        var node = try parseComparison()
        for op in nots.reversed() {
            node = try make(.not(node.expr), op.start, 0, depth: node.depth + 1, blame: op)
            node.expr.range = SourceRange(start: origin.range(op.start, op.start).start, end: node.expr.range.end)
        }
        return node
    }

    mutating func comparisonOperator() throws(ParseError) -> (BinaryOperator, Token, tokens: Int)? {
        let token = try current()
        if case .symbol(let s) = token.kind, let op = BinaryOperator(rawValue: s), op.isComparison {
            return (op, token, 1)
        }
        if token.isKeyword("in") { return (.in, token, 1) }
        if token.isKeyword("not"), let next = lookahead(), next.isKeyword("in") {
            return (.notIn, Token(kind: token.kind, start: token.start, end: next.end), 2)
        }
        return nil
    }

    mutating func parseComparison() throws(ParseError) -> Node {
        let lhs = try parseFilters()
        guard let (op, token, count) = try comparisonOperator() else { return lhs }
        for _ in 0..<count { _ = advance() }
        let rhs = try parseFilters()
        if let (_, second, _) = try comparisonOperator() {
            throw ParseError(
                code: .exprUnexpectedToken, message: "comparisons cannot be chained", start: second.start,
                end: second.end, hint: "combine comparisons with `and`, as in `a < b and b < c`")
        }
        return try make(.binary(op, lhs.expr, rhs.expr), 0, 0, depth: max(lhs.depth, rhs.depth) + 1, blame: token)
            .spanning(lhs.expr, rhs.expr)
    }

    mutating func parseFilters() throws(ParseError) -> Node {
        var input = try parsePostfix()
        while try current().isSymbol("|") {
            let bar = try current()
            _ = advance()
            let nameToken = try current()
            guard case .identifier(let name) = nameToken.kind else {
                let hint =
                    nameToken.isSymbol("|")
                    ? "combine conditions with `or`; a single `|` applies a filter"
                    : "valid syntax: `value | filter` or `value | filter: argument, argument`"
                throw unexpected(nameToken, expected: "a filter name after `|`", hint: hint)
            }
            _ = advance()
            // Checked before the arguments, so errors come out in source order.
            guard let signature = Filters.signature(named: name) else {
                let guesses =
                    Filters.otherLanguages[name].map { [$0] }
                    ?? Suggestions.nearest(to: name, in: Filters.all.map(\.name))
                var error = ParseError(
                    code: .exprUnknownFilter, message: "unknown filter `\(name)`", start: nameToken.start,
                    end: nameToken.end,
                    hint: Suggestions.didYouMean(guesses) ?? "see the filter list in docs/expressions.md")
                error.fixes = guesses.map {
                    ("change `\(name)` to `\($0)`", [(nameToken.start, nameToken.end, name, $0)])
                }
                throw error
            }
            var arguments: [Node] = []
            var last = nameToken.end
            if try current().isSymbol(":") {
                _ = advance()
                repeat {
                    if arguments.count > 0 { _ = advance() }  // the comma
                    let next = try current()
                    if next.kind == .end || next.isSymbol("|") || next.isSymbol(",") {
                        throw unexpected(
                            next, expected: "a filter argument", hint: "valid syntax: `\(signature.syntax)`")
                    }
                    let argument = try parsePostfix()
                    arguments.append(argument)
                    last = lastEnd()
                } while try current().isSymbol(",")
            }
            if !signature.arity.contains(arguments.count) {
                throw ParseError(
                    code: .exprFilterArity,
                    message:
                        "filter `\(name)` takes \(signature.arityDescription), but \(arguments.count) \(arguments.count == 1 ? "was" : "were") given",
                    start: nameToken.start, end: last, hint: "valid syntax: `\(signature.syntax)`")
            }
            let depth = ([input.depth] + arguments.map(\.depth)).max().map { $0 + 1 } ?? 1
            input = try make(
                .filter(
                    input.expr, name: name, nameRange: range(nameToken.start, nameToken.end),
                    arguments: arguments.map(\.expr)),
                0, 0, depth: depth, blame: bar)
            input.expr.range = SourceRange(
                start: input.children.first?.range.start ?? range(bar.start, bar.start).start,
                end: range(last, last).end)
        }
        return input
    }

    /// The end offset of the most recently consumed token.
    func lastEnd() -> Int { previousEnd }

    mutating func parsePostfix() throws(ParseError) -> Node {
        var base = try parsePrimary()
        while true {
            let token = try current()
            if token.isSymbol(".") {
                _ = advance()
                let nameToken = try current()
                guard case .identifier(let name) = nameToken.kind else {
                    var hint = "valid syntax: `props.name`, or `props[\"name with spaces\"]` for other keys"
                    if case .number(let n) = nameToken.kind { hint = "index arrays with brackets: `[\(n)]`" }
                    throw unexpected(nameToken, expected: "a member name after `.`", hint: hint)
                }
                _ = advance()
                base = try make(
                    .member(base.expr, name: name, nameRange: range(nameToken.start, nameToken.end)),
                    0, 0, depth: base.depth + 1, blame: nameToken
                ).spanning(base.expr, to: nameToken.end, origin)
                if let next = try? current(), case .number(let n) = next.kind, n.isNegative,
                    next.start == nameToken.end
                {
                    throw ParseError(
                        code: .exprUnexpectedToken, message: "unexpected `-` after member `\(name)`",
                        start: next.start, end: next.start + 1,
                        hint: "names with `-` need brackets: `[\"\(name)-…\"]`")
                }
            } else if token.isSymbol("[") {
                _ = advance()
                try enter(token)
                let subscriptNode = try parseOr()
                let close = try current()
                guard close.isSymbol("]") else {
                    throw unexpected(close, expected: "`]` to close the subscript")
                }
                _ = advance()
                nesting -= 1
                base = try make(
                    .index(base.expr, subscriptNode.expr), 0, 0, depth: max(base.depth, subscriptNode.depth) + 1,
                    blame: token
                ).spanning(base.expr, to: close.end, origin)
            } else {
                return base
            }
        }
    }

    mutating func parsePrimary() throws(ParseError) -> Node {
        let token = try current()
        switch token.kind {
        case .number(let n):
            _ = advance()
            return try make(.literal(.number(n)), token.start, token.end, depth: 1, blame: token)
        case .string(let s):
            _ = advance()
            return try make(.literal(.string(s)), token.start, token.end, depth: 1, blame: token)
        case .identifier(let name):
            switch name {
            case "true", "false":
                _ = advance()
                return try make(.literal(.bool(name == "true")), token.start, token.end, depth: 1, blame: token)
            case "null":
                _ = advance()
                return try make(.literal(.null), token.start, token.end, depth: 1, blame: token)
            case "and", "or", "in", "not":
                throw unexpected(
                    token, expected: "a value", hint: "`\(name)` is an operator; it needs a value on each side")
            default:
                _ = advance()
                return try make(.variable(name), token.start, token.end, depth: 1, blame: token)
            }
        case .symbol("("):
            _ = advance()
            try enter(token)
            var inner = try parseOr()
            let close = try current()
            guard close.isSymbol(")") else {
                throw unexpected(close, expected: "`)` to close the `(`")
            }
            _ = advance()
            nesting -= 1
            inner.expr.range = range(token.start, close.end)
            return inner
        case .symbol("["):
            _ = advance()
            try enter(token)
            var items: [Node] = []
            if try !current().isSymbol("]") {
                items.append(try parseOr())
                while try current().isSymbol(",") {
                    _ = advance()
                    if try current().isSymbol("]") { break }  // a trailing comma is allowed
                    items.append(try parseOr())
                }
            }
            let close = try current()
            guard close.isSymbol("]") else {
                throw unexpected(close, expected: "`,` or `]` in the array")
            }
            _ = advance()
            nesting -= 1
            let depth = (items.map(\.depth).max() ?? 0) + 1
            return try make(.array(items.map(\.expr)), token.start, close.end, depth: depth, blame: token)
        default:
            var hint: String?
            if token.kind == .end { hint = "the expression ends too early" }
            throw unexpected(token, expected: "a value (a path, string, number, `true`, `false` or `null`)", hint: hint)
        }
    }
}

extension Parser.Node {
    /// The node with its range widened to cover both operands.
    fileprivate func spanning(_ lhs: Expr, _ rhs: Expr) -> Parser.Node {
        var copy = self
        copy.expr.range = SourceRange(start: lhs.range.start, end: rhs.range.end)
        return copy
    }

    /// The node with its range running from the base's start to the text offset `end`.
    fileprivate func spanning(_ base: Expr, to end: Int, _ origin: TextOrigin) -> Parser.Node {
        var copy = self
        copy.expr.range = SourceRange(start: base.range.start, end: origin.range(end, end).end)
        return copy
    }

    fileprivate var children: [Expr] { expr.children }
}
