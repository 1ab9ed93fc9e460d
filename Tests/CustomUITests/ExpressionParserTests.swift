import CustomUICore
import Foundation
import Testing

@testable import CustomUI

@Suite struct ExpressionParserTests {
    typealias T = ExpressionTesting

    @Test(arguments: [
        ("props.title", "props.title"),
        ("'it\\'s'", "\"it's\""),
        ("\"a\\\"b\\\\c\"", "\"a\"b\\c\""),
        ("-12.5", "-12.5"),
        ("1e3", "1000"),
        ("true", "true"),
        ("null", "null"),
        ("[1, 'a', props.x,]", "[1 \"a\" props.x]"),
        ("props.items[0].name", "props.items[0].name"),
        ("props['my-key']", "props[\"my-key\"]"),
        ("props.items[loop.index]", "props.items[loop.index]"),
        ("a or b and c", "(or a (and b c))"),
        ("(a or b) and c", "(and (or a b) c)"),
        ("not a == b", "(not (== a b))"),
        ("not not a", "(not (not a))"),
        ("a == b or c != d", "(or (== a b) (!= c d))"),
        ("props.items | length > 2", "(> (|length props.items) 2)"),
        ("props.title | default: 'x' | upper", "(|upper (|default props.title \"x\"))"),
        ("x | truncate: 10, '…'", "(|truncate x 10 \"…\")"),
        ("'a' in props.tags", "(in \"a\" props.tags)"),
        ("'a' not in props.tags", "(not in \"a\" props.tags)"),
        ("a < b and b <= c and c > d or d >= e", "(or (and (and (< a b) (<= b c)) (> c d)) (>= d e))"),
        ("(props.items | first).name", "(|first props.items).name"),
        ("run.in", "run.in"),
    ])
    func parsesShapes(source: String, expected: String) throws {
        let expr = try T.parse(source).get()
        #expect(T.dump(expr) == expected)
    }

    @Test(arguments: [
        ("a or b and c", "a or b and c"),
        ("(a or b) and c", "(a or b) and c"),
        ("not (a and b)", "not (a and b)"),
        ("(not a) == b", "(not a) == b"),
        ("(a | upper).x[0]", "(a | upper).x[0]"),
        ("x | default: (a or b)", "x | default: (a or b)"),
        ("'it\\'s\\n' | append: \"\\\\\"", "'it\\'s\\n' | append: '\\\\'"),
        ("a not in [1, -2.5, null, true]", "a not in [1, -2.5, null, true]"),
        ("((a))", "a"),
    ])
    func printsCanonicalSource(source: String, expected: String) throws {
        #expect(try T.parse(source).get().description == expected)
    }

    @Test func rangesCoverTheWrittenText() throws {
        let m = MarkedText("1️⃣props.items2️⃣ | 3️⃣length4️⃣ > 2")
        let expr = try T.parse(m.text).get()
        #expect(expr.range.start.offset == m[1])
        #expect(expr.range.end.offset == m.text.utf8.count)
        guard case .binary(_, let lhs, _) = expr.kind, case .filter(let input, _, let nameRange, _) = lhs.kind else {
            Issue.record("unexpected shape \(T.dump(expr))")
            return
        }
        #expect(input.range.end.offset == m[2])
        #expect(nameRange.start.offset == m[3])
        #expect(nameRange.end.offset == m[4])
    }

