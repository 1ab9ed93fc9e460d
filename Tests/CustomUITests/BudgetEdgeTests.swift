import CustomUICore
import Foundation
import JSONSchema
@testable import Markdown
import Streaming
import Testing

@testable import CustomUI

/// Every budget at its edge (one below passes, one above fails with a diagnostic naming the limit
/// and where), and the worst case of each, up to 1 MB, through validate, both renders and a
/// replayed run: each ends with a result or a budget error. No timings are asserted: the budgets
/// bound the time, and a budget that does not would hang this suite.
@Suite struct BudgetEdgeTests {
    static let head = "<custom-ui name=\"b\" execution-mode=\"auto-run\">"

    /// The limit diagnostics of validating `ui` and rendering it both ways, or nil for the render
    /// outputs when they succeeded.
    static func outcome(_ ui: String, props: String? = nil, limits: ResourceLimits) -> (
        validate: [Diagnostic], renders: [[Diagnostic]]
    ) {
        let report = Validator.validate(
            ui: SourceFile(path: "b.ui.xml", text: ui), props: props.map { SourceFile(path: "b.props.json", text: $0) },
            limits: limits)
        guard let template = report.template else { return (report.diagnostics, []) }
        let propsValue = props.flatMap { try? JSONParser.parseValue($0) }
        let renders = RenderFormat.allCases.map { format in
            let (output, diagnostics) = RenderPipeline.render(
                template, prompt: nil, props: propsValue,
                options: RenderOptions(format: format, terminal: TerminalStyle(width: 40), limits: limits))
            #expect(output != nil || diagnostics.hasErrors)
            return diagnostics.filter { $0.severity == .error }
        }
        return (report.diagnostics.filter { $0.severity == .error }, renders)
    }

