import Foundation

/// The budgets every stage runs under, so that no template, document or stream can make the engine
/// hang or exhaust memory. Each limit that runs out becomes a diagnostic naming the limit.
public struct ResourceLimits: Sendable, Hashable {
    /// Largest template or JSON document read, in bytes.
    public var maxDocumentBytes: Int
    /// Deepest element (or JSON value) nesting.
    public var maxDepth: Int
    /// Most elements in one template.
    public var maxNodes: Int
    /// Longest single attribute value or text node, in bytes.
    public var maxAttributeBytes: Int
    /// Most evaluation steps for one render (each expression node and each element costs one).
    public var maxSteps: Int
    /// Most iterations of one `each` loop.
    public var maxIterations: Int
    /// Deepest expression nesting (parentheses, filter chains, `not`).
    public var maxExpressionDepth: Int
    /// Largest rendered output, in bytes.
    public var maxOutputBytes: Int
    /// Longest wall-clock time for one evaluation.
    public var deadline: Duration
    /// Most text one run may stream into a slot, in bytes; a run past it fails with `limit.slot-size`.
    public var maxSlotBytes: Int

    /// Limits from their parts; every default suits templates written by untrusted authors.
    public init(
        maxDocumentBytes: Int = 4 << 20,
        maxDepth: Int = 128,
        maxNodes: Int = 50_000,
        maxAttributeBytes: Int = 64 << 10,
        maxSteps: Int = 2_000_000,
        maxIterations: Int = 10_000,
        maxExpressionDepth: Int = 64,
        maxOutputBytes: Int = 16 << 20,
        deadline: Duration = .seconds(5),
        maxSlotBytes: Int = 4 << 20
    ) {
        self.maxDocumentBytes = maxDocumentBytes
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
        self.maxAttributeBytes = maxAttributeBytes
        self.maxSteps = maxSteps
        self.maxIterations = maxIterations
        self.maxExpressionDepth = maxExpressionDepth
        self.maxOutputBytes = maxOutputBytes
        self.deadline = deadline
        self.maxSlotBytes = maxSlotBytes
    }

    /// The defaults.
    public static let `default` = ResourceLimits()
}

/// Which budget ran out.
public enum Limit: String, Sendable, Hashable, CaseIterable {
    case documentBytes = "document-size"
    case depth
    case nodes
    case attributeBytes = "attribute-size"
    case steps
    case iterations
    case expressionDepth = "expression-depth"
    case outputBytes = "output-size"
    case deadline

    /// The diagnostic code reported when this limit runs out.
    public var code: DiagnosticCode { DiagnosticCode(rawValue: "limit.\(rawValue)") }
}

/// A budget that ran out.
public struct LimitExceeded: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which limit.
    public var limit: Limit
    /// The configured maximum.
    public var maximum: Int

    /// A limit error from its parts.
    public init(_ limit: Limit, maximum: Int) {
        self.limit = limit
        self.maximum = maximum
    }

    /// `evaluation exceeded the step limit (2000000)` and the like.
    public var description: String {
        switch limit {
        case .documentBytes: "document is larger than the limit of \(maximum) bytes"
        case .depth: "nesting is deeper than the limit of \(maximum) levels"
        case .nodes: "more than \(maximum) elements"
        case .attributeBytes: "value is longer than the limit of \(maximum) bytes"
        case .steps: "evaluation took more than \(maximum) steps"
        case .iterations: "loop ran more than \(maximum) iterations"
        case .expressionDepth: "expression is nested deeper than \(maximum) levels"
        case .outputBytes: "output is larger than the limit of \(maximum) bytes"
        case .deadline: "evaluation took longer than \(maximum) ms"
        }
    }
}

/// A running account against `ResourceLimits`, charged by evaluators as they work.
public struct Budget: Sendable {
    /// The limits charged against.
    public let limits: ResourceLimits
    /// Steps taken so far.
    public private(set) var steps = 0
    /// Output bytes produced so far.
    public private(set) var outputBytes = 0
    private let deadline: ContinuousClock.Instant

    /// A fresh budget; the deadline starts now.
    public init(_ limits: ResourceLimits = .default) {
        self.limits = limits
        deadline = ContinuousClock.now.advanced(by: limits.deadline)
    }

    /// Charges `count` steps. The deadline is checked where work is charged in bulk (a charge of
    /// more than one step stands for a scan or a copy) and every 256 single steps, so no more
    /// than a few microseconds of work pass between two looks at the clock.
    @inlinable
    public mutating func step(_ count: Int = 1) throws(LimitExceeded) {
        let before = steps
        try addSteps(count)
        if count > 1 || before >> 8 != steps >> 8 { try checkDeadline() }
    }

    @usableFromInline
    mutating func addSteps(_ count: Int) throws(LimitExceeded) {
        steps += count
        if steps > limits.maxSteps { throw LimitExceeded(.steps, maximum: limits.maxSteps) }
    }

    /// Charges produced output, and looks at the clock for every 4 KiB produced (producing it was
    /// work; a look for every short string was a tenth of a page's render).
    public mutating func output(_ bytes: Int) throws(LimitExceeded) {
        let before = outputBytes
        outputBytes += bytes
        if outputBytes > limits.maxOutputBytes {
            throw LimitExceeded(.outputBytes, maximum: limits.maxOutputBytes)
        }
        if bytes >= 4096 || before >> 12 != outputBytes >> 12 { try checkDeadline() }
    }

    /// Throws if the deadline has passed.
    public func checkDeadline() throws(LimitExceeded) {
        if ContinuousClock.now > deadline {
            let ms =
                limits.deadline.components.seconds * 1000 + limits.deadline.components.attoseconds
                / 1_000_000_000_000_000
            throw LimitExceeded(.deadline, maximum: Int(ms))
        }
    }
}
