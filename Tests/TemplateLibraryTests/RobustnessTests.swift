import CustomUI
import CustomUICore
import Foundation
import Testing

@testable import TemplateLibrary

/// Bad library files give a clear error and are left byte-for-byte as they were.
@Suite struct RobustnessTests {
    func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    /// A library with one UI, closed so its WAL is checkpointed into the main file.
    func makeLibrary(_ directory: TemporaryDirectory) throws -> String {
        let path = directory.file("library.sqlite")
        do {
            let library = try Library(path: path)
            for i in 0..<20 {
                _ = try library.publish(
                    ui: template("UI \(i)", body: String(repeating: "filler ", count: 200)), user: "alice")
            }
        }
        return path
    }

    @Test func notAnSQLiteFile() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("notes.txt")
        let original = Data(String(repeating: "these are my notes, not a database\n", count: 200).utf8)
        try original.write(to: URL(fileURLWithPath: path))
        #expect(libraryErrorCode { _ = try Library(path: path) } == .libraryNotADatabase)
        #expect(bytes(path) == original)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func aForeignSQLiteDatabaseIsNotTouched() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("other.sqlite")
        do {
            let connection = try SQLiteConnection(path: path, readOnly: false, create: true)
            try connection.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT)")
        }
        let original = bytes(path)
        #expect(libraryErrorCode { _ = try Library(path: path) } == .libraryNotALibrary)
        #expect(bytes(path) == original)
    }

    @Test func aCorruptLibrary() throws {
        let directory = TemporaryDirectory()
        let path = try makeLibrary(directory)
        var data = try #require(bytes(path))
        try #require(data.count > 8192)
        // Keep the header and schema page; scribble over every page after them.
        for i in 4096..<data.count { data[i] = UInt8(truncatingIfNeeded: i &* 31) }
        try data.write(to: URL(fileURLWithPath: path))
        let code = libraryErrorCode {
            let library = try Library(path: path)
            _ = try library.search(LibraryQuery(), user: "alice")
            _ = try library.publish(ui: template("New"), user: "alice")
        }
        #expect(code == .libraryCorrupt)
        #expect(bytes(path) == data)
    }

    @Test func aLibraryFromANewerSchema() throws {
        let directory = TemporaryDirectory()
        let path = try makeLibrary(directory)
        do {
            let connection = try SQLiteConnection(path: path, readOnly: false, create: false)
            try connection.execute("PRAGMA user_version = \(Library.supportedSchemaVersion + 1)")
        }
        let original = bytes(path)
        var thrown: LibraryError?
        do { _ = try Library(path: path) } catch { thrown = error }
        #expect(thrown?.code == .libraryNewerSchema)
        #expect(thrown?.message.contains("schema version \(Library.supportedSchemaVersion + 1)") == true)
        #expect(bytes(path) == original)
    }

    @Test func aReadOnlyLibraryRefusesWritesAndChangesNothing() throws {
        let directory = TemporaryDirectory()
        let path = try makeLibrary(directory)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path) }
        let original = bytes(path)
        let library = try Library(path: path)
        #expect(library.isReadOnly)
        #expect(libraryErrorCode { _ = try library.publish(ui: template("New"), user: "alice") } == .libraryReadOnly)
        #expect(libraryErrorCode { try library.rate("alice/UI 1", rating: 4, user: "bob") } == .libraryReadOnly)
        #expect(bytes(path) == original)
    }

    @Test(arguments: [0o644, 0o444])
    func anEmptyFileIsNotAdoptedAsALibrary(mode: Int) throws {
        let directory = TemporaryDirectory()
        let path = directory.file("empty.sqlite")
        _ = FileManager.default.createFile(atPath: path, contents: Data(), attributes: [.posixPermissions: mode])
        var thrown: LibraryError?
        do { _ = try Library(path: path) } catch { thrown = error }
        #expect(thrown?.code == .libraryNotADatabase)
        #expect(thrown?.message == "`\(path)` is an empty file, not a CustomUI library")
        #expect(bytes(path) == Data())
        for suffix in ["-wal", "-shm", "-journal"] { #expect(!FileManager.default.fileExists(atPath: path + suffix)) }
    }

    @Test func aDirectoryIsNotALibrary() throws {
        let directory = TemporaryDirectory()
        #expect(libraryErrorCode { _ = try Library(path: directory.path) } == .libraryCannotOpen)
    }

    @Test func aNewLibraryIsCreatedWithItsDirectoryAndIsCurrent() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("nested/deeper/library.sqlite")
        let library = try Library(path: path)
        #expect(try library.schemaVersion() == Library.supportedSchemaVersion)
        #expect(try library.integrityCheck() == ["ok"])
        #expect(try library.db.scalar("PRAGMA journal_mode").string == "wal")
        #expect(try library.db.scalar("PRAGMA foreign_keys").int == 1)
        #expect(try library.db.scalar("PRAGMA synchronous").int == 2, "FULL")
        #expect(try library.db.scalar("PRAGMA application_id").int == 0x4355_4931)
        // Reopening an existing library migrates nothing and keeps its contents.
        _ = try library.publish(ui: template("Kept"), user: "alice")
        let again = try Library(path: path)
        #expect(try again.search(LibraryQuery(), user: "alice").map(\.definition.name) == ["Kept"])
    }

    @Test func badUserNamesAreRefused() throws {
        let f = try Fixture()
        #expect(libraryErrorCode { _ = try f.library.publish(ui: template("X"), user: "") } == .libraryInvalidInput)
        #expect(
            libraryErrorCode { _ = try f.library.publish(ui: template("X"), user: "a\u{7}b") } == .libraryInvalidInput)
    }

    @Test func locationFollowsTheEnvironment() {
        #expect(
            LibraryLocation.path(explicit: "/x/lib.sqlite", environment: ["CUSTOMUI_LIBRARY": "/y"]) == "/x/lib.sqlite")
        #expect(LibraryLocation.path(explicit: nil, environment: ["CUSTOMUI_LIBRARY": "/y/lib"]) == "/y/lib")
        #expect(
            LibraryLocation.path(explicit: nil, environment: ["XDG_DATA_HOME": "/data", "HOME": "/home/u"])
                == "/data/customui/library.sqlite")
        #expect(
            LibraryLocation.path(explicit: nil, environment: ["HOME": "/home/u"])
                == "/home/u/.local/share/customui/library.sqlite")
        #expect(LibraryLocation.user(explicit: nil, environment: ["CUSTOMUI_USER": "zoe"]) == "zoe")
        #expect(LibraryLocation.user(explicit: "max", environment: ["CUSTOMUI_USER": "zoe"]) == "max")
        #expect(!LibraryLocation.user(explicit: nil, environment: [:]).isEmpty)
    }
}
