import CustomUI
import CustomUICore
import Foundation
import Testing

@testable import TemplateLibrary

@Suite struct LifecycleTests {
    @Test(arguments: LibraryStoreKind.allCases) func firstPublishIsDraftVersionOneWithHashAndNoParent(
        store: LibraryStoreKind
    ) throws {
        guard let f = try Fixture(store) else { return }
        let outcome = try f.library.publish(ui: template("Greeter"), user: "alice")
        guard case .published(let e) = outcome else {
            Issue.record("expected a new version")
            return
        }
        #expect(e.version == 1)
        #expect(e.definition.parentVersionID == nil)
        #expect(e.definition.status == .draft)
        #expect(e.definition.isPublic == false)
        #expect(e.definition.validated)
        #expect(e.definition.publishedAt == nil)
        #expect(e.owner == "alice")
        #expect(e.contentHash == SHA256.hex(e.templateText))
        #expect(e.templateText.contains("<custom-ui name=\"Greeter\""))
    }

    @Test(arguments: LibraryStoreKind.allCases) func identicalContentIsANoOp(store: LibraryStoreKind) throws {
        guard let f = try Fixture(store) else { return }
        let first = try f.library.publish(ui: template("Greeter"), user: "alice").entry
        let again = try f.library.publish(ui: template("Greeter"), user: "alice")
        #expect(again == .unchanged(first))
        #expect(try f.library.versions("Greeter", user: "alice").count == 1)
    }

    @Test(arguments: LibraryStoreKind.allCases) func changedContentMakesTheNextVersionLinkedToItsParent(
        store: LibraryStoreKind
    ) throws {
        guard let f = try Fixture(store) else { return }
        let v1 = try f.library.publish(
            ui: template("Greeter"), user: "alice", options: PublishOptions(category: "demo", tags: ["a"])
        ).entry
        let v2 = try f.library.publish(ui: template("Greeter", body: "v2"), user: "alice").entry
        #expect(v2.version == 2)
        #expect(v2.uiID == v1.uiID)
        #expect(v2.definition.parentVersionID == v1.id)
        #expect(v2.contentHash != v1.contentHash)
        #expect(v2.category == "demo", "the category is inherited from the parent")
        #expect(v2.tags == ["a"])
        let history = try f.library.versions("Greeter", user: "alice")
        #expect(history.map(\.version) == [2, 1])
        #expect(history.map(\.isLatest) == [true, false])
    }

    @Test(arguments: LibraryStoreKind.allCases) func definitionWithErrorsIsRefusedAndNothingIsWritten(
        store: LibraryStoreKind
    ) throws {
        guard let f = try Fixture(store) else { return }
        let bad = SourceFile(path: "bad.ui.xml", text: "<custom-ui name=\"Bad\"><view><headng/></view></custom-ui>")
        var thrown: LibraryError?
        do {
            _ = try f.library.publish(ui: bad, user: "alice")
        } catch {
            thrown = error
        }
        #expect(thrown?.code == .libraryInvalidDefinition)
        #expect(thrown?.diagnostics.hasErrors == true)
        #expect(try f.library.search(LibraryQuery(), user: "alice").isEmpty)
    }

    @Test(arguments: LibraryStoreKind.allCases) func draftThenActiveThenArchived(store: LibraryStoreKind) throws {
        guard let f = try Fixture(store) else { return }
        _ = try f.library.publish(ui: template("Greeter"), user: "alice", options: PublishOptions(isPublic: true))
        #expect(try f.library.search(LibraryQuery(), user: "bob").isEmpty, "a public draft is not visible to others")
        let active = try f.library.activate("Greeter", user: "alice")
        #expect(active.definition.status == .active)
        #expect(active.definition.publishedAt != nil)
        #expect(try f.library.search(LibraryQuery(), user: "bob").map(\.definition.name) == ["Greeter"])
        let archived = try f.library.archive("Greeter", user: "alice")
        #expect(archived.definition.status == .archived)
        #expect(try f.library.search(LibraryQuery(), user: "bob").isEmpty)
        #expect(try f.library.search(LibraryQuery(status: .archived), user: "alice").count == 1)
    }

