import Foundation
import Testing

/// `-o` for `render` and `run`; one recording per turn with repeated `--replay` and `--message`.
@Suite struct RunTurnsCommandTests {
    static func recording(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "customui-turn-\(UUID().uuidString).ndjson")
        try (#"{"event":"chunk","data":{"text":"\#(text)"}}"# + "\n" + #"{"event":"end","data":{}}"# + "\n").write(
            to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func renderTakesDashO() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent(
            "customui-o-\(UUID().uuidString).html"
        ).path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let r = try customui("render", "Examples/story-writer/story-writer.ui.xml", "-o", output)
        #expect(r.status == 0 && r.stdout.isEmpty, "\(r.stderr)")
        #expect(try String(contentsOfFile: output, encoding: .utf8).hasPrefix("<!DOCTYPE html>"))
        let both = try customui("render", "Examples/story-writer/story-writer.ui.xml", "-o", output, "--output", output)
        #expect(both.status == 2 && both.stderr.contains("give `--output` or `-o`, not both"))
    }

    @Test func eachTurnReplaysItsOwnRecording() throws {
        let a = try Self.recording("FIRSTANSWER.")
        let b = try Self.recording("SECONDANSWER.")
        let output = FileManager.default.temporaryDirectory.appendingPathComponent(
            "customui-turns-\(UUID().uuidString).txt"
        ).path
        defer { for path in [a, b, output] { try? FileManager.default.removeItem(atPath: path) } }
        let r = try customui(
            "run", "Templates/chat-assistant.ui.xml", "--replay", a, "--replay", b, "--message", "one", "--message",
            "two", "--no-record", "-o", output)
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOfFile: output, encoding: .utf8)
        // The first answer in the conversation, the second in the slot: each once.
        #expect(
            text.components(separatedBy: "FIRSTANSWER").count == 2
                && text.components(separatedBy: "SECONDANSWER").count == 2, "\(text)")
        #expect(text.contains("You:\n  one\nAssistant:\n  FIRSTANSWER.\nYou:\n  two\n"), "\(text)")
        // A turn beyond the recordings fails and says why.
        let short = try customui(
            "run", "Templates/chat-assistant.ui.xml", "--replay", a, "--replay", b, "--message", "1", "--message", "2",
            "--message", "3", "--no-record",
            "-o", output)
        #expect(short.status == 1)
        #expect(short.stderr.contains("no recording for turn 3: 2 were given with --replay"), "\(short.stderr)")
    }

    @Test func oneShotUIsTakeOneMessage() throws {
        let r = try customui(
            "run", "Examples/article-summary/article-summary.ui.xml", "--message", "a", "--message", "b", "--no-record",
            "-o", "/dev/null")
        #expect(r.status == 2)
        #expect(
            r.stderr.contains("`auto-run-one-shot` does not continue the conversation: give one --message"),
            "\(r.stderr)")
    }
}
