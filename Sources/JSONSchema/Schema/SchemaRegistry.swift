import CustomUICore

/// The schema documents a compile may reference by URI; the caller fills it, and nothing is ever fetched from the network.
public struct SchemaRegistry: Sendable {
    private var documents: [String: Value] = [:]

    /// A registry holding the JSON Schema 2020-12 meta-schemas (or nothing, if `includeMetaSchemas` is false).
    public init(includeMetaSchemas: Bool = true) {
        if includeMetaSchemas {
            for (uri, value) in SchemaRegistry.metaSchemaValues { documents[uri] = value }
        }
    }

    /// The registry with only the built-in meta-schemas.
    public static let standard = SchemaRegistry()

    /// Adds (or replaces) the document served for `uri`; a fragment in `uri` is ignored.
    public mutating func register(_ document: Value, uri: String) {
        documents[URIReference(uri).withoutFragment.description] = document
    }

    /// Adds a document under the `$id` it declares; returns false if it declares none.
    @discardableResult
    public mutating func register(_ document: Value) -> Bool {
        guard let id = document["$id"]?.stringValue else { return false }
        register(document, uri: id)
        return true
    }

    /// The document registered for `uri` (without fragment), if any.
    public func document(for uri: String) -> Value? {
        documents[URIReference(uri).withoutFragment.description]
    }

    /// The URIs of every registered document.
    public var uris: [String] { documents.keys.sorted() }

    /// The meta-schemas parsed once from their embedded text.
    static let metaSchemaValues: [(String, Value)] = MetaSchemas.all.compactMap { entry in
        // The embedded text is known-good JSON; a failure would be caught by the meta-schema test.
        guard let value = try? JSONParser.parseValue(entry.text) else { return nil }
        return (entry.uri, value)
    }

    /// The exact embedded text of each meta-schema by its `$id`, for tests that compare them with the upstream files.
    public static var embeddedMetaSchemaTexts: [(uri: String, path: String, text: String)] { MetaSchemas.all }
}
