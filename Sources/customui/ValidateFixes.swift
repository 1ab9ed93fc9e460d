import CustomUI
import CustomUICore
import Foundation

/// `validate --fix`, beside ValidateCommand: applies the fixes the diagnostics carry.
enum ValidateFixes {
    /// One applied fix, for the report: where its diagnostic was and what the fix did.
    struct Applied {
        var line: Int
        var column: Int
        var code: DiagnosticCode
        var message: String
    }

    /// Applies every unambiguous fix (a diagnostic in the file with exactly one) to the file at `path`
    /// in place, re-checking after each round, since one fix can reveal the next; a fix whose edits
    /// overlap another's waits for the next round. Each round's text is written atomically.
    static func apply(path: String, prompt: SourceFile?, props: SourceFile?) throws -> [Applied] {
        var applied: [Applied] = []
        for _ in 0..<8 {
            let ui = try readInput(path)
            let report = Validator.validate(ui: ui, prompt: prompt, props: props)
            var edits: [TextEdit] = []
            var round: [Applied] = []
            // A definition's `component_code` findings count at their place in its JSON string.
            for diagnostic in report.diagnosticsPlaced(in: ui)
            where diagnostic.file == ui.path && diagnostic.fixes.count == 1 {
                let fix = diagnostic.fixes[0]
                guard Fix.apply(edits + fix.edits, to: ui.bytes) != nil else { continue }
                edits += fix.edits
                round.append(
                    Applied(
                        line: diagnostic.range?.start.line ?? 0, column: diagnostic.range?.start.column ?? 0,
                        code: diagnostic.code, message: fix.message))
            }
            guard !edits.isEmpty, let bytes = Fix.apply(edits, to: ui.bytes) else { break }
            do {
                try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw UsageError("file `\(path)` cannot be written")
            }
            applied += round
        }
        return applied
    }
}
