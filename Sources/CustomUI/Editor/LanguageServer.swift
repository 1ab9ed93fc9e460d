import CustomUICore
import Foundation
import JSONSchema

/// The `customui lsp` server without its transport: JSON-RPC message bodies in, messages out.
///
/// Templates (`.ui.xml`), definition JSON and prompt files are checked exactly as `customui
/// validate` checks them, with the sibling `NAME.prompt.json` (its open buffer when the editor has
/// it open, else the file on disk). Positions are LSP positions: zero-based lines and UTF-16
/// columns. Nothing the client sends can crash it: a body that is not JSON (or not UTF-8) gets
/// ParseError, a message that is not a request InvalidRequest, an unknown method MethodNotFound.
public final class LanguageServer {
    /// JSON-RPC and LSP error codes.
    public enum ErrorCode {
        public static let parseError = -32700
        public static let invalidRequest = -32600
        public static let methodNotFound = -32601
        public static let invalidParams = -32602
        public static let serverNotInitialized = -32002
    }

    /// One open document.
    struct OpenDocument {
        var uri: String
        var path: String
        var file: SourceFile
        var version: Value
    }

    var documents: [String: OpenDocument] = [:]
    /// URIs that last received non-empty diagnostics, so they are cleared when fixed.
    var published: Set<String> = []
    /// Each open template's document from the last text that loaded, for completion while the
    /// buffer is half-written.
    var lastLoaded: [String: CustomUIDocument] = [:]
    /// The text each open template was last checked with, so features reuse that check's result.
    var checked: [String: SourceFile] = [:]
    public private(set) var initialized = false
    public private(set) var shutdownRequested = false
    /// Set by `exit`; the transport stops and exits with `exitCode`.
    public private(set) var exitRequested = false
    public var exitCode: Int32 { shutdownRequested ? 0 : 1 }

    public init() {}

    // MARK: Messages

