internal import CLibXML2
import CustomUICore
import Foundation

extension DiagnosticCode {
    /// The document is not well-formed XML.
    public static let xmlMalformed: Self = "xml.malformed"
    /// A start tag and end tag do not match.
    public static let xmlTagMismatch: Self = "xml.tag-mismatch"
    /// A reference to an entity other than the five predefined ones.
    public static let xmlUndefinedEntity: Self = "xml.undefined-entity"
    /// A `<!DOCTYPE …>` declaration, refused because it is how entity bombs and XXE get in.
    public static let xmlDoctype: Self = "xml.doctype"
    /// The document has no root element.
    public static let xmlEmpty: Self = "xml.empty"
}

/// Parses template XML with libxml2, hardened for untrusted authors, into a syntax tree with exact
/// source ranges.
///
/// libxml2 runs in SAX mode with `XML_PARSE_NONET` and never with `NOENT` or `DTDLOAD`: the network
/// is never touched, no entity is ever expanded, and a document type declaration stops the parse at
/// once with `xml.doctype` (so billion-laughs and XXE documents fail in microseconds, before any
/// entity is declared). Depth, element count, attribute size and document size are limited.
public enum TemplateParser {
    /// Parses a template; returns the tree when the document is well-formed and within limits.
    public static func parse(_ file: SourceFile, limits: ResourceLimits = .default) -> (
        document: SyntaxDocument?, diagnostics: [Diagnostic]
    ) {
        if file.bytes.count > limits.maxDocumentBytes {
            let limit = LimitExceeded(.documentBytes, maximum: limits.maxDocumentBytes)
            return (
                nil,
                [
                    .error(
                        limit.limit.code, "template \(limit)", file: file.path, range: file.range(0, 0),
                        hint: "split the template or move data into props")
                ]
            )
        }
        LibXML2.initialize()
        let session = SAXSession(file: file, limits: limits)
        session.run()
        if session.diagnostics.hasErrors { return (nil, session.diagnostics) }
        guard let root = session.root else {
            return (
                nil,
                session.diagnostics + [
                    .error(
                        .xmlEmpty, "the document has no root element", file: file.path, range: file.range(0, 0),
                        hint: "a template starts with `<custom-ui name=\"…\">`")
                ]
            )
        }
        return (SyntaxDocument(file: file, root: root), session.diagnostics)
    }
}

enum LibXML2 {
    private static let once: Void = { xmlInitParser() }()
    static func initialize() { _ = once }
}

/// One parse: owns the libxml2 context for its duration and collects the tree and diagnostics.
private final class SAXSession {
    let file: SourceFile
    let limits: ResourceLimits
    var scanner: MarkupScanner
    var context: xmlParserCtxtPtr?
    var diagnostics: [Diagnostic] = []
    var stopped = false
    var root: SyntaxElement?
    var stack: [(element: SyntaxElement, selfClosing: Bool, startTagEnd: Int)] = []
    var libxmlText: [UInt8] = []
    var elementCount = 0

    init(file: SourceFile, limits: ResourceLimits) {
        self.file = file
        self.limits = limits
        scanner = MarkupScanner(bytes: file.bytes)
    }

