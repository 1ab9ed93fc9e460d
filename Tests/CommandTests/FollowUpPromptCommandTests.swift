import Foundation
import Testing

/// On a terminal, `customui run` asks for a follow-up only when the template offers one
/// (`<follow-up>`), with the template's own label (issue 17, point 12).
@Suite struct FollowUpPromptCommandTests {
    /// Everything `customui ARGUMENTS` writes on a pty (via `script`), with `input` typed; nil after
    /// a printed reason when `script` is missing (required in CI).
    static func onATerminal(_ arguments: [String], input: String) throws -> String? {
        guard
            let script = ["/usr/bin/script", "/bin/script"].first(where: {
                FileManager.default.isExecutableFile(atPath: $0)
            })
        else {
            print("skipped: the follow-up prompt tests need `script` (util-linux) to give customui a pty")
            #expect(ProcessInfo.processInfo.environment["CI"] == nil, "`script` is required in CI")
            return nil
        }
        func quoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        process.arguments = [
            "-q", "-e", "-c", ([executable.path] + arguments).map(quoted).joined(separator: " "), "/dev/null",
        ]
        process.currentDirectoryURL = repositoryRoot
        var environment = ProcessInfo.processInfo.environment
        environment["TERM"] = "xterm-256color"
        environment["NO_COLOR"] = nil  // the live view (and so the follow-up prompt) is for colour terminals
        environment["CUSTOMUI_LIBRARY"] =
            FileManager.default.temporaryDirectory.appendingPathComponent("customui-followup-\(getpid()).sqlite").path
        process.environment = environment
        let out = Pipe()
        let typed = Pipe()
        process.standardOutput = out
        process.standardError = out
        process.standardInput = typed
        try process.run()
        typed.fileHandleForWriting.write(Data(input.utf8))
        try typed.fileHandleForWriting.close()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
    }

    @Test func aTemplateWithFollowUpAsksWithItsLabel() throws {
        guard
            let screen = try Self.onATerminal(
                ["run", "Examples/support-reply/support-reply.ui.xml", "--message", "My sync is stuck", "--no-record"],
                input: "\n")
        else { return }
        #expect(screen.contains("Anything else? (Enter to finish): "), "\(screen.suffix(400))")
        #expect(!screen.contains("Follow-up (Enter to finish)"))
    }

    @Test func aTemplateWithoutFollowUpDoesNotAsk() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "customui-nofollowup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let example = repositoryRoot.appendingPathComponent("Examples/support-reply")
        let template = try String(contentsOf: example.appendingPathComponent("support-reply.ui.xml"), encoding: .utf8)
        let withoutFollowUp = template.split(separator: "\n", omittingEmptySubsequences: false).filter {
            !$0.contains("<follow-up")
        }
        .joined(separator: "\n")
        #expect(withoutFollowUp != template)
        try withoutFollowUp.write(to: dir.appendingPathComponent("reply.ui.xml"), atomically: true, encoding: .utf8)
        for (from, to) in [
            ("support-reply.prompt.json", "reply.prompt.json"), ("support-reply.stream.ndjson", "reply.stream.ndjson"),
        ] {
            try FileManager.default.copyItem(
                at: example.appendingPathComponent(from), to: dir.appendingPathComponent(to))
        }
        guard
            let screen = try Self.onATerminal(
                [
                    "run", dir.appendingPathComponent("reply.ui.xml").path, "--props",
                    example.appendingPathComponent("support-reply.props.json").path,
                    "--message", "My sync is stuck", "--no-record",
                ], input: "\n")
        else { return }
        #expect(screen.contains("kb_search"), "the run did not stream: \(screen.suffix(400))")
        #expect(!screen.contains("(Enter to finish)"), "\(screen.suffix(400))")
    }
}
