import CustomUI
import CustomUICore
import Foundation
import Testing

@testable import TemplateLibrary

@Suite struct StarterTests {
    var directory: String { repositoryRoot.appendingPathComponent("Templates").path }

    @Test func everyStarterValidatesWithNoDiagnostics() throws {
        let starters = try Library.loadStarters(directory: directory)
        #expect(starters.count >= 4)
        for starter in starters {
            let prompt = try #require(starter.promptText, "\(starter.slug) has no demo prompt")
            let report = Validator.validate(
                ui: SourceFile(path: starter.path, text: starter.templateText),
                prompt: SourceFile(path: starter.slug + ".prompt.json", text: prompt))
            #expect(report.diagnostics.isEmpty, "\(starter.slug): \(report.diagnostics.map(\.description))")
            #expect(["beginner", "intermediate", "advanced"].contains(starter.difficulty))
            #expect(starter.category != "general", "\(starter.slug) has a meta.json with a category")
            #expect(!starter.tags.isEmpty)
        }
    }

    @Test(arguments: LibraryStoreKind.allCases) func installingStartersPublishesThemAndIsIdempotent(
        store: LibraryStoreKind
    ) throws {
        guard let f = try Fixture(store) else { return }
        let starters = try Library.loadStarters(directory: directory)
        let first = try f.library.installStarters(starters, user: "customui")
        #expect(first.allSatisfy { if case .published = $0 { true } else { false } })
        let visible = try f.library.search(LibraryQuery(), user: "someone")
        #expect(visible.count == starters.count, "starters are public and active")
        #expect(try f.library.search(LibraryQuery(tags: ["starter"]), user: "someone").count == starters.count)
        let second = try f.library.installStarters(starters, user: "customui")
        #expect(second.allSatisfy { if case .unchanged = $0 { true } else { false } })
        let gallery = try f.library.db.scalar(
            "SELECT count(*) FROM prompt_custom_ui_templates WHERE is_official = TRUE"
        )
        .int
        #expect(gallery == starters.count)
    }

    @Test func badMetadataIsAClearError() throws {
        let dir = TemporaryDirectory()
        try template("Meta").text.write(toFile: dir.file("meta.ui.xml"), atomically: true, encoding: .utf8)
        try "[1, 2]".write(toFile: dir.file("meta.meta.json"), atomically: true, encoding: .utf8)
        #expect(libraryErrorCode { _ = try Library.loadStarters(directory: dir.path) } == .libraryInvalidInput)
        #expect(libraryErrorCode { _ = try Library.loadStarters(directory: dir.file("missing")) } == .libraryCannotOpen)
    }
}
