import CustomUI
import CustomUICore
import Foundation
import Testing

@testable import TemplateLibrary

/// A temporary directory removed when the value goes away, so no test leaves a library behind.
final class TemporaryDirectory {
    let path: String

    init() {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("customui-library-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
}

/// A valid template; `body` changes its content (and so its hash).
func template(_ name: String, body: String = "v1", description: String = "says hello") -> SourceFile {
    SourceFile(
        path: "\(name).ui.xml",
        text: """
            <custom-ui name="\(name)" description="\(description)">
              <view>
                <heading level="1">Hello</heading>
                <text>\(body)</text>
                <run label="Go"/>
                <slot name="answer" label="Answer"/>
              </view>
            </custom-ui>
            """)
}

/// A library in a fresh temporary directory, or (`.postgres`) in a new database of the tests'
/// PostgreSQL cluster, connected as the engine's role.
struct Fixture {
    let directory: TemporaryDirectory
    let library: Library
    /// The PostgreSQL database's name, when the store is PostgreSQL.
    let database: String?

    init() throws {
        let directory = TemporaryDirectory()
        self.init(
            directory: directory, library: try Library(path: directory.file("library.sqlite"), recorderUser: "alice"),
            database: nil)
    }

    private init(directory: TemporaryDirectory, library: Library, database: String?) {
        self.directory = directory
        self.library = library
        self.database = database
    }

    /// A fixture on `store`; nil when that store is not available here (the reason is printed,
    /// and recorded as an issue when `CI` is set).
    init?(_ store: LibraryStoreKind) throws {
        switch store {
        case .sqlite:
            try self.init()
        case .postgres:
            guard postgresAvailable() else { return nil }
            let (library, database) = try PostgresCluster.shared().newLibrary(recorderUser: "alice")
            self.init(directory: TemporaryDirectory(), library: library, database: database)
        }
    }

    var path: String { directory.file("library.sqlite") }

    /// Publishes a public, active UI owned by `user`.
    @discardableResult
    func published(
        _ name: String, user: String = "alice", body: String = "v1", category: String? = nil, tags: [String]? = nil
    ) throws
        -> LibraryEntry
    {
        try library.publish(
            ui: template(name, body: body), user: user,
            options: PublishOptions(isPublic: true, category: category, tags: tags, activate: true)
        ).entry
    }
}

/// The code of the library error `body` throws, or nil when it does not throw one.
func libraryErrorCode(_ body: () throws -> Void) -> DiagnosticCode? {
    do {
        try body()
        return nil
    } catch let error as LibraryError {
        return error.code
    } catch {
        return DiagnosticCode(rawValue: "other: \(error)")
    }
}

/// The repository root, for Templates/ and Examples/.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