    /// Handles one message body; returns the bodies to send back (responses and notifications).
    public func handle(_ body: [UInt8]) -> [String] {
        let message: Value
        do {
            // A message carries a whole document; the document's own size limit applies when it is checked.
            message = try JSONParser.parseValue(
                bytes: body, limits: ResourceLimits(maxDocumentBytes: LSPFramer().maxMessageBytes))
        } catch {
            return [
                Self.errorResponse(
                    id: .null, code: ErrorCode.parseError, message: "the message is not JSON: \(error.message)")
            ]
        }
        var out: [Value] = []
        if case .array = message {
            return [Self.errorResponse(id: .null, code: ErrorCode.invalidRequest, message: "batches are not supported")]
        }
        guard let object = message.objectValue, let method = object["method"]?.stringValue else {
            // A response to us.
            if message.objectValue?["result"] != nil || message.objectValue?["error"] != nil { return [] }
            return [
                Self.errorResponse(
                    id: message["id"] ?? .null, code: ErrorCode.invalidRequest,
                    message: "a request needs a `method` string")
            ]
        }
        let id = object["id"]
        let params = object["params"] ?? .null
        if let id {
            switch id {
            case .string, .number: break
            default:
                return [
                    Self.errorResponse(
                        id: .null, code: ErrorCode.invalidRequest, message: "`id` must be a number or a string")
                ]
            }
        }
        func reply(_ result: Value) { if let id { out.append(["jsonrpc": "2.0", "id": id, "result": result]) } }
        func fail(_ code: Int, _ text: String) {
            if let id { out.append(Self.errorValue(id: id, code: code, message: text)) }
        }

        if method == "exit" {
            exitRequested = true
            return []
        }
        if !initialized && method != "initialize" {
            fail(ErrorCode.serverNotInitialized, "the server is not initialized: send `initialize` first")
            return out.map(Self.write)
        }
        if shutdownRequested {
            fail(ErrorCode.invalidRequest, "the server is shutting down: only `exit` is accepted")
            return out.map(Self.write)
        }
        switch method {
        case "initialize":
            initialized = true
            reply(Self.capabilities)
        case "initialized", "$/setTrace", "$/cancelRequest", "workspace/didChangeConfiguration", "textDocument/didSave",
            "workspace/didChangeWatchedFiles":
            break
        case "shutdown":
            shutdownRequested = true
            reply(.null)
        case "textDocument/didOpen":
            guard let doc = params["textDocument"], let uri = doc["uri"]?.stringValue,
                let text = doc["text"]?.stringValue
            else {
                break
            }
            let path = Self.path(fromURI: uri)
            documents[uri] = OpenDocument(
                uri: uri, path: path, file: SourceFile(path: path, text: text), version: doc["version"] ?? .null)
            out += diagnosticsAfterChange(of: uri)
        case "textDocument/didChange":
            guard let uri = params["textDocument"]?["uri"]?.stringValue, var document = documents[uri],
                let changes = params["contentChanges"]?.arrayValue
            else { break }
            var current = document.file
            for change in changes {
                guard let newText = change["text"]?.stringValue else { continue }
                if let range = change["range"] {
                    guard let start = Self.offset(range["start"], in: current),
                        let end = Self.offset(range["end"], in: current)
                    else {
                        continue
                    }
                    var bytes = current.bytes
                    bytes.replaceSubrange(min(start, end)..<max(start, end), with: Array(newText.utf8))
                    current = SourceFile(path: document.path, text: String(decoding: bytes, as: UTF8.self))
                } else {
                    current = SourceFile(path: document.path, text: newText)
                }
            }
            document.file = current
            document.version = params["textDocument"]?["version"] ?? document.version
            documents[uri] = document
            out += diagnosticsAfterChange(of: uri)
        case "textDocument/didClose":
            guard let uri = params["textDocument"]?["uri"]?.stringValue else { break }
            documents[uri] = nil
            lastLoaded[uri] = nil
            checked[uri] = nil
            if published.remove(uri) != nil {
                out.append(
                    Self.notification("textDocument/publishDiagnostics", ["uri": .string(uri), "diagnostics": []]))
            }
        case "textDocument/completion", "textDocument/hover", "textDocument/definition", "textDocument/formatting",
            "textDocument/codeAction":
            guard let uri = params["textDocument"]?["uri"]?.stringValue, let document = documents[uri] else {
                fail(ErrorCode.invalidParams, "the document is not open: send `textDocument/didOpen` first")
                break
            }
            let offset = Self.offset(params["position"], in: document.file) ?? 0
            switch method {
            case "textDocument/completion": reply(completion(document, offset: offset))
            case "textDocument/hover": reply(hover(document, offset: offset))
            case "textDocument/definition": reply(definition(document, offset: offset))
            case "textDocument/codeAction": reply(codeActions(document, range: params["range"]))
            default: reply(formatting(document))
            }
        default:
            if id != nil {
                fail(ErrorCode.methodNotFound, "unknown method `\(method)`")
            }
        }
        return out.map(Self.write)
    }

    static let capabilities: Value = [
        "capabilities": [
            "positionEncoding": "utf-16",
            "textDocumentSync": ["openClose": true, "change": 2],
            "completionProvider": ["triggerCharacters": [".", "<", "|", " ", "\"", "{"]],
            "hoverProvider": true,
            "definitionProvider": true,
            "documentFormattingProvider": true,
            "codeActionProvider": ["codeActionKinds": ["quickfix"]],
        ],
        "serverInfo": ["name": "customui", "version": .string(CustomUIVersion.number)],
    ]

    static func write(_ value: Value) -> String { JSONWriter().string(value) }

    static func notification(_ method: String, _ params: Value) -> Value {
        ["jsonrpc": "2.0", "method": .string(method), "params": params]
    }

    static func errorValue(id: Value, code: Int, message: String) -> Value {
        ["jsonrpc": "2.0", "id": id, "error": ["code": .int(code), "message": .string(message)]]
    }

    /// An error response body (for the transport's framing errors too).
    public static func errorResponse(id: Value, code: Int, message: String) -> String {
        write(errorValue(id: id, code: code, message: message))
    }

    // MARK: Paths and positions

    static func path(fromURI uri: String) -> String {
        if uri.hasPrefix("file://"), let url = URL(string: uri), !url.path.isEmpty { return url.path }
        return uri
    }

    static func uri(fromPath path: String) -> String {
        path.hasPrefix("/") ? URL(fileURLWithPath: path).absoluteString : path
    }