    @Test(arguments: LibraryStoreKind.allCases) func activatingANewVersionArchivesTheOldActiveOne(
        store: LibraryStoreKind
    ) throws {
        guard let f = try Fixture(store) else { return }
        try f.published("Greeter")
        _ = try f.library.publish(ui: template("Greeter", body: "v2"), user: "alice")
        // Others still see version 1 while version 2 is a draft.
        #expect(try f.library.entry("alice/Greeter", user: "bob").version == 1)
        _ = try f.library.activate("Greeter", user: "alice")
        let history = try f.library.versions("Greeter", user: "alice")
        #expect(history.map(\.definition.status) == [.active, .archived])
        #expect(try f.library.entry("alice/Greeter", user: "bob").version == 2)
        #expect(
            try f.library.versions("alice/Greeter", user: "bob").map(\.version) == [2],
            "others see only public active versions")
    }

    @Test(arguments: LibraryStoreKind.allCases) func publishWithActivateArchivesThePreviousActiveVersion(
        store: LibraryStoreKind
    ) throws {
        guard let f = try Fixture(store) else { return }
        try f.published("Greeter")
        let v2 = try f.library.publish(
            ui: template("Greeter", body: "v2"), user: "alice", options: PublishOptions(activate: true)
        ).entry
        #expect(v2.definition.status == .active)
        #expect(v2.definition.isPublic, "visibility is inherited")
        #expect(try f.library.entry("Greeter", version: 1, user: "alice").definition.status == .archived)
    }

    @Test(arguments: LibraryStoreKind.allCases) func visibilityAndFeaturing(store: LibraryStoreKind) throws {
        guard let f = try Fixture(store) else { return }
        try f.published("Greeter")
        let featured = try f.library.feature("Greeter", true, user: "alice")
        #expect(featured.definition.isFeatured)
        #expect(try f.library.search(LibraryQuery(isFeatured: true), user: "bob").count == 1)
        let hidden = try f.library.setPublic("Greeter", false, user: "alice")
        #expect(hidden.definition.isPublic == false)
        #expect(try f.library.search(LibraryQuery(), user: "bob").isEmpty)
    }

    @Test(arguments: LibraryStoreKind.allCases) func warningsAreKeptAsValidationErrors(store: LibraryStoreKind) throws {
        guard let f = try Fixture(store) else { return }
        // A heading that skips a level is an accessibility warning, not an error.
        let ui = SourceFile(
            path: "w.ui.xml",
            text:
                "<custom-ui name=\"Warned\"><view><heading level=\"1\">A</heading><heading level=\"3\">B</heading><run label=\"Go\"/><slot name=\"a\" label=\"A\"/></view></custom-ui>"
        )
        let report = Validator.validate(ui: ui)
        try #require(!report.hasErrors)
        let entry = try f.library.publish(report, user: "alice").entry
        let warnings = report.diagnostics.filter { $0.severity == .warning }
        try #require(!warnings.isEmpty)
        #expect(entry.definition.validationErrors?.arrayValue?.count == warnings.count)
    }

    @Test(arguments: LibraryStoreKind.allCases) func exportRoundTripsThroughImport(store: LibraryStoreKind) throws {
        guard let f = try Fixture(store) else { return }
        try f.published("Greeter", body: "exported")
        let text = try f.library.export("Greeter", asDefinition: false, user: "alice")
        let json = try f.library.export("Greeter", asDefinition: true, user: "alice")
        #expect(text.contains("exported"))
        #expect(json.contains("\"component_code\""))

        let other = try Fixture()
        let imported = try other.library.publish(ui: SourceFile(path: "x.definition.json", text: json), user: "carol")
            .entry
        #expect(imported.contentHash == (try f.library.entry("Greeter", user: "alice").contentHash))
        let fromTemplate = try other.library.publish(ui: SourceFile(path: "x.ui.xml", text: text), user: "carol")
        #expect(fromTemplate == .unchanged(imported), "both forms have the same canonical text")
    }

    @Test(arguments: LibraryStoreKind.allCases) func publishingANewVersionOfAnotherUIByReference(
        store: LibraryStoreKind
    ) throws {
        guard let f = try Fixture(store) else { return }
        let v1 = try f.published("Greeter")
        let renamed = try f.library.publish(
            ui: template("Greeter 2", body: "renamed"), user: "alice", options: PublishOptions(uiReference: v1.uiID)
        ).entry
        #expect(renamed.uiID == v1.uiID)
        #expect(renamed.version == 2)
        #expect(renamed.definition.name == "Greeter 2")
    }
}
