import CustomUICore
import Testing

@testable import CustomUI

/// Feeds random and mutated input to the parser, the evaluator and message templates: each input must end in
/// a value or a diagnostic, never a crash or a hang.
@Suite struct ExpressionFuzzTests {
    typealias T = ExpressionTesting

    /// SplitMix64, so every run feeds the same inputs and a failure can be reproduced.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
        mutating func pick<C: Collection>(_ c: C) -> C.Element where C.Index == Int { c[c.startIndex + below(c.count)] }
    }

    static let corpus: [String] =
        [
            "props.title | default: 'Write a story'", "run.status == 'completed'", "props.items | length > 2",
            "not (vars.topic in ['a', 'b']) or props.count >= 3", "props.items[loop.index].name | upper",
            "props['my-key'] | append: \"\\n\" | truncate: 4, '…'",
            "props.items | where: 'done', true | map: 'name' | join: ', '",
            "props.price | times: 1.5 | round: 2 | number: 2", "props.date | date: 'full'",
            "props.items | sort: 'price' | first",
            "props.tags | uniq | reverse | slice: -2, 2", "props.scores | keys | json", "10 | divided_by: props.zero",
            "'a,b' | split: ',' | compact | contains: 'b'", "props.count | pluralize: 'item', 'items'",
            "props.title | replace: 'l', 'L' | capitalize | trim | lower", "[1, 2.5, -3, 1e3] | sort | last | abs",
            "props.missing.deep[0]['x'] != null and true", "props.items | where: 'done' | length | modulo: 2 == 0",
        ] + Filters.all.map(\.example)

    static let vocabulary: [String] = [
        "props", "vars", "slots", "run", "broker", "item", "loop", ".", ".", "[", "]", "(", ")", "|", ":", ",", "==",
        "!=", "<", "<=", ">", ">=", "=", "!", "&&", "||", "and", "or", "not", "in", "true", "false", "null", "0", "-1",
        "2.5", "1e999999999", "01", "'", "\"", "'str'", "\"s\\\"q\"", "'\\x'", "\\", "{{", "}}", "{", "}", " ", "  ",
        "\n", "é", "🐉", "\u{0}", "-", "+", "upper", "default", "truncate", "date", "sort", "replace", "split", "slice",
        "where", "map", "join", "divided_by", "plus", "times", "number", "round", "json", "title", "items", "name",
    ]

    /// Which way an input ended, so the tests can check the generators reach both outcomes.
    enum Outcome { case value, evaluationError, diagnostic }

    @discardableResult
    func exercise(_ text: String, limits: ResourceLimits) -> Outcome {
        var outcome = Outcome.diagnostic
        let origin = T.origin(text)
        let length = text.utf8.count
        switch ExpressionParser.parse(text, origin: origin, limits: limits) {
        case .success(let expr):
            #expect(expr.range.start.offset >= 0 && expr.range.end.offset <= length, "\(text)")
            _ = expr.paths
            _ = expr.filterUses
            _ = expr.typeCheck(file: nil) { _ in .any }
            // Printing and parsing again gives the same tree.
            let printed = expr.description
            let reparsed = ExpressionParser.parse(printed, origin: T.origin(printed), limits: limits)
            #expect(reparsed.map(T.dump) == .success(T.dump(expr)), "\(text) printed as \(printed)")
            var budget = Budget(limits)
            do {
                let value = try Evaluator.evaluate(expr, in: T.scope, budget: &budget)
                _ = Evaluator.stringify(value)
                outcome = .value
            } catch {
                outcome = .evaluationError
                #expect(DiagnosticCode.expressionCodes.contains(error.code), "\(text): \(error)")
                #expect(error.range.start.offset >= 0 && error.range.end.offset <= length, "\(text)")
            }
        case .failure(let diagnostic):
            #expect(DiagnosticCode.expressionCodes.contains(diagnostic.code), "\(text): \(diagnostic)")
            let range = diagnostic.range
            #expect(range != nil && range!.start.offset >= 0 && range!.end.offset <= length, "\(text)")
        }
        let wrapped = "a {{ " + text + " }} b"
        let interpolated = ExpressionParser.parseInterpolated(wrapped, origin: T.origin(wrapped), limits: limits)
        var budget = Budget(limits)
        _ = try? Evaluator.render(interpolated.segments, in: T.scope, budget: &budget)
        let message = MessageTemplate(wrapped, origin: T.origin(wrapped))
        _ = try? message.resolve(["a": "{{b}}"])
        return outcome
    }

    var limits: ResourceLimits {
        var limits = ResourceLimits.default
        limits.maxExpressionDepth = 16
        limits.maxSteps = 20_000
        limits.maxOutputBytes = 200_000
        return limits
    }

    @Test func randomTokenSoup() {
        var random = Random(state: 0xC0FFEE)
        var outcomes: [Outcome: Int] = [:]
        for _ in 0..<2_500 {
            let count = 1 + random.below(14)
            let text = (0..<count).map { _ in random.pick(Self.vocabulary) }.joined(
                separator: random.below(3) == 0 ? "" : " ")
            outcomes[exercise(text, limits: limits), default: 0] += 1
        }
        #expect(outcomes[.value, default: 0] > 100 && outcomes[.diagnostic, default: 0] > 100, "\(outcomes)")
    }

    @Test func mutatedValidExpressions() {
        var random = Random(state: 42)
        var outcomes: [Outcome: Int] = [:]
        for _ in 0..<2_500 {
            var scalars = Array(random.pick(Self.corpus).unicodeScalars)
            for _ in 0..<(1 + random.below(3)) {
                let position = random.below(scalars.count + 1)
                switch random.below(4) {
                case 0 where !scalars.isEmpty && position < scalars.count: scalars.remove(at: position)
                case 1: scalars.insert(contentsOf: random.pick(Self.vocabulary).unicodeScalars, at: position)
                case 2 where position < scalars.count:
                    scalars[position] = random.pick(Array("()[]|.,:'\"\\ {}-=<>!0a".unicodeScalars))
                default:
                    // Splice in a piece of another corpus entry, which keeps the input mostly well formed.
                    let other = Array(random.pick(Self.corpus).unicodeScalars)
                    let start = random.below(other.count)
                    scalars.insert(
                        contentsOf: other[start..<min(other.count, start + 1 + random.below(12))], at: position)
                }
            }
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars)
            outcomes[exercise(text, limits: limits), default: 0] += 1
        }
        #expect(
            outcomes[.value, default: 0] > 100 && outcomes[.diagnostic, default: 0] > 100
                && outcomes[.evaluationError, default: 0] > 10, "\(outcomes)")
    }

    @Test func validCorpusEvaluates() {
        // The unmutated corpus must parse; evaluation may fail only for the expected reasons.
        for text in Self.corpus {
            guard case .success(let expr) = T.parse(text) else {
                Issue.record("corpus entry does not parse: \(text)")
                continue
            }
            var budget = Budget()
            do {
                _ = try Evaluator.evaluate(expr, in: T.scope, budget: &budget)
            } catch {
                #expect(error.code == .exprDivisionByZero, "\(text): \(error)")
            }
        }
    }
}
