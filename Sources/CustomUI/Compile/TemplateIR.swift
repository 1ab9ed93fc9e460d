import CustomUICore

/// An attribute value after compilation.
public enum AttributeValue: Sendable, Hashable {
    /// Literal text (choices, numbers, names, and text without `{{ }}`).
    case literal(String)
    /// Text with `{{ … }}` parts.
    case interpolated(Interpolation)
    /// A whole expression (`test`, `items`, `value`).
    case expression(Expr)
}

/// A vocabulary element with compiled attributes and children.
///
/// A class: the compiled IR is immutable and walked on every render, and sharing one reference
/// costs one retain where copying a struct of dictionaries and arrays cost many.
public final class ElementNode: Sendable {
    /// The element name (one of `Vocabulary.elements`).
    public let name: String
    /// Compiled attributes by name.
    public let attributes: [String: AttributeValue]
    /// Compiled children.
    public let children: [TemplateNode]
    /// The element's source range.
    public let range: SourceRange
    /// The range of the element's name, where diagnostics about it point.
    public let nameRange: SourceRange
    /// The range of each attribute's value, by attribute name.
    public let attributeRanges: [String: SourceRange]
    /// The attributes in a small array: renders look attributes up on every element, and a scan of
    /// a handful of short names is cheaper than hashing one.
    private let attributeList: [(name: String, value: AttributeValue)]

    /// An element from its parts.
    public init(
        name: String, attributes: [String: AttributeValue], children: [TemplateNode], range: SourceRange,
        nameRange: SourceRange, attributeRanges: [String: SourceRange] = [:]
    ) {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.range = range
        self.nameRange = nameRange
        self.attributeRanges = attributeRanges
        attributeList = attributes.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
    }

    /// The compiled value of one attribute.
    public func attribute(_ name: String) -> AttributeValue? {
        for entry in attributeList where entry.name == name { return entry.value }
        return nil
    }

    /// The literal value of an attribute, if it was written without expressions.
    public func literal(_ name: String) -> String? {
        if case .literal(let s)? = attribute(name) { return s }
        return nil
    }
}

/// One branch of an `if` / `else-if` / `else` chain; `test` is nil for `else`.
///
/// A class for the same reason as `ElementNode`: the IR is immutable and walked on every render.
public final class ConditionalBranch: Sendable {
    /// The condition, or nil for the final `else`.
    public let test: Expr?
    /// The content shown when this branch is taken.
    public let children: [TemplateNode]
    /// The branch element's range.
    public let range: SourceRange

    /// A branch from its parts.
    public init(test: Expr?, children: [TemplateNode], range: SourceRange) {
        self.test = test
        self.children = children
        self.range = range
    }
}

/// An `each` loop (a class, like `ElementNode`).
public final class LoopNode: Sendable {
    /// The array to repeat over.
    public let items: Expr
    /// The name the current item is bound to.
    public let binding: String
    /// Where that name is written.
    public let bindingRange: SourceRange
    /// The name the 0-based index is bound to, if any.
    public let indexBinding: String?
    /// The repeated content.
    public let children: [TemplateNode]
    /// The `each` element's range.
    public let range: SourceRange

    /// A loop from its parts.
    public init(
        items: Expr, binding: String, bindingRange: SourceRange, indexBinding: String?, children: [TemplateNode],
        range: SourceRange
    ) {
        self.items = items
        self.binding = binding
        self.bindingRange = bindingRange
        self.indexBinding = indexBinding
        self.children = children
        self.range = range
    }
}

extension DiagnosticCode {
    /// An `each` over a value that is neither an array nor null.
    public static let eachNotArray: Self = "expr.each-not-array"
}

extension LoopNode {
    /// What the loop repeats over, given the value of its `items` expression: null repeats nothing;
    /// anything but an array, or more items than the iteration budget, is an error at `items`.
    public func elements(of value: Value, limits: ResourceLimits) throws(EvaluationError) -> [Value] {
        switch value {
        case .null:
            return []
        case .array(let elements):
            if elements.count > limits.maxIterations {
                throw EvaluationError(LimitExceeded(.iterations, maximum: limits.maxIterations), range: items.range)
            }
            return elements
        default:
            throw EvaluationError(
                code: .eachNotArray, message: "`each` needs an array, but the items are \(value.typeName)",
                range: items.range,
                hint: "repeat over an array, or guard the loop with `if`")
        }
    }
}

/// A node of the compiled view.
public indirect enum TemplateNode: Sendable {
    /// A vocabulary element.
    case element(ElementNode)
    /// Text with whitespace collapsed as HTML would, possibly with `{{ }}` parts.
    case text(Interpolation)
    /// An `if` chain.
    case conditional([ConditionalBranch])
    /// An `each` loop.
    case loop(LoopNode)
}

/// How a slot shows its text: the `format` attribute of `slot`.
public enum SlotFormat: String, Sendable, Hashable, CaseIterable {
    /// Rendered as markdown (the default).
    case markdown
    /// Shown as written, in a preformatted block.
    case text

    /// The format an attribute value names; the checker refuses any other value, so that is markdown.
    public init(attribute: String?) { self = attribute.flatMap(SlotFormat.init(rawValue:)) ?? .markdown }
}

/// A slot the template declares.
public struct SlotDeclaration: Sendable, Hashable {
    /// The slot's unique name.
    public var name: String
    /// How it shows its text.
    public var format: SlotFormat
    /// Where it is declared.
    public var range: SourceRange
}

/// A `bind` of a prompt variable to an expression over props.
public struct VariableBinding: Sendable {
    /// The prompt variable.
    public var variable: String
    /// The expression giving its value.
    public var value: Expr
    /// Where the `bind` is written.
    public var range: SourceRange
    /// Where the variable's name is written.
    public var variableRange: SourceRange
}

/// A checked, compiled custom UI: what the renderers and sessions run.
public struct CompiledTemplate: Sendable {
    /// The definition (metadata and configuration).
    public var definition: CustomUIDefinition
    /// The template source, when the UI has one.
    public var file: SourceFile?
    /// Variable bindings, in order.
    public var bindings: [VariableBinding]
    /// The view's content.
    public var view: [TemplateNode]
    /// The declared slots, in document order.
    public var slots: [SlotDeclaration]
}

extension TemplateNode {
    /// Visits every element, including those inside conditionals and loops, depth first.
    public func forEachElement(_ visit: (ElementNode) -> Void) {
        switch self {
        case .element(let e):
            visit(e)
            for child in e.children { child.forEachElement(visit) }
        case .text: break
        case .conditional(let branches):
            for branch in branches { for child in branch.children { child.forEachElement(visit) } }
        case .loop(let loop):
            for child in loop.children { child.forEachElement(visit) }
        }
    }
}
