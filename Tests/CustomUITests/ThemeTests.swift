import CustomUICore
import Foundation
import Testing

@testable import CustomUI

/// `layout_config` and `styling_config`: a closed grammar, checked by validation with positions,
/// so what validates is what renders and publishes.
@Suite struct ThemeTests {
    @Test(arguments: [
        ("#36C", "#36c"), ("#3366cc", "#3366cc"), ("#3366cc80", "#3366cc80"), ("#36c8", "#36c8"),
        ("rgb(51, 102, 204)", "rgb(51, 102, 204)"), ("rgb(51 102 204)", "rgb(51, 102, 204)"),
        ("rgba(51, 102, 204, 0.5)", "rgba(51, 102, 204, 0.5)"), ("rgb(20% 40% 80% / 50%)", "rgba(20%, 40%, 80%, 50%)"),
        ("hsl(220, 60%, 50%)", "hsl(220, 60%, 50%)"), ("hsl(220deg 60% 50% / 0.25)", "hsla(220, 60%, 50%, 0.25)"),
        ("Purple", "purple"), ("rebeccapurple", "rebeccapurple"), ("transparent", "transparent"),
    ])
    func colourFormsAuthorsWriteAreAccepted(written: String, css: String) {
        #expect(Theme.validate(written, .color) == css)
    }

    @Test(arguments: [
        "purpel", "#12345", "#ggg", "rgb(256, 0, 0)", "rgb(10%, 20, 30)", "rgb(1, 2)", "rgb(1, 2, 3, 4, 5)",
        "rgb(-1, 0, 0)",
        "hsl(220, 60, 50)", "hsl(400, 60%, 50%)", "rgba(1, 2, 3, 2)", "red; background: url(x)",
        "url(javascript:alert(1))",
        "rgb(1e2, 0, 0)", "var(--x)", "calc(1 + 2)", "currentcolor", "", "rgb(1, 2, 3))",
    ])
    func anythingElseIsRefused(written: String) {
        #expect(Theme.validate(written, .color) == nil)
    }

    static func validate(_ text: String, path: String = "t.ui.xml") -> ValidationReport {
        Validator.validate(ui: SourceFile(path: path, text: text))
    }

    @Test func templateConfigurationIsCheckedWhereItIsWritten() throws {
        let report = Validator.validate(ui: try repositoryFile("Examples/invalid/theme.ui.xml"))
        let accent = try #require(
            report.diagnostics.first { $0.code == .styleInvalidValue && $0.message.contains("accent") })
        #expect(
            accent.file == "Examples/invalid/theme.ui.xml" && accent.range?.start.line == 14
                && accent.range?.start.column == 17)
        #expect(accent.hint?.hasPrefix("did you mean `purple`?") == true)
        let layout = try #require(report.diagnostics.first { $0.code == .layoutInvalid })
        #expect(layout.range?.start.line == 9 && layout.hint?.hasPrefix("did you mean `sidebar`?") == true)
        let key = try #require(report.diagnostics.first { $0.code == .layoutUnknownKey })
        #expect(key.severity == .warning && key.hint == "write `{ \"layout\": \"sidebar\" }`")
        let radius = try #require(report.diagnostics.first { $0.message.contains("radius") })
        #expect(radius.hint == "add a unit: `12px`")
        #expect(report.hasErrors)
    }

    @Test func definitionColumnsAreCheckedWithPositions() throws {
        let definition = """
            {
              "name": "Def", "component_type": "json-schema",
              "layout_config": { "layout": "modal", "columns": 2 },
              "styling_config": { "accent": "purple", "muted": "rgba(0 0 0 / 50%)", "surface": "#xyz" }
            }
            """
        let report = Self.validate(definition, path: "d.definition.json")
        let surface = try #require(report.diagnostics.first { $0.code == .styleInvalidValue })
        #expect(
            surface.file == "d.definition.json" && surface.range?.start.line == 4 && surface.range?.start.column == 84)
        let columns = try #require(report.diagnostics.first { $0.code == .layoutUnknownKey })
        #expect(columns.range?.start.line == 3 && columns.range?.start.column == 41)
        #expect(report.diagnostics.count == 2, "\(report.diagnostics)")
    }

    @Test func configurationThatIsNotAnObjectIsAnError() throws {
        let report = Self.validate(
            """
            <custom-ui name="x">
              <layout-config>"sidebar"</layout-config>
              <styling-config>["#fff"]</styling-config>
              <view><run/><slot name="a"/></view>
            </custom-ui>
            """)
        let codes = report.diagnostics.map { "\($0.code) \($0.range?.start.line ?? 0):\($0.range?.start.column ?? 0)" }
        #expect(codes == ["layout.invalid 2:18", "style.invalid-value 3:19"])
    }

    @Test(arguments: ["sidebar", "fullscreen", "modal"])
    func theSeedsLayoutsHaveAMeaning(layout: String) throws {
        let report = Self.validate(
            """
            <custom-ui name="x">
              <layout-config>{ "layout": "\(layout)" }</layout-config>
              <styling-config>{ "accent": "purple", "surface": "hsl(220, 60%, 98%)" }</styling-config>
              <view><run/><slot name="a"/></view>
            </custom-ui>
            """)
        #expect(report.diagnostics.isEmpty, "\(report.diagnostics)")
        let template = try #require(report.template)
        let html = try #require(RenderPipeline.render(template, prompt: nil, options: RenderOptions()).output)
        #expect(html.contains("<main class=\"cui cui-layout-\(layout)\">"))
        #expect(html.contains("--cui-accent: purple;") && html.contains("--cui-surface: hsl(220, 60%, 98%);"))
        // The stylesheet gives the layout its own rules.
        #expect(Stylesheet.css.contains(".cui-layout-\(layout) {"))
    }

    @Test func everyDocumentedLayoutHasRules() {
        for layout in Theme.layouts where layout != "default" {
            #expect(Stylesheet.css.contains(".cui-layout-\(layout)"), "\(layout) has no rules")
        }
    }
}