    /// The byte offset of an LSP position (zero-based line, UTF-16 character), clamped to the line.
    static func offset(_ position: Value?, in file: SourceFile) -> Int? {
        guard let position, let line = position["line"]?.intValue, let character = position["character"]?.intValue,
            line >= 0,
            character >= 0
        else { return nil }
        guard line < file.lineStarts.count else { return file.bytes.count }
        var offset = file.lineStarts[line]
        let end = line + 1 < file.lineStarts.count ? file.lineStarts[line + 1] : file.bytes.count
        var units = 0
        let bytes = file.bytes
        while offset < end, units < character {
            let b = bytes[offset]
            if b == 0x0A || b == 0x0D { break }
            let length = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
            units += length == 4 ? 2 : 1
            offset = min(offset + length, end)
        }
        return offset
    }

    /// The LSP position of a byte offset.
    static func position(_ offset: Int, in file: SourceFile) -> Value {
        let location = file.location(at: offset)
        let lineStart = file.lineStarts[location.line - 1]
        let units = String(decoding: file.bytes[lineStart..<location.offset], as: UTF8.self).utf16.count
        return ["line": .int(location.line - 1), "character": .int(units)]
    }

    static func range(_ range: SourceRange, in file: SourceFile) -> Value {
        ["start": position(range.start.offset, in: file), "end": position(range.end.offset, in: file)]
    }

    // MARK: Diagnostics

    func isTemplate(_ path: String) -> Bool { path.hasSuffix(".ui.xml") || path.hasSuffix(".definition.json") }

    /// The text of a file: its open buffer, else the file on disk.
    func sourceFile(atPath path: String) -> SourceFile? {
        if let open = documents.values.first(where: { $0.path == path }) { return open.file }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else { return nil }
        return SourceFile(path: path, text: text)
    }

    /// `NAME.prompt.json` beside `NAME.ui.xml` or `NAME.definition.json`, as `validate` finds it.
    static func siblingPromptPath(of path: String) -> String? {
        for suffix in [".ui.xml", ".definition.json"] where path.hasSuffix(suffix) {
            return String(path.dropLast(suffix.count)) + ".prompt.json"
        }
        return nil
    }

    func prompt(for path: String) -> SourceFile? {
        Self.siblingPromptPath(of: path).flatMap { sourceFile(atPath: $0) }
    }

    /// The validation report of an open template, as `customui validate` makes it, with the
    /// findings in a definition's `component_code` moved to their place inside the JSON string.
    func report(_ document: OpenDocument) -> ValidationReport {
        var report = Validator.validate(ui: document.file, prompt: prompt(for: document.path))
        report.diagnostics = report.diagnosticsPlaced(in: document.file)
        return report
    }

    static func componentCodeOrigin(in file: SourceFile) -> TextOrigin? {
        ValidationReport.componentCodeOrigin(in: file)
    }

    /// Diagnostics for the changed document and for every open template that uses it.
    func diagnosticsAfterChange(of uri: String) -> [Value] {
        guard let document = documents[uri] else { return [] }
        var targets = [document]
        if document.path.hasSuffix(".prompt.json") {
            targets += documents.values.filter { Self.siblingPromptPath(of: $0.path) == document.path }
                .sorted { $0.uri < $1.uri }
        }
        var byURI: [String: [Value]] = [:]
        var order: [String] = []
        for target in targets {
            let diagnostics: [Diagnostic]
            var sources: [String: SourceFile] = [target.path: target.file]
            if isTemplate(target.path) {
                let report = report(target)
                diagnostics = report.diagnostics
                if let loaded = report.document { lastLoaded[target.uri] = loaded }
                checked[target.uri] = target.file
                for source in report.sources { sources[source.path] = source }
            } else if target.path.hasSuffix(".prompt.json") {
                diagnostics = Self.promptDiagnostics(target.file)
            } else {
                continue
            }
            if byURI[target.uri] == nil {
                byURI[target.uri] = []
                order.append(target.uri)
            }
            for diagnostic in diagnostics {
                let file = diagnostic.file.flatMap { sources[$0] } ?? target.file
                guard file.path == target.path || diagnostic.file == nil || diagnostic.file == target.path else {
                    // A problem in the prompt: shown on the prompt's own URI when it is open.
                    let otherURI = Self.uri(fromPath: file.path)
                    if documents[otherURI] != nil {
                        if byURI[otherURI] == nil {
                            byURI[otherURI] = []
                            order.append(otherURI)
                        }
                        byURI[otherURI]?.append(lspDiagnostic(diagnostic, file: file, sources: sources))
                    }
                    continue
                }
                byURI[target.uri]?.append(lspDiagnostic(diagnostic, file: target.file, sources: sources))
            }
        }
        var out: [Value] = []
        for uri in order {
            let list = byURI[uri] ?? []
            if list.isEmpty && !published.contains(uri) && uri != document.uri
                && !targets.contains(where: { $0.uri == uri })
            {
                continue
            }
            if list.isEmpty { published.remove(uri) } else { published.insert(uri) }
            var params: Value = ["uri": .string(uri), "diagnostics": .array(list)]
            if let version = documents[uri]?.version, case .number = version, case .object(var object) = params {
                object["version"] = version
                params = .object(object)
            }
            out.append(Self.notification("textDocument/publishDiagnostics", params))
        }
        return out
    }