    /// Every parse-time code, each with the position its diagnostic must start at.
    @Test(arguments: [
        ("props.1️⃣+", DiagnosticCode.exprUnexpectedToken),
        ("props.title 1️⃣props", .exprUnexpectedToken),
        ("a 1️⃣= b", .exprUnexpectedToken),
        ("a 1️⃣&& b", .exprUnexpectedToken),
        ("a < b 1️⃣< c", .exprUnexpectedToken),
        ("a | 1️⃣| b", .exprUnexpectedToken),
        ("(a or b1️⃣", .exprUnexpectedToken),
        ("a1️⃣)", .exprUnexpectedToken),
        ("a and1️⃣", .exprUnexpectedToken),
        ("1️⃣{{ props.x }}", .exprUnexpectedToken),
        ("props.1️⃣0", .exprUnexpectedToken),
        ("'abc' == 1️⃣'def", .exprUnterminatedString),
        ("'a1️⃣\\qb'", .exprInvalidEscape),
        ("1️⃣   ", .exprEmpty),
        ("props.title | 1️⃣uper", .exprUnknownFilter),
        ("props.title | 1️⃣truncate", .exprFilterArity),
        ("props.title | 1️⃣upper: 1", .exprFilterArity),
        ("props.count == 1️⃣01", .exprInvalidNumber),
        ("props.width > 1️⃣12px", .exprInvalidNumber),
    ])
    func reportsParseErrorsAtTheMarker(marked: String, code: DiagnosticCode) throws {
        let m = MarkedText(marked)
        let diagnostic = try #require(T.diagnostic(m.text))
        #expect(diagnostic.code == code)
        #expect(diagnostic.range?.start.offset == m[1])
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.file == "test.xml")
        #expect(!diagnostic.message.hasSuffix("."))
        #expect(diagnostic.message.first?.isUppercase == false)
    }

    @Test func theFirstErrorInSourceOrderIsReported() throws {
        let m = MarkedText("props.a | 1️⃣nope: 'x\\q'")
        #expect(T.diagnostic(m.text)?.code == .exprUnknownFilter)
        #expect(T.diagnostic(m.text)?.range?.start.offset == m[1])
    }

    @Test func unknownFilterSuggestsTheClosestName() throws {
        let diagnostic = try #require(T.diagnostic("props.title | uper"))
        #expect(diagnostic.message == "unknown filter `uper`")
        #expect(diagnostic.hint == "did you mean `upper`?")
    }

    @Test func arityMessageStatesTheExpectedForm() throws {
        let m = MarkedText("x | 1️⃣slice: 1, 2, 32️⃣")
        let diagnostic = try #require(T.diagnostic(m.text))
        #expect(diagnostic.message == "filter `slice` takes 1 or 2 arguments, but 3 were given")
        #expect(diagnostic.hint == "valid syntax: `| slice: start, [length]`")
        #expect(diagnostic.range?.end.offset == m[2])
    }

    @Test func hintsPointAtTheIntendedSyntax() throws {
        #expect(T.diagnostic("a = b")?.hint == "compare with `==`")
        #expect(T.diagnostic("a && b")?.hint == "combine conditions with `and`")
        #expect(T.diagnostic("a || b")?.hint == "combine conditions with `or`; a single `|` applies a filter")
        #expect(T.diagnostic("!a")?.hint == "negate with `not`, as in `not props.done`")
        #expect(T.diagnostic("{{ a }}")?.hint == "attribute values are bare expressions; remove the `{{ }}`")
        #expect(T.diagnostic("a < b < c")?.message == "comparisons cannot be chained")
        #expect(T.diagnostic("props.my-key")?.hint?.contains("props[\\\"my-key\\\"]") == false)
        #expect(T.diagnostic("props.my-key")?.hint?.contains("props[\"my-key\"]") == true)
    }

    @Test func unterminatedStringCoversTheRestOfTheExpression() throws {
        let m = MarkedText("a == 1️⃣'open2️⃣")
        let diagnostic = try #require(T.diagnostic(m.text))
        #expect(diagnostic.code == .exprUnterminatedString)
        #expect(diagnostic.range?.end.offset == m[2])
    }

    @Test(arguments: ["((((((((((a))))))))))", "[[[[[[[[[[1]]]]]]]]]]", "not not not not not not not not not not a"])
    func nestingBeyondTheLimitIsRefused(source: String) throws {
        var limits = ResourceLimits.default
        limits.maxExpressionDepth = 8
        let diagnostic = try #require(T.diagnostic(source, limits: limits))
        #expect(diagnostic.code == Limit.expressionDepth.code)
        #expect(diagnostic.code == "limit.expression-depth")
        #expect(diagnostic.message == "expression is nested deeper than 8 levels")
    }

    @Test func depthDiagnosticPointsAtTheFirstLevelTooDeep() throws {
        var limits = ResourceLimits.default
        limits.maxExpressionDepth = 3
        let m = MarkedText("((1️⃣(2️⃣(a))))")
        let diagnostic = try #require(T.diagnostic(m.text, limits: limits))
        #expect(diagnostic.range?.start.offset == m[2])
        _ = m[1]
    }

    @Test func hugeNestingProducesADiagnosticNotAStackOverflow() throws {
        let deep = String(repeating: "(", count: 100_000) + "a" + String(repeating: ")", count: 100_000)
        #expect(T.diagnostic(deep)?.code == Limit.expressionDepth.code)
        let brackets = String(repeating: "[", count: 100_000)
        #expect(T.diagnostic(brackets)?.code == Limit.expressionDepth.code)
        let chain = "a" + String(repeating: ".b", count: 50_000)
        #expect(T.diagnostic(chain)?.code == Limit.expressionDepth.code)
        let filters = "a" + String(repeating: " | upper", count: 20_000)
        #expect(T.diagnostic(filters)?.code == Limit.expressionDepth.code)
        let nots = String(repeating: "not ", count: 50_000) + "a"
        #expect(T.diagnostic(nots)?.code == Limit.expressionDepth.code)
        let ors = Array(repeating: "a", count: 20_000).joined(separator: " or ")
        #expect(T.diagnostic(ors)?.code == Limit.expressionDepth.code)
    }

    @Test func chainsWithinTheLimitParse() throws {
        let chain = "a" + String(repeating: ".b", count: 60)
        #expect(T.parseOrNil(chain) != nil)
    }
}

