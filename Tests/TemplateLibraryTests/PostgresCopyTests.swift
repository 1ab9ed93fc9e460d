import CustomUI
import CustomUICore
import Foundation
import JSONSchema
import Testing

@testable import TemplateLibrary

/// `library copy`: a whole library from SQLite to PostgreSQL and back, compared row by row.
@Suite struct PostgresCopyTests {
    /// Every row of every table, keyed by table, each row's JSON text columns parsed and written
    /// with sorted keys (jsonb stores objects in its own key order, and its own spacing).
    static func rows(_ library: Library) throws -> [String: [String]] {
        let archive = try JSONParser.parseValue(try library.exportAll())
        var result: [String: [String]] = [:]
        for (table, rows) in archive["tables"]?.objectValue ?? ValueObject() {
            result[table] = (rows.arrayValue ?? []).map { row in
                var object = ValueObject()
                for (column, value) in row.objectValue ?? ValueObject() {
                    if let text = value.stringValue, text.hasPrefix("{") || text.hasPrefix("["),
                        let parsed = try? JSONParser.parseValue(text)
                    {
                        object[column] = .string(canonical(parsed))
                    } else {
                        object[column] = value
                    }
                }
                return canonical(.object(object))
            }.sorted()
        }
        return result
    }

    static func canonical(_ value: Value) -> String {
        switch value {
        case .object(let o):
            return "{" + o.keys.sorted().map { "\"\($0)\":" + canonical(o[$0] ?? .null) }.joined(separator: ",") + "}"
        case .array(let a):
            return "[" + a.map(canonical).joined(separator: ",") + "]"
        default:
            return JSONWriter().string(value)
        }
    }

    @Test func aWholeLibraryGoesToPostgresAndBackLosslessly() throws {
        guard postgresAvailable() else { return }
        let cluster = try PostgresCluster.shared()
        let source = try Fixture()
        try source.published("Greeter", category: "chat", tags: ["hello", "starter"])
        try source.published("Greeter", body: "v2")
        _ = try source.library.publish(ui: template("Private"), user: "alice", options: PublishOptions(activate: true))
        try source.published("Bobs", user: "bob", body: "bob")
        try source.library.rate("alice/Greeter", rating: 4, feedback: "nice", user: "bob")
        try source.library.rate("bob/Bobs", rating: 2, user: "alice")
        var run = RunRecord(id: UUID().uuidString.lowercased(), name: "Greeter")
        run.userID = "bob"
        run.settings = ["temperature": .double(0.25), "model": "m"]
        run.variableValues = ["topic": "tea", "a": "b"]
        try source.library.record(run: run)
        var task = TaskRecord(id: "task-1", runID: run.id, service: "chat", requestData: ["z": 1, "a": [true, nil]])
        task.responseText = "hello"
        task.cost = 0.125
        let bobs = try Library(path: source.path, recorderUser: "bob")
        try bobs.record(task: task)
        let greeter = try source.library.entry("alice/Greeter", user: "bob")
        try source.library.recordUsage(
            uiID: greeter.id, user: "bob", runID: run.id, variables: ["topic": "tea"], durationMs: 12)
        _ = try source.library.installStarters(
            [
                StarterTemplate(
                    slug: "s", templateText: template("Starter").text, promptText: nil, category: "form",
                    tags: ["starter"], difficulty: "beginner", path: "s.ui.xml")
            ], user: "customui")

        let database = try cluster.newDatabase()
        let owner = cluster.url(role: "customui_owner", database: database)
        let pg = try Library.open(owner, administrative: true)
        let imported = try pg.importArchive(try source.library.exportAll(), user: "customui-copy")
        #expect(imported.uis.count == 4)
        let back = TemporaryDirectory()
        let again = try Library(path: back.file("again.sqlite"))
        _ = try again.importArchive(try pg.exportAll(), user: "customui-copy")

        let original = try Self.rows(source.library)
        #expect(try Self.rows(pg) == original, "SQLite → PostgreSQL")
        #expect(try Self.rows(again) == original, "PostgreSQL → SQLite")
        // The copy is a working library for the engine's role, under the policies.
        let engine = try Library.open(cluster.url(role: "customui_app", database: database))
        #expect(try engine.entry("alice/Greeter", user: "bob").ratingAverage == 4)
        #expect(try engine.entry("alice/Greeter", user: "bob").uiUseCount == 1)
        #expect(try engine.runs(user: "bob").count == 1)
        #expect(try engine.runs(user: "alice").isEmpty)
        #expect(libraryErrorCode { _ = try engine.entry("alice/Private", user: "bob") } == .libraryNotFound)
        // Copying as the engine's role would see only public rows: refused, not a partial copy.
        let partial = #expect(throws: LibraryError.self) {
            _ = try Library.open(cluster.url(role: "customui_app", database: database), administrative: true)
        }
        #expect(partial?.code == .libraryDenied)
        #expect(partial?.hint?.contains("owner") == true)
    }
}
