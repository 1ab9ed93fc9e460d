import CustomUICore

/// Which vocabularies a schema resource's meta-schema enables.
struct Vocabularies: Hashable {
    var applicator = true
    var unevaluated = true
    var validation = true
    var formatAssertion = false
    /// Draft 2019-09 and older: `items` may be an array (tuple) with `additionalItems`, and `prefixItems` means nothing.
    var legacyItems = false

    static let prefix = "https://json-schema.org/draft/2020-12/vocab/"
    static let known: Set<String> = [
        "core", "applicator", "unevaluated", "validation", "meta-data", "format-annotation", "format-assertion",
        "content",
    ]
}

/// Where a schema location sits: its base URI, its resource, and its path inside that resource.
struct LocationInfo {
    var base: URIReference
    var resourceID: Int
    var relative: [String]
    var vocabularies: Vocabularies
}

/// Turns schema documents into a `SchemaGraph` of `Node`s: indexes `$id`/`$anchor`/`$dynamicAnchor`, resolves every `$ref`
/// once, and compiles keyword values (regexes included) ahead of validation.
struct Compiler {
    let registry: SchemaRegistry
    let options: ValidationOptions
    var documents: [Value] = []
    var resources: [String: (doc: Int, tokens: [String], id: Int)] = [:]
    var resourceURIs: [String] = []
    var anchors: [String: (doc: Int, tokens: [String])] = [:]
    var dynamicAnchorLocations: [Int: [String: [String]]] = [:]
    var resourceDocs: [Int: Int] = [:]
    var locations: [String: LocationInfo] = [:]
    /// The node made for each schema location (`key(doc, tokens)`), as an index into `program.graph.nodes`.
    var nodes: [String: Int] = [:]
    var worklist: [(Int, Int, [String])] = []
    var dynamicNames: Set<String> = []
    var program = Program()

    init(registry: SchemaRegistry, options: ValidationOptions) {
        self.registry = registry
        self.options = options
        program.maxDepth = options.maxEvaluationDepth
        program.maxSteps = options.maxSteps
    }

    mutating func compileRoot(_ schema: Value) throws(SchemaError) -> CompiledSchema {
        try addDocument(schema, retrievalURI: URIReference(options.baseURI).withoutFragment)
        let root = try node(doc: 0, tokens: [])
        try drain()
        // `$dynamicRef` may land on any resource's `$dynamicAnchor`; compile those targets now so validation never compiles.
        if !dynamicNames.isEmpty {
            program.usesDynamicScope = true
            var done = 0
            while done < resourceURIs.count {
                let resourceID = done
                done += 1
                guard let doc = resourceDocs[resourceID], let names = dynamicAnchorLocations[resourceID] else {
                    continue
                }
                for (name, tokens) in names where dynamicNames.contains(name) {
                    let target = try node(doc: doc, tokens: tokens)
                    while program.dynamicAnchors.count <= resourceID { program.dynamicAnchors.append([:]) }
                    program.dynamicAnchors[resourceID][name] = target
                }
                try drain()
            }
        }
        while program.dynamicAnchors.count < resourceURIs.count { program.dynamicAnchors.append([:]) }
        return CompiledSchema(root: root, program: program)
    }

    mutating func drain() throws(SchemaError) {
        while let (node, doc, tokens) = worklist.popLast() {
            try compileBody(node, doc: doc, tokens: tokens)
        }
    }

    // MARK: Indexing

    mutating func addDocument(_ value: Value, retrievalURI: URIReference) throws(SchemaError) {
        let doc = documents.count
        documents.append(value)
        var base = retrievalURI
        if let id = value["$id"]?.stringValue {
            base = URIReference(id).resolved(against: retrievalURI).withoutFragment
        }
        let resourceID = newResource(base.description, doc: doc, tokens: [])
        if retrievalURI.description != base.description, resources[retrievalURI.description] == nil {
            resources[retrievalURI.description] = (doc, [], resourceID)
        }
        let vocabularies = try vocabularies(for: value, inherited: defaultVocabularies, location: base.description)
        try index(
            doc: doc, value: value, tokens: [], base: base, resourceID: resourceID, relative: [],
            vocabularies: vocabularies, depth: 0)
    }

