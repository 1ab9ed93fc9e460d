import CustomUI
import CustomUICore
import Foundation
import Testing

@testable import TemplateLibrary

/// Each rule of the policy, allowed and denied; denials leave the library unchanged.
@Suite struct AccessTests {
    @Test func policyTable() throws {
        let published = AccessFacts(owner: "alice", isPublic: true, status: .active)
        let draft = AccessFacts(owner: "alice", isPublic: true, status: .draft)
        let privateActive = AccessFacts(owner: "alice", isPublic: false, status: .active)
        #expect(AccessPolicy.canView("alice", privateActive))
        #expect(AccessPolicy.canView("bob", published))
        #expect(!AccessPolicy.canView("bob", draft))
        #expect(!AccessPolicy.canView("bob", privateActive))
        func code(_ action: LibraryAction, _ user: String, _ facts: AccessFacts) -> DiagnosticCode? {
            libraryErrorCode { try AccessPolicy.check(action, user: user, facts: facts, name: "ui") }
        }
        #expect(code(.view, "bob", published) == nil)
        #expect(code(.view, "bob", draft) == .libraryNotFound)
        #expect(code(.changeLifecycle, "alice", draft) == nil)
        #expect(code(.changeLifecycle, "bob", published) == .libraryDenied)
        #expect(code(.publishVersion, "bob", published) == .libraryDenied)
        #expect(code(.feature, "alice", published) == nil)
        #expect(code(.feature, "alice", draft) == .libraryDenied)
        #expect(code(.feature, "bob", published) == .libraryDenied)
        #expect(code(.rate, "bob", published) == nil)
        #expect(code(.rate, "alice", published) == .libraryDenied)
        #expect(code(.rate, "bob", draft) == .libraryNotFound)
        #expect(code(.recordUsage, "bob", published) == nil)
        #expect(code(.recordUsage, "bob", privateActive) == .libraryNotFound)
        #expect(AccessPolicy.canViewRecord("alice", owner: "alice"))
        #expect(!AccessPolicy.canViewRecord("bob", owner: "alice"))
    }

