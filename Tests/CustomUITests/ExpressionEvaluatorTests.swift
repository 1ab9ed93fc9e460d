import CustomUICore
import Testing

@testable import CustomUI

@Suite struct ExpressionEvaluatorTests {
    typealias T = ExpressionTesting

    @Test(
        arguments: [
            ("props.title", Value.string("Hello")),
            ("props.nested.deep.value", 42),
            ("props.items[1].name", "banana"),
            ("props.items[-1].name", "cherry"),
            ("props['my-key']", "dash"),
            ("props.items[props.count | minus: 1].name", "cherry"),
            ("props[vars.missing]", nil),
            ("props.scores['ada']", 3),
        ] as [(String, Value)])
    func readsPaths(source: String, expected: Value) {
        #expect(T.value(source) == expected)
    }

    @Test(arguments: [
        "props.missing", "props.missing.deeper", "props.title.length", "props.items.name", "props.items[99]",
        "props.items['name']", "props.nested[0]", "unknown", "unknown.x", "props.count.x", "props.items[1.5]",
    ])
    func missingPathsAreNull(source: String) {
        #expect(T.value(source) == .null)
    }

    @Test func loopVariablesAndTheLoopObject() {
        let scope = T.scope.entering(loop: "item", item: ["name": "kiwi"], index: 2, count: 3)
        #expect(T.value("item.name", scope: scope) == "kiwi")
        #expect(T.value("loop.index", scope: scope) == 2)
        #expect(T.value("loop.index1", scope: scope) == 3)
        #expect(T.value("loop.first", scope: scope) == false)
        #expect(T.value("loop.last", scope: scope) == true)
        #expect(T.value("loop.length", scope: scope) == 3)
        let shadowing = T.scope.entering(loop: "props", item: 1, index: 0, count: 1)
        #expect(T.value("props.title", scope: shadowing) == "Hello")
    }

    @Test(
        arguments: [
            ("1 == 1.0", true), ("'a' == 'a'", true), ("'1' == 1", false), ("null == null", true),
            ("props.missing == null", true), ("[1, 2] == [1, 2]", true), ("props.scores == props.scores", true),
            ("1 != 2", true), ("'a' != 'a'", false), ("true == 1", false),
            ("1 < 2", true), ("2 <= 2", true), ("3 > 2.5", true), ("2 >= 3", false), ("0.1 < 0.2", true),
            ("'apple' < 'banana'", true), ("'Zebra' < 'apple'", true), ("'b' >= 'a'", true), ("'é' > 'z'", true),
            ("props.missing < 3", false), ("props.missing >= 3", false), ("3 > null", false),
            ("'x' in props.tags", true), ("'z' in props.tags", false), ("'ell' in props.title", true),
            ("'ada' in props.scores", true), ("'bob' in props.scores", false), ("1 in props.missing", false),
            ("'z' not in props.tags", true), ("'x' not in props.tags", false), ("'' in 'abc'", true),
            ("[1] in [[1], 2]", true), ("null in 'abc'", false),
            ("true and true", true), ("true and false", false), ("false or true", true), ("false or 0", false),
            ("props.title and props.count", true), ("props.empty or props.zero", false),
            ("not props.missing", true), ("not props.title", false), ("not []", true),
            ("run.status == 'completed' and not props.flag", true),
        ] as [(String, Bool)])
    func operators(source: String, expected: Bool) {
        #expect(T.value(source) == .bool(expected), "\(source)")
    }

    @Test func andOrReturnBooleans() {
        #expect(T.value("props.title or props.count") == true)
        #expect(T.value("props.title and 'x'") == true)
    }

    @Test func andShortCircuitsPastAnError() {
        // The right side would be a type error; it is never evaluated.
        #expect(T.value("false and (1 < 'a')") == false)
        #expect(T.value("true or (1 < 'a')") == true)
        #expect(T.error("true and (1 < 'a')")?.code == .exprTypeMismatch)
        #expect(T.error("false or (1 < 'a')")?.code == .exprTypeMismatch)
    }

    @Test func shortCircuitingSavesSteps() throws {
        var limits = ResourceLimits.default
        limits.maxSteps = 3
        // `false and …` evaluates two nodes; the skipped side would need many more.
        #expect(T.value("false and [1, 2, 3, 4, 5]") == false)
        if case .success(let v)? = T.evaluate("false and [1, 2, 3, 4, 5]", limits: limits) {
            #expect(v == false)
        } else {
            Issue.record("short-circuited `and` should fit in 3 steps")
        }
        #expect(T.evaluate("true and [1, 2, 3, 4, 5]", limits: limits)?.failureValue?.code == Limit.steps.code)
    }