    var defaultVocabularies: Vocabularies {
        var v = Vocabularies()
        v.formatAssertion = options.assertFormat
        return v
    }

    mutating func newResource(_ uri: String, doc: Int, tokens: [String]) -> Int {
        if let existing = resources[uri] { return existing.id }
        let id = resourceURIs.count
        resourceURIs.append(uri)
        resources[uri] = (doc, tokens, id)
        resourceDocs[id] = doc
        return id
    }

    static let schemaKeywords: Set<String> = [
        "items", "contains", "additionalProperties", "propertyNames", "if", "then", "else", "not",
        "unevaluatedItems", "unevaluatedProperties", "contentSchema", "additionalItems",
    ]
    static let schemaMapKeywords: Set<String> = [
        "$defs", "definitions", "properties", "patternProperties", "dependentSchemas", "dependencies",
    ]
    static let schemaArrayKeywords: Set<String> = ["prefixItems", "allOf", "anyOf", "oneOf", "items"]

    mutating func index(
        doc: Int, value: Value, tokens: [String], base: URIReference, resourceID: Int, relative: [String],
        vocabularies: Vocabularies, depth: Int
    ) throws(SchemaError) {
        guard depth < 256 else {
            throw error(.schemaInvalid, "schema is nested deeper than 256 levels", doc: doc, tokens: tokens)
        }
        var base = base
        var resourceID = resourceID
        var relative = relative
        var vocabularies = vocabularies
        guard case .object(let object) = value else {
            locations[key(doc, tokens)] = LocationInfo(
                base: base, resourceID: resourceID, relative: relative, vocabularies: vocabularies)
            return
        }
        if !tokens.isEmpty, let id = object["$id"]?.stringValue {
            let resolved = URIReference(id).resolved(against: base).withoutFragment
            base = resolved
            resourceID = newResource(resolved.description, doc: doc, tokens: tokens)
            relative = []
            vocabularies = try self.vocabularies(for: value, inherited: vocabularies, location: resolved.description)
        }
        locations[key(doc, tokens)] = LocationInfo(
            base: base, resourceID: resourceID, relative: relative, vocabularies: vocabularies)
        let resourceURI = resourceURIs[resourceID]
        if let anchor = object["$anchor"]?.stringValue {
            anchors[resourceURI + "#" + anchor] = (doc, tokens)
        }
        if let anchor = object["$dynamicAnchor"]?.stringValue {
            anchors[resourceURI + "#" + anchor] = (doc, tokens)
            dynamicAnchorLocations[resourceID, default: [:]][anchor] = tokens
        }
        for (keyword, member) in object {
            if Compiler.schemaKeywords.contains(keyword) || (keyword == "items" && member.objectValue != nil) {
                try index(
                    doc: doc, value: member, tokens: tokens + [keyword], base: base, resourceID: resourceID,
                    relative: relative + [keyword], vocabularies: vocabularies, depth: depth + 1)
            }
            if Compiler.schemaMapKeywords.contains(keyword), case .object(let map) = member {
                for (name, sub) in map where sub.objectValue != nil || sub.boolValue != nil {
                    try index(
                        doc: doc, value: sub, tokens: tokens + [keyword, name], base: base, resourceID: resourceID,
                        relative: relative + [keyword, name], vocabularies: vocabularies, depth: depth + 1)
                }
            }
            if Compiler.schemaArrayKeywords.contains(keyword), case .array(let list) = member {
                for (i, sub) in list.enumerated() {
                    try index(
                        doc: doc, value: sub, tokens: tokens + [keyword, String(i)], base: base, resourceID: resourceID,
                        relative: relative + [keyword, String(i)], vocabularies: vocabularies, depth: depth + 1)
                }
            }
        }
    }