@Suite struct ExpressionHelperTests {
    typealias T = ExpressionTesting

    @Test func pathsListRootsAndComponentsWithRanges() throws {
        let m = MarkedText("1️⃣props.2️⃣items[3️⃣0].4️⃣name == 5️⃣vars.6️⃣topic and item[7️⃣loop.index]")
        let expr = try T.parse(m.text).get()
        let paths = expr.paths
        #expect(paths.map(\.description) == ["props.items[0].name", "vars.topic", "item[…]", "loop.index"])
        #expect(paths[0].rootRange.start.offset == m[1])
        #expect(paths[0].components.map(\.component) == [.member("items"), .index(0), .member("name")])
        #expect(paths[0].components[0].range.start.offset == m[2])
        #expect(paths[0].components[1].range.start.offset == m[3] - 1)
        #expect(paths[0].components[2].range.start.offset == m[4])
        #expect(paths[1].rootRange.start.offset == m[5])
        #expect(paths[1].components[0].range.start.offset == m[6])
        #expect(paths[3].rootRange.start.offset == m[7])
        guard case .dynamic = paths[2].components[0].component else {
            Issue.record("expected a dynamic component")
            return
        }
    }

    @Test func stringSubscriptsAreMembers() throws {
        let expr = try T.parse("props['my-key'].x").get()
        #expect(expr.paths.first?.components.map(\.component) == [.member("my-key"), .member("x")])
    }

    @Test func pathsInsideFiltersAndArraysAreFound() throws {
        let expr = try T.parse("(props.items | where: 'done', vars.flag | first).name or [run.x]").get()
        #expect(expr.paths.map(\.root) == ["props", "vars", "run"])
    }

    @Test func filterUsesListNamesRangesAndArgumentCounts() throws {
        let m = MarkedText("props.a | 1️⃣default: 'x' | 2️⃣truncate: 3, '' | 3️⃣upper")
        let uses = try T.parse(m.text).get().filterUses
        #expect(uses.map(\.name) == ["default", "truncate", "upper"])
        #expect(uses.map(\.argumentCount) == [1, 2, 0])
        #expect(uses.map(\.nameRange.start.offset) == [m[1], m[2], m[3]])
    }

    @Test func walkVisitsEveryNodeParentsFirst() throws {
        let expr = try T.parse("not (a == 1)").get()
        var seen: [String] = []
        expr.walk { seen.append(T.dump($0)) }
        #expect(seen == ["(not (== a 1))", "(== a 1)", "a", "1"])
    }

