import CustomUICore
import Foundation
import JSONSchema
import Markdown
import Testing

@testable import CustomUI

/// Compiles a repository UI with its prompt, failing the test on any diagnostic.
func compiled(_ ui: String, prompt: String) throws -> (CompiledTemplate, Prompt) {
    let report = Validator.validate(ui: try repositoryFile(ui), prompt: try repositoryFile(prompt))
    // The all-elements fixture has a second slot (to show the `text` format), which nothing feeds.
    let findings = report.diagnostics.filter { $0.code != .modeUnfedSlot }
    #expect(findings.isEmpty, "\(DiagnosticRenderer(sources: report.sources).render(report.diagnostics))")
    return (try #require(report.template), try #require(report.prompt))
}

@Suite struct RenderTests {
    static let fixture = (
        "Tests/CustomUITests/Fixtures/all-elements.ui.xml", "Tests/CustomUITests/Fixtures/all-elements.prompt.json"
    )

    /// The fixture in a finished run (every output filled) or a failed one.
    static func state(_ template: CompiledTemplate, _ prompt: Prompt, failed: Bool) -> RenderState {
        var (state, _) = RenderState.initial(template, prompt: prompt)
        state.slots["answer"] = "**Yes.** The tide turns *twice* a day:\n\n- high\n- low\n\n```swift\nlet tide = 2\n```"
        state.slots["notes"] = "plain <notes> & \"things\""
        state.conversation = [
            ConversationTurn(role: "user", text: "Tell me <b>about</b> tides"),
            ConversationTurn(role: "assistant", text: "They *rise* and fall."),
        ]
        state.run.status = failed ? .failed : .completed
        state.run.statusMessage = failed ? "gave up" : "all done"
        state.run.usage = RunState.Usage(inputTokens: 120, outputTokens: 340, totalTokens: 460, cost: 0.00123)
        state.run.timing = RunState.Timing(timeToFirstTokenMs: 412, totalMs: 3210)
        state.run.toolEvents = [
            RunState.ToolEvent(toolName: "search", event: "started", message: "looking up tides"),
            RunState.ToolEvent(toolName: "search", event: "completed"),
        ]
        if failed { state.run.error = RunState.Failure(message: "the backend answered 503: overloaded") }
        return state
    }

    @Test(arguments: [false, true])
    func everyElementMatchesItsSnapshots(failed: Bool) throws {
        let (template, prompt) = try compiled(Self.fixture.0, prompt: Self.fixture.1)
        let state = Self.state(template, prompt, failed: failed)
        let name = failed ? "failed" : "completed"
        let (html, htmlDiagnostics) = RenderPipeline.render(
            template, prompt: prompt, state: state, options: RenderOptions(format: .html))
        #expect(htmlDiagnostics.isEmpty)
        try expectGeneratedFile("Tests/CustomUITests/Snapshots/all-elements.\(name).html", equals: try #require(html))
        let (text, _) = RenderPipeline.render(
            template, prompt: prompt, state: state,
            options: RenderOptions(format: .terminal, terminal: TerminalStyle(width: 64, color: false)))
        try expectGeneratedFile("Tests/CustomUITests/Snapshots/all-elements.\(name).txt", equals: try #require(text))
        let check = HTMLCheck(try #require(html))
        #expect(check.problems.isEmpty, "\(check.problems)")
    }

    @Test func snapshotsCoverEveryElement() throws {
        let (template, _) = try compiled(Self.fixture.0, prompt: Self.fixture.1)
        var used = Set<String>()
        for node in template.view { node.forEachElement { used.insert($0.name) } }
        used.formUnion([
            "if", "else-if", "else", "each", "bind", "view", "props-schema", "default-props", "layout-config",
            "styling-config", "custom-ui",
        ])
        let text = try repositoryFile(Self.fixture.0).text
        for spec in Vocabulary.elements {
            #expect(
                used.contains(spec.name) || text.contains("<\(spec.name)"), "the fixture does not use `\(spec.name)`")
        }
    }

    @Test func outputIsDeterministic() throws {
        let (template, prompt) = try compiled(Self.fixture.0, prompt: Self.fixture.1)
        let state = Self.state(template, prompt, failed: false)
        let a = RenderPipeline.render(template, prompt: prompt, state: state, options: RenderOptions()).output
        let b = RenderPipeline.render(template, prompt: prompt, state: state, options: RenderOptions()).output
        #expect(a != nil && a == b)
    }

    @Test func pagesForbidScriptAndCarryTheTheme() throws {
        let (template, prompt) = try compiled(Self.fixture.0, prompt: Self.fixture.1)
        let html = try #require(RenderPipeline.render(template, prompt: prompt, options: RenderOptions()).output)
        #expect(
            html.contains(
                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src &#39;none&#39;; script-src &#39;none&#39;"
            ))
        #expect(html.contains("--cui-accent: #0a7d5a;"))
        #expect(html.contains("--cui-font: \"Inter\", sans-serif;"))
        #expect(html.contains("<main class=\"cui cui-layout-wide\">"))
        #expect(!html.lowercased().contains("<script"))
        let fragment = try #require(
            RenderPipeline.render(template, prompt: prompt, options: RenderOptions(fragment: true)).output)
        #expect(fragment.hasPrefix("<main class=\"cui"))
        #expect(!fragment.contains("<html"))
    }

    @Test func invalidThemeValuesAreReportedAndDropped() throws {
        var definition = CustomUIDefinition(name: "x", componentCode: "")
        definition.stylingConfig = [
            "accent": "red; background: url(javascript:alert(1))", "radius": "4px", "colour": "#fff",
        ]
        definition.layoutConfig = ["layout": "sidebr"]
        let (theme, diagnostics) = Theme.from(definition, file: nil)
        #expect(theme.properties.map(\.name) == ["--cui-radius"])
        #expect(theme.layout == "default")
        #expect(diagnostics.map(\.code) == [.styleInvalidValue, .styleUnknownKey, .layoutInvalid])
        #expect(diagnostics[2].hint?.hasPrefix("did you mean `sidebar`?") == true)
        #expect(diagnostics[1].hint == "did you mean `color`?" || diagnostics[1].hint?.contains("keys:") == true)
    }

    @Test(arguments: ExamplesTests.valid)
    func examplesRenderToCheckedHTML(name: String) throws {
        let (template, prompt) = try compiled(
            "Examples/\(name)/\(name).ui.xml", prompt: "Examples/\(name)/\(name).prompt.json")
        let props = try JSONParser.parseValue(try repositoryFile("Examples/\(name)/\(name).props.json").text)
        let (html, diagnostics) = RenderPipeline.render(
            template, prompt: prompt, props: props, options: RenderOptions())
        #expect(diagnostics.isEmpty)
        let check = HTMLCheck(try #require(html))
        #expect(check.problems.isEmpty, "\(check.problems)")
        let (text, _) = RenderPipeline.render(
            template, prompt: prompt, props: props,
            options: RenderOptions(format: .terminal, terminal: TerminalStyle(width: 50)))
        for line in try #require(text).split(separator: "\n") {
            #expect(DisplayWidth.of(line) <= 50, "terminal line wider than 50: \(line)")
        }
    }

    @Test func jsonSchemaDefinitionsGetAGeneratedUI() throws {
        let definition = """
            { "name": "Quick <answer> {{x}}", "component_type": "json-schema", "execution_mode": "manual-with-visible-variables",
              "props_schema": { "type": "object", "properties": { "customer": { "type": "string", "title": "Customer" }, "tags": { "type": "array" } } },
              "default_props": { "customer": "Ada", "tags": ["a", "b"] } }
            """
        let report = Validator.validate(
            ui: SourceFile(path: "q.definition.json", text: definition),
            prompt: try repositoryFile("Examples/story-writer/story-writer.prompt.json"))
        #expect(!report.hasErrors, "\(report.diagnostics)")
        let (template, diagnostics) = RenderPipeline.template(for: report)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let compiled = try #require(template)
        let html = try #require(RenderPipeline.render(compiled, prompt: report.prompt, options: RenderOptions()).output)
        #expect(html.contains("<h1 class=\"cui-heading\">Quick &lt;answer&gt; {{x}}</h1>"))
        #expect(html.contains("<strong>Customer:</strong> Ada"))
        #expect(html.contains("a, b"))
        for variable in ["topic", "style", "length", "twist"] { #expect(html.contains("id=\"cui-var-\(variable)\"")) }
        #expect(html.contains("value=\"run\""))
        #expect(html.contains("id=\"cui-slot-response\""))
        #expect(HTMLCheck(html).problems.isEmpty)
    }

    @Test func badVariableValuesAreDiagnosticsNotCoercions() throws {
        let (template, prompt) = try compiled(
            "Examples/story-writer/story-writer.ui.xml", prompt: "Examples/story-writer/story-writer.prompt.json")
        let cases: [([String: String], DiagnosticCode, String)] = [
            (["length": "lots"], .renderInvalidVariable, "`lots` is not a number"),
            (["length": "5000"], .renderInvalidVariable, "5000 is above the maximum 1000"),
            (["twist": "maybe"], .renderInvalidVariable, "not one of its values"),
            (["topik": "x"], .renderUnknownVariable, "no variable `topik`"),
        ]
        for (variables, code, message) in cases {
            let (output, diagnostics) = RenderPipeline.render(template, prompt: prompt, variables: variables)
            #expect(output == nil)
            #expect(diagnostics.first?.code == code)
            #expect(diagnostics.first?.message.contains(message) == true, "\(diagnostics)")
        }
        // allowOther accepts a value outside the options.
        let (ok, okDiagnostics) = RenderPipeline.render(template, prompt: prompt, variables: ["style": "gothic"])
        #expect(okDiagnostics.isEmpty)
        #expect(ok?.contains("id=\"cui-var-style-other\" name=\"vars[style][other]\" value=\"gothic\"") == true)
        let (_, slotDiagnostics) = RenderPipeline.render(template, prompt: prompt, slots: ["stroy": "x"])
        #expect(
            slotDiagnostics.first?.code == .renderUnknownSlot && slotDiagnostics.first?.hint == "did you mean `story`?")
    }

    @Test func renderingErrorsArePositioned() throws {
        let text = """
            <custom-ui name="x">
              <default-props>{ "n": "not a number" }</default-props>
              <view><run/><text>{{ props.n | plus: 1 }}</text></view>
            </custom-ui>
            """
        let report = Validator.validate(ui: SourceFile(path: "t.xml", text: text))
        // The dry run finds it at validation time already.
        let d = try #require(report.diagnostics.first { $0.code == .exprTypeMismatch })
        #expect(d.range?.start.line == 3)
    }
}

@Suite struct RenderSinkTests {
    /// Writing HTML straight from the builder gives exactly the bytes of building the tree first.
    @Test(arguments: [false, true])
    func directHTMLEqualsTheTreesHTML(failed: Bool) throws {
        let (template, prompt) = try compiled(RenderTests.fixture.0, prompt: RenderTests.fixture.1)
        let state = RenderTests.state(template, prompt, failed: failed)
        let tree = try RenderTreeBuilder.build(template, prompt: prompt, state: state)
        let renderer = HTMLRenderer(title: "x")
        var builder = RenderTreeBuilder(template, prompt: prompt, state: state)
        #expect(try renderer.render(&builder) == renderer.render(tree))
    }
}
