import CustomUI
import CustomUICore
import Foundation
import JSONSchema
import TemplateLibrary

/// A UI ready to serve: compiled, with its prompt, props and where its answers come from.
public struct ServedUI: Sendable {
    /// The path after `/ui/` that names it (`local/NAME`, a library id or `owner/name`).
    public var reference: String
    /// The compiled template.
    public var template: CompiledTemplate
    /// Its prompt.
    public var prompt: Prompt
    /// Props (the definition's defaults are applied by the session).
    public var props: Value?
    /// A recording beside the UI file (`NAME.stream.ndjson`), replayed when no backend is set.
    public var recording: String?
    /// The library UI's stable id, for usage and ratings.
    public var libraryUI: String?
    /// The library UI's owner.
    public var owner: String?
}

/// Why a UI cannot be served.
public enum CatalogFailure: Error, Sendable {
    /// No such UI for this viewer (unknown, or another user's private UI: the same answer).
    case notFound
    /// The UI exists but does not validate; the diagnostics and the sources to show them with.
    case invalid([Diagnostic], [SourceFile])
    /// The UI has no prompt available to this server.
    case missingPrompt(String)
}

/// Where the server finds UIs: files named on the command line and the library, under its access rules.
public struct Catalog: Sendable {
    /// Files named on the command line, by their short name (`story-writer` for `…/story-writer.ui.xml`).
    public var localFiles: [String: String]
    /// The library, if one is open.
    public var library: Library?
    /// Prompt files by prompt id (library UIs name their prompt by id), and by lowercased prompt
    /// name and file name for UIs published without a `prompt_id` (the starters).
    public var prompts: [String: String]

    /// A catalog of files, a library and a directory of prompts.
    public init(files: [String], library: Library?, promptDirectories: [String]) {
        var local: [String: String] = [:]
        for file in files { local[Self.shortName(file)] = file }
        localFiles = local
        self.library = library
        var prompts: [String: String] = [:]
        for directory in promptDirectories {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for name in names.sorted() where name.hasSuffix(".prompt.json") {
                let path = (directory as NSString).appendingPathComponent(name)
                guard let text = try? String(contentsOfFile: path, encoding: .utf8),
                    let value = (try? JSONParser.parse(SourceFile(path: path, text: text)))?.value
                else { continue }
                if let id = value["id"]?.stringValue { prompts[id] = path }
                if let name = value["name"]?.stringValue { prompts["name:" + name.lowercased()] = path }
                prompts["name:" + String(name.dropLast(".prompt.json".count)).lowercased()] = path
            }
        }
        for file in files {
            if let prompt = Self.sibling(file, ".prompt.json"),
                let text = try? String(contentsOfFile: prompt, encoding: .utf8),
                let id = (try? JSONParser.parse(SourceFile(path: prompt, text: text)))?.value["id"]?.stringValue
            {
                prompts[id] = prompt
            }
        }
        self.prompts = prompts
    }

    /// `story-writer` for `Examples/story-writer/story-writer.ui.xml`.
    public static func shortName(_ path: String) -> String {
        var name = (path as NSString).lastPathComponent
        for suffix in [".ui.xml", ".definition.json", ".xml", ".json"] where name.hasSuffix(suffix) {
            name = String(name.dropLast(suffix.count))
            break
        }
        return name
    }

    /// `NAME<suffix>` beside `NAME.ui.xml` or `NAME.definition.json`, if it exists.
    static func sibling(_ path: String, _ suffix: String) -> String? {
        for ending in [".ui.xml", ".definition.json"] where path.hasSuffix(ending) {
            let candidate = String(path.dropLast(ending.count)) + suffix
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Loads a UI for `user` (read again on every call, so an edited file shows on reload); `path`
    /// loads a watched file under a local reference.
    public func load(_ reference: String, user: String, path: String? = nil) -> Result<ServedUI, CatalogFailure> {
        if let path { return loadFile(path, reference: reference) }
        if reference.hasPrefix("local/") {
            guard let path = localFiles[String(reference.dropFirst("local/".count))] else { return .failure(.notFound) }
            return loadFile(path, reference: reference)
        }
        guard let library else { return .failure(.notFound) }
        // Access rules live in the library: an entry the viewer may not see is "not found".
        guard let entry = try? library.entry(reference, user: user),
            let text = try? library.export(reference, asDefinition: false, user: user)
        else { return .failure(.notFound) }
        let ui = SourceFile(path: "library:\(entry.owner)/\(entry.definition.name)", text: text)
        let byID = entry.definition.promptID.flatMap { prompts[$0] }
        let byName = prompts["name:" + entry.definition.name.lowercased()]
        guard let promptPath = byID ?? byName,
            let promptText = try? String(contentsOfFile: promptPath, encoding: .utf8)
        else {
            return .failure(.missingPrompt(entry.definition.promptID ?? "(none)"))
        }
        let result = compile(
            ui: ui, prompt: SourceFile(path: promptPath, text: promptText), props: nil, reference: reference)
        return result.map { served in
            var served = served
            served.libraryUI = entry.uiID
            served.owner = entry.owner
            return served
        }
    }

    private func loadFile(_ path: String, reference: String) -> Result<ServedUI, CatalogFailure> {
        func read(_ path: String) -> SourceFile? {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
            else { return nil }
            return SourceFile(path: path, text: text)
        }
        guard let ui = read(path) else {
            return .failure(
                .invalid([.error(.runRefused, "`\(path)` cannot be read as UTF-8 text", hint: "check the file")], []))
        }
        var served = compile(
            ui: ui, prompt: Self.sibling(path, ".prompt.json").flatMap(read),
            props: Self.sibling(path, ".props.json").flatMap(read), reference: reference)
        if case .success(var ui) = served {
            ui.recording = Self.sibling(path, ".stream.ndjson")
            served = .success(ui)
        }
        return served
    }

    private func compile(ui: SourceFile, prompt: SourceFile?, props: SourceFile?, reference: String) -> Result<
        ServedUI, CatalogFailure
    > {
        let report = Validator.validate(ui: ui, prompt: prompt, props: props)
        guard !report.hasErrors else { return .failure(.invalid(report.diagnostics, report.sources)) }
        guard let prompt = report.prompt else {
            return .failure(.missingPrompt(report.document?.definition.promptID ?? "(none)"))
        }
        let (template, diagnostics) = RenderPipeline.template(for: report, props: report.props)
        guard let template, !diagnostics.hasErrors else { return .failure(.invalid(diagnostics, report.sources)) }
        return .success(
            ServedUI(reference: reference, template: template, prompt: prompt, props: report.props, recording: nil))
    }
}
