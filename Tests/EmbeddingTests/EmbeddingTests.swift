import CustomUI
import CustomUICore
import Foundation
import Markdown
import Streaming
import Testing

/// The engine as a Swift developer embeds it: only the public API (no `@testable import`), on the
/// bundled story-writer example: validate, render to both targets, run over a recorded stream.
@Suite struct EmbeddingTests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples/story-writer")

    static func file(_ name: String) throws -> SourceFile {
        let url = example.appendingPathComponent(name)
        return SourceFile(path: url.path, text: try String(contentsOf: url, encoding: .utf8))
    }

    static func checked() throws -> (ValidationReport, CompiledTemplate) {
        let report = Validator.validate(
            ui: try file("story-writer.ui.xml"), prompt: try file("story-writer.prompt.json"),
            props: try file("story-writer.props.json"))
        #expect(!report.hasErrors, "\(report.diagnostics)")
        let (template, diagnostics) = RenderPipeline.template(for: report, props: report.props)
        #expect(!diagnostics.hasErrors)
        return (report, try #require(template))
    }

    @Test func validatesAndRendersBothTargets() throws {
        let (report, template) = try Self.checked()
        let html = RenderPipeline.render(
            template, prompt: report.prompt, props: report.props, slots: ["story": "Once **upon** a time"])
        let page = try #require(html.output)
        #expect(page.contains("<strong>upon</strong>"))
        #expect(page.hasPrefix("<!DOCTYPE html>") || page.hasPrefix("<!doctype html>"))
        let terminal = RenderPipeline.render(
            template, prompt: report.prompt, props: report.props, slots: ["story": "Once upon a time"],
            options: RenderOptions(format: .terminal, terminal: TerminalStyle(width: 60, color: false)))
        #expect(try #require(terminal.output).contains("Once upon a time"))
    }

    @Test func invalidTemplateGivesPositionedDiagnostics() throws {
        let report = Validator.validate(
            ui: SourceFile(path: "bad.ui.xml", text: "<custom-ui name=\"x\"><view><nope/></view></custom-ui>"))
        #expect(report.hasErrors)
        let first = try #require(report.diagnostics.first { $0.severity == .error })
        #expect(first.range != nil)
        let printed = DiagnosticRenderer(sources: report.sources).render(report.diagnostics)
        #expect(printed.contains("bad.ui.xml:1:"))
    }

    @Test func runsOverARecordedStream() async throws {
        let (report, template) = try Self.checked()
        let prompt = try #require(report.prompt)
        let session = Session(
            template: template, prompt: prompt, props: report.props,
            transport: ReplayTransport(file: Self.example.appendingPathComponent("story-writer.stream.ndjson")))
        let diagnostics = await session.run()
        #expect(!diagnostics.hasErrors, "\(diagnostics)")
        #expect(session.state.runStatus == "completed")
        let slot = try #require(session.responseSlot)
        #expect(!(session.state.slots[slot] ?? "").isEmpty)
    }
}
