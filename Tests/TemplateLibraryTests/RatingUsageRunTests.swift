import CustomUI
import CustomUICore
import Foundation
import Testing

@testable import TemplateLibrary

@Suite struct RatingTests {
    @Test(arguments: LibraryStoreKind.allCases) func ratingAgainReplacesTheEarlierRating(store: LibraryStoreKind) throws
    {
        guard let f = try Fixture(store) else { return }
        try f.published("Greeter")
        let first = try f.library.rate("alice/Greeter", rating: 2, user: "bob")
        #expect(first == RatingSummary(average: 2, count: 1, replaced: false))
        let second = try f.library.rate("alice/Greeter", rating: 5, feedback: "better now", user: "bob")
        #expect(second == RatingSummary(average: 5, count: 1, replaced: true))
        let third = try f.library.rate("alice/Greeter", rating: 4, user: "carol")
        #expect(third.count == 2)
        #expect(third.average == 4.5)
        let entry = try f.library.entry("Greeter", user: "alice")
        #expect(entry.ratingCount == 2)
        #expect(entry.ratingAverage == 4.5)
    }

    @Test(arguments: LibraryStoreKind.allCases) func ratingsBelongToTheUIAcrossVersions(store: LibraryStoreKind) throws
    {
        guard let f = try Fixture(store) else { return }
        try f.published("Greeter")
        try f.library.rate("alice/Greeter", rating: 4, user: "bob")
        _ = try f.library.publish(
            ui: template("Greeter", body: "v2"), user: "alice", options: PublishOptions(activate: true))
        #expect(try f.library.entry("alice/Greeter", user: "bob").ratingAverage == 4)
    }
}

@Suite struct UsageTests {
    @Test(arguments: LibraryStoreKind.allCases) func recordUsageWritesARowAndCounts(store: LibraryStoreKind) throws {
        guard let f = try Fixture(store) else { return }
        let ui = try f.published("Greeter")
        let record = try f.library.recordUsage(
            uiID: ui.id, user: "bob", variables: ["topic": "cats"], success: false, error: "timed out", durationMs: 1200
        )
        #expect(record.customUIID == ui.id)
        #expect(record.success == false)
        try f.library.recordUsage(uiID: ui.uiID, user: "bob", durationMs: 300)
        let rows = try f.library.usage(user: "bob")
        #expect(rows.count == 2)
        #expect(
            rows.contains {
                $0.variablesUsed == ["topic": "cats"] && $0.errorMessage == "timed out" && $0.executionTimeMs == 1200
            })
        let entry = try f.library.entry("Greeter", user: "alice")
        #expect(entry.uiUseCount == 2)
        #expect(entry.definition.useCount == 2)
        #expect(entry.uiLastUsedAt != nil)
        #expect(entry.definition.lastUsedAt == entry.uiLastUsedAt)
        #expect(try f.library.usage(user: "bob", uiReference: "alice/Greeter").count == 2)
    }

    @Test(arguments: LibraryStoreKind.allCases) func sortByUses(store: LibraryStoreKind) throws {
        guard let f = try Fixture(store) else { return }
        let a = try f.published("Alpha")
        try f.published("Beta")
        try f.library.recordUsage(uiID: a.id, user: "bob")
        #expect(
            try f.library.search(LibraryQuery(sort: .uses), user: "bob").map(\.definition.name) == ["Alpha", "Beta"])
    }
}

@Suite struct RunStoreTests {
    func sampleRun(_ id: String, user: String? = nil, status: RunStatus = .completed, created: Date = Date())
        -> RunRecord
    {
        var run = RunRecord(id: id, name: "run \(id)", createdAt: created)
        run.userID = user
        run.status = status
        run.messages = [["role": "user", "content": "hi"]]
        run.variableValues = ["topic": "owls"]
        run.tokensTotal = 42
        run.cost = 0.0012
        return run
    }