    @Test(arguments: [
        ("1️⃣1 < 'a'2️⃣", "cannot order integer and string with `<`"),
        ("1️⃣true >= false2️⃣", "cannot order boolean and boolean with `>=`"),
        ("1️⃣[1] > [0]2️⃣", "cannot order array and array with `>`"),
        ("1️⃣1 in 'abc'", "cannot look for integer in a string with `in`"),
        ("1 in 1️⃣52️⃣", "cannot look inside integer with `in`"),
        ("1️⃣2 in props.scores", "cannot look for integer among an object's keys with `in`"),
    ])
    func typeMismatchesArePositioned(marked: String, message: String) throws {
        let m = MarkedText(marked)
        let error = try #require(T.error(m.text))
        #expect(error.code == .exprTypeMismatch)
        #expect(error.message == message)
        #expect(error.range.start.offset == m[1])
        if m.offsets[2] != nil { #expect(error.range.end.offset == m[2]) }
        let diagnostic = error.diagnostic(file: "ui.xml")
        #expect(diagnostic.code == .exprTypeMismatch && diagnostic.file == "ui.xml" && diagnostic.range == error.range)
    }

    @Test func arrayLiteralsEvaluateTheirElements() {
        #expect(T.value("[props.count, 'a', null, [true]]") == [3, "a", nil, [true]])
        #expect(T.value("[]") == [])
    }

    @Test func stringification() {
        #expect(Evaluator.stringify(nil) == "")
        #expect(Evaluator.stringify(true) == "true")
        #expect(Evaluator.stringify(.double(1.50)) == "1.5")
        #expect(Evaluator.stringify(.int(-3)) == "-3")
        #expect(Evaluator.stringify("<b>&") == "<b>&")
        #expect(Evaluator.stringify(["a": [1, nil]]) == "{\"a\":[1,null]}")
    }

    @Test func everyNodeChargesOneStep() throws {
        let expr = try T.parse("props.items[0].name == 'apple' and not false").get()
        var count = 0
        expr.walk { _ in count += 1 }
        var budget = Budget()
        _ = try Evaluator.evaluate(expr, in: T.scope, budget: &budget)
        #expect(budget.steps == count)
    }

    @Test func runningOutOfStepsPointsAtTheNode() throws {
        var limits = ResourceLimits.default
        limits.maxSteps = 4
        let m = MarkedText("[1, 2, 3, 1️⃣42️⃣, 5]")
        let error = try #require(T.error(m.text, limits: limits))
        #expect(error.code == "limit.steps")
        #expect(error.message == "evaluation took more than 4 steps")
        #expect(error.range.start.offset == m[1] && error.range.end.offset == m[2])
    }

    @Test func stringBuildingFiltersChargeByOutputSize() throws {
        let big = String(repeating: "x", count: 16_000)
        let scope = Scope(props: ["big": .string(big)])
        var budget = Budget()
        _ = try Evaluator.evaluate(T.parse("props.big | upper").get(), in: scope, budget: &budget)
        #expect(budget.steps > 1_000)
        var limits = ResourceLimits.default
        limits.maxSteps = 500
        let m = MarkedText("props.big | 1️⃣append2️⃣: 'y'")
        let error = try #require(T.error(m.text, scope: scope, limits: limits))
        #expect(error.code == Limit.steps.code)
        #expect(error.range.start.offset == m[1] && error.range.end.offset == m[2])
    }

    @Test func aPassedDeadlineStopsEvaluation() throws {
        // A zero deadline has passed by the time the budget looks at the clock (every 4,096 steps).
        var limits = ResourceLimits.default
        limits.deadline = .zero
        let scope = Scope(props: ["many": .array(Array(repeating: "x", count: 5_000))])
        let m = MarkedText("props.many | 1️⃣join2️⃣")
        let error = try #require(T.error(m.text, scope: scope, limits: limits))
        #expect(error.code == Limit.deadline.code)
        #expect(error.code == "limit.deadline")
        #expect(error.range.start.offset == m[1] && error.range.end.offset == m[2])
    }

    @Test func membershipChargesForWhatItScans() throws {
        let scope = Scope(props: ["many": .array(Array(repeating: 1, count: 1_000))])
        var limits = ResourceLimits.default
        limits.maxSteps = 500
        let m = MarkedText("1️⃣2 in props.many2️⃣")
        let error = try #require(T.error(m.text, scope: scope, limits: limits))
        #expect(error.code == Limit.steps.code)
        #expect(error.range.start.offset == m[1] && error.range.end.offset == m[2])
        #expect(T.error("2 in props.many", scope: scope) == nil)
    }

    @Test func hugeSplitsAreRefusedBeforeTheyAllocate() throws {
        let scope = Scope(props: ["big": .string(String(repeating: "ab,", count: 10_000))])
        var limits = ResourceLimits.default
        limits.maxSteps = 5_000
        #expect(T.error("props.big | split: ''", scope: scope, limits: limits)?.code == Limit.steps.code)
        #expect(T.error("props.big | split: ','", scope: scope, limits: limits)?.code == Limit.steps.code)
        #expect(T.value("props.big | split: ',' | length", scope: scope) == 10_001)
    }

    @Test func growingReplacementsHitTheOutputLimitBeforeAllocating() throws {
        var limits = ResourceLimits.default
        limits.maxOutputBytes = 10_000
        let grow = "'aaaaaaaaaa'" + String(repeating: " | replace: 'a', 'aaaaaaaaaa'", count: 6)
        let error = try #require(T.error(grow, limits: limits))
        #expect(error.code == Limit.outputBytes.code)
        #expect(error.code == "limit.output-size")
    }

    @Test func renderChargesTheOutputBudget() throws {
        var limits = ResourceLimits.default
        limits.maxOutputBytes = 10
        let m = MarkedText("12345 {{ 1️⃣props.title2️⃣ }} and more")
        let parsed = ExpressionParser.parseInterpolated(m.text, origin: T.origin(m.text))
        var budget = Budget(limits)
        #expect(throws: EvaluationError.self) { try Evaluator.render(parsed.segments, in: T.scope, budget: &budget) }
        do {
            var budget = Budget(limits)
            _ = try Evaluator.render(parsed.segments, in: T.scope, budget: &budget)
        } catch {
            #expect(error.code == Limit.outputBytes.code)
            #expect(error.range.start.offset == m[1] && error.range.end.offset == m[2])
        }
    }

    @Test func handBuiltTreesDeeperThanTheLimitAreRefused() throws {
        let range = SourceRange(at: SourceLocation(offset: 0, line: 1, column: 1))
        var expr = Expr(.literal(true), range: range)
        for _ in 0..<200 { expr = Expr(.not(expr), range: range) }
        var budget = Budget()
        #expect(throws: EvaluationError.self) { try Evaluator.evaluate(expr, in: Scope(), budget: &budget) }
    }
}
