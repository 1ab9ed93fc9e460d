/// A linear-time matcher (a Pike VM over UTF-8) for ECMA-262 patterns with groups, alternation and quantifiers.
///
/// Schemas come from untrusted authors, and a backtracking engine can take exponential time on patterns such as
/// `^(a+)+$`; this one keeps one thread per program position, so a match costs at most O(text × program).
/// Lookaround, backreferences, word boundaries and `\p{…}` are not supported (nil), and such patterns go to ICU.
/// Only whether a match exists is computed, so lazy and greedy quantifiers behave the same here.
struct PikeRegex: Sendable {
    enum Instruction: Sendable {
        case set(SimpleRegex.CharSet)
        case split(Int, Int)
        case jump(Int)
        case assertStart
        case assertEnd
        case match
    }

    indirect enum Node {
        case set(SimpleRegex.CharSet)
        case sequence([Node])
        case alternation([Node])
        case repeatNode(Node, min: Int, max: Int)
        case start
        case end
    }

    let program: [Instruction]

    static let maxProgram = 2000

    init?(_ pattern: String) {
        var parser = Parser(scalars: Array(pattern.unicodeScalars)[...])
        guard let node = parser.alternation(depth: 0), parser.scalars.isEmpty else { return nil }
        var program: [Instruction] = []
        guard PikeRegex.emit(node, into: &program) else { return nil }
        program.append(.match)
        guard program.count <= PikeRegex.maxProgram else { return nil }
        self.program = program
    }

    // MARK: Parsing

    struct Parser {
        var scalars: ArraySlice<Unicode.Scalar>

        mutating func alternation(depth: Int) -> Node? {
            guard depth < 64 else { return nil }
            var branches: [Node] = []
            guard let first = sequence(depth: depth) else { return nil }
            branches.append(first)
            while scalars.first == "|" {
                scalars = scalars.dropFirst()
                guard let next = sequence(depth: depth) else { return nil }
                branches.append(next)
            }
            return branches.count == 1 ? branches[0] : .alternation(branches)
        }

        mutating func sequence(depth: Int) -> Node? {
            var items: [Node] = []
            while let c = scalars.first, c != "|", c != ")" {
                guard var atom = atom(depth: depth) else { return nil }
                if let (min, max) = quantifier() {
                    if case .start = atom { return nil }
                    if case .end = atom { return nil }
                    atom = .repeatNode(atom, min: min, max: max)
                }
                items.append(atom)
            }
            return .sequence(items)
        }

        mutating func quantifier() -> (Int, Int)? {
            guard let q = scalars.first else { return nil }
            var result: (Int, Int)
            switch q {
            case "*": result = (0, Int.max); scalars = scalars.dropFirst()
            case "+": result = (1, Int.max); scalars = scalars.dropFirst()
            case "?": result = (0, 1); scalars = scalars.dropFirst()
            case "{":
                var rest = scalars
                guard let (lower, upper) = SimpleRegex.parseBraces(&rest), lower <= 1000,
                    upper == Int.max || upper <= 1000
                else { return nil }
                result = (lower, upper)
                scalars = rest
            default:
                return nil
            }
            // A lazy marker changes which match is found, not whether one exists.
            if scalars.first == "?" { scalars = scalars.dropFirst() }
            return result
        }

        mutating func atom(depth: Int) -> Node? {
            guard let c = scalars.first else { return nil }
            scalars = scalars.dropFirst()
            var set = SimpleRegex.CharSet()
            switch c {
            case "^": return .start
            case "$": return .end
            case ".":
                set.insert(0x0A...0x0A)
                set.insert(0x0D...0x0D)
                set.insert(0x2028...0x2029)
                set.negated = true
                return .set(set)
            case "[":
                guard SimpleRegex.parseClass(&scalars, into: &set) else { return nil }
                return .set(set)
            case "(":
                if scalars.first == "?" {
                    // Only non-capturing and named groups; lookaround is not supported.
                    let rest = scalars.dropFirst()
                    if rest.first == ":" {
                        scalars = rest.dropFirst()
                    } else if rest.first == "<", let next = rest.dropFirst().first, next != "=", next != "!",
                        let close = rest.firstIndex(of: ">")
                    {
                        scalars = rest[rest.index(after: close)...]
                    } else {
                        return nil
                    }
                }
                guard let inner = alternation(depth: depth + 1), scalars.first == ")" else { return nil }
                scalars = scalars.dropFirst()
                return inner
            case "\\":
                guard let e = scalars.first else { return nil }
                if e == "D" || e == "W" || e == "S" {
                    scalars = scalars.dropFirst()
                    var inner = SimpleRegex.CharSet()
                    var lower = ArraySlice([Unicode.Scalar(e.value + 32)!])
                    guard SimpleRegex.escape(lower[lower.startIndex], into: &inner, inClass: false, rest: &lower) else {
                        return nil
                    }
                    inner.negated = true
                    return .set(inner)
                }
                guard SimpleRegex.escape(e, into: &set, inClass: false, rest: &scalars) else { return nil }
                return .set(set)
            case ")", "|", "*", "+", "?", "{", "}", "]":
                return nil
            default:
                set.insert(c.value...c.value)
                return .set(set)
            }
        }
    }

