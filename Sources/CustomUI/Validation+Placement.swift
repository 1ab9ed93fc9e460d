import CustomUICore
import JSONSchema

extension ValidationReport {
    /// The diagnostics with those about a definition's `component_code` (a file of its own, named
    /// `FILE (component_code)`) moved to their place inside the JSON string of `file`, the definition
    /// that was validated, so an editor or `validate --fix` can use them there. A template file's
    /// diagnostics are returned as they are.
    public func diagnosticsPlaced(in file: SourceFile) -> [Diagnostic] {
        guard let code = document?.syntax?.file, code !== file, code.path != file.path,
            let origin = Self.componentCodeOrigin(in: file)
        else { return diagnostics }
        return diagnostics.map { Self.moved($0, from: code, to: origin) }
    }

    /// Where the decoded `component_code` string sits in a definition's JSON.
    static func componentCodeOrigin(in file: SourceFile) -> TextOrigin? {
        guard let json = try? JSONParser.parse(file) else { return nil }
        return DocumentReader(json, code: .definitionInvalid, what: "the definition").stringOrigin(
            JSONPointer.root.appending("component_code"))
    }

    /// A diagnostic about `code` (the decoded `component_code`) re-pointed into the JSON through
    /// `origin`; its fixes stay only where the JSON reads exactly the code they replace and their
    /// text needs no escaping.
    static func moved(_ diagnostic: Diagnostic, from code: SourceFile, to origin: TextOrigin) -> Diagnostic {
        func map(_ range: SourceRange) -> SourceRange { origin.range(range.start.offset, range.end.offset) }
        var result = diagnostic
        if diagnostic.file == code.path {
            result.file = origin.file.path
            result.range = diagnostic.range.map(map)
            result.fixes = diagnostic.fixes.compactMap { fix in
                let edits = fix.edits.map { TextEdit(range: map($0.range), text: $0.text) }
                for (edit, original) in zip(edits, fix.edits)
                where origin.file.text(in: edit.range) != code.text(in: original.range)
                    || edit.text.unicodeScalars.contains(where: { $0 == "\"" || $0 == "\\" || $0.value < 0x20 })
                {
                    return nil
                }
                return Fix(fix.message, edits: edits)
            }
        }
        result.notes = diagnostic.notes.map { note in
            guard note.file == code.path || (note.file == nil && diagnostic.file == code.path) else { return note }
            return DiagnosticNote(note.message, file: origin.file.path, range: note.range.map(map))
        }
        return result
    }
}
