import CustomUI
import CustomUICore
import Foundation
import Testing

@testable import TemplateLibrary

/// Every command against every kind of UI, on both stores: the acting user `bob` tries each
/// command on his own UI, on alice's public active, private, draft and archived UIs, and on one
/// that does not exist. A UI bob may not see answers exactly as a missing one.
@Suite struct AccessMatrixTests {
    enum Target: String, CaseIterable {
        case own = "bob/Mine"
        case othersPublicActive = "alice/Public"
        case othersPrivate = "alice/Private"
        case othersDraft = "alice/Draft"
        case archived = "alice/Archived"
        case missing = "alice/Missing"
    }

    /// What each command may do, by target: nil allowed, else the code.
    static let expected: [String: [Target: DiagnosticCode?]] = {
        let hidden: [Target: DiagnosticCode?] = [
            .othersPrivate: .libraryNotFound, .othersDraft: .libraryNotFound, .archived: .libraryNotFound,
            .missing: .libraryNotFound,
        ]
        func rule(own: DiagnosticCode?, publicActive: DiagnosticCode?) -> [Target: DiagnosticCode?] {
            hidden.merging([.own: own, .othersPublicActive: publicActive]) { a, _ in a }
        }
        let view = rule(own: nil, publicActive: nil)
        let change = rule(own: nil, publicActive: .libraryDenied)
        return [
            "show": view, "versions": view, "export": view, "export-history": change, "usage": view,
            "runs": view, "record-usage": view,
            "publish-version": change, "activate": change, "archive": change, "visibility": change,
            "feature": change, "delete": change,
            "rate": rule(own: .libraryDenied, publicActive: nil),
        ]
    }()

    func attempt(_ command: String, _ reference: String, on library: Library) throws {
        let user = "bob"
        switch command {
        case "show": _ = try library.entry(reference, user: user)
        case "versions": _ = try library.versions(reference, user: user)
        case "export": _ = try library.export(reference, asDefinition: false, user: user)
        case "export-history": _ = try library.exportArchive(reference, user: user)
        case "usage": _ = try library.usage(user: user, uiReference: reference)
        case "runs": _ = try library.runs(RunQuery(uiReference: reference), user: user)
        case "record-usage": try library.recordUsage(uiID: reference, user: user)
        case "publish-version":
            _ = try library.publish(
                ui: template("Next", body: "next"), user: user, options: PublishOptions(uiReference: reference))
        case "activate": try library.activate(reference, user: user)
        case "archive": try library.archive(reference, user: user)
        case "visibility": try library.setPublic(reference, false, user: user)
        case "feature": try library.feature(reference, true, user: user)
        case "delete": _ = try library.delete(reference, user: user)
        case "rate": try library.rate(reference, rating: 5, user: user)
        default: Issue.record("unknown command \(command)")
        }
    }

    @Test(arguments: LibraryStoreKind.allCases) func everyCommandAgainstEveryKindOfUI(store: LibraryStoreKind) throws {
        for command in Self.expected.keys.sorted() {
            guard let f = try Fixture(store) else { return }
            try f.published("Mine", user: "bob", body: "bob's")
            try f.published("Public")
            _ = try f.library.publish(ui: template("Private"), user: "alice", options: PublishOptions(activate: true))
            _ = try f.library.publish(ui: template("Draft"), user: "alice", options: PublishOptions(isPublic: true))
            try f.published("Archived")
            try f.library.archive("alice/Archived", user: "alice")
            for target in Target.allCases {
                let before = try f.library.exportAll()
                let code = libraryErrorCode { try attempt(command, target.rawValue, on: f.library) }
                let want = Self.expected[command]?[target] ?? nil
                #expect(code == want, "\(store): bob \(command) \(target.rawValue)")
                if want != nil {
                    #expect(try f.library.exportAll() == before, "\(store): a refused \(command) wrote nothing")
                }
            }
        }
    }
}