    /// The vocabularies a resource's `$schema` turns on; unknown required vocabularies are an error, as the spec demands.
    mutating func vocabularies(for value: Value, inherited: Vocabularies, location: String) throws(SchemaError)
        -> Vocabularies
    {
        guard let metaURI = value["$schema"]?.stringValue else { return inherited }
        let uri = URIReference(metaURI).withoutFragment.description
        guard uri != JSONSchema.metaSchemaURI else {
            var v = inherited
            v.legacyItems = false
            return v
        }
        if uri.hasPrefix("https://json-schema.org/draft/2019-09/") || uri.hasPrefix("http://json-schema.org/draft-0") {
            var v = inherited
            v.legacyItems = true
            return v
        }
        let meta = registry.document(for: uri) ?? resources[uri].map { documents[$0.doc] }
        guard let meta, case .object(let declared)? = meta["$vocabulary"] else { return inherited }
        var result = Vocabularies(
            applicator: false, unevaluated: false, validation: false, formatAssertion: options.assertFormat)
        for (vocabulary, required) in declared {
            let name =
                vocabulary.hasPrefix(Vocabularies.prefix) ? String(vocabulary.dropFirst(Vocabularies.prefix.count)) : ""
            guard Vocabularies.known.contains(name) else {
                if required == .bool(true) {
                    throw SchemaError(
                        code: .schemaUnknownVocabulary,
                        message: "meta-schema `\(uri)` requires unknown vocabulary `\(vocabulary)`",
                        schemaLocation: location)
                }
                continue
            }
            switch name {
            case "applicator": result.applicator = true
            case "unevaluated": result.unevaluated = true
            case "validation": result.validation = true
            case "format-assertion": result.formatAssertion = true
            default: break
            }
        }
        return result
    }

    func key(_ doc: Int, _ tokens: [String]) -> String {
        "\(doc)|" + JSONPointer(tokens: tokens).description
    }

    // MARK: References

    /// The node for a schema location, created empty and queued, so reference cycles terminate.
    mutating func node(doc: Int, tokens: [String]) throws(SchemaError) -> Int {
        let k = key(doc, tokens)
        if let existing = nodes[k] { return existing }
        let info = locationInfo(doc: doc, tokens: tokens)
        let uri = resourceURIs[info.resourceID]
        let node = program.graph.nodes.count
        program.graph.nodes.append(
            Node(location: uri + "#" + JSONPointer(tokens: info.relative).description, resourceID: info.resourceID))
        nodes[k] = node
        worklist.append((node, doc, tokens))
        return node
    }

    func locationInfo(doc: Int, tokens: [String]) -> LocationInfo {
        if let info = locations[key(doc, tokens)] { return info }
        // A location under an unknown keyword: borrow the nearest indexed ancestor's base.
        var prefix = tokens
        var suffix: [String] = []
        while let last = prefix.popLast() {
            suffix.insert(last, at: 0)
            if var info = locations[key(doc, prefix)] {
                info.relative += suffix
                return info
            }
        }
        return LocationInfo(
            base: URIReference(options.baseURI), resourceID: 0, relative: tokens, vocabularies: defaultVocabularies)
    }

    mutating func resolve(_ reference: String, base: URIReference, doc: Int, tokens: [String]) throws(SchemaError) -> (
        doc: Int, tokens: [String]
    ) {
        let target = URIReference(reference).resolved(against: base)
        let documentURI = target.withoutFragment.description
        if resources[documentURI] == nil, let loaded = registry.document(for: documentURI) {
            try addDocument(loaded, retrievalURI: target.withoutFragment)
        }
        guard let resource = resources[documentURI] else {
            throw error(
                .schemaUnresolvedReference,
                "cannot resolve reference `\(reference)`: no schema has URI `\(documentURI)`",
                doc: doc, tokens: tokens)
        }
        let fragment = URIReference.percentDecoded(target.fragment ?? "")
        if fragment.isEmpty { return (resource.doc, resource.tokens) }
        if fragment.hasPrefix("/") {
            guard let pointer = try? JSONPointer(parsing: fragment),
                pointer.resolve(in: JSONPointer(tokens: resource.tokens).resolve(in: documents[resource.doc]) ?? .null)
                    != nil
            else {
                throw error(
                    .schemaUnresolvedReference, "cannot resolve reference `\(reference)`: no value at `\(fragment)`",
                    doc: doc, tokens: tokens)
            }
            return (resource.doc, resource.tokens + pointer.tokens)
        }
        guard let anchor = anchors[documentURI + "#" + fragment] else {
            throw error(
                .schemaUnresolvedReference,
                "cannot resolve reference `\(reference)`: no anchor `\(fragment)` in `\(documentURI)`",
                doc: doc, tokens: tokens)
        }
        return anchor
    }

