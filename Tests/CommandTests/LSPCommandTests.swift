import Foundation
import Testing

/// A client for `customui lsp` run as a subprocess, speaking real `Content-Length` framing.
final class LSPProcess {
    let process = Process()
    let input = Pipe()
    let output = Pipe()
    var buffer: [UInt8] = []

    init() throws {
        process.executableURL = executable
        process.arguments = ["lsp"]
        process.currentDirectoryURL = repositoryRoot
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
        // Reaped: Foundation's `Process` stays alive (with its pipes) until it is waited for.
        process.waitUntilExit()
    }

    func sendRaw(_ bytes: [UInt8]) { try? input.fileHandleForWriting.write(contentsOf: Data(bytes)) }

    func send(_ message: [String: Any]) throws {
        var object = message
        object["jsonrpc"] = "2.0"
        let body = try JSONSerialization.data(withJSONObject: object)
        sendRaw(Array("Content-Length: \(body.count)\r\n\r\n".utf8) + Array(body))
    }

    struct Timeout: Error {}
    struct ClosedStream: Error {}

    /// The next message, waiting at most `seconds`.
    func receive(seconds: Double = 60) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(seconds)
        let fd = output.fileHandleForReading.fileDescriptor
        while true {
            if let headerEnd = find([13, 10, 13, 10]) {
                let header = String(decoding: buffer[0..<headerEnd], as: UTF8.self)
                let length = Int(header.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
                if buffer.count >= headerEnd + 4 + length {
                    let body = Data(buffer[(headerEnd + 4)..<(headerEnd + 4 + length)])
                    buffer.removeFirst(headerEnd + 4 + length)
                    return try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
                }
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { throw Timeout() }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(min(remaining, 1) * 1000)) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = read(fd, &chunk, chunk.count)
            guard n > 0 else { throw ClosedStream() }
            buffer += chunk[0..<n]
        }
    }

    /// Messages up to the response to request `id` (notifications before it are returned too).
    func response(to id: Int, seconds: Double = 60) throws -> (response: [String: Any], before: [[String: Any]]) {
        var before: [[String: Any]] = []
        while true {
            let message = try receive(seconds: seconds)
            if message["id"] as? Int == id, message["method"] == nil { return (message, before) }
            before.append(message)
        }
    }

    func request(_ id: Int, _ method: String, _ params: [String: Any], seconds: Double = 60) throws -> [String: Any] {
        try send(["id": id, "method": method, "params": params])
        return try response(to: id, seconds: seconds).response
    }

    /// The next diagnostics published for `uri`.
    func diagnostics(for uri: String, seconds: Double = 60) throws -> [[String: Any]] {
        while true {
            let message = try receive(seconds: seconds)
            if message["method"] as? String == "textDocument/publishDiagnostics",
                let params = message["params"] as? [String: Any], params["uri"] as? String == uri
            {
                return params["diagnostics"] as? [[String: Any]] ?? []
            }
        }
    }

    /// Waits for the process to end (at most `seconds`); its status, or nil if it is still running.
    func exitStatus(seconds: Double = 30) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard buffer.count >= needle.count else { return nil }
        for i in 0...(buffer.count - needle.count)
        where buffer[i] == needle[0] && Array(buffer[i..<(i + needle.count)]) == needle {
            return i
        }
        return nil
    }
}

