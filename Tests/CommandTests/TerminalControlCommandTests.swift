import Foundation
import Testing

/// Issue 15 point 9 through the real `customui` binary: untrusted text (props, variable values,
/// streamed text, status, tool and error events, library names, descriptions, tags, categories,
/// recorded runs, quoted source lines) never reaches standard output or standard error with a raw
/// control. The set of controls is written out here independently of the code under test.
@Suite struct TerminalControlCommandTests {
    static let bidi: [UInt32] = [
        0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069,
    ]

    static func isControl(_ u: Unicode.Scalar) -> Bool {
        u.value < 0x20 || (0x7F...0x9F).contains(u.value) || bidi.contains(u.value)
    }

    /// Every C0, DEL, C1 and bidi control, each after an `x`, then CSI, OSC 8, OSC 52, an 8-bit CSI
    /// and a right-to-left override.
    static var hostile: String {
        var s = String.UnicodeScalarView()
        for v in Array(0x00..<0x20) + Array(0x7F...0x9F) + bidi.map(Int.init) {
            s.append("x")
            s.append(Unicode.Scalar(UInt32(v))!)
        }
        return String(s)
            + " \u{1B}[31mred\u{1B}[0m \u{1B}]8;;https://evil.example\u{1B}\\link\u{1B}]8;;\u{1B}\\ \u{1B}]52;c;ZXZpbA==\u{07} \u{9B}2J \u{202E}txt.exe"
    }

    /// What a command-line argument can carry: everything but NUL.
    static var hostileArgument: String {
        String(String.UnicodeScalarView(hostile.unicodeScalars.filter { $0 != "\u{0}" }))
    }

    /// The controls XML 1.0 lets an attribute carry: C1 and the bidi controls (no C0 but tab).
    static var hostileXML: String {
        String(String.UnicodeScalarView(hostile.unicodeScalars.filter { $0.value >= 0x80 || !isControl($0) }))
            .replacingOccurrences(of: "<", with: "").replacingOccurrences(of: "&", with: "")
    }

    /// Raw controls in output, other than the line feeds (and, where layout keeps them, tabs).
    static func raw(_ text: String, tabs: Bool = false) -> [String] {
        text.unicodeScalars.filter { isControl($0) && $0 != "\n" && !(tabs && $0 == "\t") }.map {
            "U+" + String($0.value, radix: 16)
        }
    }

    static func expectClean(
        _ r: Outcome, _ what: String, tabs: Bool = false, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(
            raw(r.stdout, tabs: tabs).isEmpty, "\(what): stdout has \(raw(r.stdout, tabs: tabs).prefix(8))",
            sourceLocation: sourceLocation)
        #expect(raw(r.stderr).isEmpty, "\(what): stderr has \(raw(r.stderr).prefix(8))", sourceLocation: sourceLocation)
    }

