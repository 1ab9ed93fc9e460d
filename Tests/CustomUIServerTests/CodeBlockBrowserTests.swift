import Foundation
import Testing

@testable import CustomUIServer

/// Code blocks in a streamed answer, in the browser: highlighted by the server once their fence
/// closes, with a copy button (added by the runtime) that puts the code on the clipboard.
@Suite(.serialized) struct CodeBlockBrowserTests {
    static let root = BrowserTests.root

    static let answer = """
        Here is the query:

        ```sql
        SELECT id, name FROM users WHERE active = TRUE; -- only the active ones
        ```

        And the client:

        ```python
        def load(path: str) -> dict:
            \"\"\"Reads the file.\"\"\"
            return json.loads(open(path).read())  # no error handling
        ```

        ```swift
        @MainActor struct Box<T> { let value: T }
        ```

        """

    /// A recording that streams `answer` a few bytes at a time.
    static func recording(in directory: String) throws -> String {
        var lines: [String] = []
        var rest = Substring(answer)
        while !rest.isEmpty {
            let data = try JSONSerialization.data(withJSONObject: [
                "event": "chunk", "data": ["text": String(rest.prefix(7))],
            ])
            lines.append(String(decoding: data, as: UTF8.self))
            rest = rest.dropFirst(7)
        }
        lines.append(#"{"event": "end", "data": {"reason": "completed"}}"#)
        let path = directory + "/code.stream.ndjson"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func withFixture(_ body: (ServerFixture) async throws -> Void) async throws {
        let directory = NSTemporaryDirectory() + "customui-code-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let f = try ServerFixture(
            answers: .replay(file: try Self.recording(in: directory), directory: nil, pace: false, speed: 1))
        try await body(f)
    }

    @Test func codeIsHighlightedAndTheCopyButtonCopiesIt() async throws {
        guard let browser = try launchBrowser() else { return }
        try await withFixture { f in
            let page = try await BrowserTests().open(browser, "http://\(f.host)/ui/local/story-writer")
            _ = try page.call("Emulation.setFocusEmulationEnabled", ["enabled": true])
            _ = try browser.send(
                "Browser.grantPermissions",
                [
                    "origin": "http://\(f.host)",
                    "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"],
                ])
            _ = try page.value("document.querySelector('button[value=\"run\"]').click()")
            try await page.wait("\(Self.root).dataset.status === 'completed'")
            let slot = "document.getElementById('cui-slot-story')"
            #expect(try page.number("\(slot).querySelectorAll('pre > code').length") == 3)
            #expect(try page.number("\(slot).querySelectorAll('pre > .cui-copy').length") == 3, "one button per block")
            #expect(try page.string("\(slot).querySelector('code.language-sql .hl-keyword').textContent") == "SELECT")
            #expect(
                try page.string("\(slot).querySelector('code.language-python .hl-comment').textContent")
                    == "# no error handling")
            #expect(
                try page.string("\(slot).querySelector('code.language-swift .hl-meta').textContent") == "@MainActor")
            // The theme colours a keyword differently from plain code.
            #expect(
                try page.value(
                    "getComputedStyle(\(slot).querySelector('.hl-keyword')).color !== getComputedStyle(\(slot).querySelector('code.language-sql')).color"
                ) as? Bool == true)
            // Copy the Python block: the button says so and the clipboard holds the code, no more.
            _ = try page.value("\(slot).querySelectorAll('.cui-copy')[1].click(); 1")
            try await page.wait("\(slot).querySelectorAll('.cui-copy')[1].textContent === 'Copied'", timeout: 30)
            let copied = try page.string("navigator.clipboard.readText()")
            #expect(
                copied
                    == "def load(path: str) -> dict:\n    \"\"\"Reads the file.\"\"\"\n    return json.loads(open(path).read())  # no error handling\n"
            )
            // The label goes back.
            try await page.wait("\(slot).querySelectorAll('.cui-copy')[1].textContent === 'Copy'", timeout: 30)
            #expect(try page.problems() == [])

            if let folder = ProcessInfo.processInfo.environment["CUSTOMUI_SCREENSHOTS"] {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                try page.screenshot(to: "\(folder)/code-light.png")
                _ = try page.call(
                    "Emulation.setEmulatedMedia", ["features": [["name": "prefers-color-scheme", "value": "dark"]]])
                try page.screenshot(to: "\(folder)/code-dark.png")
                let phone = try await BrowserTests().open(
                    browser, "http://\(f.host)/ui/local/story-writer", width: 390, mobile: true)
                _ = try phone.value("document.querySelector('button[value=\"run\"]').click()")
                try await phone.wait("\(Self.root).dataset.status === 'completed'")
                try phone.screenshot(to: "\(folder)/code-phone.png")
            }
        }
    }
}
