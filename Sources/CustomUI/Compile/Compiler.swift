import CustomUICore

/// Turns a checked syntax tree into the typed template IR, parsing every expression on the way.
///
/// Structure problems were already reported by `StructureCheck`; the compiler skips what it cannot
/// compile (unknown elements, orphan `else`) instead of reporting it twice.
struct Compiler {
    let file: SourceFile
    let limits: ResourceLimits
    var diagnostics: [Diagnostic] = []

    init(file: SourceFile, limits: ResourceLimits) {
        self.file = file
        self.limits = limits
    }

    mutating func compile(_ document: CustomUIDocument, root: SyntaxElement) -> CompiledTemplate {
        var bindings: [VariableBinding] = []
        var view: [TemplateNode] = []
        for child in root.childElements {
            switch child.name {
            case "bind":
                guard let variable = child.attribute("variable"), let value = child.attribute("value"),
                    let expr = expression(value)
                else { continue }
                bindings.append(
                    VariableBinding(
                        variable: variable.value, value: expr, range: child.range, variableRange: variable.valueRange))
            case "view" where view.isEmpty:
                view = nodes(child.children, inline: false)
            default:
                continue
            }
        }
        var slots: [SlotDeclaration] = []
        for node in view {
            node.forEachElement { element in
                guard element.name == "slot", let name = element.literal("name"),
                    !slots.contains(where: { $0.name == name })
                else { return }
                slots.append(
                    SlotDeclaration(
                        name: name, format: SlotFormat(attribute: element.literal("format")), range: element.range))
            }
        }
        return CompiledTemplate(
            definition: document.definition, file: file, bindings: bindings, view: view, slots: slots)
    }

    private mutating func nodes(_ children: [SyntaxNode], inline: Bool) -> [TemplateNode] {
        var result: [TemplateNode] = []
        var openChain: [ConditionalBranch]?
        // Whitespace after a chain's branch: dropped if `else-if`/`else` follows, kept (one space,
        // in inline content) if anything else does, so `</if> <em>` keeps its space.
        var spaceAfterChain: SyntaxText?
        func closeChain() {
            if let chain = openChain { result.append(.conditional(chain)) }
            openChain = nil
            if inline, let space = spaceAfterChain {
                result.append(.text(Interpolation(segments: [.text(" ", space.range)])))
            }
            spaceAfterChain = nil
        }
        for child in children {
            switch child {
            case .text(let text):
                if text.isWhitespace && openChain != nil {
                    spaceAfterChain = text
                    continue
                }
                closeChain()
                guard inline else { continue }
                let (segments, parseDiagnostics) = ExpressionParser.parseInterpolated(
                    text.text, origin: text.origin, limits: limits)
                diagnostics += parseDiagnostics
                let collapsed = collapseWhitespace(segments)
                if !collapsed.isEmpty { result.append(.text(Interpolation(segments: collapsed))) }
            case .element(let element):
                guard let spec = Vocabulary.byName[element.name] else {
                    closeChain()
                    continue
                }
                let childInline =
                    spec.category == .control ? inline : (spec.content == .inline || spec.content == .text)
                switch element.name {
                case "if":
                    closeChain()
                    openChain = [branch(element, inline: childInline)]
                case "else-if", "else":
                    spaceAfterChain = nil
                    if openChain != nil {
                        openChain?.append(branch(element, inline: childInline))
                    }
                case "each":
                    closeChain()
                    guard let items = element.attribute("items").flatMap({ expression($0) }),
                        let binding = element.attribute("as")
                    else { continue }
                    let loop = LoopNode(
                        items: items, binding: binding.value, bindingRange: binding.valueRange,
                        indexBinding: element.attribute("index")?.value,
                        children: nodes(element.children, inline: childInline), range: element.range)
                    result.append(.loop(loop))
                default:
                    closeChain()
                    var attributes: [String: AttributeValue] = [:]
                    var attributeRanges: [String: SourceRange] = [:]
                    for attribute in element.attributes {
                        guard let attributeSpec = spec.attribute(attribute.name) else { continue }
                        attributes[attribute.name] = compileAttribute(attribute, attributeSpec.kind)
                        attributeRanges[attribute.name] = attribute.valueRange
                    }
                    var children: [TemplateNode] = []
                    if spec.content == .inline || spec.content == .text {
                        children = trimEdges(nodes(element.children, inline: true))
                    } else if spec.content != .json {
                        children = nodes(element.children, inline: false)
                    }
                    let node = ElementNode(
                        name: element.name, attributes: attributes, children: children, range: element.range,
                        nameRange: element.nameRange, attributeRanges: attributeRanges)
                    result.append(.element(node))
                }
            }
        }
        closeChain()
        return result
    }

    private mutating func branch(_ element: SyntaxElement, inline: Bool) -> ConditionalBranch {
        let test = element.name == "else" ? nil : element.attribute("test").flatMap { expression($0) }
        return ConditionalBranch(test: test, children: nodes(element.children, inline: inline), range: element.range)
    }

    private mutating func expression(_ attribute: SyntaxAttribute) -> Expr? {
        switch ExpressionParser.parse(attribute.value, origin: attribute.valueOrigin, limits: limits) {
        case .success(let expr): return expr
        case .failure(let diagnostic):
            diagnostics.append(diagnostic)
            return nil
        }
    }

    private mutating func compileAttribute(_ attribute: SyntaxAttribute, _ kind: AttributeKind) -> AttributeValue? {
        switch kind {
        case .expression:
            return expression(attribute).map(AttributeValue.expression)
        case .interpolated, .url:
            guard attribute.value.contains("{{") else { return .literal(attribute.value) }
            let (segments, parseDiagnostics) = ExpressionParser.parseInterpolated(
                attribute.value, origin: attribute.valueOrigin, limits: limits)
            diagnostics += parseDiagnostics
            return .interpolated(Interpolation(segments: segments))
        default:
            return .literal(attribute.value)
        }
    }

    /// Collapses each run of XML whitespace in literal text to one space, as HTML displays it.
    private func collapseWhitespace(_ segments: [Interpolation.Segment]) -> [Interpolation.Segment] {
        segments.compactMap { segment in
            guard case .text(let text, let range) = segment else { return segment }
            var out = ""
            var inSpace = false
            for scalar in text.unicodeScalars {
                if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                    if !inSpace { out += " " }
                    inSpace = true
                } else {
                    out.unicodeScalars.append(scalar)
                    inSpace = false
                }
            }
            return out.isEmpty ? nil : .text(out, range)
        }
    }

    /// Drops the space that indentation leaves at the start and end of an inline container.
    private func trimEdges(_ nodes: [TemplateNode]) -> [TemplateNode] {
        var nodes = nodes
        if case .text(var first)? = nodes.first, case .text(let text, let range)? = first.segments.first {
            let trimmed = String(text.drop { $0 == " " })
            if trimmed.isEmpty { first.segments.removeFirst() } else { first.segments[0] = .text(trimmed, range) }
            if first.segments.isEmpty { nodes.removeFirst() } else { nodes[0] = .text(first) }
        }
        if case .text(var last)? = nodes.last, case .text(let text, let range)? = last.segments.last {
            var trimmed = text
            while trimmed.hasSuffix(" ") { trimmed.removeLast() }
            if trimmed.isEmpty {
                last.segments.removeLast()
            } else {
                last.segments[last.segments.count - 1] = .text(trimmed, range)
            }
            if last.segments.isEmpty { nodes.removeLast() } else { nodes[nodes.count - 1] = .text(last) }
        }
        return nodes
    }
}