    @Test(arguments: LibraryStoreKind.allCases) func usersSeeTheirOwnAndPublicActiveUIs(store: LibraryStoreKind) throws
    {
        guard let f = try Fixture(store) else { return }
        try f.published("Public")
        _ = try f.library.publish(ui: template("Private"), user: "alice", options: PublishOptions(activate: true))
        _ = try f.library.publish(ui: template("Draft"), user: "alice", options: PublishOptions(isPublic: true))
        #expect(
            Set(try f.library.search(LibraryQuery(), user: "alice").map(\.definition.name)) == [
                "Public", "Private", "Draft",
            ])
        #expect(try f.library.search(LibraryQuery(), user: "bob").map(\.definition.name) == ["Public"])
        #expect(libraryErrorCode { _ = try f.library.entry("alice/Private", user: "bob") } == .libraryNotFound)
        #expect(
            libraryErrorCode { _ = try f.library.export("alice/Draft", asDefinition: false, user: "bob") }
                == .libraryNotFound)
        #expect(libraryErrorCode { _ = try f.library.versions("alice/Draft", user: "bob") } == .libraryNotFound)
        #expect(try f.library.entry("alice/Public", user: "bob").definition.name == "Public")
    }

    @Test(arguments: LibraryStoreKind.allCases) func onlyOwnersChangeAndDenialsWriteNothing(store: LibraryStoreKind)
        throws
    {
        guard let f = try Fixture(store) else { return }
        let before = try f.published("Greeter")
        #expect(libraryErrorCode { _ = try f.library.archive("alice/Greeter", user: "bob") } == .libraryDenied)
        #expect(libraryErrorCode { _ = try f.library.activate("alice/Greeter", user: "bob") } == .libraryDenied)
        #expect(libraryErrorCode { _ = try f.library.setPublic("alice/Greeter", false, user: "bob") } == .libraryDenied)
        #expect(libraryErrorCode { _ = try f.library.feature("alice/Greeter", true, user: "bob") } == .libraryDenied)
        #expect(
            libraryErrorCode {
                _ = try f.library.publish(
                    ui: template("Greeter", body: "hijack"), user: "bob",
                    options: PublishOptions(uiReference: before.uiID))
            } == .libraryDenied)
        #expect(try f.library.entry("Greeter", user: "alice") == before)
        #expect(try f.library.versions("Greeter", user: "alice").count == 1)
        // Allowed: the owner archives.
        #expect(try f.library.archive("Greeter", user: "alice").definition.status == .archived)
    }

    @Test(arguments: LibraryStoreKind.allCases) func samNameByAnotherUserIsTheirOwnUI(store: LibraryStoreKind) throws {
        guard let f = try Fixture(store) else { return }
        let alices = try f.published("Greeter")
        let bobs = try f.published("Greeter", user: "bob", body: "bob's")
        #expect(alices.uiID != bobs.uiID)
        #expect(bobs.version == 1)
        #expect(libraryErrorCode { _ = try f.library.entry("Greeter", user: "carol") } == .libraryAmbiguous)
        #expect(try f.library.entry("bob/Greeter", user: "carol").uiID == bobs.uiID)
    }

    @Test(arguments: LibraryStoreKind.allCases) func ratingRules(store: LibraryStoreKind) throws {
        guard let f = try Fixture(store) else { return }
        try f.published("Greeter")
        _ = try f.library.publish(ui: template("Hidden"), user: "alice", options: PublishOptions(activate: true))
        #expect(
            libraryErrorCode { try f.library.rate("Greeter", rating: 5, user: "alice") } == .libraryDenied,
            "no rating your own UI")
        #expect(libraryErrorCode { try f.library.rate("alice/Hidden", rating: 5, user: "bob") } == .libraryNotFound)
        #expect(
            libraryErrorCode { try f.library.rate("alice/Greeter", rating: 0, user: "bob") } == .libraryInvalidInput)
        #expect(
            libraryErrorCode { try f.library.rate("alice/Greeter", rating: 6, user: "bob") } == .libraryInvalidInput)
        #expect(try f.library.entry("Greeter", user: "alice").ratingCount == 0)
        #expect(try f.library.rate("alice/Greeter", rating: 3, user: "bob").count == 1)
    }

    @Test(arguments: LibraryStoreKind.allCases) func usageAndRunsAreVisibleOnlyToTheirUser(store: LibraryStoreKind)
        throws
    {
        guard let f = try Fixture(store) else { return }
        let ui = try f.published("Greeter")
        var run = RunRecord(id: "run-bob", name: "bob's run")
        run.userID = "bob"
        try f.library.record(run: run)
        try f.library.recordUsage(uiID: ui.id, user: "bob", runID: "run-bob")
        try f.library.recordUsage(uiID: ui.id, user: "alice")
        #expect(try f.library.usage(user: "bob").map(\.userID) == ["bob"])
        #expect(try f.library.usage(user: "alice").map(\.userID) == ["alice"])
        #expect(try f.library.runs(user: "alice").isEmpty)
        #expect(try f.library.runs(user: "bob").map(\.run.id) == ["run-bob"])
        #expect(libraryErrorCode { _ = try f.library.run("run-bob", user: "alice") } == .libraryNotFound)
        // Alice cannot overwrite bob's run, nor attach usage to it.
        var stolen = RunRecord(id: "run-bob", name: "mine now")
        stolen.userID = "alice"
        #expect(libraryErrorCode { try f.library.record(run: stolen) } == .libraryDenied)
        #expect(
            libraryErrorCode { try f.library.recordUsage(uiID: ui.id, user: "alice", runID: "run-bob") }
                == .libraryDenied)
        #expect(try f.library.run("run-bob", user: "bob").run.name == "bob's run")
    }

    @Test(arguments: LibraryStoreKind.allCases) func usageOfAnInvisibleUIIsDenied(store: LibraryStoreKind) throws {
        guard let f = try Fixture(store) else { return }
        let privateUI = try f.library.publish(
            ui: template("Private"), user: "alice", options: PublishOptions(activate: true)
        ).entry
        #expect(libraryErrorCode { try f.library.recordUsage(uiID: privateUI.id, user: "bob") } == .libraryNotFound)
        #expect(try f.library.entry("Private", user: "alice").uiUseCount == 0)
    }
}