    func run() {
        var handler = xmlSAXHandler()
        handler.initialized = XML_SAX2_MAGIC
        handler.startElementNs = { ctx, _, _, _, _, _, _, _, _ in
            SAXSession.from(ctx).startElement()
        }
        handler.endElementNs = { ctx, _, _, _ in SAXSession.from(ctx).endElement() }
        handler.characters = { ctx, ch, len in SAXSession.from(ctx).characters(ch, len) }
        handler.cdataBlock = { ctx, ch, len in SAXSession.from(ctx).characters(ch, len) }
        handler.internalSubset = { ctx, _, _, _ in SAXSession.from(ctx).doctype() }
        handler.getEntity = { _, name in xmlGetPredefinedEntity(name) }
        handler.serror = { ctx, error in
            guard let ctx, let error else { return }
            SAXSession.from(ctx).libxmlError(error.pointee)
        }

        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_IGNORE_ENC.rawValue | XML_PARSE_NOWARNING.rawValue)
        file.bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                guard let base = chars.baseAddress, let ctxt = xmlCreateMemoryParserCtxt(base, Int32(chars.count))
                else {
                    diagnostics.append(
                        .error(.xmlEmpty, "the document is empty", file: file.path, range: file.range(0, 0)))
                    return
                }
                defer { xmlFreeParserCtxt(ctxt) }
                context = ctxt
                ctxt.pointee.sax.pointee = handler
                ctxt.pointee.userData = Unmanaged.passUnretained(self).toOpaque()
                ctxt.pointee.replaceEntities = 0
                xmlCtxtUseOptions(ctxt, options)
                xmlParseDocument(ctxt)
                context = nil
            }
        }
    }

    static func from(_ ctx: UnsafeMutableRawPointer?) -> SAXSession {
        Unmanaged<SAXSession>.fromOpaque(ctx!).takeUnretainedValue()
    }

    private func stop(_ diagnostic: Diagnostic) {
        guard !stopped else { return }
        diagnostics.append(diagnostic)
        stopped = true
        if let context { xmlStopParser(context) }
    }

    // MARK: Events

    func startElement() {
        guard !stopped else { return }
        flushText()
        let tag = scanner.scanStartTag()
        let name = scanner.string(tag.nameStart..<tag.nameEnd)
        let nameRange = file.range(tag.nameStart, tag.nameEnd)
        if stack.count + 1 > limits.maxDepth {
            let limit = LimitExceeded(.depth, maximum: limits.maxDepth)
            return stop(
                .error(
                    limit.limit.code, "element `\(name)` is nested too deeply: \(limit)", file: file.path,
                    range: nameRange, hint: "flatten the layout; templates rarely need more than a few levels"))
        }
        elementCount += 1
        if elementCount > limits.maxNodes {
            let limit = LimitExceeded(.nodes, maximum: limits.maxNodes)
            return stop(
                .error(
                    limit.limit.code, "the template has \(limit)", file: file.path, range: nameRange,
                    hint: "use `each` over props instead of repeating elements"))
        }
        // Attribute values come from the scanner's decoder: in SAX mode without entity substitution
        // libxml2 re-escapes `&amp;` as `&#38;`, and with DOCTYPE refused the only references left are
        // the five predefined entities and character references, which the scanner decodes exactly.
        var syntaxAttributes: [SyntaxAttribute] = []
        for raw in tag.attributes {
            let attrName = scanner.string(raw.nameStart..<raw.nameEnd)
            let valueRange = file.range(raw.valueStart, raw.valueEnd)
            if raw.valueEnd - raw.valueStart > limits.maxAttributeBytes {
                let limit = LimitExceeded(.attributeBytes, maximum: limits.maxAttributeBytes)
                return stop(
                    .error(
                        limit.limit.code, "attribute `\(attrName)` \(limit)", file: file.path,
                        range: file.range(raw.nameStart, raw.nameEnd), hint: "move large content into props"))
            }
            let (decoded, segments) = scanner.decodeAttribute(raw.valueStart..<raw.valueEnd)
            let value = String(decoding: decoded, as: UTF8.self)
            let origin = TextOrigin(file: file, segments: segments)
            syntaxAttributes.append(
                SyntaxAttribute(
                    name: attrName, nameRange: file.range(raw.nameStart, raw.nameEnd), value: value,
                    valueRange: valueRange, valueOrigin: origin))
        }
        let element = SyntaxElement(
            name: name, nameRange: nameRange, range: file.range(tag.start, tag.end),
            startTagRange: file.range(tag.start, tag.end), attributes: syntaxAttributes, children: [])
        stack.append((element, tag.selfClosing, tag.end))
    }

    func endElement() {
        guard !stopped, let popped = stack.popLast() else { return }
        var element = popped.element
        let (selfClosing, startTagEnd) = (popped.selfClosing, popped.startTagEnd)
        var end = startTagEnd
        if !selfClosing {
            // Put the element back while its trailing text is flushed into it.
            stack.append((element, selfClosing, startTagEnd))
            flushText()
            element = stack.removeLast().element
            end = scanner.scanEndTag().upperBound
        }
        element.range = SourceRange(start: element.range.start, end: file.location(at: end))
        if stack.isEmpty {
            root = element
        } else {
            stack[stack.count - 1].element.children.append(.element(element))
        }
    }

    func characters(_ ch: UnsafePointer<xmlChar>?, _ length: Int32) {
        guard !stopped, let ch, length > 0 else { return }
        libxmlText.append(contentsOf: UnsafeBufferPointer(start: ch, count: Int(length)))
    }

    func doctype() {
        let start = findDoctype() ?? 0
        stop(
            .error(
                .xmlDoctype, "document type declarations are not allowed", file: file.path,
                range: file.range(start, start + 9),
                hint: "remove `<!DOCTYPE …>`: templates cannot declare entities or load DTDs"))
    }

    func libxmlError(_ error: xmlError) {
        guard !stopped, error.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
        var message = error.message.map { String(cString: $0) } ?? "malformed XML"
        message = message.trimmingCharacters(in: CharacterSet(charactersIn: " \n."))
        if let first = message.first { message = first.lowercased() + message.dropFirst() }
        let code: DiagnosticCode
        var hint: String?
        switch Int(error.code) {
        case Int(XML_ERR_TAG_NAME_MISMATCH.rawValue):
            code = .xmlTagMismatch
            hint = "close each element with the matching `</name>`"
        case Int(XML_ERR_UNDECLARED_ENTITY.rawValue), Int(XML_WAR_UNDECLARED_ENTITY.rawValue):
            code = .xmlUndefinedEntity
            hint = "only `&lt;`, `&gt;`, `&amp;`, `&quot;`, `&apos;` and character references like `&#233;` are allowed"
        case Int(XML_ERR_DOCUMENT_EMPTY.rawValue):
            code = .xmlEmpty
            hint = "a template starts with `<custom-ui name=\"…\">`"
        default:
            code = .xmlMalformed
        }
        var location =
            error.line > 0
            ? file.location(line: Int(error.line), column: max(1, Int(error.int2)))
            : file.location(at: file.bytes.count)
        var range = SourceRange(at: location)
        if code == .xmlTagMismatch {
            // libxml2 reports the position after the end tag; point at the end tag's name instead.
            var i = min(location.offset, file.bytes.count) - 1
            while i > 0, !(file.bytes[i - 1] == UInt8(ascii: "<") && file.bytes[i] == UInt8(ascii: "/")) { i -= 1 }
            if i > 0 {
                var end = i + 1
                while end < file.bytes.count, ![UInt8(ascii: ">"), 0x20, 0x0A, 0x09, 0x0D].contains(file.bytes[end]) {
                    end += 1
                }
                location = file.location(at: i + 1)
                range = file.range(i + 1, end)
            }
        }
        var notes: [DiagnosticNote] = []
        if code == .xmlTagMismatch, let open = stack.last?.element {
            // The other half of the mismatch: the element left open, where it was opened.
            notes.append(DiagnosticNote("`<\(open.name)>` is opened here and never closed", range: open.nameRange))
            hint = "close `<\(open.name)>` with `</\(open.name)>` before this end tag"
        }
        stop(.error(code, message, file: file.path, range: range, hint: hint, notes: notes))
    }

    // MARK: Text

    /// Ends the text run before the next tag and attaches it to the open element.
    private func flushText() {
        let (contentStart, tagStart) = scanner.skipToTag()
        defer { libxmlText.removeAll(keepingCapacity: true) }
        guard tagStart > contentStart, !stack.isEmpty else { return }
        let (decoded, segments) = scanner.decodeContent(contentStart..<tagStart)
        let agree = decoded == libxmlText
        let text = String(decoding: agree ? decoded : libxmlText, as: UTF8.self)
        guard !text.isEmpty else { return }
        let origin =
            agree ? TextOrigin(file: file, segments: segments) : TextOrigin(file: file, startOffset: contentStart)
        stack[stack.count - 1].element.children.append(
            .text(SyntaxText(text: text, range: file.range(contentStart, tagStart), origin: origin)))
    }

    private func findDoctype() -> Int? {
        let needle = Array("<!DOCTYPE".utf8)
        let bytes = file.bytes
        guard bytes.count >= needle.count else { return nil }
        for i in 0...(bytes.count - needle.count) where bytes[i] == needle[0] {
            if Array(bytes[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }
}
