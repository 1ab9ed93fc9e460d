internal import CLibXML2
import CustomUICore
import Foundation

extension DiagnosticCode {
    /// The template breaks the RELAX NG grammar in a way the checks did not already report.
    public static let templateGrammar: Self = "template.grammar"
}

/// Validates template trees against the generated RELAX NG grammar with libxml2.
///
/// The vocabulary checks run first and give the precise diagnostics; this is the second line of
/// defence, so the published grammar is what the engine actually enforces.
///
/// `@unchecked Sendable` because it wraps a C handle: `schema` is set once in `init` and freed in
/// `deinit`, and every use of it is made holding `lock`.
final class GrammarValidator: @unchecked Sendable {
    private let schema: xmlRelaxNGPtr
    // libxml2 documents compiled RELAX NG schemas as shareable, but validation state has had
    // thread-safety bugs across versions; a lock costs little next to a validation.
    private let lock = NSLock()

    static let shared: GrammarValidator? = GrammarValidator(grammar: Grammar.relaxNG)

    init?(grammar: String) {
        LibXML2.initialize()
        let bytes = Array(grammar.utf8)
        let parsed: xmlRelaxNGPtr? = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                guard let context = xmlRelaxNGNewMemParserCtxt(chars.baseAddress, Int32(chars.count)) else {
                    return nil
                }
                defer { xmlRelaxNGFreeParserCtxt(context) }
                xmlRelaxNGSetParserStructuredErrors(context, { _, _ in }, nil)
                return xmlRelaxNGParse(context)
            }
        }
        guard let parsed else { return nil }
        schema = parsed
    }

    deinit { xmlRelaxNGFree(schema) }

    /// Grammar errors for a tree, each at the element libxml2 names.
    func validate(_ root: SyntaxElement, file: SourceFile) -> [Diagnostic] {
        lock.lock()
        defer { lock.unlock() }
        guard let doc = xmlNewDoc("1.0") else { return [] }
        defer { xmlFreeDoc(doc) }
        var ranges: [UnsafeMutableRawPointer: SourceRange] = [:]
        func build(_ element: SyntaxElement) -> xmlNodePtr? {
            guard let node = xmlNewDocNode(doc, nil, element.name, nil) else { return nil }
            ranges[UnsafeMutableRawPointer(node)] = element.nameRange
            for attribute in element.attributes {
                xmlNewProp(node, attribute.name, attribute.value)
            }
            for child in element.children {
                switch child {
                case .element(let e):
                    if let c = build(e) { xmlAddChild(node, c) }
                case .text(let t):
                    if let c = xmlNewDocText(doc, t.text) { xmlAddChild(node, c) }
                }
            }
            return node
        }
        guard let rootNode = build(root) else { return [] }
        xmlDocSetRootElement(doc, rootNode)

        final class Collector {
            var errors: [(message: String, node: UnsafeMutableRawPointer?)] = []
        }
        let collector = Collector()
        guard let context = xmlRelaxNGNewValidCtxt(schema) else { return [] }
        defer { xmlRelaxNGFreeValidCtxt(context) }
        xmlRelaxNGSetValidStructuredErrors(
            context,
            { userData, error in
                guard let userData, let error else { return }
                let collector = Unmanaged<Collector>.fromOpaque(userData).takeUnretainedValue()
                let message = error.pointee.message.map { String(cString: $0) } ?? "invalid"
                collector.errors.append((message, error.pointee.node))
            }, Unmanaged.passUnretained(collector).toOpaque())
        _ = xmlRelaxNGValidateDoc(context, doc)

        var seen = Set<String>()
        return collector.errors.compactMap { error in
            var message = error.message.trimmingCharacters(in: CharacterSet(charactersIn: " \n."))
            if let first = message.first { message = first.lowercased() + message.dropFirst() }
            guard seen.insert(message).inserted else { return nil }
            let range = error.node.flatMap { ranges[$0] } ?? root.nameRange
            return .error(
                .templateGrammar, "the template does not match the grammar: \(message)", file: file.path, range: range,
                hint: "see Schemas/customui.rng and docs/language.md")
        }
    }
}