    func error(_ code: DiagnosticCode, _ message: String, doc: Int, tokens: [String]) -> SchemaError {
        KeywordReader.error(code, message, doc: doc, documentName: documentName(doc), tokens: tokens)
    }

    func documentName(_ doc: Int) -> String {
        doc == 0 ? "" : (resourceURIs.first { resources[$0]?.doc == doc } ?? "")
    }

    // MARK: Keywords

    /// Appends a keyword's payload to one of the graph's tables; the keyword keeps the index.
    mutating func add<T>(_ table: WritableKeyPath<SchemaGraph, [T]>, _ item: T) -> Int {
        program.graph[keyPath: table].append(item)
        return program.graph[keyPath: table].count - 1
    }

    /// Appends subschemas to `SchemaGraph.nodeLists`; the keyword keeps the range.
    mutating func add(nodes: [Int]) -> Range<Int> {
        let start = program.graph.nodeLists.count
        program.graph.nodeLists += nodes
        return start..<program.graph.nodeLists.count
    }

    /// Makes the nodes of a schema array (`allOf`, ...) and appends them to `SchemaGraph.nodeLists`.
    mutating func nodeList(doc: Int, _ list: [[String]]) throws(SchemaError) -> Range<Int> {
        var nodes: [Int] = []
        for tokens in list { nodes.append(try node(doc: doc, tokens: tokens)) }
        return add(nodes: nodes)
    }