    @Test func everyFilterIsDocumentedWithAnExample() {
        #expect(Filters.all.count == Set(Filters.all.map(\.name)).count)
        for filter in Filters.all {
            #expect(
                !filter.summary.isEmpty && !filter.example.isEmpty && !filter.exampleResult.isEmpty, "\(filter.name)")
            #expect(T.parseOrNil(filter.example) != nil, "example of \(filter.name) does not parse")
        }
    }

    @Test func referenceDocumentsEveryFilterAndCode() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/expressions.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        for filter in Filters.all {
            #expect(text.contains("### `\(filter.name)`"), "docs/expressions.md lacks filter `\(filter.name)`")
            #expect(text.contains(filter.syntax), "docs/expressions.md lacks the syntax of `\(filter.name)`")
        }
        for code in DiagnosticCode.expressionCodes + DiagnosticCode.promptMessageCodes {
            #expect(text.contains("[\(code)]") || text.contains("`\(code)`"), "docs/expressions.md lacks \(code)")
        }
    }

    @Test func expressionCodesAreDistinctAndNamespaced() {
        let codes = DiagnosticCode.expressionCodes
        #expect(Set(codes).count == codes.count)
        #expect(codes.allSatisfy { $0.rawValue.hasPrefix("expr.") || $0.rawValue.hasPrefix("limit.") })
        #expect(codes.contains("limit.expression-depth"))
    }
}

@Suite struct TextOriginTests {
    typealias T = ExpressionTesting

    @Test func oneToOneOriginOffsetsIntoTheFile() throws {
        // The attribute value starts at column 13 of line 2.
        let source = "<view>\n  <if test=\"props.itme == 1\"/>\n</view>"
        let file = SourceFile(path: "ui.xml", text: source)
        let valueStart = Array(source.utf8).firstIndex(of: UInt8(ascii: "\""))! + 1
        let text = "props.itme == 1 |"
        let origin = TextOrigin(file: file, startOffset: valueStart)
        let diagnostic = try #require(ExpressionParser.parse(text, origin: origin).failureValue)
        #expect(diagnostic.range?.start.line == 2)
        #expect(diagnostic.range?.start.column == 30)  // 13 (value start) + 17: the end, where a filter name is missing
        let paths = try ExpressionParser.parse("props.itme", origin: origin).get().paths
        #expect(paths[0].components[0].range.start.line == 2)
        #expect(paths[0].components[0].range.start.column == 19)
    }

    @Test func entityDecodedTextMapsPiecewise() throws {
        // `&lt;` is four source bytes but one text byte, `&amp;&amp;` six… the expression after it must still line up.
        let source = "<if test=\"props.a &lt; 3 and props.1️⃣b\"/>"
        let m = MarkedText(source)
        let file = SourceFile(path: "ui.xml", text: m.text)
        let valueStart = 10
        let decoded = "props.a < 3 and props.b"
        // Text offsets: 0..<8 map 1:1 from 10; `<` (text 8) is `&lt;` at 18..<22; text 9 onward maps from 22.
        let origin = TextOrigin(
            file: file, segments: [(textOffset: 0, sourceOffset: valueStart), (8, 18), (9, 22)])
        #expect(origin.sourceOffset(8) == 18)
        #expect(origin.sourceOffset(9) == 22)
        #expect(origin.range(8, 9) == file.range(18, 22))
        let expr = try ExpressionParser.parse(decoded, origin: origin).get()
        let paths = expr.paths
        #expect(paths.count == 2)
        #expect(paths[1].components[0].range.start.offset == m[1])
        #expect(paths[1].components[0].range.start.column == m[1] + 1)
        #expect(file.text(in: expr.range) == "props.a &lt; 3 and props.b")
    }

    @Test func entityDecodedDiagnosticLandsOnTheSourceColumn() throws {
        let source = "<text>&quot;{{ props.x | 1️⃣uper }}</text>"
        let m = MarkedText(source)
        let file = SourceFile(path: "ui.xml", text: m.text)
        let decoded = "\"{{ props.x | uper }}"
        let origin = TextOrigin(file: file, segments: [(0, 6), (1, 12)])
        let result = ExpressionParser.parseInterpolated(decoded, origin: origin)
        #expect(result.diagnostics.count == 1)
        #expect(result.diagnostics.first?.code == .exprUnknownFilter)
        #expect(result.diagnostics.first?.range?.start.offset == m[1])
        #expect(result.diagnostics.first?.range?.start.column == m[1] + 1)
    }