    // MARK: Compiling

    static func emit(_ node: Node, into program: inout [Instruction]) -> Bool {
        guard program.count <= maxProgram else { return false }
        switch node {
        case .set(let set):
            program.append(.set(set))
        case .start:
            program.append(.assertStart)
        case .end:
            program.append(.assertEnd)
        case .sequence(let items):
            for item in items where !emit(item, into: &program) { return false }
        case .alternation(let branches):
            // split L1, next; L1: branch; jump end; next: split ...
            var jumps: [Int] = []
            for (i, branch) in branches.enumerated() {
                if i < branches.count - 1 {
                    let split = program.count
                    program.append(.split(split + 1, -1))
                    guard emit(branch, into: &program) else { return false }
                    jumps.append(program.count)
                    program.append(.jump(-1))
                    program[split] = .split(split + 1, program.count)
                } else {
                    guard emit(branch, into: &program) else { return false }
                }
            }
            for j in jumps { program[j] = .jump(program.count) }
        case .repeatNode(let inner, let min, let max):
            for _ in 0..<min where !emit(inner, into: &program) { return false }
            if max == Int.max {
                // L: split body, end; body; jump L
                let loop = program.count
                program.append(.split(loop + 1, -1))
                guard emit(inner, into: &program) else { return false }
                program.append(.jump(loop))
                program[loop] = .split(loop + 1, program.count)
            } else if max > min {
                var splits: [Int] = []
                for _ in min..<max {
                    splits.append(program.count)
                    program.append(.split(program.count + 1, -1))
                    guard emit(inner, into: &program) else { return false }
                }
                for s in splits { program[s] = .split(s + 1, program.count) }
            }
        }
        return program.count <= maxProgram
    }

    // MARK: Matching

    /// Whether the pattern matches anywhere in `text`.
    func matches(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var current = [Int]()
            var next = [Int]()
            var marks = [Int](repeating: -1, count: program.count)
            var stack = [Int]()
            current.reserveCapacity(program.count)
            next.reserveCapacity(program.count)
            var generation = 0
            var position = 0

            func add(_ pc: Int, _ list: inout [Int], _ at: Int) -> Bool {
                stack.append(pc)
                while let pc = stack.popLast() {
                    if marks[pc] == generation { continue }
                    marks[pc] = generation
                    switch program[pc] {
                    case .jump(let target): stack.append(target)
                    case .split(let a, let b):
                        stack.append(b)
                        stack.append(a)
                    case .assertStart: if at == 0 { stack.append(pc + 1) }
                    case .assertEnd: if at == bytes.count { stack.append(pc + 1) }
                    case .match:
                        stack.removeAll(keepingCapacity: true)
                        return true
                    case .set: list.append(pc)
                    }
                }
                return false
            }

            while true {
                // A new attempt may start at every position (the pattern is not anchored implicitly).
                if add(0, &current, position) { return true }
                guard position < bytes.count else { return false }
                let scalar = SimpleRegex.scalar(at: position, bytes)
                let following = SimpleRegex.next(position, bytes)
                generation += 1
                next.removeAll(keepingCapacity: true)
                for pc in current {
                    if case .set(let set) = program[pc], set.contains(scalar) {
                        if add(pc + 1, &next, following) { return true }
                    }
                }
                swap(&current, &next)
                position = following
            }
        }
    }
}