    /// Expects no error anywhere.
    static func expectPasses(
        _ ui: String, props: String? = nil, limits: ResourceLimits,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        let (validate, renders) = outcome(ui, props: props, limits: limits)
        #expect(validate.isEmpty, "\(validate.map(\.description))", sourceLocation: sourceLocation)
        for r in renders { #expect(r.isEmpty, "\(r.map(\.description))", sourceLocation: sourceLocation) }
    }

    /// Expects `limit` reported by validate (and by every render that ran), with a position.
    static func expectBreach(
        _ ui: String, props: String? = nil, limits: ResourceLimits, _ limit: Limit,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        let (validate, renders) = outcome(ui, props: props, limits: limits)
        let found = (validate + renders.flatMap { $0 }).filter { $0.code == limit.code }
        #expect(
            validate.contains { $0.code == limit.code }, "validate: \(validate.map(\.description))",
            sourceLocation: sourceLocation)
        for r in renders {
            #expect(
                r.contains { $0.code == limit.code }, "render: \(r.map(\.description))", sourceLocation: sourceLocation)
        }
        for d in found {
            #expect(d.range != nil, "no position: \(d.description)", sourceLocation: sourceLocation)
            #expect(
                d.message.contains("limit") || d.message.contains("more than") || d.message.contains("deeper than"),
                "\(d.message)", sourceLocation: sourceLocation)
        }
    }

    // MARK: One below, one above

    @Test func depth() {
        func ui(_ n: Int) -> String {
            Self.head + "<view><slot name=\"answer\"/>" + String(repeating: "<stack>", count: n) + "<text>x</text>"
                + String(repeating: "</stack>", count: n) + "</view></custom-ui>"
        }
        let limits = ResourceLimits(maxDepth: 12)
        // custom-ui, view, n stacks and the text: n + 3 levels.
        Self.expectPasses(ui(9), limits: limits)
        Self.expectBreach(ui(10), limits: limits, .depth)
    }

    @Test func nodeCount() {
        func ui(_ n: Int) -> String {
            Self.head + "<view><slot name=\"answer\"/>" + String(repeating: "<divider/>", count: n)
                + "</view></custom-ui>"
        }
        let limits = ResourceLimits(maxNodes: 100)
        // custom-ui, view and the slot take three of the hundred.
        Self.expectPasses(ui(97), limits: limits)
        Self.expectBreach(ui(98), limits: limits, .nodes)
    }

    @Test func iterations() {
        let ui =
            Self.head
            + "<view><slot name=\"answer\"/><each items=\"props.items\" as=\"i\"><text>{{ i }}</text></each></view></custom-ui>"
        func props(_ n: Int) -> String {
            "{\"items\": [" + Array(repeating: "1", count: n).joined(separator: ",") + "]}"
        }
        let limits = ResourceLimits(maxIterations: 50)
        Self.expectPasses(ui, props: props(50), limits: limits)
        Self.expectBreach(ui, props: props(51), limits: limits, .iterations)
    }

    @Test func expressionSteps() throws {
        let text = "props.items | where: 'x', 1 | join: ',' | upper | length"
        let scope = Scope(props: ["items": .array((0..<100).map { ["x": .int($0 % 2)] })])
        let expr = try #require(ExpressionTesting.parseOrNil(text))
        var measure = Budget()
        _ = try Evaluator.evaluate(expr, in: scope, budget: &measure)
        let used = measure.steps
        var enough = Budget(ResourceLimits(maxSteps: used))
        #expect((try? Evaluator.evaluate(expr, in: scope, budget: &enough)) != nil)
        var short = Budget(ResourceLimits(maxSteps: used - 1))
        #expect(throws: EvaluationError.self) { try Evaluator.evaluate(expr, in: scope, budget: &short) }
        #expect(
            ExpressionTesting.error(text, scope: scope, limits: ResourceLimits(maxSteps: used - 1))?.code
                == Limit.steps.code)
    }

    @Test func outputBytes() {
        let ui = Self.head + "<view><slot name=\"answer\"/><text>{{ props.s }}</text></view></custom-ui>"
        let props = "{\"s\": \"" + String(repeating: "x", count: 1000) + "\"}"
        Self.expectPasses(ui, props: props, limits: ResourceLimits(maxOutputBytes: 1000))
        Self.expectBreach(ui, props: props, limits: ResourceLimits(maxOutputBytes: 999), .outputBytes)
    }

    @Test func markdownNesting() {
        // Past the parser's nesting limit the markers are text: no deeper output, nothing lost.
        for n in [BlockParser.maxDepth - 2, BlockParser.maxDepth - 1, BlockParser.maxDepth, 100_000] {
            let text = String(repeating: "> ", count: n) + "deep"
            let html = MarkdownHTMLRenderer.render(MarkdownParser.parse(text))
            #expect(html.components(separatedBy: "<blockquote>").count - 1 <= BlockParser.maxDepth)
            #expect(html.contains("deep"))
            #expect(html.utf8.count < 50 * text.utf8.count + 4096)
        }
    }

    @Test func streamLineSize() {
        let line = #"{"event":"chunk","data":{"text":""# + String(repeating: "x", count: 60) + #""}}"#
        let size = line.utf8.count
        var fits = NDJSONDecoder(maxLineBytes: size)
        let ok = fits.feed(Array((line + "\n").utf8)) + fits.finish()
        #expect(ok.count == 1 && ok[0].event != nil)
        var over = NDJSONDecoder(maxLineBytes: size - 1)
        let failed = over.feed(Array((line + "\n").utf8)) + over.finish()
        let failure = failed.compactMap(\.failure).first
        #expect(failure?.message.contains("limit of \(size - 1) bytes") == true, "\(failed)")
        #expect(failure?.message.contains("line 1") == true)
    }

    @Test func streamedBytesPerSlot() async throws {
        func recording(_ chunks: [String]) -> String {
            chunks.map { #"{"event":"chunk","data":{"text":"\#($0)"}}"# }.joined(separator: "\n") + "\n"
                + #"{"event":"end"}"# + "\n"
        }
        let chunks = ["aaaa", "bbbb", "cc"]
        let limits = ResourceLimits(maxSlotBytes: 10)
        let fits = try SessionTests.storySession(
            ReplayTransport(file: try SessionTests.temporaryFile(recording(chunks))), limits: limits)
        #expect(await fits.run().isEmpty)
        #expect(fits.state.slots["story"] == "aaaabbbbcc")
        let over = try SessionTests.storySession(
            ReplayTransport(file: try SessionTests.temporaryFile(recording(chunks + ["d"]))), limits: limits)
        let diagnostics = await over.run()
        #expect(diagnostics.first?.code == .runFailed)
        #expect(diagnostics.first?.message.contains("limit of 10 bytes") == true, "\(diagnostics)")
        #expect(over.state.slots["story"] == "aaaabbbbcc")
        #expect(over.state.run["error"]?["code"] == "limit.slot-size")
        #expect(over.state.runStatus == "failed")
    }

    // MARK: The worst case of each budget, up to 1 MB, with the default limits

    static let megabyte = 1 << 20

    /// Templates (with their props) of about 1 MB that push one budget each.
    static let worstCases: [(String, String, String?, Set<Limit>)] = [
        (
            "depth",
            head + "<view><slot name=\"answer\"/>" + String(repeating: "<stack>", count: megabyte / 7)
                + "</view></custom-ui>", nil, [.depth]
        ),
        (
            "nodes",
            head + "<view><slot name=\"answer\"/>" + String(repeating: "<divider/>", count: megabyte / 10)
                + "</view></custom-ui>", nil, [.nodes]
        ),
        (
            "nested loops",
            head
                + "<view><slot name=\"answer\"/><each items=\"props.a\" as=\"x\"><each items=\"props.a\" as=\"y\"><each items=\"props.a\" as=\"z\"><text>{{ x }}{{ y }}{{ z }}</text></each></each></each></view></custom-ui>",
            "{\"a\": [" + Array(repeating: "1", count: 10_000).joined(separator: ",") + "]}", [.steps, .deadline]
        ),
        (
            "substring search",
            head
                + "<view><slot name=\"answer\"/><each items=\"props.a\" as=\"x\"><if test=\"props.p in props.s\"><text>found</text></if></each></view></custom-ui>",
            "{\"s\": \"" + String(repeating: "a", count: megabyte / 2) + "\", \"p\": \""
                + String(repeating: "a", count: 100_000) + "b\", \"a\": ["
                + Array(repeating: "1", count: 10_000).joined(separator: ",") + "]}", [.steps, .deadline]
        ),
        (
            "output",
            head
                + "<view><slot name=\"answer\"/><each items=\"props.a\" as=\"x\"><text>{{ props.s }}</text></each></view></custom-ui>",
            "{\"s\": \"" + String(repeating: "x", count: megabyte / 2) + "\", \"a\": ["
                + Array(repeating: "1", count: 100).joined(separator: ",") + "]}", [.outputBytes, .deadline]
        ),
        (
            "one long line",
            head + "<view><slot name=\"answer\"/><text>" + String(repeating: "word ", count: megabyte / 5)
                + "</text></view></custom-ui>", nil, []
        ),
        (
            "nested cards",
            head + "<view><slot name=\"answer\"/>" + String(repeating: "<card title=\"t\">", count: 120) + "<text>"
                + String(repeating: "w ", count: 100_000) + "</text>"
                + String(repeating: "</card>", count: 120) + "</view></custom-ui>", nil, []
        ),
    ]

    @Test(arguments: 0..<worstCases.count)
    func worstCase(_ index: Int) {
        let (name, ui, props, limits) = Self.worstCases[index]
        let (validate, renders) = Self.outcome(ui, props: props, limits: .default)
        let all = validate + renders.flatMap { $0 }
        // The budget it pushes runs out (or, on a slow machine, the deadline first); nothing else fails.
        if !limits.isEmpty {
            #expect(all.contains { d in limits.contains { $0.code == d.code } }, "\(name): \(all.map(\.code))")
        }
        for d in all { #expect(d.code.rawValue.hasPrefix("limit."), "\(name): \(d.description.prefix(300))") }
    }

    @Test(arguments: ["> ", "* ", "1. ", "*a ", "[", "| a ", "`"])
    func worstCaseReplayedRuns(_ unit: String) async throws {
        // A 1 MB answer of one construct, streamed in 1,000 chunks, then rendered both ways.
        let answer = String(repeating: unit, count: Self.megabyte / unit.utf8.count)
        let step = answer.utf8.count / 1000
        var lines: [String] = []
        var rest = Substring(answer)
        while !rest.isEmpty {
            lines.append(
                #"{"event":"chunk","data":{"text":"# + JSONWriter().string(.string(String(rest.prefix(step)))) + "}}")
            rest = rest.dropFirst(step)
        }
        let session = try SessionTests.storySession(
            ReplayTransport(
                file: try SessionTests.temporaryFile(lines.joined(separator: "\n") + "\n{\"event\":\"end\"}\n")))
        let diagnostics = await session.run()
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(session.state.slots["story"] == answer)
        for format in RenderFormat.allCases {
            let (output, rendered) = RenderPipeline.render(
                session.template, prompt: session.prompt, state: session.state, options: RenderOptions(format: format))
            #expect(output != nil || rendered.allSatisfy { $0.code.rawValue.hasPrefix("limit.") }, "\(rendered)")
        }
    }
}
