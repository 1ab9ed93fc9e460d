import CustomUICore
import Foundation
import Testing

@testable import CustomUI

/// The repository root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A file under the repository root as a `SourceFile` with a repository-relative path.
func repositoryFile(_ relative: String) throws -> SourceFile {
    let text = try String(contentsOf: packageRoot.appendingPathComponent(relative), encoding: .utf8)
    return SourceFile(path: relative, text: text)
}

/// Compares a checked-in generated file with what the code generates now; with CUSTOMUI_RECORD=1
/// in the environment, rewrites the file instead.
func expectGeneratedFile(
    _ relative: String, equals generated: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
) throws {
    let url = packageRoot.appendingPathComponent(relative)
    if ProcessInfo.processInfo.environment["CUSTOMUI_RECORD"] == "1" {
        try generated.write(to: url, atomically: true, encoding: .utf8)
        return
    }
    let current = try String(contentsOf: url, encoding: .utf8)
    #expect(
        current == generated, "\(relative) is out of date: run `CUSTOMUI_RECORD=1 swift test` to regenerate it",
        sourceLocation: sourceLocation)
}

/// Like `expectGeneratedFile`, for the part of a hand-written file between `begin` and `end` lines.
func expectGeneratedSection(
    _ relative: String, generated: String, begin: String, end: String,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) throws {
    let url = packageRoot.appendingPathComponent(relative)
    let current = try String(contentsOf: url, encoding: .utf8)
    guard let start = current.range(of: begin),
        let stop = current.range(of: end, range: start.upperBound..<current.endIndex)
    else {
        Issue.record("\(relative) lacks the generated-section markers", sourceLocation: sourceLocation)
        return
    }
    let section = String(current[start.lowerBound..<stop.upperBound])
    if ProcessInfo.processInfo.environment["CUSTOMUI_RECORD"] == "1" {
        try current.replacingCharacters(in: start.lowerBound..<stop.upperBound, with: generated).write(
            to: url, atomically: true, encoding: .utf8)
        return
    }
    #expect(
        section == generated, "\(relative) is out of date: run `CUSTOMUI_RECORD=1 swift test` to regenerate it",
        sourceLocation: sourceLocation)
}