    static func run(_ arguments: [String]) throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = repositoryRoot
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment["CUSTOMUI_LIBRARY"] = nil
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
            stderr: String(decoding: e, as: UTF8.self))
    }

    static func json(_ value: Any) throws -> String {
        String(
            decoding: try JSONSerialization.data(withJSONObject: value, options: [.withoutEscapingSlashes]),
            as: UTF8.self)
    }

    /// A UI whose name and description carry the controls XML allows, with every output element.
    static func files(in dir: URL) throws -> (ui: String, prompt: String, stream: String, props: String) {
        let ui = """
            <custom-ui name="Evil\u{202E}\u{9B}2J" description="d \(hostileXML)" execution-mode="manual">
              <props-schema>{ "type": "object", "properties": { "title": { "type": "string" } } }</props-schema>
              <view>
                <heading level="1">{{ props.title }}</heading>
                <card title="{{ props.title }}"><variable name="topic" label="Topic"/><run label="Go"/></card>
                <status/>
                <tool-events/>
                <slot name="answer" format="markdown"/>
                <error/>
              </view>
            </custom-ui>
            """
        let prompt = try json([
            "id": "p1", "name": "Hostile", "settings": ["model_id": "m"],
            "messages": [["role": "user", "content": "{{topic}}"]],
            "variableDefaults": [["name": "topic", "defaultValue": "", "customComponent": ["type": "textarea"]]],
        ])
        var stream =
            try json(["event": "status_update", "data": ["status": "processing", "user_message": "status " + hostile]])
            + "\n"
        stream +=
            try json([
                "event": "tool_event",
                "data": ["event": "tool_started", "call_id": "c1", "tool_name": "tool" + hostile, "message": hostile],
            ]) + "\n"
        let scalars = Array(hostile.unicodeScalars)
        for start in stride(from: 0, to: scalars.count, by: 5) {
            let chunk = String(String.UnicodeScalarView(scalars[start..<min(start + 5, scalars.count)]))
            stream += try json(["event": "chunk", "data": ["text": chunk]]) + "\n"
        }
        stream +=
            try json([
                "event": "error",
                "data": ["error_type": "bad", "message": "server " + hostile, "user_message": "user " + hostile],
            ]) + "\n"
        stream += try json(["event": "end", "data": [String: String]()]) + "\n"
        let props = try json(["title": hostile])
        var paths: [String] = []
        for (name, text) in [
            ("evil.ui.xml", ui), ("evil.prompt.json", prompt), ("evil.stream.ndjson", stream),
            ("evil.props.json", props),
        ] {
            let url = dir.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            paths.append(url.path)
        }
        return (paths[0], paths[1], paths[2], paths[3])
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "customui-controls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func runRenderAndValidateShowControlsVisibly() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let f = try Self.files(in: dir)

        // `run` piped: the streamed text on stdout (newlines and tabs kept), the error on stderr.
        var r = try Self.run([
            "run", f.ui, "--prompt", f.prompt, "--props", f.props, "--replay", f.stream, "--no-input", "--no-record",
            "--var", "topic=" + Self.hostileArgument, "--message", Self.hostileArgument,
        ])
        Self.expectClean(r, "run | cat", tabs: true)
        #expect(r.stdout.contains("␛]52;c;ZXZpbA==␇"), "\(r.stdout)")
        #expect(r.stdout.contains("<U+202E>txt.exe"))
        #expect(r.stderr.contains("error[run.failed]: user x␀x␁"), "\(r.stderr)")

        // `run --output`: the final terminal render, written to a file someone will `cat`.
        let output = dir.appendingPathComponent("out.txt").path
        r = try Self.run([
            "run", f.ui, "--prompt", f.prompt, "--props", f.props, "--replay", f.stream, "--no-input", "--no-record",
            "--var", "topic=" + Self.hostileArgument, "--format", "terminal", "--output", output,
        ])
        Self.expectClean(r, "run --output")
        let written = try String(contentsOfFile: output, encoding: .utf8)
        #expect(Self.raw(written).isEmpty, "\(Self.raw(written).prefix(8))")
        // (The status message shows only while the run streams: the final render has none.)
        for needle in ["toolx␀", "user x␀", "Topic: xx␁x␂"] {
            #expect(written.contains(needle), "\(needle) missing in\n\(written)")
        }

        // `render --format terminal`: props, a variable and a slot.
        r = try Self.run([
            "render", f.ui, "--prompt", f.prompt, "--props", f.props, "--format", "terminal", "--var",
            "topic=" + Self.hostileArgument,
            "--slot", "answer=" + Self.hostileArgument,
        ])
        #expect(r.status == 0, "\(r.stderr)")
        Self.expectClean(r, "render --format terminal")
        #expect(r.stdout.contains("␛[31mred"))

        // Diagnostics quoting a source line: a raw ESC and OSC 52 in a props file, C1 and bidi in a UI.
        let badProps = dir.appendingPathComponent("bad.props.json")
        try "{\"title\": \"a\u{1B}]52;c;AA==\u{07}\u{202E}b\"}\n".write(to: badProps, atomically: true, encoding: .utf8)
        r = try Self.run(["validate", f.ui, "--prompt", f.prompt, "--props", badProps.path])
        #expect(r.status == 1)
        Self.expectClean(r, "validate (props)")
        #expect(r.stdout.contains("1 | {\"title\": \"a␛]52;c;AA==␇<U+202E>b\"}"), "\(r.stdout)")
        let badUI = dir.appendingPathComponent("bad.ui.xml")
        try "<custom-ui name=\"a\u{9B}b\u{202E}\"><view><headng>\u{202E}x</headng></view></custom-ui>".write(
            to: badUI, atomically: true, encoding: .utf8)
        r = try Self.run(["validate", badUI.path])
        #expect(r.status == 1)
        Self.expectClean(r, "validate (ui)")
        #expect(
            r.stdout.contains("<custom-ui name=\"a<U+009B>b<U+202E>\"><view><headng><U+202E>x</headng>"), "\(r.stdout)")

        // `markdown` in the terminal form.
        let md = dir.appendingPathComponent("evil.md")
        try ("# " + Self.hostile + "\n\n`" + Self.hostile + "`\n").write(to: md, atomically: true, encoding: .utf8)
        r = try Self.run(["markdown", md.path])
        Self.expectClean(r, "markdown")
        #expect(r.stdout.contains("<U+202E>txt.exe"))
    }

    /// What `customui ARGUMENTS` writes on a real (pseudo-)terminal with colour: `script` gives it a
    /// pty. Nil, after a printed reason, when `script` is missing (it is required in CI).
    static func onATerminal(_ arguments: [String]) throws -> String? {
        let script = ["/usr/bin/script", "/bin/script"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let script else {
            print("skipped: terminal tests need `script` (util-linux) to give customui a pty")
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
        environment["NO_COLOR"] = nil
        environment["TERM"] = "xterm-256color"
        environment["COLUMNS"] = "100"
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // The pty turns each LF into CR LF.
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
    }

    /// The live view and an HTML page, printed on a terminal.
    @Test func onATerminalTheLiveViewAndHTMLShowControlsVisibly() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let f = try Self.files(in: dir)
        guard
            let screen = try Self.onATerminal([
                "run", f.ui, "--prompt", f.prompt, "--props", f.props, "--replay", f.stream, "--no-input",
                "--no-record",
                "--var", "topic=abc",
            ])
        else { return }
        #expect(screen.contains("\u{1B}["), "the live view draws in colour on a terminal")
        // Set aside our own styling and cursor movement (`ESC [ n F`, `ESC [ J`).
        let ours = screen.replacing(#/\u{1B}\[[0-9;]*[mFJ]/#, with: "")
        #expect(Self.raw(ours).isEmpty, "\(Self.raw(ours).prefix(8))")
        for needle in ["status x␀", "toolx␀", "user x␀", "␛]52;c;ZXZpbA==␇"] {
            #expect(ours.contains(needle), "\(needle) missing")
        }
        // HTML goes to a file or pipe byte for byte, but on a terminal its controls show visibly.
        guard let page = try Self.onATerminal(["render", f.ui, "--prompt", f.prompt, "--props", f.props]) else {
            return
        }
        #expect(page.contains("<h1 class=\"cui-heading\">"), "\(page.prefix(200))")
        #expect(Self.raw(page, tabs: true).isEmpty, "\(Self.raw(page, tabs: true).prefix(8))")
        #expect(page.contains("␛]52;c;ZXZpbA==␇"))
    }

    @Test func libraryListingsAndRecordedRunsShowControlsVisibly() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let f = try Self.files(in: dir)
        let lib = ["--library", dir.appendingPathComponent("lib.sqlite").path]
        var r = try Self.run(
            [
                "publish", f.ui, "--prompt", f.prompt, "--public", "--activate", "--category",
                "cat\u{1B}]52;c;AA==\u{07}", "--tag", "t\u{1B}[2J\u{202E}", "--user", "alice",
            ] + lib)
        #expect(r.status == 0, "\(r.stderr)")
        Self.expectClean(r, "publish")
        #expect(r.stdout.contains("published `Evil<U+202E><U+009B>2J`"), "\(r.stdout)")

        // Another user's listings: a name, description, tag or category must not drive bob's terminal.
        for command in [
            ["library", "list"], ["library", "search", "evil"], ["library", "show", "alice/Evil\u{202E}\u{9B}2J"],
        ] {
            r = try Self.run(command + ["--user", "bob"] + lib)
            #expect(r.status == 0, "\(command): \(r.stderr)")
            Self.expectClean(r, command.joined(separator: " "))
            #expect(r.stdout.contains("Evil<U+202E><U+009B>2J"), "\(command): \(r.stdout)")
            #expect(r.stdout.contains("␛]52;c;"), "\(command): \(r.stdout)")
        }
        // JSON escapes the controls, so it is safe on a terminal and still says exactly what is stored.
        r = try Self.run(["library", "list", "--format", "json", "--user", "bob"] + lib)
        Self.expectClean(r, "library list --format json")
        let listed = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let first = (listed?["uis"] as? [[String: Any]])?.first
        #expect(first?["name"] as? String == "Evil\u{202E}\u{9B}2J")
        #expect((first?["description"] as? String)?.hasPrefix("d x") == true)

        // A run of the library UI, recorded; then `runs list`, `runs show` and `library usage`.
        r = try Self.run(
            [
                "run", "alice/Evil\u{202E}\u{9B}2J", "--prompt", f.prompt, "--replay", f.stream, "--no-input", "--var",
                "topic=v" + Self.hostileArgument, "--user", "bob",
            ] + lib)
        Self.expectClean(r, "run (library)", tabs: true)
        r = try Self.run(["runs", "list", "--user", "bob"] + lib)
        Self.expectClean(r, "runs list")
        let id = try #require(r.stdout.split(separator: " ").first.map(String.init), "\(r.stdout)")
        r = try Self.run(["runs", "show", id, "--user", "bob"] + lib)
        #expect(r.status == 0, "\(r.stderr)")
        Self.expectClean(r, "runs show")
        #expect(r.stdout.contains("run \(id): Evil<U+202E><U+009B>2J"), "\(r.stdout)")
        #expect(r.stdout.contains("var topic = vxx␁x␂"), "\(r.stdout)")
        #expect(r.stdout.contains("error: server x␀x␁"), "\(r.stdout)")
        r = try Self.run(["library", "usage", "--user", "bob"] + lib)
        Self.expectClean(r, "library usage")

        // An export is a document, not a message: piped into a file it keeps every character.
        r = try Self.run(["library", "export", "alice/Evil\u{202E}\u{9B}2J", "--user", "alice"] + lib)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("<custom-ui name=\"Evil\u{202E}\u{9B}2J\""), "\(r.stdout.prefix(200))")
    }
}
