import CustomUI
import CustomUICore
import Foundation

/// Template figures: parse + check time for the bundled examples and for a generated 1,000-element
/// template, and how fast hostile XML is refused.
func templateBenchmarks() throws -> [Figure] {
    var figures: [Figure] = []
    let root = FileManager.default.currentDirectoryPath
    for name in ["story-writer", "article-summary", "support-reply"] {
        let base = "\(root)/Examples/\(name)/\(name)"
        guard let ui = try? String(contentsOfFile: base + ".ui.xml", encoding: .utf8),
            let prompt = try? String(contentsOfFile: base + ".prompt.json", encoding: .utf8)
        else {
            throw BenchError("run customui-bench from the repository root: Examples/\(name) not found")
        }
        let uiFile = SourceFile(path: name, text: ui)
        let promptFile = SourceFile(path: name + ".prompt.json", text: prompt)
        let seconds = secondsPerCall { _ = Validator.validate(ui: uiFile, prompt: promptFile) }
        figures.append(Figure(name: "template.validate.\(name)", value: seconds * 1e6, unit: "us"))
    }

    let large = SourceFile(path: "large.ui.xml", text: largeTemplate(cards: 100))
    let elementCount = large.text.components(separatedBy: "<").count - large.text.components(separatedBy: "</").count
    let parse = secondsPerCall { _ = TemplateParser.parse(large) }
    figures.append(Figure(name: "template.parse.\(elementCount)-elements", value: parse * 1e3, unit: "ms"))
    let prompt = SourceFile(path: "p.json", text: DiagnosticCatalog.standardPrompt)
    let check = secondsPerCall { _ = Validator.validate(ui: large, prompt: prompt) }
    figures.append(Figure(name: "template.validate.\(elementCount)-elements", value: check * 1e3, unit: "ms"))
    figures.append(
        Figure(name: "template.validate.throughput", value: Double(large.bytes.count) / check / 1e6, unit: "MB/s"))

    let hostile: [(String, String)] = [
        ("billion-laughs", billionLaughs),
        ("xxe-file", "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>"),
        ("external-dtd", "<!DOCTYPE r SYSTEM \"http://127.0.0.1:9/evil.dtd\"><r/>"),
        ("nesting-10000", String(repeating: "<a>", count: 10_000) + String(repeating: "</a>", count: 10_000)),
        ("attribute-1MiB", "<r a=\"" + String(repeating: "x", count: 1 << 20) + "\"/>"),
        ("attribute-10MB", "<r a=\"" + String(repeating: "x", count: 10_000_000) + "\"/>"),
    ]
    for (name, text) in hostile {
        let file = SourceFile(path: name, text: text)
        let seconds = secondsPerCall(minimumSeconds: 0.2) { _ = TemplateParser.parse(file) }
        figures.append(Figure(name: "template.hostile.\(name)", value: seconds * 1e6, unit: "us"))
    }
    return figures
}

let billionLaughs = """
    <?xml version="1.0"?>
    <!DOCTYPE lolz [
      <!ENTITY lol "lol">
      <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
      <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
      <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
    ]>
    <lolz>&lol9;</lolz>
    """

/// A realistic large template: `cards` cards, each with a heading, text with expressions, a badge
/// under a condition, a list with a loop, and inputs and actions at the end (10 elements per card).
func largeTemplate(cards: Int) -> String {
    var view = ""
    for i in 0..<cards {
        view += """
                <card title="Card \(i)">
                  <heading level="2">Section {{ props.title | default: 'untitled' }} \(i)</heading>
                  <text tone="muted">Topic <strong>{{ vars.topic }}</strong> in {{ vars.style | upper }} style</text>
                  <if test="props.items | length > \(i % 7)"><text><badge tone="info">hot</badge></text></if>
                  <list><each items="props.items" as="item"><item>{{ item }} #{{ loop.index1 }}</item></each></list>
                  <divider/>
                </card>

            """
    }
    return """
        <custom-ui name="Large" execution-mode="manual">
          <props-schema>{ "type": "object", "properties": { "title": { "type": "string" }, "items": { "type": "array", "items": { "type": "string" } } } }</props-schema>
          <default-props>{ "title": "Bench", "items": ["a", "b", "c"] }</default-props>
          <view>
            <heading level="1">Large</heading>
            <variable name="topic"/>
            <variable name="style"/>
            <run/>
            <slot name="answer"/>
        \(view)  </view>
        </custom-ui>
        """
}