    @Test func unsortedAndLateSegmentsAreNormalised() {
        let file = SourceFile(path: "x", text: String(repeating: "a", count: 100))
        let origin = TextOrigin(file: file, segments: [(10, 50), (5, 20)])
        #expect(origin.sourceOffset(0) == 15)
        #expect(origin.sourceOffset(6) == 21)
        #expect(origin.sourceOffset(12) == 52)
        #expect(origin.sourceOffset(-3) == 15)
    }
}

@Suite struct InterpolationTests {
    typealias T = ExpressionTesting

    func segments(_ text: String) -> [String] {
        ExpressionParser.parseInterpolated(text, origin: T.origin(text)).segments.map {
            switch $0 {
            case .text(let s, _): "text(\(s))"
            case .expr(let e): "expr(\(T.dump(e)))"
            }
        }
    }

    @Test func splitsTextAndExpressions() {
        #expect(segments("Hi {{ vars.name }}!") == ["text(Hi )", "expr(vars.name)", "text(!)"])
        #expect(segments("{{a}}{{b}}") == ["expr(a)", "expr(b)"])
        #expect(segments("no braces } here }}") == ["text(no braces } here }})"])
        #expect(segments("") == [])
        #expect(segments("{{ \"}}\" }}") == ["expr(\"}}\")"])
        #expect(segments("{{ '{{' }} literal") == ["expr(\"{{\")", "text( literal)"])
    }

    @Test func textSegmentsKeepTheirRanges() throws {
        let m = MarkedText("1️⃣Hi 2️⃣{{ x }}3️⃣ there")
        let parsed = ExpressionParser.parseInterpolated(m.text, origin: T.origin(m.text))
        guard case .text(_, let first) = parsed.segments[0], case .text(_, let last) = parsed.segments[2] else {
            Issue.record("unexpected segments")
            return
        }
        #expect(first.start.offset == m[1] && first.end.offset == m[2])
        #expect(last.start.offset == m[3])
    }

    @Test func unclosedInterpolationIsReportedAtTheOpeningBraces() throws {
        let m = MarkedText("Hello 1️⃣{{ props.name")
        let parsed = ExpressionParser.parseInterpolated(m.text, origin: T.origin(m.text))
        let diagnostic = try #require(parsed.diagnostics.first)
        #expect(diagnostic.code == .exprUnclosedInterpolation)
        #expect(diagnostic.range?.start.offset == m[1])
        #expect(diagnostic.range?.end.offset == m[1] + 2)
        #expect(parsed.segments.count == 1)
    }

    @Test func emptyInterpolationCoversTheBraces() throws {
        let m = MarkedText("a 1️⃣{{  }}2️⃣ b")
        let parsed = ExpressionParser.parseInterpolated(m.text, origin: T.origin(m.text))
        let diagnostic = try #require(parsed.diagnostics.first)
        #expect(diagnostic.code == .exprEmpty)
        #expect(diagnostic.range?.start.offset == m[1])
        #expect(diagnostic.range?.end.offset == m[2])
    }

    @Test func everyBadPartIsReportedAndGoodPartsKept() {
        let text = "{{ a | nope }} and {{ b }} and {{ 'x }} and {{ c ="
        let parsed = ExpressionParser.parseInterpolated(text, origin: T.origin(text))
        #expect(
            parsed.diagnostics.map(\.code) == [.exprUnknownFilter, .exprUnterminatedString, .exprUnclosedInterpolation])
        #expect(Interpolation(segments: parsed.segments).expressions.count == 1)
    }

    @Test func renderStringifiesValues() throws {
        let text =
            "{{ props.title }}|{{ props.missing }}|{{ props.count }}|{{ props.price }}|{{ props.flag }}|{{ props.tags }}|{{ props.scores }}|<b>"
        let parsed = ExpressionParser.parseInterpolated(text, origin: T.origin(text))
        var budget = Budget()
        let out = try Evaluator.render(parsed.segments, in: T.scope, budget: &budget)
        #expect(out == "Hello||3|2.5|false|[\"x\",\"y\",\"x\"]|{\"ada\":3,\"grace\":5}|<b>")
    }
}

extension Result {
    var failureValue: Failure? {
        if case .failure(let f) = self { return f }
        return nil
    }
}
