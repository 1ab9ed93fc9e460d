import CustomUI
import CustomUICore
import Foundation
import Testing

@testable import TemplateLibrary

/// The built `customui` executable, next to the test bundle.
let customuiExecutable: String = {
    let me = URL(
        fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0])
    return me.deletingLastPathComponent().appendingPathComponent("customui").path
}()

/// Real processes against one library file: concurrent publishers and a publisher killed mid-way.
@Suite(.serialized) struct DurabilityTests {
    /// Writes `count` versions of one UI (distinct bodies) and returns their paths.
    func versionFiles(_ directory: TemporaryDirectory, prefix: String, count: Int) throws -> [String] {
        try (0..<count).map { i in
            let path = directory.file("\(prefix)-\(i).ui.xml")
            try template("Stress", body: "\(prefix) version \(i)").text.write(
                toFile: path, atomically: true, encoding: .utf8)
            return path
        }
    }

    func process(_ arguments: [String]) -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: customuiExecutable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        return (process, out)
    }

    @Test func eightConcurrentPublishersLoseNothingAndNeverDuplicateAVersion() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: customuiExecutable), "build the customui product first")
        let directory = TemporaryDirectory()
        let path = directory.file("library.sqlite")
        _ = try Library(path: path)
        var running: [(Process, Pipe)] = []
        for p in 0..<8 {
            let files = try versionFiles(directory, prefix: "p\(p)", count: 50)
            let (process, out) = process(["publish"] + files + ["--library", path, "--user", "alice"])
            try process.run()
            running.append((process, out))
        }
        var published = 0
        for (process, out) in running {
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            published += text.split(separator: "\n").filter { $0.contains(": published `Stress` version") }.count
        }
        #expect(published == 400)
        let library = try Library(path: path)
        let versions = try library.versions("Stress", user: "alice").sorted { $0.version < $1.version }
        #expect(versions.count == 400)
        #expect(versions.map(\.version) == Array(1...400))
        #expect(Set(versions.map(\.contentHash)).count == 400)
        for (previous, next) in zip(versions, versions.dropFirst()) {
            #expect(next.definition.parentVersionID == previous.id)
        }
        #expect(versions.filter(\.isLatest).map(\.version) == [400])
        #expect(try library.integrityCheck() == ["ok"])
    }

    @Test func processesCreatingANewLibraryTogetherAllSucceed() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: customuiExecutable), "build the customui product first")
        let directory = TemporaryDirectory()
        let path = directory.file("fresh/library.sqlite")
        var running: [(Process, Pipe)] = []
        for p in 0..<6 {
            let files = try versionFiles(directory, prefix: "f\(p)", count: 3)
            let (process, out) = process(["publish"] + files + ["--library", path, "--user", "user\(p)"])
            try process.run()
            running.append((process, out))
        }
        for (process, out) in running {
            _ = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
        let library = try Library(path: path)
        #expect(try library.search(LibraryQuery(), user: "user0").count == 1)
        for p in 0..<6 {
            #expect(try library.versions("user\(p)/Stress", user: "user\(p)").count == 3)
        }
    }

    @Test func aPublisherKilledMidwayLeavesASoundLibraryWithEveryReturnedVersion() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: customuiExecutable), "build the customui product first")
        let directory = TemporaryDirectory()
        let path = directory.file("library.sqlite")
        let files = try versionFiles(directory, prefix: "k", count: 300)
        let (process, out) = process(["publish"] + files + ["--library", path, "--user", "alice"])
        try process.run()
        var text = ""
        let reader = out.fileHandleForReading
        while text.split(separator: "\n").count < 10 {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        kill(process.processIdentifier, SIGKILL)
        text += String(decoding: reader.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        // A line is printed only after its transaction committed.
        let returned = text.split(separator: "\n").filter {
            $0.contains(": published `Stress` version") && $0.hasSuffix(")")
        }
        #expect(returned.count >= 10)
        let library = try Library(path: path)
        #expect(try library.integrityCheck() == ["ok"])
        let versions = try library.versions("Stress", user: "alice")
        let ids = Set(versions.map(\.id))
        for line in returned {
            guard let range = line.range(of: "id "), let end = line[range.upperBound...].firstIndex(of: ",") else {
                Issue.record("unexpected line \(line)")
                continue
            }
            #expect(ids.contains(String(line[range.upperBound..<end])))
        }
        #expect(versions.count < 300, "the process was killed before it finished")
        #expect(versions.map(\.version).sorted() == Array(1...versions.count))
    }
}