    @Test(arguments: LibraryStoreKind.allCases) func runsAndTasksRoundTrip(store: LibraryStoreKind) throws {
        guard let f = try Fixture(store) else { return }
        let run = sampleRun("r1")
        try f.library.record(run: run)
        var task = TaskRecord(id: "t1", runID: "r1", service: "replay", requestData: ["model": "m"])
        task.status = .streaming
        try f.library.record(task: task)
        task.responseText = "Hello there"
        task.status = .completed
        task.tokensIn = 10
        task.tokensOut = 32
        task.tokensTotal = 42
        task.cost = 0.0012
        task.timeToFirstTokenMs = 150
        task.totalTimeMs = 900
        task.errors = [["error_type": "x", "message": "m"]]
        try f.library.record(task: task)  // an upsert: the same task again
        let (stored, tasks) = try f.library.run("r1", user: "alice")
        #expect(stored.userID == "alice", "the recorder user fills in a run with no user")
        #expect(stored.variableValues == ["topic": "owls"])
        #expect(stored.messages.count == 1)
        #expect(stored.tokensTotal == 42)
        #expect(tasks.count == 1)
        #expect(tasks.first?.responseText == "Hello there")
        #expect(tasks.first?.status == .completed)
        #expect(tasks.first?.timeToFirstTokenMs == 150)
        #expect(tasks.first?.errors.count == 1)
        let summary = try f.library.runs(user: "alice")
        #expect(summary.first?.taskCount == 1)
        #expect(summary.first?.timeToFirstTokenMs == 150)
        #expect(summary.first?.totalTimeMs == 900)
    }

    @Test(arguments: LibraryStoreKind.allCases) func aTaskNeedsItsRun(store: LibraryStoreKind) throws {
        guard let f = try Fixture(store) else { return }
        let task = TaskRecord(id: "t", runID: "missing", service: "replay", requestData: [:])
        #expect(libraryErrorCode { try f.library.record(task: task) } == .libraryNotFound)
    }

    @Test(arguments: LibraryStoreKind.allCases) func runFilters(store: LibraryStoreKind) throws {
        guard let f = try Fixture(store) else { return }
        let ui = try f.published("Greeter")
        let old = Date(timeIntervalSince1970: 1_700_000_000)
        try f.library.record(run: sampleRun("old", status: .failed, created: old))
        var withUI = sampleRun("new")
        withUI.customUIID = ui.id
        try f.library.record(run: withUI)
        #expect(try f.library.runs(RunQuery(status: .failed), user: "alice").map(\.run.id) == ["old"])
        #expect(try f.library.runs(RunQuery(uiReference: "Greeter"), user: "alice").map(\.run.id) == ["new"])
        let cutoff = try #require(RunQuery.parseDate("2024-01-01"))
        #expect(try f.library.runs(RunQuery(since: cutoff), user: "alice").map(\.run.id) == ["new"])
        #expect(try f.library.runs(RunQuery(until: cutoff), user: "alice").map(\.run.id) == ["old"])
    }

    @Test func timestampsRoundTrip() throws {
        let date = Date(timeIntervalSince1970: 1_763_700_000.125)
        let text = RunQuery.format(date)
        #expect(text == "2025-11-21T04:40:00.125Z")
        #expect(RunQuery.parseDate(text) == date)
        #expect(RunQuery.parseDate("2025-13-01") == nil)
        #expect(RunQuery.parseDate("yesterday") == nil)
    }
}

@Suite struct UsageRunLinkTests {
    @Test(arguments: LibraryStoreKind.allCases) func usageNamesARecordedRun(store: LibraryStoreKind) throws {
        guard let f = try Fixture(store) else { return }
        let ui = try f.published("Greeter")
        #expect(
            libraryErrorCode { try f.library.recordUsage(uiID: ui.id, user: "bob", runID: "nope") } == .libraryNotFound)
        #expect(try f.library.usage(user: "bob").isEmpty)
        var run = RunRecord(id: "r", name: "r")
        run.userID = "bob"
        try f.library.record(run: run)
        #expect(try f.library.recordUsage(uiID: ui.id, user: "bob", runID: "r").runID == "r")
        #expect(try f.library.usage(user: "bob").map(\.runID) == ["r"])
    }
}