/// W1: a catalogue of 100 items rendered to HTML, template compiled once (the workload;
/// `docs/benchmarks/w1/` has the same data and template for swift-mustache).
func w1Benchmarks() throws -> [Figure] {
    let template = """
        <custom-ui name="Catalogue" execution-mode="manual">
          <view>
            <heading level="1">{{ props.title }}</heading>
            <each items="props.items" as="item">
              <card title="{{ item.name }}">
                <text>{{ item.description }}</text>
                <if test="item.featured"><text><badge tone="info">featured</badge></text></if>
                <text tone="muted">{{ item.tags | join: ", " }}</text>
              </card>
            </each>
            <run/>
            <slot name="answer"/>
          </view>
        </custom-ui>
        """
    let report = Validator.validate(ui: SourceFile(path: "w1.ui.xml", text: template))
    guard let compiled = report.template, !report.hasErrors else {
        throw BenchError("W1 template does not validate: \(report.diagnostics)")
    }
    let props = w1Data()
    let options = RenderOptions(format: .html, fragment: true)
    guard let sample = RenderPipeline.render(compiled, prompt: nil, props: props, options: options).output else {
        throw BenchError("W1 did not render")
    }
    let seconds = secondsPerCall(minimumSeconds: 1) {
        _ = RenderPipeline.render(compiled, prompt: nil, props: props, options: options)
    }
    let cpu = cpuSecondsPerCall(runs: 1_000) {
        _ = RenderPipeline.render(compiled, prompt: nil, props: props, options: options)
    }
    if ProcessInfo.processInfo.environment["W1_BUILD_ONLY"] != nil {
        let (state, _) = RenderState.initial(compiled, prompt: nil, props: props)
        for _ in 0..<20_000 { _ = try? RenderTreeBuilder.build(compiled, prompt: nil, state: state) }
        return []
    }
    // Where the time goes, CPU per render: the initial state (props bound), evaluating the template into a
    // materialised tree, and writing that tree as HTML (escaping included). The page itself streams the
    // evaluation's events into the HTML writer without a tree, so it costs less than the phases' sum.
    let (state, _) = RenderState.initial(compiled, prompt: nil, props: props)
    let setup = cpuSecondsPerCall(runs: 1_000) { _ = RenderState.initial(compiled, prompt: nil, props: props) }
    let build = cpuSecondsPerCall(runs: 1_000) {
        _ = try? RenderTreeBuilder.build(compiled, prompt: nil, state: state)
    }
    let tree = try RenderTreeBuilder.build(compiled, prompt: nil, state: state)
    let write = cpuSecondsPerCall(runs: 1_000) { _ = HTMLRenderer(fragment: true).render(tree) }
    // The bound: writing the page's bytes once and escaping each interpolated string once, with nothing
    // evaluated: no template engine can produce this page in less.
    let dynamic = w1InterpolatedText(props)
    let bound = cpuSecondsPerCall(runs: 10_000) {
        var page: [UInt8] = []
        page.reserveCapacity(sample.utf8.count)
        page.append(contentsOf: sample.utf8)
        for text in dynamic { _ = HTMLEscaping.escape(text) }
    }
    return [
        Figure(name: "template.w1.renders-per-second", value: 1 / seconds, unit: "renders/s"),
        Figure(name: "template.w1.throughput", value: Double(sample.utf8.count) / seconds / 1e6, unit: "MB/s"),
        Figure(name: "template.w1.cpu-per-render", value: cpu * 1e6, unit: "us"),
        Figure(name: "template.w1.cpu-throughput", value: Double(sample.utf8.count) / cpu / 1e6, unit: "MB/s"),
        Figure(name: "template.w1.output-size", value: Double(sample.utf8.count), unit: "bytes"),
        Figure(name: "template.w1.phase.setup", value: setup * 1e6, unit: "us"),
        Figure(name: "template.w1.phase.evaluate-to-tree", value: build * 1e6, unit: "us"),
        Figure(name: "template.w1.phase.write-html-from-tree", value: write * 1e6, unit: "us"),
        Figure(name: "template.w1.bound", value: bound * 1e6, unit: "us"),
        Figure(name: "template.w1.render-over-bound", value: cpu / bound, unit: "x"),
    ]
}

/// The strings W1 interpolates, as the template reads them: the title, and each item's name, description and
/// joined tags.
func w1InterpolatedText(_ props: Value) -> [String] {
    guard case .object(let root) = props, case .string(let title)? = root["title"],
        case .array(let items)? = root["items"]
    else { return [] }
    var texts = [title]
    for case .object(let item) in items {
        if case .string(let name)? = item["name"] { texts.append(name) }
        if case .string(let description)? = item["description"] { texts.append(description) }
        if case .array(let tags)? = item["tags"] {
            texts.append(tags.compactMap { if case .string(let t) = $0 { t } else { nil } }.joined(separator: ", "))
        }
    }
    return texts
}

/// The W1 data: 100 items with names like `Item <3> & "friends"`, descriptions with `<b>`, `&`
/// and quotes, every third featured, three tags each.
func w1Data() -> Value {
    var items: [Value] = []
    for i in 0..<100 {
        items.append([
            "name": .string("Item <\(i)> & \"friends\""),
            "description": .string("A <b>bold</b> & 'quoted' description for item \(i), with \"double quotes\" too."),
            "featured": .bool(i % 3 == 0),
            "tags": ["alpha", .string("tag-\(i)"), "omega"],
        ])
    }
    return ["title": "Catalogue <W1> & co", "items": .array(items)]
}