/// `customui lsp` driven as an editor drives it: over stdio, with real framing.
@Suite struct LSPCommandTests {
    static func workspace() throws -> (dir: URL, uri: String, text: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("customui-lsp-cmd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let text = try String(
            contentsOf: repositoryRoot.appendingPathComponent("Examples/story-writer/story-writer.ui.xml"),
            encoding: .utf8
        )
        .replacingOccurrences(of: "<heading level=\"1\">", with: "<headng level=\"1\">")
        .replacingOccurrences(of: "</heading>", with: "</headng>")
        try text.write(to: dir.appendingPathComponent("story.ui.xml"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(
            at: repositoryRoot.appendingPathComponent("Examples/story-writer/story-writer.prompt.json"),
            to: dir.appendingPathComponent("story.prompt.json"))
        return (dir, URL(fileURLWithPath: dir.appendingPathComponent("story.ui.xml").path).absoluteString, text)
    }

    static func position(of marker: String, plus n: Int = 0, in text: String) -> [String: Int] {
        let before = String(text[..<text.range(of: marker)!.lowerBound]) + String(marker.prefix(n))
        let lines = before.components(separatedBy: "\n")
        return ["line": lines.count - 1, "character": lines.last!.utf16.count]
    }

    static func labels(_ response: [String: Any]) -> [String] {
        ((response["result"] as? [String: Any])?["items"] as? [[String: Any]] ?? []).compactMap {
            $0["label"] as? String
        }
    }

    @Test func anEditorSession() throws {
        let (dir, uri, text) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let lsp = try LSPProcess()
        let initialize = try lsp.request(
            1, "initialize", ["processId": NSNull(), "rootUri": NSNull(), "capabilities": [:]])
        let capabilities = try #require((initialize["result"] as? [String: Any])?["capabilities"] as? [String: Any])
        #expect(capabilities["hoverProvider"] as? Bool == true)
        try lsp.send(["method": "initialized", "params": [:]])

        try lsp.send([
            "method": "textDocument/didOpen",
            "params": ["textDocument": ["uri": uri, "languageId": "xml", "version": 1, "text": text]],
        ])
        let diagnostics = try lsp.diagnostics(for: uri)
        let unknown = try #require(diagnostics.first { $0["code"] as? String == "template.unknown-element" })
        #expect((unknown["message"] as? String)?.contains("did you mean `heading`?") == true)
        #expect(
            (unknown["range"] as? [String: Any])?["start"] as? [String: Int] == Self.position(of: "headng", in: text))

        // Ask for the quick fix and apply its edits as an editor does (incremental, later edit first).
        let at = Self.position(of: "headng", plus: 1, in: text)
        let actions = try lsp.request(
            8, "textDocument/codeAction",
            ["textDocument": ["uri": uri], "range": ["start": at, "end": at], "context": ["diagnostics": [unknown]]])
        let action = try #require(
            (actions["result"] as? [[String: Any]])?.first { $0["title"] as? String == "change `headng` to `heading`" })
        let edits = try #require(
            ((action["edit"] as? [String: Any])?["changes"] as? [String: Any])?[uri] as? [[String: Any]])
        #expect(edits.count == 2)
        try lsp.send([
            "method": "textDocument/didChange",
            "params": [
                "textDocument": ["uri": uri, "version": 2],
                "contentChanges": edits.reversed().map { ["range": $0["range"]!, "text": $0["newText"]!] },
            ],
        ])
        #expect(try lsp.diagnostics(for: uri).isEmpty)
        let fixed = text.replacingOccurrences(of: "headng", with: "heading")

        let props = try lsp.request(
            2, "textDocument/completion",
            ["textDocument": ["uri": uri], "position": Self.position(of: "props.title", plus: 6, in: fixed)])
        #expect(Set(Self.labels(props)) == ["title", "showTips", "tips"])
        let elements = try lsp.request(
            3, "textDocument/completion",
            ["textDocument": ["uri": uri], "position": Self.position(of: "<status", plus: 1, in: fixed)])
        #expect(Self.labels(elements).contains("heading"))
        #expect(Self.labels(elements).contains("slot"))

        let hover = try lsp.request(
            4, "textDocument/hover",
            ["textDocument": ["uri": uri], "position": Self.position(of: "props.tips", plus: 8, in: fixed)])
        let contents = (hover["result"] as? [String: Any])?["contents"] as? [String: Any]
        #expect((contents?["value"] as? String)?.contains("array of string") == true)

