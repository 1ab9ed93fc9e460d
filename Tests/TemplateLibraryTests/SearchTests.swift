import CustomUI
import CustomUICore
import Foundation
import Testing

@testable import TemplateLibrary

@Suite struct SearchTests {
    func fixture(_ store: LibraryStoreKind) throws -> Fixture? {
        guard let f = try Fixture(store) else { return nil }
        try f.published("Story writer", category: "writing", tags: ["fiction", "creative"])
        try f.published("Article summary", category: "reading", tags: ["summary"])
        try f.published("Support reply", user: "bob", category: "chat", tags: ["support", "customer"])
        return f
    }

    @Test(arguments: LibraryStoreKind.allCases) func fullTextOverNameDescriptionCategoryAndTags(store: LibraryStoreKind)
        throws
    {
        guard let f = try fixture(store) else { return }
        #expect(
            try f.library.search(LibraryQuery(text: "story"), user: "carol").map(\.definition.name) == ["Story writer"])
        #expect(
            try f.library.search(LibraryQuery(text: "summ"), user: "carol").map(\.definition.name) == [
                "Article summary"
            ], "prefix match")
        #expect(
            try f.library.search(LibraryQuery(text: "customer"), user: "carol").map(\.definition.name) == [
                "Support reply"
            ], "tags")
        #expect(
            try f.library.search(LibraryQuery(text: "reading"), user: "carol").map(\.definition.name) == [
                "Article summary"
            ], "category")
        #expect(try f.library.search(LibraryQuery(text: "hello"), user: "carol").count == 3, "description")
        #expect(try f.library.search(LibraryQuery(text: "zebra"), user: "carol").isEmpty)
    }

    /// Both stores fold accents: SQLite's FTS5 (unicode61), PostgreSQL through `unaccent` (schema 4).
    @Test(arguments: LibraryStoreKind.allCases) func accentsAreFolded(store: LibraryStoreKind) throws {
        guard let f = try fixture(store) else { return }
        try f.published("Café menu", category: "data", tags: ["crème"])
        try f.published("Resume polisher")
        #expect(try f.library.search(LibraryQuery(text: "cafe"), user: "carol").map(\.definition.name) == ["Café menu"])
        #expect(try f.library.search(LibraryQuery(text: "CAFÉ"), user: "carol").map(\.definition.name) == ["Café menu"])
        #expect(
            try f.library.search(LibraryQuery(text: "creme"), user: "carol").map(\.definition.name) == ["Café menu"])
        #expect(
            try f.library.search(LibraryQuery(text: "résumé"), user: "carol").map(\.definition.name) == [
                "Resume polisher"
            ])
    }

    @Test(arguments: LibraryStoreKind.allCases) func hostileQueryTextIsNotFTSSyntax(store: LibraryStoreKind) throws {
        guard let f = try fixture(store) else { return }
        for text in ["\"", "story\" OR *", "NEAR(", "-story", "a:b", "()", "''"] {
            #expect(throws: Never.self) { _ = try f.library.search(LibraryQuery(text: text), user: "carol") }
        }
    }

    @Test(arguments: LibraryStoreKind.allCases) func filters(store: LibraryStoreKind) throws {
        guard let f = try fixture(store) else { return }
        #expect(
            try f.library.search(LibraryQuery(category: "chat"), user: "carol").map(\.definition.name) == [
                "Support reply"
            ])
        #expect(
            try f.library.search(LibraryQuery(tags: ["fiction"]), user: "carol").map(\.definition.name) == [
                "Story writer"
            ])
        #expect(try f.library.search(LibraryQuery(tags: ["fic"]), user: "carol").isEmpty, "tags match whole")
        #expect(
            try f.library.search(LibraryQuery(owner: "bob"), user: "carol").map(\.definition.name) == ["Support reply"])
        #expect(try f.library.search(LibraryQuery(status: .draft), user: "carol").isEmpty)
        #expect(try f.library.search(LibraryQuery(isPublic: true), user: "carol").count == 3)
        #expect(try f.library.search(LibraryQuery(limit: 2), user: "carol").count == 2)
    }

    @Test(arguments: LibraryStoreKind.allCases) func sortByRatingAndRecency(store: LibraryStoreKind) throws {
        guard let f = try fixture(store) else { return }
        try f.library.rate("alice/Article summary", rating: 5, user: "carol")
        try f.library.rate("alice/Story writer", rating: 3, user: "carol")
        let byRating = try f.library.search(LibraryQuery(sort: .rating), user: "carol").map(\.definition.name)
        #expect(byRating == ["Article summary", "Story writer", "Support reply"])
        let recent = try f.library.search(LibraryQuery(sort: .recent), user: "carol").map(\.definition.name)
        #expect(recent.first == "Support reply")
    }

    @Test(arguments: LibraryStoreKind.allCases) func searchIndexFollowsNewVersions(store: LibraryStoreKind) throws {
        guard let f = try Fixture(store) else { return }
        try f.published("Greeter")
        _ = try f.library.publish(
            ui: template("Greeter", body: "v2", description: "waves politely"), user: "alice",
            options: PublishOptions(activate: true))
        #expect(try f.library.search(LibraryQuery(text: "waves"), user: "bob").map(\.version) == [2])
        #expect(
            try f.library.search(LibraryQuery(text: "hello"), user: "bob").isEmpty,
            "the archived version is not found by others")
    }
}

@Suite struct RelevanceTests {
    @Test(arguments: LibraryStoreKind.allCases) func nameMatchesComeFirstAndPagingCrossesTheTiers(
        store: LibraryStoreKind
    ) throws {
        guard let f = try Fixture(store) else { return }
        for (name, description) in [
            ("Plain", "a lantern story"), ("Lantern maker", "makes things"), ("Other", "lanterns everywhere"),
        ] {
            _ = try f.library.publish(
                ui: template(name, description: description), user: "alice",
                options: PublishOptions(isPublic: true, activate: true))
        }
        let all = try f.library.search(LibraryQuery(text: "lantern"), user: "bob").map(\.definition.name)
        #expect(all.first == "Lantern maker")
        #expect(Set(all) == ["Plain", "Lantern maker", "Other"])
        let pages = try (0..<3).map {
            try f.library.search(LibraryQuery(text: "lantern", limit: 1, offset: $0), user: "bob")
        }
        #expect(pages.map { $0.map(\.definition.name) }.flatMap { $0 } == all)
        #expect(try f.library.search(LibraryQuery(text: "lantern", limit: 5, offset: 3), user: "bob").isEmpty)
    }
}
