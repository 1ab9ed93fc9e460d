import Foundation
import Testing

/// Where the public conformance suites and corpora are, and whether the suites that read them run.
///
/// The data is found from `CUSTOMUI_CONFORMANCE_DIR`, else from `../shared/conformance` beside the
/// package. When neither exists the suites that need it are skipped with the reason, except when
/// `CI` is set: there they run (and fail on the missing data), so CI cannot pass without them.
public enum ConformanceData {
    /// The package root, found from this file's path.
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The folder the data was found in, or nil.
    public static let directory: URL? = {
        let environment = ProcessInfo.processInfo.environment
        var candidates: [URL] = []
        if let explicit = environment["CUSTOMUI_CONFORMANCE_DIR"], !explicit.isEmpty {
            candidates.append(URL(fileURLWithPath: explicit))
        }
        candidates.append(packageRoot.deletingLastPathComponent().appendingPathComponent("shared/conformance"))
        return candidates.first { url in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
        }?.standardizedFileURL
    }()

    /// Whether the suites must run even without the data (`CI` is set).
    public static let required: Bool = !(ProcessInfo.processInfo.environment["CI"] ?? "").isEmpty

    /// A file or folder of the data, by its path inside the conformance folder. Without the data
    /// it names where the data was looked for, so a required suite fails naming that place.
    public static func url(_ relative: String) -> URL {
        (directory ?? packageRoot.deletingLastPathComponent().appendingPathComponent("shared/conformance"))
            .appendingPathComponent(relative)
    }

    /// Why the suites are skipped when the data is missing.
    public static let skipReason =
        "conformance data not found: set CUSTOMUI_CONFORMANCE_DIR or put shared/conformance beside the package (required when CI is set)"

    /// The trait of every test that reads the data: enabled when the data is there or CI is set.
    public static var enabled: ConditionTrait {
        .enabled(if: directory != nil || required, Comment(rawValue: skipReason))
    }
}