    mutating func compileBody(_ node: Int, doc: Int, tokens: [String]) throws(SchemaError) {
        guard let value = JSONPointer(tokens: tokens).resolve(in: documents[doc]) else {
            throw error(.schemaUnresolvedReference, "no schema at this location", doc: doc, tokens: tokens)
        }
        switch value {
        case .bool(let b):
            program.graph.nodes[node].boolean = b
            return
        case .object:
            break
        default:
            throw error(
                .schemaInvalid, "a schema must be an object or a boolean, found \(value.typeName)", doc: doc,
                tokens: tokens)
        }
        guard case .object(let object) = value else { return }
        let info = locationInfo(doc: doc, tokens: tokens)
        let k = KeywordReader(object: object, doc: doc, tokens: tokens, documentName: documentName(doc))
        var keywords: [Keyword] = []
        var late: [Keyword] = []
        let vocab = info.vocabularies

        if vocab.validation {
            if let member = object["type"] {
                var set = TypeSet()
                let names: [Value] = member.arrayValue ?? [member]
                for name in names {
                    guard let n = name.stringValue, let t = TypeSet(name: n) else {
                        throw k.invalid("type", "`type` must be a type name or an array of type names")
                    }
                    set.insert(t)
                }
                keywords.append(.type(set))
            }
            if let member = object["enum"] {
                guard let list = member.arrayValue else { throw k.invalid("enum", "`enum` must be an array") }
                let strings = list.compactMap(\.stringValue)
                if strings.count == list.count {
                    keywords.append(
                        .stringEnumeration(add(\.enums, EnumList(values: list, strings: strings.map(EnumString.init)))))
                } else {
                    keywords.append(.enumeration(add(\.enums, EnumList(values: list, strings: []))))
                }
            }
            if let member = object["const"] { keywords.append(.constant(add(\.values, member))) }
            if let n = try k.number("multipleOf") {
                guard !n.isNegative, !n.isZero else {
                    throw k.invalid("multipleOf", "`multipleOf` must be greater than 0")
                }
                keywords.append(.multipleOf(add(\.numbers, n)))
            }
            if let n = try k.number("minimum") { keywords.append(.minimum(add(\.numbers, n))) }
            if let n = try k.number("maximum") { keywords.append(.maximum(add(\.numbers, n))) }
            if let n = try k.number("exclusiveMinimum") { keywords.append(.exclusiveMinimum(add(\.numbers, n))) }
            if let n = try k.number("exclusiveMaximum") { keywords.append(.exclusiveMaximum(add(\.numbers, n))) }
            if let n = try k.count("minLength") { keywords.append(.minLength(n)) }
            if let n = try k.count("maxLength") { keywords.append(.maxLength(n)) }
            if let member = object["pattern"] {
                guard let source = member.stringValue else { throw k.invalid("pattern", "`pattern` must be a string") }
                keywords.append(
                    .pattern(add(\.patterns, Pattern(source: source, regex: try k.regex(source, at: ["pattern"])))))
            }
            if let n = try k.count("minItems") { keywords.append(.minItems(n)) }
            if let n = try k.count("maxItems") { keywords.append(.maxItems(n)) }
            if let member = object["uniqueItems"] {
                guard let b = member.boolValue else {
                    throw k.invalid("uniqueItems", "`uniqueItems` must be a boolean")
                }
                if b { keywords.append(.uniqueItems) }
            }
            if let n = try k.count("minProperties") { keywords.append(.minProperties(n)) }
            if let n = try k.count("maxProperties") { keywords.append(.maxProperties(n)) }
            if let member = object["required"] {
                guard let names = member.arrayValue?.compactMap(\.stringValue), names.count == member.arrayValue?.count
                else {
                    throw k.invalid("required", "`required` must be an array of strings")
                }
                if !names.isEmpty { keywords.append(.required(add(\.nameLists, names))) }
            }
            if let member = object["dependentRequired"] {
                guard case .object(let map) = member else {
                    throw k.invalid("dependentRequired", "`dependentRequired` must be an object")
                }
                var list: [(String, [String])] = []
                for (name, required) in map {
                    guard let names = required.arrayValue?.compactMap(\.stringValue),
                        names.count == required.arrayValue?.count
                    else {
                        throw k.invalid("dependentRequired", "`dependentRequired` values must be arrays of strings")
                    }
                    list.append((name, names))
                }
                keywords.append(.dependentRequired(add(\.dependentRequired, list)))
            }
        }
        if vocab.formatAssertion || options.assertFormat, let name = object["format"]?.stringValue,
            let checker = FormatChecker.named(name)
        {
            keywords.append(.format(add(\.formats, NamedFormat(name: name, checker: checker))))
        }
        if let reference = object["$ref"] {
            guard let text = reference.stringValue else { throw k.invalid("$ref", "`$ref` must be a string") }
            let target = try resolve(text, base: info.base, doc: doc, tokens: tokens + ["$ref"])
            keywords.append(.ref(try self.node(doc: target.doc, tokens: target.tokens)))
        }
        if let reference = object["$dynamicRef"] {
            guard let text = reference.stringValue else {
                throw k.invalid("$dynamicRef", "`$dynamicRef` must be a string")
            }
            let target = try resolve(text, base: info.base, doc: doc, tokens: tokens + ["$dynamicRef"])
            let targetNode = try self.node(doc: target.doc, tokens: target.tokens)
            let fragment = URIReference(text).fragment ?? ""
            // Only a plain-name fragment that lands on a matching `$dynamicAnchor` is dynamic; otherwise it acts as `$ref`.
            let targetValue = JSONPointer(tokens: target.tokens).resolve(in: documents[target.doc])
            if !fragment.isEmpty, !fragment.hasPrefix("/"), targetValue?["$dynamicAnchor"]?.stringValue == fragment {
                dynamicNames.insert(fragment)
                keywords.append(.dynamicRef(targetNode, anchor: add(\.anchors, fragment)))
            } else {
                keywords.append(.ref(targetNode))
            }
        }
        if vocab.applicator {
            if let list = try k.schemaArray("allOf") {
                keywords.append(.allOf(try nodeList(doc: doc, list)))
            }
            if let list = try k.schemaArray("anyOf") {
                keywords.append(.anyOf(try nodeList(doc: doc, list)))
            }
            if let list = try k.schemaArray("oneOf") {
                keywords.append(.oneOf(try nodeList(doc: doc, list)))
            }
            if object["not"] != nil { keywords.append(.not(try self.node(doc: doc, tokens: tokens + ["not"]))) }
            if object["if"] != nil {
                let ifNode = try self.node(doc: doc, tokens: tokens + ["if"])
                let thenNode = object["then"] != nil ? try self.node(doc: doc, tokens: tokens + ["then"]) : nil
                let elseNode = object["else"] != nil ? try self.node(doc: doc, tokens: tokens + ["else"]) : nil
                if thenNode != nil || elseNode != nil {
                    keywords.append(.conditional(if: ifNode, then: thenNode, else: elseNode))
                } else {
                    // `if` alone still contributes annotations for `unevaluated*`.
                    keywords.append(.conditional(if: ifNode, then: nil, else: nil))
                }
            }
            let hasProperties = object["properties"] != nil
            let hasPatterns = object["patternProperties"] != nil
            let hasAdditional = object["additionalProperties"] != nil
            if hasProperties || hasPatterns || hasAdditional {
                var applicator = PropertiesApplicator()
                if let map = try k.schemaMap("properties") {
                    applicator.hasProperties = true
                    let start = program.graph.memberNames.count
                    for name in map {
                        let sub = try self.node(doc: doc, tokens: tokens + ["properties", name])
                        applicator.properties[name] = sub
                        program.graph.memberNames.append(name)
                        program.graph.memberCounts.append(name.utf8.count)
                        program.graph.memberNodes.append(sub)
                    }
                    applicator.members = start..<program.graph.memberNames.count
                    program.graph.nodes[node].propertyNames = map
                }
                if let map = try k.schemaMap("patternProperties") {
                    for source in map {
                        let regex = try k.regex(source, at: ["patternProperties", source])
                        applicator.patterns.append(
                            PatternProperty(
                                source: source, regex: regex,
                                node: try self.node(doc: doc, tokens: tokens + ["patternProperties", source])))
                    }
                }
                if hasAdditional {
                    applicator.additional = try self.node(doc: doc, tokens: tokens + ["additionalProperties"])
                }
                keywords.append(.properties(program.graph.applicators.count))
                program.graph.applicators.append(applicator)
            }
            if object["propertyNames"] != nil {
                keywords.append(.propertyNames(try self.node(doc: doc, tokens: tokens + ["propertyNames"])))
            }
            if let map = try k.schemaMap("dependentSchemas") {
                var list: [(String, Int)] = []
                for name in map {
                    list.append((name, try self.node(doc: doc, tokens: tokens + ["dependentSchemas", name])))
                }
                keywords.append(.dependentSchemas(add(\.dependentSchemas, list)))
            }
            // Draft 7's `dependencies`, still common in hand-written schemas: arrays are `dependentRequired`, schemas `dependentSchemas`.
            if case .object(let map)? = object["dependencies"] {
                var schemas: [(String, Int)] = []
                var required: [(String, [String])] = []
                for (name, member) in map {
                    if let list = member.arrayValue {
                        required.append((name, list.compactMap(\.stringValue)))
                    } else if member.objectValue != nil || member.boolValue != nil {
                        schemas.append((name, try self.node(doc: doc, tokens: tokens + ["dependencies", name])))
                    }
                }
                if !required.isEmpty { keywords.append(.dependentRequired(add(\.dependentRequired, required))) }
                if !schemas.isEmpty { keywords.append(.dependentSchemas(add(\.dependentSchemas, schemas))) }
            }
            if vocab.legacyItems {
                if let list = object["items"]?.arrayValue {
                    var prefix: [Int] = []
                    var rest: Int? = nil
                    for i in list.indices {
                        prefix.append(try self.node(doc: doc, tokens: tokens + ["items", String(i)]))
                    }
                    if object["additionalItems"] != nil {
                        rest = try self.node(doc: doc, tokens: tokens + ["additionalItems"])
                    }
                    keywords.append(.items(prefix: add(nodes: prefix), rest: rest))
                } else if object["items"] != nil {
                    keywords.append(.items(prefix: 0..<0, rest: try self.node(doc: doc, tokens: tokens + ["items"])))
                }
            } else {
                let prefix = try k.schemaArray("prefixItems")
                if prefix != nil || object["items"] != nil {
                    if let items = object["items"], items.objectValue == nil, items.boolValue == nil {
                        throw k.invalid("items", "`items` must be a schema (2020-12 uses `prefixItems` for tuples)")
                    }
                    var prefixNodes: [Int] = []
                    for t in prefix ?? [] { prefixNodes.append(try self.node(doc: doc, tokens: t)) }
                    let rest = object["items"] != nil ? try self.node(doc: doc, tokens: tokens + ["items"]) : nil
                    keywords.append(.items(prefix: add(nodes: prefixNodes), rest: rest))
                }
            }
            if object["contains"] != nil {
                let containsNode = try self.node(doc: doc, tokens: tokens + ["contains"])
                let minimum = vocab.validation ? try k.count("minContains") ?? 1 : 1
                let maximum = vocab.validation ? try k.count("maxContains") : nil
                keywords.append(.contains(containsNode, min: minimum, max: maximum))
            }
        }
        if vocab.unevaluated {
            if object["unevaluatedProperties"] != nil {
                late.append(.unevaluatedProperties(try self.node(doc: doc, tokens: tokens + ["unevaluatedProperties"])))
            }
            if object["unevaluatedItems"] != nil {
                late.append(.unevaluatedItems(try self.node(doc: doc, tokens: tokens + ["unevaluatedItems"])))
            }
        }
        program.graph.nodes[node].hasUnevaluated = !late.isEmpty
        if !late.isEmpty { program.hasUnevaluated = true }
        let start = program.graph.keywords.count
        program.graph.keywords += keywords
        program.graph.keywords += late
        program.graph.nodes[node].keywords = start..<program.graph.keywords.count
    }
}

