import CustomUICore
import Foundation
import JSONSchema
import Testing

@testable import CustomUI

/// The language server without a process: framing, positions, sync, and each feature's context.
@Suite struct LanguageServerTests {
    /// A template with an unknown element and an unknown props path, and its sibling prompt, on disk.
    static func workspace() throws -> (dir: URL, template: String, prompt: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("customui-lsp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let template = """
            <custom-ui name="Story" execution-mode="manual">
              <props-schema>
                { "type": "object", "properties": { "title": { "type": "string", "description": "the heading" },
                  "article": { "type": "object", "properties": { "tags": { "type": "array", "items": { "type": "string" } } } } } }
              </props-schema>
              <view>
                <headng level="1">{{ props.titel }}</headng>
                <variable name="topic"/>
                <text>{{ vars.topic }} — {{ props.title | upper }}</text>
                <run label="Go" />
                <slot name="story" label="Story" />
                <text>{{ slots.story }} {{ run.status }}</text>
              </view>
            </custom-ui>

            """
        let prompt = try String(
            contentsOf: packageRoot.appendingPathComponent("Examples/story-writer/story-writer.prompt.json"),
            encoding: .utf8)
        try template.write(to: dir.appendingPathComponent("story.ui.xml"), atomically: true, encoding: .utf8)
        try prompt.write(to: dir.appendingPathComponent("story.prompt.json"), atomically: true, encoding: .utf8)
        return (dir, template, prompt)
    }

    static func send(_ server: LanguageServer, _ message: Value) -> [Value] {
        server.handle(Array(JSONWriter().string(message).utf8)).map { try! JSONParser.parseValue($0) }
    }

    static func request(_ server: LanguageServer, id: Int, _ method: String, _ params: Value) -> Value? {
        send(server, ["jsonrpc": "2.0", "id": .int(id), "method": .string(method), "params": params]).first {
            $0["id"] == .int(id)
        }
    }

    static func opened(_ text: String? = nil) throws -> (
        LanguageServer, uri: String, text: String, diagnostics: [Value], dir: URL
    ) {
        let (dir, template, _) = try workspace()
        let server = LanguageServer()
        _ = request(server, id: 0, "initialize", ["capabilities": [:]])
        let uri = URL(fileURLWithPath: dir.appendingPathComponent("story.ui.xml").path).absoluteString
        let text = text ?? template
        let out = send(
            server,
            [
                "jsonrpc": "2.0", "method": "textDocument/didOpen",
                "params": [
                    "textDocument": ["uri": .string(uri), "languageId": "xml", "version": 1, "text": .string(text)]
                ],
            ])
        let diagnostics =
            out.first { $0["method"] == "textDocument/publishDiagnostics" && $0["params"]?["uri"] == .string(uri) }?[
                "params"]?["diagnostics"]?
            .arrayValue ?? []
        return (server, uri, text, diagnostics, dir)
    }

    /// The LSP position of the `n`th byte after the first `marker`, with UTF-16 columns.
    static func position(of marker: String, plus n: Int = 0, in text: String) -> Value {
        let before = String(text[..<text.range(of: marker)!.lowerBound]) + String(marker.prefix(n))
        let lines = before.components(separatedBy: "\n")
        return ["line": .int(lines.count - 1), "character": .int(lines.last!.utf16.count)]
    }

    static func labels(_ result: Value?) -> [String] {
        result?["result"]?["items"]?.arrayValue?.compactMap { $0["label"]?.stringValue } ?? []
    }

    // MARK: Framing

    @Test func framingSplitsMessagesAcrossChunksAndRecovers() {
        var framer = LSPFramer(maxMessageBytes: 100)
        let stream =
            LSPFramer.frame("{\"a\":1}") + Array("Junk: 1\r\n\r\n".utf8)
            + LSPFramer.frame(String(repeating: "x", count: 150))
            + LSPFramer.frame("{\"b\":2}")
        var events: [LSPFramer.Event] = []
        for byte in stream { events += framer.push([byte]) }
        #expect(
            events == [
                .message(Array("{\"a\":1}".utf8)), .badHeader("no valid Content-Length header"), .tooLarge(150),
                .message(Array("{\"b\":2}".utf8)),
            ])
        #expect(!framer.hasPartialMessage)
        #expect(LSPFramer.contentLength("Content-Type: x\r\ncontent-length:  12 ") == 12)
        #expect(LSPFramer.contentLength("Content-Length: -3") == nil)
        #expect(LSPFramer.contentLength("Content-Length: 99999999999999999999") == nil)
    }

    // MARK: Protocol errors

    @Test func protocolErrorsGetTheirCodes() {
        let server = LanguageServer()
        let early = Self.request(server, id: 1, "textDocument/hover", [:])
        #expect(early?["error"]?["code"] == .int(-32002))
        #expect(Self.request(server, id: 2, "initialize", [:])?["result"]?["capabilities"]?["hoverProvider"] == true)
        #expect(Self.request(server, id: 3, "no/such", [:])?["error"]?["code"] == .int(-32601))
        #expect(Self.send(server, ["jsonrpc": "2.0", "method": "no/such-notification"]).isEmpty)
        let notJSON = server.handle(Array("{\"id\":".utf8)).first.flatMap { try? JSONParser.parseValue($0) }
        #expect(notJSON?["error"]?["code"] == .int(-32700))
        let notUTF8 = server.handle([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]).first.flatMap {
            try? JSONParser.parseValue($0)
        }
        #expect(notUTF8?["error"]?["code"] == .int(-32700))
        let noMethod = Self.send(server, ["jsonrpc": "2.0", "id": 9]).first
        #expect(noMethod?["error"]?["code"] == .int(-32600))
        #expect(noMethod?["id"] == .int(9))
        #expect(Self.send(server, .array([1, 2])).first?["error"]?["code"] == .int(-32600))
        #expect(
            Self.request(server, id: 4, "textDocument/hover", ["textDocument": ["uri": "file:///nope.ui.xml"]])?[
                "error"]?["code"] == .int(-32602))
        #expect(Self.request(server, id: 5, "shutdown", .null)?["result"] == .null)
        #expect(Self.request(server, id: 6, "textDocument/hover", [:])?["error"]?["code"] == .int(-32600))
        #expect(!server.exitRequested)
        _ = Self.send(server, ["jsonrpc": "2.0", "method": "exit"])
        #expect(server.exitRequested)
        #expect(server.exitCode == 0)
    }

    // MARK: Diagnostics and sync

    @Test func openPublishesValidateDiagnosticsWithThePrompt() throws {
        let (_, _, _, diagnostics, dir) = try Self.opened()
        defer { try? FileManager.default.removeItem(at: dir) }
        let codes = diagnostics.compactMap { $0["code"]?.stringValue }
        let report = Validator.validate(
            ui: SourceFile(
                path: dir.appendingPathComponent("story.ui.xml").path,
                text: try String(contentsOf: dir.appendingPathComponent("story.ui.xml"), encoding: .utf8)),
            prompt: SourceFile(
                path: dir.appendingPathComponent("story.prompt.json").path,
                text: try String(contentsOf: dir.appendingPathComponent("story.prompt.json"), encoding: .utf8)))
        #expect(
            codes.sorted()
                == report.diagnostics.filter { $0.file?.hasSuffix("story.ui.xml") == true }.map(\.code.rawValue)
                .sorted())
        #expect(codes.contains("template.unknown-element"))
        #expect(codes.contains("expr.unknown-filter") == false)
        let unknown = try #require(diagnostics.first { $0["code"] == "template.unknown-element" })
        #expect(unknown["range"]?["start"] == ["line": 6, "character": 5])
        #expect(unknown["message"]?.stringValue?.contains("hint: did you mean `heading`?") == true)
    }

    @Test func incrementalChangesApplyInUTF16AndClearFixedDiagnostics() throws {
        let (server, uri, text, _, dir) = try Self.opened()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A character outside the BMP before the edit on the same line shifts UTF-16 columns by two.
        let emoji = Self.send(
            server,
            [
                "jsonrpc": "2.0", "method": "textDocument/didChange",
                "params": [
                    "textDocument": ["uri": .string(uri), "version": 2],
                    "contentChanges": [
                        [
                            "range": [
                                "start": Self.position(of: "<headng", in: text),
                                "end": Self.position(of: "<headng", in: text),
                            ], "text": "😀",
                        ]
                    ],
                ],
            ])
        #expect(emoji.first?["params"]?["version"] == 2)
        let edited = text.replacingOccurrences(of: "<headng", with: "😀<headng")
        let fixes: Value = [
            [
                "range": [
                    "start": Self.position(of: "headng", in: edited),
                    "end": Self.position(of: "headng", plus: 6, in: edited),
                ], "text": "heading",
            ],
            [
                "range": [
                    "start": Self.position(
                        of: "</headng", plus: 2, in: edited.replacingOccurrences(of: "<headng", with: "<heading")),
                    "end": Self.position(
                        of: "</headng", plus: 8, in: edited.replacingOccurrences(of: "<headng", with: "<heading")),
                ], "text": "heading",
            ],
            [
                "range": [
                    "start": Self.position(of: "😀", in: edited), "end": Self.position(of: "😀", plus: 1, in: edited),
                ], "text": "",
            ],
        ]
        let out = Self.send(
            server,
            [
                "jsonrpc": "2.0", "method": "textDocument/didChange",
                "params": ["textDocument": ["uri": .string(uri), "version": 3], "contentChanges": fixes],
            ])
        let codes = out.first?["params"]?["diagnostics"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? []
        #expect(!codes.contains("template.unknown-element"), "\(out)")
        #expect(codes.contains("binding.unknown-prop"))
        #expect(server.documents[uri]?.file.text == text.replacingOccurrences(of: "headng", with: "heading"))
    }

    @Test func aChangedPromptRechecksTheTemplatesThatUseIt() throws {
        let (server, uri, _, diagnostics, dir) = try Self.opened()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(!diagnostics.contains { $0["code"] == "binding.unknown-variable" })
        let promptURI = URL(fileURLWithPath: dir.appendingPathComponent("story.prompt.json").path).absoluteString
        let prompt = try String(contentsOf: dir.appendingPathComponent("story.prompt.json"), encoding: .utf8)
        let renamed = prompt.replacingOccurrences(of: "\"name\": \"topic\"", with: "\"name\": \"subject\"")
        let out = Self.send(
            server,
            [
                "jsonrpc": "2.0", "method": "textDocument/didOpen",
                "params": [
                    "textDocument": [
                        "uri": .string(promptURI), "languageId": "json", "version": 1, "text": .string(renamed),
                    ]
                ],
            ])
        let template = out.first { $0["params"]?["uri"] == .string(uri) }
        let codes = template?["params"]?["diagnostics"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? []
        #expect(
            codes.contains("binding.unknown-variable") || codes.contains("prompt.unknown-variable")
                || codes.contains { $0.hasPrefix("prompt.") }, "\(codes)")
    }

    // MARK: Completion, hover, definition, formatting

    @Test func completionKnowsTheContext() throws {
        let (server, uri, text, _, dir) = try Self.opened()
        defer { try? FileManager.default.removeItem(at: dir) }
        func complete(_ marker: String, plus n: Int) -> [String] {
            Self.labels(
                Self.request(
                    server, id: 7, "textDocument/completion",
                    ["textDocument": ["uri": .string(uri)], "position": Self.position(of: marker, plus: n, in: text)]))
        }
        #expect(complete("props.titel", plus: 6) == ["title", "article"])
        #expect(complete("{{ vars.topic", plus: 8).sorted() == ["length", "style", "topic", "twist"])
        #expect(complete("| upper", plus: 2).contains("upper"))
        #expect(complete("| upper", plus: 2).contains("default"))
        #expect(complete("execution-mode=\"", plus: 16).contains("auto-run-one-shot"))
        #expect(complete("<run", plus: 1).contains("heading"))
        #expect(complete("<run", plus: 1).contains("if"))
        #expect(!complete("<run", plus: 1).contains("view"))
        #expect(complete("<view", plus: 1).contains("props-schema"))
        #expect(!complete("\"Go\" /", plus: 4).contains("label"))
        #expect(complete("\"Story\" /", plus: 7).contains("format"))
        #expect(!complete("\"Story\" /", plus: 7).contains("name"))
        #expect(complete("<variable name=\"", plus: 16).contains("style"))
        #expect(complete("slots.story", plus: 6) == ["story"])
        #expect(complete("run.status", plus: 4).contains("status"))
        #expect(complete("run.status", plus: 4).contains("tool_events"))
        let nested = Self.request(
            server, id: 8, "textDocument/completion",
            ["textDocument": ["uri": .string(uri)], "position": Self.position(of: "{{ props.titel", plus: 3, in: text)])
        #expect(Self.labels(nested).contains("props"))
    }

    @Test func completionOfANestedPropsPathWhileTheBufferIsBroken() throws {
        let (server, uri, text, _, dir) = try Self.opened()
        defer { try? FileManager.default.removeItem(at: dir) }
        let broken = text.replacingOccurrences(of: "{{ props.titel }}</headng>", with: "{{ props.article. ")
        _ = Self.send(
            server,
            [
                "jsonrpc": "2.0", "method": "textDocument/didChange",
                "params": [
                    "textDocument": ["uri": .string(uri), "version": 2], "contentChanges": [["text": .string(broken)]],
                ],
            ])
        let result = Self.request(
            server, id: 9, "textDocument/completion",
            [
                "textDocument": ["uri": .string(uri)],
                "position": Self.position(of: "props.article.", plus: 14, in: broken),
            ])
        #expect(Self.labels(result) == ["tags"])
        #expect(result?["result"]?["items"]?.arrayValue?.first?["detail"] == "array of string")
    }

    @Test func hoverAndDefinition() throws {
        let (server, uri, text, _, dir) = try Self.opened()
        defer { try? FileManager.default.removeItem(at: dir) }
        func at(_ marker: String, _ n: Int) -> Value {
            ["textDocument": ["uri": .string(uri)], "position": Self.position(of: marker, plus: n, in: text)]
        }
        let props = Self.request(server, id: 10, "textDocument/hover", at("props.title |", 8))?["result"]?["contents"]?[
            "value"]?.stringValue
        #expect(props?.contains("**string**") == true)
        #expect(props?.contains("the heading") == true)
        let variable = Self.request(server, id: 11, "textDocument/hover", at("vars.topic", 6))?["result"]?["contents"]?[
            "value"]?.stringValue
        #expect(variable?.contains("component: textarea") == true)
        let element = Self.request(server, id: 12, "textDocument/hover", at("<slot", 2))?["result"]?["contents"]?[
            "value"]?.stringValue
        #expect(element?.contains("`<slot>`") == true)
        let attribute = Self.request(server, id: 13, "textDocument/hover", at("execution-mode", 3))?["result"]?[
            "contents"]?["value"]?.stringValue
        #expect(attribute?.contains("execution-modes.md") == true)
        let filter = Self.request(server, id: 14, "textDocument/hover", at("upper", 2))?["result"]?["contents"]?[
            "value"]?.stringValue
        #expect(filter?.contains("upper") == true)

        let prompt = try String(contentsOf: dir.appendingPathComponent("story.prompt.json"), encoding: .utf8)
        let declaration = Self.position(of: "\"topic\"", plus: 1, in: prompt)
        let fromVars = Self.request(server, id: 15, "textDocument/definition", at("vars.topic", 7))?["result"]
        #expect(fromVars?["uri"]?.stringValue?.hasSuffix("/story.prompt.json") == true)
        #expect(fromVars?["range"]?["start"]?["line"] == declaration["line"])
        let fromInput = Self.request(server, id: 16, "textDocument/definition", at("name=\"topic\"", 7))?["result"]
        #expect(fromInput?["range"]?["start"]?["line"] == declaration["line"])
        let fromSlot = Self.request(server, id: 20, "textDocument/definition", at("slots.story", 8))?["result"]
        #expect(fromSlot?["range"]?["start"] == Self.position(of: "name=\"story\"", plus: 6, in: text))
        let runHover = Self.request(server, id: 21, "textDocument/hover", at("run.status", 5))?["result"]?["contents"]?[
            "value"]?.stringValue
        #expect(runHover?.contains("completed") == true)
        let fromProps = Self.request(server, id: 17, "textDocument/definition", at("props.title |", 8))?["result"]
        #expect(fromProps?["range"]?["start"] == Self.position(of: "\"title\"", in: text))
    }

    @Test func formattingReturnsOneEditWithTheFormattedText() throws {
        let messy = #"<custom-ui name="x"><view><text>{{props.a}}</text></view></custom-ui>"#
        let (server, uri, _, _, dir) = try Self.opened(messy)
        defer { try? FileManager.default.removeItem(at: dir) }
        let edits = Self.request(
            server, id: 18, "textDocument/formatting",
            ["textDocument": ["uri": .string(uri)], "options": ["tabSize": 2, "insertSpaces": true]])?["result"]
        #expect(
            edits?.arrayValue?.first?["newText"]?.stringValue
                == TemplateFormatter.format(SourceFile(path: "x", text: messy)).text)
        #expect(
            edits?.arrayValue?.first?["range"] == [
                "start": ["line": 0, "character": 0], "end": ["line": 0, "character": .int(messy.utf16.count)],
            ])
    }

    @Test func aCodeActionFixesItsDiagnostic() throws {
        let (server, uri, text, _, dir) = try Self.opened()
        defer { try? FileManager.default.removeItem(at: dir) }
        let at = Self.position(of: "headng", plus: 2, in: text)
        let actions =
            Self.request(
                server, id: 19, "textDocument/codeAction",
                [
                    "textDocument": ["uri": .string(uri)], "range": ["start": at, "end": at],
                    "context": ["diagnostics": []],
                ])?["result"]?.arrayValue ?? []
        let action = try #require(actions.first { $0["title"] == "change `headng` to `heading`" })
        #expect(action["kind"] == "quickfix")
        #expect(action["diagnostics"]?.arrayValue?.first?["code"] == "template.unknown-element")
        let edits = action["edit"]?["changes"]?[uri]?.arrayValue ?? []
        #expect(edits.count == 2)
        // Applied as a client does: later edits first, so earlier ranges stay valid.
        let changes = edits.reversed().map { edit -> Value in
            ["range": edit["range"] ?? .null, "text": edit["newText"] ?? ""]
        }
        let out = Self.send(
            server,
            [
                "jsonrpc": "2.0", "method": "textDocument/didChange",
                "params": ["textDocument": ["uri": .string(uri), "version": 2], "contentChanges": .array(changes)],
            ])
        let codes = out.first?["params"]?["diagnostics"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? []
        #expect(!codes.contains("template.unknown-element"))
        #expect(server.documents[uri]?.file.text == text.replacingOccurrences(of: "headng", with: "heading"))
    }

    // MARK: Definition JSON and the prompt

    /// A definition JSON (its template inside the `component_code` string) beside the story prompt.
    static func openedDefinition() throws -> (LanguageServer, uri: String, text: String, diagnostics: [Value], dir: URL)
    {
        let (dir, _, _) = try workspace()
        let text = #"""
            {
              "name": "Story",
              "component_type": "template",
              "execution_mode": "manual",
              "props_schema": { "type": "object", "properties": { "title": { "type": "string" } } },
              "component_code": "<custom-ui>\n  <view>\n    <heading level=\"1\">{{ props.titel }}</heading>\n    <text>{{ vars.topic }} {{ props.title }}</text>\n    <run label=\"Go\"/>\n    <slot name=\"story\"/>\n    <text>{{ slots.story }}</text>\n  </view>\n</custom-ui>"
            }
            """#
        let path = dir.appendingPathComponent("story.definition.json").path
        let server = LanguageServer()
        _ = request(server, id: 0, "initialize", ["capabilities": [:]])
        let uri = URL(fileURLWithPath: path).absoluteString
        let out = send(
            server,
            [
                "jsonrpc": "2.0", "method": "textDocument/didOpen",
                "params": [
                    "textDocument": ["uri": .string(uri), "languageId": "json", "version": 1, "text": .string(text)]
                ],
            ])
        let diagnostics =
            out.first { $0["params"]?["uri"] == .string(uri) }?["params"]?["diagnostics"]?.arrayValue ?? []
        return (server, uri, text, diagnostics, dir)
    }

    @Test func aDefinitionsComponentCodeIsCheckedInPlaceInItsJSON() throws {
        let (server, uri, text, diagnostics, dir) = try Self.openedDefinition()
        defer { try? FileManager.default.removeItem(at: dir) }
        let unknown = try #require(diagnostics.first { $0["code"] == "binding.unknown-prop" }, "\(diagnostics)")
        let start = Self.position(of: "titel", in: text)
        #expect(
            unknown["range"] == [
                "start": start, "end": ["line": start["line"]!, "character": .int(start["character"]!.intValue! + 5)],
            ])
        let actions =
            Self.request(
                server, id: 30, "textDocument/codeAction",
                ["textDocument": ["uri": .string(uri)], "range": ["start": start, "end": start]])?["result"]?
            .arrayValue ?? []
        let action = try #require(actions.first { $0["title"] == "change `titel` to `title`" })
        let changes = (action["edit"]?["changes"]?[uri]?.arrayValue ?? []).map { edit -> Value in
            ["range": edit["range"] ?? .null, "text": edit["newText"] ?? ""]
        }
        let out = Self.send(
            server,
            [
                "jsonrpc": "2.0", "method": "textDocument/didChange",
                "params": ["textDocument": ["uri": .string(uri), "version": 2], "contentChanges": .array(changes)],
            ])
        let after = out.first?["params"]?["diagnostics"]?.arrayValue ?? []
        #expect(after.isEmpty, "\(after)")
        #expect(server.documents[uri]?.file.text == text.replacingOccurrences(of: "titel", with: "title"))
    }

    @Test func hoverAndDefinitionInADefinitionsJSON() throws {
        let (server, uri, text, _, dir) = try Self.openedDefinition()
        defer { try? FileManager.default.removeItem(at: dir) }
        func at(_ marker: String, _ n: Int) -> Value {
            ["textDocument": ["uri": .string(uri)], "position": Self.position(of: marker, plus: n, in: text)]
        }
        let props = Self.request(server, id: 31, "textDocument/hover", at("props.title }}", 8))?["result"]?[
            "contents"]?["value"]?.stringValue
        #expect(props?.contains("**string**") == true)
        let variable = Self.request(server, id: 32, "textDocument/hover", at("vars.topic", 6))?["result"]?[
            "contents"]?["value"]?.stringValue
        #expect(variable?.contains("component: textarea") == true)

        let fromProps = Self.request(server, id: 33, "textDocument/definition", at("props.title }}", 8))?["result"]
        #expect(fromProps?["uri"] == .string(uri))
        #expect(fromProps?["range"]?["start"] == Self.position(of: "\"title\"", in: text))
        let prompt = try String(contentsOf: dir.appendingPathComponent("story.prompt.json"), encoding: .utf8)
        let fromVars = Self.request(server, id: 34, "textDocument/definition", at("vars.topic", 7))?["result"]
        #expect(fromVars?["uri"]?.stringValue?.hasSuffix("/story.prompt.json") == true)
        #expect(fromVars?["range"]?["start"]?["line"] == Self.position(of: "\"topic\"", in: prompt)["line"])
        let fromSlot = Self.request(server, id: 35, "textDocument/definition", at("slots.story", 8))?["result"]
        #expect(fromSlot?["range"]?["start"] == Self.position(of: #"name=\"story\""#, plus: 7, in: text))
    }

    @Test func notesPointIntoThePromptAsRelatedInformation() throws {
        let (_, _, text, diagnostics, dir) = try Self.opened(
            try Self.workspace().template.replacingOccurrences(of: "{{ vars.topic }}", with: "{{ vars.topc }}"))
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(text.contains("vars.topc"))
        let unknown = try #require(diagnostics.first { $0["code"] == "binding.unknown-variable" }, "\(diagnostics)")
        let related = try #require(unknown["relatedInformation"]?.arrayValue?.first)
        #expect(related["message"] == "`topic` is declared here")
        #expect(related["location"]?["uri"]?.stringValue?.hasSuffix("/story.prompt.json") == true)
        let prompt = try String(contentsOf: dir.appendingPathComponent("story.prompt.json"), encoding: .utf8)
        #expect(related["location"]?["range"]?["start"] == Self.position(of: "\"topic\"", in: prompt))
    }

    @Test func anEditedPropsSchemaRechecksTheTemplate() throws {
        // The props schema lives in the template (or the definition): editing it re-checks the bindings.
        let (server, uri, text, diagnostics, dir) = try Self.opened()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(!diagnostics.contains { $0["code"] == "binding.unknown-prop" })
        let at = Self.position(of: "\"title\": {", plus: 1, in: text)
        let out = Self.send(
            server,
            [
                "jsonrpc": "2.0", "method": "textDocument/didChange",
                "params": [
                    "textDocument": ["uri": .string(uri), "version": 2],
                    "contentChanges": [
                        [
                            "range": [
                                "start": at,
                                "end": ["line": at["line"]!, "character": .int(at["character"]!.intValue! + 5)],
                            ],
                            "text": "titel",
                        ]
                    ],
                ],
            ])
        let unknown = try #require(
            out.first?["params"]?["diagnostics"]?.arrayValue?.first {
                $0["code"] == "binding.unknown-prop"
            }, "`props.title` is no longer declared")
        #expect(unknown["range"]?["start"] == Self.position(of: "title | upper", in: text))
    }
}
