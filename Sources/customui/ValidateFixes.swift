import CustomUI
import CustomUICore
import Foundation

/// `validate --format json` fixes and `validate --fix`, beside ValidateCommand.
enum ValidateFixes {
    /// A diagnostic as JSON with its machine-applicable fixes (`"fixes": []` when there are none).
    static func json(_ diagnostic: Diagnostic, sources: [SourceFile]) -> Value {
        guard case .object(var object) = diagnostic.jsonValue else { return diagnostic.jsonValue }
        let file = sources.first { $0.path == diagnostic.file }
        let fixes = file.map { DiagnosticFixes.fixes(for: diagnostic, in: $0) } ?? []
        object["fixes"] = .array(
            fixes.map { fix in
                [
                    "message": .string(fix.message),
                    "edits": .array(
                        fix.edits.map {
                            [
                                "line": .int($0.range.start.line), "column": .int($0.range.start.column),
                                "endLine": .int($0.range.end.line),
                                "endColumn": .int($0.range.end.column), "text": .string($0.text),
                            ]
                        }),
                ]
            })
        return .object(object)
    }

    /// Applies every unambiguous fix (a diagnostic with exactly one) to the template at `path` in
    /// place, re-checking after each round; returns how many were applied.
    static func apply(path: String, prompt: SourceFile?, props: SourceFile?) throws -> Int {
        var applied = 0
        for _ in 0..<8 {
            let ui = try readInput(path)
            let report = Validator.validate(ui: ui, prompt: prompt, props: props)
            var edits: [TextEdit] = []
            for diagnostic in report.diagnostics where diagnostic.file == ui.path {
                let fixes = DiagnosticFixes.fixes(for: diagnostic, in: ui)
                guard fixes.count == 1, let fix = fixes.first else { continue }
                let overlaps = fix.edits.contains { edit in
                    edits.contains {
                        $0.range.start.offset < edit.range.end.offset && edit.range.start.offset < $0.range.end.offset
                    }
                }
                if !overlaps {
                    edits += fix.edits
                    applied += 1
                }
            }
            guard !edits.isEmpty else { break }
            do {
                try Data(DiagnosticFixes.apply(edits, to: ui).utf8).write(
                    to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw UsageError("file `\(path)` cannot be written")
            }
        }
        return applied
    }
}
