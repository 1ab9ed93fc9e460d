import CustomUICore
import Foundation
import Testing

@testable import CustomUI

/// Every code the sources can report is catalogued (so `customui explain` and docs/diagnostics.md
/// know it), every catalogued code exists in the sources, and no code is an error in one place and a
/// warning in another.
@Suite struct CatalogCoverageTests {
    /// The Swift sources, by path relative to the repository.
    static let sources: [(path: String, text: String)] = {
        let root = packageRoot.appendingPathComponent("Sources")
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        var out: [(String, String)] = []
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "swift", let text = try? String(contentsOf: url, encoding: .utf8) else {
                continue
            }
            out.append((String(url.path.dropFirst(packageRoot.path.count + 1)), text))
        }
        return out.sorted { $0.0 < $1.0 }
    }()

    static func matches(_ pattern: String, in text: String) -> [[String]] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        let ns = text as NSString
        return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { match in
            (0..<match.numberOfRanges).map { i in
                let range = match.range(at: i)
                return range.location == NSNotFound ? "" : ns.substring(with: range)
            }
        }
    }

    /// `static let name: Self = "code"`, by constant name.
    static var declared: [String: String] {
        var out: [String: String] = [:]
        for (_, text) in sources {
            for m in matches(#"static let (\w+): (?:Self|DiagnosticCode) = "([a-z0-9]+\.[a-z0-9.-]+)""#, in: text) {
                out[m[1]] = m[2]
            }
        }
        return out
    }

    /// The JSON Schema evaluator's `report(node, "keyword", …)` calls without their own `code:`:
    /// each reports `schema.<keyword>`.
    static var schemaKeywordCodes: Set<String> {
        guard let evaluator = sources.first(where: { $0.path.hasSuffix("JSONSchema/Schema/Evaluator.swift") })?.text
        else { return [] }
        var out = Set<String>()
        var rest = Substring(evaluator)
        while let start = rest.range(of: "report(") {
            var depth = 0
            var end = start.upperBound
            for index in rest[start.lowerBound...].indices {
                let c = rest[index]
                if c == "(" { depth += 1 }
                if c == ")" {
                    depth -= 1
                    if depth == 0 {
                        end = index
                        break
                    }
                }
            }
            let call = String(rest[start.upperBound..<end])
            rest = rest[end...]
            let arguments = call.split(separator: ",", maxSplits: 2).map {
                $0.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            guard arguments.count >= 2, arguments[0] == "node", !call.contains("code:") else { continue }
            for m in matches(#""([A-Za-z$]+)""#, in: arguments[1]) { out.insert("schema." + m[1]) }
        }
        return out
    }

    /// Every code the sources can report.
    static var codesInSources: Set<String> {
        var codes = Set(declared.values)
        codes.formUnion(Limit.allCases.map(\.code.rawValue))
        codes.formUnion(schemaKeywordCodes)
        return codes
    }

    @Test func everyCodeInTheSourcesIsCatalogued() {
        let catalogued = Set(DiagnosticCatalog.entries.map(\.code.rawValue))
        let codes = Self.codesInSources
        #expect(codes.count > 100, "the scan found only \(codes.count) codes")
        #expect(
            codes.contains("schema.required") && codes.contains("library.busy") && codes.contains("style.invalid-value")
        )
        for code in codes.sorted() {
            #expect(
                catalogued.contains(code),
                "\(code) can be reported but is not in DiagnosticCatalog (nor `customui explain`, nor docs/diagnostics.md)"
            )
        }
        for code in catalogued.sorted() {
            #expect(codes.contains(code), "\(code) is catalogued but nothing in the sources reports it")
        }
    }

    @Test func noCodeIsBothAnErrorAndAWarning() {
        let declared = Self.declared
        var severities: [String: Set<String>] = [:]
        for (_, text) in Self.sources {
            for m in Self.matches(#"\.(warning|error)\(\s*\.(\w+)\s*,"#, in: text) {
                guard let code = declared[m[2]] else { continue }
                severities[code, default: []].insert(m[1])
            }
        }
        #expect(severities["layout.unknown-key"] == ["warning"])
        for (code, kinds) in severities.sorted(by: { $0.key < $1.key }) {
            #expect(kinds.count == 1, "\(code) is reported both as an error and as a warning")
        }
    }
}