    /// A prompt file's own findings, as `validate` reports them for the prompt: loading, then the
    /// prompt's checks (placeholders, defaults, unused variables) when it loads.
    static func promptDiagnostics(_ file: SourceFile) -> [Diagnostic] {
        let (prompt, diagnostics) = Prompt.load(file)
        guard let prompt else { return diagnostics }
        var check = PromptCheck(prompt: prompt)
        check.check()
        return (diagnostics + check.diagnostics).sortedByLocation()
    }

    func lspDiagnostic(_ diagnostic: Diagnostic, file: SourceFile, sources: [String: SourceFile]) -> Value {
        let range = diagnostic.range ?? file.range(0, 0)
        var message = diagnostic.message
        if let hint = diagnostic.hint { message += "\nhint: " + hint }
        var related: [Value] = []
        for note in diagnostic.notes {
            let noteFile = note.file.flatMap { sources[$0] } ?? file
            let noteRange = note.range ?? noteFile.range(0, 0)
            related.append([
                "location": [
                    "uri": .string(Self.uri(fromPath: noteFile.path)), "range": Self.range(noteRange, in: noteFile),
                ],
                "message": .string(note.message),
            ])
        }
        let severity: Int =
            switch diagnostic.severity {
            case .error: 1
            case .warning: 2
            case .note: 3
            }
        var value: ValueObject = ValueObject([
            ("range", Self.range(range, in: file)), ("severity", .int(severity)),
            ("code", .string(diagnostic.code.rawValue)),
            ("source", "customui"), ("message", .string(message)),
        ])
        if !related.isEmpty { value["relatedInformation"] = .array(related) }
        return .object(value)
    }

    // MARK: Code actions

    /// Quick fixes for the diagnostics that touch `range`: the fixes each diagnostic carries.
    func codeActions(_ document: OpenDocument, range: Value?) -> Value {
        let diagnostics: [Diagnostic]
        if isTemplate(document.path) {
            diagnostics = report(document).diagnostics
        } else if document.path.hasSuffix(".prompt.json") {
            diagnostics = Self.promptDiagnostics(document.file)
        } else {
            return []
        }
        let file = document.file
        let start = Self.offset(range?["start"], in: file) ?? 0
        let end = Self.offset(range?["end"], in: file) ?? file.bytes.count
        var actions: [Value] = []
        for diagnostic in diagnostics where diagnostic.file == nil || diagnostic.file == document.path {
            guard let r = diagnostic.range, r.start.offset <= end, r.end.offset >= start else { continue }
            let fixes = diagnostic.fixes
            for fix in fixes {
                let edits = Value.array(
                    fix.edits.map { ["range": Self.range($0.range, in: file), "newText": .string($0.text)] })
                actions.append([
                    "title": .string(fix.message), "kind": "quickfix", "isPreferred": .bool(fixes.count == 1),
                    "diagnostics": [lspDiagnostic(diagnostic, file: file, sources: [:])],
                    "edit": ["changes": .object(ValueObject([(document.uri, edits)]))],
                ])
            }
        }
        return .array(actions)
    }

    // MARK: Formatting

    func formatting(_ document: OpenDocument) -> Value {
        guard document.path.hasSuffix(".ui.xml"), let formatted = TemplateFormatter.format(document.file).text,
            formatted != document.file.text
        else { return [] }
        let whole = document.file.range(0, document.file.bytes.count)
        return [["range": Self.range(whole, in: document.file), "newText": .string(formatted)]]
    }
}
