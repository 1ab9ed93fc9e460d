import CustomUICore
import JSONSchema
import Testing

/// A meta-schema that requires a vocabulary the validator does not know is refused, as the
/// specification demands; one that merely mentions it (`false`) is fine.
@Suite struct VocabularyTests {
    static func registry(required: Bool) -> SchemaRegistry {
        var registry = SchemaRegistry()
        registry.register(
            [
                "$id": "https://example.com/meta",
                "$vocabulary": [
                    "https://json-schema.org/draft/2020-12/vocab/core": true,
                    "https://example.com/vocab/colours": .bool(required),
                ],
            ], uri: "https://example.com/meta")
        return registry
    }

    @Test func anUnknownRequiredVocabularyIsRefused() throws {
        let schema: Value = ["$schema": "https://example.com/meta", "type": "string"]
        do {
            _ = try JSONSchema.compile(schema, registry: Self.registry(required: true))
            Issue.record("compiled a schema whose meta-schema requires an unknown vocabulary")
        } catch {
            #expect(error.code == .schemaUnknownVocabulary)
            #expect(error.message.contains("https://example.com/vocab/colours"))
        }
        #expect(throws: Never.self) { try JSONSchema.compile(schema, registry: Self.registry(required: false)) }
    }
}