/// Reads keyword values with type checks, producing schema errors at the keyword's location.
struct KeywordReader {
    let object: ValueObject
    let doc: Int
    let tokens: [String]
    let documentName: String

    static func error(_ code: DiagnosticCode, _ message: String, doc: Int, documentName: String, tokens: [String])
        -> SchemaError
    {
        let pointer = JSONPointer(tokens: tokens)
        return SchemaError(
            code: code, message: message, schemaLocation: documentName + "#" + pointer.description,
            pointer: doc == 0 ? pointer : nil)
    }

    func invalid(_ keyword: String, _ message: String) -> SchemaError {
        KeywordReader.error(.schemaInvalid, message, doc: doc, documentName: documentName, tokens: tokens + [keyword])
    }

    func number(_ keyword: String) throws(SchemaError) -> Number? {
        guard let member = object[keyword] else { return nil }
        guard let n = member.numberValue else {
            throw invalid(keyword, "`\(keyword)` must be a number, found \(member.typeName)")
        }
        return n
    }

    func count(_ keyword: String) throws(SchemaError) -> Int? {
        guard let member = object[keyword] else { return nil }
        guard let n = member.numberValue, n.isInteger, !n.isNegative else {
            throw invalid(keyword, "`\(keyword)` must be a non-negative integer")
        }
        return n.intValue ?? Int.max
    }

    func schemaArray(_ keyword: String) throws(SchemaError) -> [[String]]? {
        guard let member = object[keyword] else { return nil }
        guard let list = member.arrayValue, !list.isEmpty else {
            throw invalid(keyword, "`\(keyword)` must be a non-empty array of schemas")
        }
        return list.indices.map { tokens + [keyword, String($0)] }
    }

    func schemaMap(_ keyword: String) throws(SchemaError) -> [String]? {
        guard let member = object[keyword] else { return nil }
        guard let map = member.objectValue else { throw invalid(keyword, "`\(keyword)` must be an object of schemas") }
        return map.keys
    }

    func regex(_ source: String, at path: [String]) throws(SchemaError) -> SchemaRegex {
        do {
            return try SchemaRegex(source)
        } catch {
            throw KeywordReader.error(
                .schemaInvalidPattern, "invalid regular expression `\(source)`", doc: doc,
                documentName: documentName, tokens: tokens + path)
        }
    }
}
