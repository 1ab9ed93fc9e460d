import CustomUICore
import Foundation
import TestSupport
import Testing

@testable import JSONSchema

/// Bad input is normal input: mutated documents and schemas must produce errors, never crashes or hangs.
@Suite("Robustness")
struct RobustnessTests {
    /// A deterministic generator so failures reproduce.
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(max(bound, 1)))
        }
    }

    static let seeds: [String] = [
        #"{"a": [1, 2.5, -3e2, true, false, null, "x\u00e9\ud83d\ude00"], "b": {"c": {}}}"#,
        #"[{"role": "user", "content": "hi {{name}}"}, {"settings": {"model_id": "m", "temperature": 0.7}}]"#,
        ##"{"type": "object", "properties": {"a": {"$ref": "#/$defs/x"}}, "$defs": {"x": {"pattern": "^a+$"}}}"##,
    ]

    static let alphabet: [UInt8] =
        Array("{}[]:,\"\\/ubfnrt0123456789.eE+-truefalsenull \t\n".utf8) + [0xC3, 0xA9, 0xFF, 0xED, 0xA0, 0x80]

    @Test(arguments: 0..<3)
    func mutatedDocumentsParseOrFailCleanly(seedIndex: Int) {
        var generator = Generator(state: UInt64(seedIndex + 1))
        let original = Array(RobustnessTests.seeds[seedIndex].utf8)
        var accepted = 0
        for _ in 0..<2000 {
            var bytes = original
            for _ in 0...generator.next(4) {
                let position = generator.next(bytes.count + 1)
                switch generator.next(3) {
                case 0 where !bytes.isEmpty && position < bytes.count: bytes.remove(at: position)
                case 1:
                    bytes.insert(RobustnessTests.alphabet[generator.next(RobustnessTests.alphabet.count)], at: position)
                default:
                    if position < bytes.count {
                        bytes[position] = RobustnessTests.alphabet[generator.next(RobustnessTests.alphabet.count)]
                    }
                }
            }
            let fast = try? JSONParser.parseValue(bytes: bytes)
            if let text = String(validating: bytes, as: UTF8.self) {
                let positioned = try? JSONParser.parse(SourceFile(path: "m.json", text: text))
                // Both parsers agree on what is JSON and on the value.
                #expect(fast == positioned?.value)
            }
            if fast != nil { accepted += 1 }
        }
        #expect(accepted > 0)
    }

    @Test(
        ConformanceData.enabled,
        arguments: [
            "ref.json", "unevaluatedProperties.json", "unevaluatedItems.json", "items.json", "oneOf.json",
            "dynamicRef.json",
        ])
    func mutatedSchemasCompileOrFailCleanly(file: String) throws {
        let suite = Conformance.suite
        let text = try String(contentsOf: suite.appendingPathComponent(file), encoding: .utf8)
        let groups =
            try JSONParser.parseValue(text, limits: ResourceLimits(maxDocumentBytes: 64 << 20)).arrayValue ?? []
        var generator = Generator(state: 42)
        let replacements: [Value] = [1, -1, "x", "#", "#/$defs/nope", [], [:], true, false, nil, 0.5, ["$ref": "#"]]
        var compiled = 0
        for group in groups {
            guard let schema = group["schema"] else { continue }
            for _ in 0..<6 {
                let mutated = RobustnessTests.mutate(schema, &generator, replacements, depth: 0)
                let options = ValidationOptions(maxSteps: 20_000)
                guard let result = try? JSONSchema.compile(mutated, registry: Conformance.registry, options: options)
                else {
                    continue
                }
                compiled += 1
                for test in group["tests"]?.arrayValue ?? [] {
                    let data = test["data"] ?? .null
                    // Whatever the schema, the fast check and the explaining walk agree.
                    #expect(result.isValid(data) == result.explain(data).isValid)
                }
            }
        }
        #expect(compiled > 0)
    }

    static func mutate(_ value: Value, _ generator: inout Generator, _ replacements: [Value], depth: Int) -> Value {
        if depth > 0, generator.next(6) == 0 { return replacements[generator.next(replacements.count)] }
        switch value {
        case .object(let object):
            var copy = ValueObject()
            for (key, member) in object { copy[key] = mutate(member, &generator, replacements, depth: depth + 1) }
            return .object(copy)
        case .array(let items):
            return .array(items.map { mutate($0, &generator, replacements, depth: depth + 1) })
        default:
            return value
        }
    }
}