        let definition = try lsp.request(
            5, "textDocument/definition",
            ["textDocument": ["uri": uri], "position": Self.position(of: "name=\"style\"", plus: 7, in: fixed)])
        let location = try #require(definition["result"] as? [String: Any])
        #expect((location["uri"] as? String)?.hasSuffix("/story.prompt.json") == true)
        let prompt = try String(contentsOf: dir.appendingPathComponent("story.prompt.json"), encoding: .utf8)
        #expect(
            ((location["range"] as? [String: Any])?["start"] as? [String: Int])?["line"]
                == Self.position(of: "\"style\"", in: prompt)["line"])

        let formatting = try lsp.request(
            6, "textDocument/formatting",
            ["textDocument": ["uri": uri], "options": ["tabSize": 2, "insertSpaces": true]])
        #expect((formatting["result"] as? [Any])?.isEmpty == true, "the example is already formatted")

        let shutdown = try lsp.request(7, "shutdown", [:])
        #expect(shutdown.keys.contains("result"))
        try lsp.send(["method": "exit"])
        #expect(lsp.exitStatus() == 0)
    }

    @Test func badInputGetsProtocolErrorsAndTheServerCarriesOn() throws {
        let lsp = try LSPProcess()
        let early = try lsp.request(1, "textDocument/hover", [:])
        #expect((early["error"] as? [String: Any])?["code"] as? Int == -32002)
        _ = try lsp.request(2, "initialize", ["capabilities": [:]])

        let unknown = try lsp.request(3, "workspace/doSomethingNew", [:])
        #expect((unknown["error"] as? [String: Any])?["code"] as? Int == -32601)

        lsp.sendRaw(Array("Content-Length: 9\r\n\r\n{\"id\": 1,".utf8))
        #expect((try lsp.receive()["error"] as? [String: Any])?["code"] as? Int == -32700)

        lsp.sendRaw(Array("Content-Length: 5\r\n\r\n".utf8) + [0x22, 0xC3, 0x28, 0x22, 0x20])  // "\xC3(" is not UTF-8
        #expect((try lsp.receive()["error"] as? [String: Any])?["code"] as? Int == -32700)

        lsp.sendRaw(Array("Content-Type: text/plain\r\n\r\n".utf8))
        #expect((try lsp.receive()["error"] as? [String: Any])?["code"] as? Int == -32700)

        // A 10 MB template: refused with a positioned diagnostic, not a crash or a hang.
        let big =
            "<custom-ui name=\"big\"><view>" + String(repeating: "<text>0123456789 abcdefghij</text>\n", count: 300_000)
            + "</view></custom-ui>"
        #expect(big.utf8.count > 10_000_000)
        try lsp.send([
            "method": "textDocument/didOpen",
            "params": [
                "textDocument": ["uri": "file:///tmp/big.ui.xml", "languageId": "xml", "version": 1, "text": big]
            ],
        ])
        // Reading 10 MB takes a debug build about 1.5 s of CPU; under a sanitizer on a loaded
        // machine the wall time passes a minute.
        let diagnostics = try lsp.diagnostics(for: "file:///tmp/big.ui.xml", seconds: 300)
        #expect(diagnostics.contains { ($0["code"] as? String)?.hasPrefix("limit.") == true })
        let completion = try lsp.request(
            4, "textDocument/completion",
            ["textDocument": ["uri": "file:///tmp/big.ui.xml"], "position": ["line": 5, "character": 7]], seconds: 300)
        #expect(completion["result"] != nil)

        // The client vanishes without `shutdown`: the server exits by itself, with status 1.
        try lsp.input.fileHandleForWriting.close()
        #expect(lsp.exitStatus() == 1)
        #expect(lsp.process.terminationReason == .exit)
    }

    /// A real editor's LSP client that no one here wrote: Neovim's, headless.
    @Test func neovimAsTheClient() throws {
        let nvim = ["/usr/bin/nvim", "/usr/local/bin/nvim"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let nvim else {
            print("skipped: the Neovim client test needs `nvim` (Debian: apt-get install neovim)")
            #expect(ProcessInfo.processInfo.environment["CI"] == nil, "`nvim` is required in CI")
            return
        }
        let (dir, _, _) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("client.lua")
        try Self.neovimClient.write(to: script, atomically: true, encoding: .utf8)
        let result = dir.appendingPathComponent("result.txt")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: nvim)
        process.arguments = ["--headless", "--clean", "-u", "NONE", "-c", "luafile " + script.path]
        var environment = ProcessInfo.processInfo.environment
        environment["CUSTOMUI"] = executable.path
        environment["TEMPLATE"] = dir.appendingPathComponent("story.ui.xml").path
        environment["RESULT"] = result.path
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let lines = try String(contentsOf: result, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(
            lines.contains { $0.hasPrefix("diagnostics-open ") && $0.contains("unknown element `headng`") }, "\(lines)")
        #expect(lines.contains("diagnostics-fixed "), "\(lines)")
        #expect(
            Set(lines.filter { $0.hasPrefix("completion ") }) == [
                "completion title", "completion showTips", "completion tips",
            ])
        #expect(lines.contains { $0.hasPrefix("hover ") && $0.contains("**string**") }, "\(lines)")
        #expect(lines.contains("stopped true"))
    }

    /// Drives the server from Neovim's built-in client (0.7+): open, diagnostics, completion,
    /// hover, two incremental edits that fix the mistake, stop (shutdown and exit).
    static let neovimClient = #"""
        -- Drives `customui lsp` from Neovim's own LSP client (0.7+), headless. Environment:
        -- CUSTOMUI (the executable), TEMPLATE (a .ui.xml with `headng` and `props.` in it), RESULT (output file).
        local out = {}
        local function say(line) table.insert(out, line) end
        local template = os.getenv("TEMPLATE")
        local id = vim.lsp.start_client({
          name = "customui",
          cmd = { os.getenv("CUSTOMUI"), "lsp" },
          root_dir = vim.fn.fnamemodify(template, ":h"),
        })
        vim.cmd("edit " .. vim.fn.fnameescape(template))
        local buf = vim.api.nvim_get_current_buf()
        vim.lsp.buf_attach_client(buf, id)

        local function messages()
          local list = {}
          for _, d in ipairs(vim.diagnostic.get(buf)) do table.insert(list, d.message) end
          return table.concat(list, "\n")
        end
        local function find(text)
          for row, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
            local col = string.find(line, text, 1, true)
            if col then return row - 1, col - 1 end
          end
        end

        vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 20)
        say("diagnostics-open " .. messages():gsub("\n", " | "))

        local row, col = find("props.title")
        local response = vim.lsp.buf_request_sync(buf, "textDocument/completion",
          { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = row, character = col + 6 } }, 10000)
        for _, r in pairs(response or {}) do
          for _, item in ipairs((r.result or {}).items or {}) do say("completion " .. item.label) end
        end
        response = vim.lsp.buf_request_sync(buf, "textDocument/hover",
          { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = row, character = col + 8 } }, 10000)
        for _, r in pairs(response or {}) do
          if r.result then say("hover " .. r.result.contents.value:gsub("\n", " ")) end
        end

        -- Fix both tag names: Neovim sends these as incremental changes.
        row, col = find("<headng")
        vim.api.nvim_buf_set_text(buf, row, col + 1, row, col + 7, { "heading" })
        row, col = find("</headng")
        vim.api.nvim_buf_set_text(buf, row, col + 2, row, col + 8, { "heading" })
        vim.wait(20000, function() return not string.find(messages(), "headng", 1, true) end, 20)
        say("diagnostics-fixed " .. messages():gsub("\n", " | "))

        vim.lsp.stop_client(id)
        vim.wait(10000, function() return vim.lsp.get_client_by_id(id) == nil end, 20)
        say("stopped " .. tostring(vim.lsp.get_client_by_id(id) == nil))
        vim.fn.writefile(out, os.getenv("RESULT"))
        vim.cmd("qa!")
        """#
}
