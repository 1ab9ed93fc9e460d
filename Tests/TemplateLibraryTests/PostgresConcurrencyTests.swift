import CustomUI
import CustomUICore
import Foundation
import Testing

@testable import TemplateLibrary

/// Many writers on one PostgreSQL library: nothing lost, nothing half written.
@Suite struct PostgresConcurrencyTests {
    /// The versions of alice's UI `name`, checked whole: numbered 1…n without a gap, one latest,
    /// the lineage's count matching, and every version's hash that of its text.
    static func checkVersions(_ cluster: PostgresCluster, database: String, name: String) throws -> [LibraryEntry] {
        let library = try Library.open(cluster.url(role: "customui_app", database: database))
        let versions = try library.versions("alice/\(name)", user: "alice")
        #expect(versions.map(\.version).sorted() == Array(1...max(1, versions.count)))
        #expect(versions.filter(\.isLatest).count == 1)
        #expect(versions.allSatisfy { SHA256.hex($0.templateText) == $0.contentHash && !$0.templateText.isEmpty })
        let latest = try library.read(user: "alice") {
            try library.db.query("SELECT latest_version FROM prompt_custom_ui_lineages WHERE name = ?", [name])
        }
        #expect(latest.first?["latest_version"].int == versions.count)
        return versions
    }

    @Test func eightPublishersOfFiftyVersionsLoseNothing() throws {
        guard postgresAvailable() else { return }
        let cluster = try PostgresCluster.shared()
        let database = try cluster.newDatabase()
        let url = cluster.url(role: "customui_app", database: database)
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 8) { publisher in
            do {
                // Each publisher has its own connection, as separate processes would.
                let library = try Library.open(url)
                for version in 0..<50 {
                    _ = try library.publish(
                        ui: template("Shared", body: "publisher \(publisher) version \(version)"), user: "alice")
                }
            } catch {
                failures.add("\(error)")
            }
        }
        #expect(failures.all.isEmpty, "\(failures.all)")
        let versions = try Self.checkVersions(cluster, database: database, name: "Shared")
        #expect(versions.count == 400)
        #expect(Set(versions.map(\.contentHash)).count == 400, "every publish is its own version")
    }

    /// Publishers killed (SIGKILL) at random moments, mid-transaction or not: every version left
    /// is whole, and the library goes on working.
    @Test func killingPublishersLeavesNoPartialVersion() throws {
        guard postgresAvailable() else { return }
        try #require(
            FileManager.default.isExecutableFile(atPath: customuiExecutable), "build the customui product first")
        let cluster = try PostgresCluster.shared()
        let database = try cluster.newDatabase()
        let dir = TemporaryDirectory()
        let secret = "kill-test-secret"
        try secret.write(toFile: dir.file("secret"), atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["CUSTOMUI_TOKEN"] = VerifiedToken.sign(
            ["sub": "alice", "exp": .int(Int(Date().timeIntervalSince1970) + 3600)], secret: Array(secret.utf8))
        environment["CUSTOMUI_JWT_SECRET_FILE"] = dir.file("secret")
        environment["CUSTOMUI_LIBRARY"] = cluster.url(role: "customui_app", database: database)
        var killed = 0
        // One whole publish first, so the UI exists whatever the kills leave.
        let first = Process()
        first.executableURL = URL(fileURLWithPath: customuiExecutable)
        let firstFile = dir.file("Killed.ui.xml")
        try template("Killed", body: "first").text.write(toFile: firstFile, atomically: true, encoding: .utf8)
        first.arguments = ["publish", firstFile]
        first.environment = environment
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        let started = Date()
        try first.run()
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        print("one publish through the command took \(Int(Date().timeIntervalSince(started) * 1000)) ms")
        for attempt in 0..<24 {
            let file = dir.file("Killed-\(attempt).ui.xml")
            try template("Killed", body: "attempt \(attempt)").text.write(
                toFile: file, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: customuiExecutable)
            process.arguments = ["publish", file]
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // From at once to well after a publish takes, so some die before, during and after.
            usleep(UInt32(attempt % 8) * 40_000)
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                killed += 1
            }
            process.waitUntilExit()
        }
        let versions = try Self.checkVersions(cluster, database: database, name: "Killed")
        #expect(versions.count >= 1 && versions.count <= 25)
        // The library still takes a publish, numbered after what survived.
        let library = try Library.open(cluster.url(role: "customui_app", database: database))
        let next = try library.publish(ui: template("Killed", body: "after"), user: "alice").entry
        #expect(next.version == versions.count + 1)
        print("killed \(killed) of 24 publishers; \(versions.count) versions survived whole")
    }
}

/// Errors gathered from concurrent work.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ item: String) {
        lock.lock()
        items.append(item)
        lock.unlock()
    }
    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}
