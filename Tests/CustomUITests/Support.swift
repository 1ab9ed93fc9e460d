import CustomUICore
import Foundation
import Testing

@testable import CustomUI

/// The repository root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A file under the repository root as a `SourceFile` with a repository-relative path.
func repositoryFile(_ relative: String) throws -> SourceFile {
    let text = try String(contentsOf: packageRoot.appendingPathComponent(relative), encoding: .utf8)
    return SourceFile(path: relative, text: text)
}

/// Compares a checked-in generated file with what the code generates now; with CUSTOMUI_RECORD=1
/// in the environment, rewrites the file instead.
func expectGeneratedFile(_ relative: String, equals generated: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    let url = packageRoot.appendingPathComponent(relative)
    if ProcessInfo.processInfo.environment["CUSTOMUI_RECORD"] == "1" {
        try generated.write(to: url, atomically: true, encoding: .utf8)
        return
    }
    let current = try String(contentsOf: url, encoding: .utf8)
    #expect(current == generated, "\(relative) is out of date: run `CUSTOMUI_RECORD=1 swift test` to regenerate it", sourceLocation: sourceLocation)
}
