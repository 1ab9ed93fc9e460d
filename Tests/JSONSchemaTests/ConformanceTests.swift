import CustomUICore
import Foundation
import TestSupport
import Testing

@testable import JSONSchema

/// The official JSON-Schema-Test-Suite (draft 2020-12), read from `../shared/conformance/` beside the package.
enum Conformance {
    static let packageRoot = ConformanceData.packageRoot
    static let suite = ConformanceData.url("json-schema-test-suite")
    static let metaSchemas = ConformanceData.url("json-schema-metaschemas")

    /// Tests that are skipped, by "file / group description / test description", with the reason.
    /// No required test is skipped; every optional test runs and its failures are printed.
    static let skipped: [String: String] = [:]

    /// Optional tests known to fail, with the reason (they are counted, not skipped).
    static let knownOptionalFailures: [String: String] = [
        "optional/format/ecmascript-regex.json / ECMA 262 lookbehind is valid, including variable width / a variable-width lookbehind (ES2018)":
            "patterns compile with ICU (NSRegularExpression), which rejects unbounded lookbehind"
    ]

    /// Remotes served at http://localhost:1234/, as the suite's README asks.
    static let registry: SchemaRegistry = {
        var registry = SchemaRegistry()
        let remotes = suite.appendingPathComponent("remotes")
        let enumerator = FileManager.default.enumerator(at: remotes, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "json", let text = try? String(contentsOf: url, encoding: .utf8),
                let value = try? JSONParser.parseValue(text)
            else { continue }
            let relative = url.standardizedFileURL.path.dropFirst(remotes.standardizedFileURL.path.count + 1)
            registry.register(value, uri: "http://localhost:1234/" + relative)
        }
        return registry
    }()

    static func files(_ folder: String) -> [String] {
        let url = folder.isEmpty ? suite : suite.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { folder.isEmpty ? $0 : folder + "/" + $0 }
    }

    struct Outcome {
        var passed = 0
        var total = 0
        var failures: [String] = []
        var skipped: [String] = []
    }

    static func run(_ file: String, assertFormat: Bool) throws -> Outcome {
        let text = try String(contentsOf: suite.appendingPathComponent(file), encoding: .utf8)
        let groups =
            try JSONParser.parseValue(text, limits: ResourceLimits(maxDocumentBytes: 64 << 20)).arrayValue ?? []
        var outcome = Outcome()
        for group in groups {
            let description = group["description"]?.stringValue ?? "?"
            let tests = group["tests"]?.arrayValue ?? []
            let compiled: CompiledSchema?
            var compileError = ""
            do {
                compiled = try JSONSchema.compile(
                    group["schema"] ?? .bool(true), registry: registry,
                    options: ValidationOptions(assertFormat: assertFormat))
            } catch {
                compiled = nil
                compileError = error.description
            }
            for test in tests {
                let name = "\(file) / \(description) / \(test["description"]?.stringValue ?? "?")"
                if skipped[name] != nil {
                    outcome.skipped.append(name)
                    continue
                }
                outcome.total += 1
                let expected = test["valid"]?.boolValue ?? false
                guard let compiled else {
                    outcome.failures.append("\(name): schema did not compile: \(compileError)")
                    continue
                }
                let data = test["data"] ?? .null
                let result = compiled.validate(data)
                let fast = compiled.isValid(data)
                let explained = compiled.explain(data)
                if result.isValid == expected && fast == expected && explained.isValid == expected
                    && explained.errors.isEmpty == expected
                {
                    outcome.passed += 1
                } else {
                    outcome.failures.append(
                        "\(name): expected \(expected ? "valid" : "invalid"), got validate=\(result.isValid) isValid=\(fast) explain=\(explained.isValid)"
                    )
                }
            }
        }
        return outcome
    }
}

@Suite("JSON Schema Test Suite, draft 2020-12", ConformanceData.enabled)
struct ConformanceTests {
    @Test(arguments: Conformance.files(""))
    func required(file: String) throws {
        let outcome = try Conformance.run(file, assertFormat: false)
        print("conformance required \(file): \(outcome.passed)/\(outcome.total)")
        #expect(outcome.total > 0)
        #expect(outcome.failures.isEmpty, "\(outcome.failures.joined(separator: "\n"))")
    }

    @Test func requiredTotals() throws {
        var passed = 0
        var total = 0
        for file in Conformance.files("") {
            let outcome = try Conformance.run(file, assertFormat: false)
            passed += outcome.passed
            total += outcome.total
        }
        print("conformance required total: \(passed)/\(total)")
        #expect(total == 1299)
        #expect(passed == total)
    }

    @Test func optionalPassRates() throws {
        var lines: [String] = []
        for file in Conformance.files("optional") {
            // `format-assertion.json` asserts through the meta-schema's vocabulary, so it runs without the option.
            let outcome = try Conformance.run(file, assertFormat: false)
            lines.append("conformance optional \(file): \(outcome.passed)/\(outcome.total)")
            for failure in outcome.failures {
                lines.append("  fail: \(failure)")
                #expect(
                    Conformance.knownOptionalFailures.keys.contains { failure.hasPrefix($0) },
                    "unexpected optional failure")
            }
        }
        print(lines.joined(separator: "\n"))
    }

    @Test func formatAssertionPassRate() throws {
        var passed = 0
        var total = 0
        var lines: [String] = []
        for file in Conformance.files("optional/format") {
            let outcome = try Conformance.run(file, assertFormat: true)
            passed += outcome.passed
            total += outcome.total
            lines.append("conformance format \(file): \(outcome.passed)/\(outcome.total)")
            for failure in outcome.failures {
                lines.append("  fail: \(failure)")
                #expect(
                    Conformance.knownOptionalFailures.keys.contains { failure.hasPrefix($0) },
                    "unexpected format failure")
            }
        }
        let rate = total == 0 ? 0 : Double(passed) / Double(total)
        lines.append("conformance format total: \(passed)/\(total) = \(String(format: "%.1f", rate * 100))%")
        print(lines.joined(separator: "\n"))
        #expect(total == 764)
        #expect(rate >= 0.9)
    }

    @Test func embeddedMetaSchemasEqualUpstream() throws {
        let embedded = SchemaRegistry.embeddedMetaSchemaTexts
        #expect(embedded.count == 9)
        for entry in embedded {
            let url = Conformance.metaSchemas.appendingPathComponent("draft2020-12").appendingPathComponent(entry.path)
            let upstream = try String(contentsOf: url, encoding: .utf8)
            #expect(upstream.trimmingCharacters(in: .newlines) == entry.text, "\(entry.path)")
            #expect(try JSONParser.parseValue(upstream)["$id"]?.stringValue == entry.uri)
        }
    }
}
