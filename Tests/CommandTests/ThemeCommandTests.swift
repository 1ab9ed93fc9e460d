import Foundation
import Testing

/// What `validate` refuses in `layout_config`/`styling_config`, `render` and `publish` refuse too,
/// with the same positioned diagnostics, and exit 1.
@Suite struct ThemeCommandTests {
    static let file = "Examples/invalid/theme.ui.xml"
    static let accent =
        "Examples/invalid/theme.ui.xml:14:17: error[style.invalid-value]: `styling_config.accent` is not a valid colour: \"purpel\""

    @Test func validateRefusesWithPositions() throws {
        let r = try customui("validate", Self.file)
        #expect(r.status == 1)
        #expect(r.stdout.contains(Self.accent), "\(r.stdout)")
    }

    @Test func renderExitsOneAndWritesNothing() throws {
        for format in ["html", "terminal"] {
            let r = try customui("render", Self.file, "--format", format)
            #expect(r.status == 1)
            #expect(r.stdout.isEmpty)
            #expect(r.stderr.contains(Self.accent), "\(r.stderr)")
            #expect(r.stderr.contains("not rendered"))
        }
    }

    @Test func publishRefuses() throws {
        let library = FileManager.default.temporaryDirectory.appendingPathComponent(
            "customui-theme-\(UUID().uuidString).sqlite"
        ).path
        defer { try? FileManager.default.removeItem(atPath: library) }
        let r = try customui("publish", Self.file, "--library", library, "--user", "ada")
        #expect(r.status == 1)
        #expect((r.stdout + r.stderr).contains(Self.accent), "\(r.stdout)\(r.stderr)")
    }
}

/// A UI without a slot is refused by every command that runs it, not only by `validate`.
@Suite struct MissingSlotCommandTests {
    @Test func runRefusesAUIWithoutASlot() throws {
        let r = try customui(
            "run", "Examples/invalid/no-slot.ui.xml", "--replay", "Examples/story-writer/story-writer.stream.ndjson",
            "--no-record")
        #expect(r.status == 1)
        #expect(r.stderr.contains("Examples/invalid/no-slot.ui.xml:5:4: error[mode.missing-slot]"), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }
}
