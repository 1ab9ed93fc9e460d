import CustomUICore
import Foundation
import Streaming
import Testing

@testable import CustomUI

/// What the docs say about empty values, the tool does: an empty value is sent as empty text unless
/// the variable is marked `required`, and then the run stops before anything is sent.
@Suite struct RequiredVariableTests {
    static let prompt = """
        {
          "messages": [{ "role": "user", "content": "Summarise {{article}}. {{notes}}" }],
          "variableDefaults": [
            { "name": "article", "defaultValue": "", "required": true },
            { "name": "notes", "defaultValue": "" }
          ],
          "settings": { "model_id": "gpt-4o-mini" }
        }
        """

    static func session() throws -> Session {
        let report = Validator.validate(
            ui: SourceFile(
                path: "t.ui.xml",
                text:
                    "<custom-ui name=\"x\" execution-mode=\"manual-with-visible-variables\"><view><variables/><run/><slot name=\"a\"/></view></custom-ui>"
            ),
            prompt: SourceFile(path: "t.prompt.json", text: prompt))
        #expect(!report.hasErrors, "\(report.diagnostics)")
        return Session(
            template: try #require(report.template), prompt: try #require(report.prompt),
            transport: ReplayTransport(file: URL(fileURLWithPath: "/dev/null")))
    }

    @Test func anEmptyRequiredValueStopsTheRunAtTheVariable() throws {
        let session = try Self.session()
        session.setVariable("article", "   ")
        let (request, refused) = session.begin()
        #expect(request == nil)
        let d = try #require(refused.first)
        #expect(refused.count == 1, "\(refused)")
        #expect(d.code == .promptMissingValue && d.file == "t.prompt.json")
        #expect(d.range?.start.line == 4 && d.range?.start.column == 15)
        #expect(d.message == "`article` is required, but its value is empty")
    }

    @Test func anEmptyOptionalValueIsSentAsEmptyText() throws {
        let session = try Self.session()
        session.setVariable("article", "the tides")
        let (request, refused) = session.begin()
        #expect(refused.isEmpty, "\(refused)")
        #expect(request?.messages.first?.content == "Summarise the tides. ")
    }

    @Test func requiredIsPartOfThePromptSchema() {
        let bad = Prompt.load(
            SourceFile(
                path: "p.json",
                text: Self.prompt.replacingOccurrences(of: "\"required\": true", with: "\"required\": \"yes\"")))
        #expect(bad.diagnostics.contains { $0.code == .promptInvalid })
        #expect(Prompt.load(SourceFile(path: "p.json", text: Self.prompt)).prompt?.variables.first?.required == true)
    }
}
