import CustomUICore

/// One filter of the fixed set: its name, arguments, types and a documented example.
public struct FilterSignature: Hashable, Sendable {
    /// One argument a filter takes.
    public struct Argument: Hashable, Sendable {
        /// The argument's name, for documentation and messages.
        public var name: String
        /// The accepted type, in the words the docs use (`text`, `integer`, `number`, `string`, `any`).
        public var type: String
        /// The value used when the argument is left out, if it is optional.
        public var defaultValue: String?

        /// An argument from its parts.
        public init(_ name: String, _ type: String, default defaultValue: String? = nil) {
            self.name = name
            self.type = type
            self.defaultValue = defaultValue
        }
    }

    /// The name written after `|`.
    public var name: String
    /// The accepted input type, in the words the docs use.
    public var input: String
    /// The arguments, required ones first.
    public var arguments: [Argument]
    /// The type of the result.
    public var output: String
    /// One sentence saying what the filter does.
    public var summary: String
    /// An example expression.
    public var example: String
    /// The example's result, as it renders.
    public var exampleResult: String

    /// A signature from its parts.
    public init(
        _ name: String, input: String, arguments: [Argument] = [], output: String, summary: String,
        example: String, result: String
    ) {
        self.name = name
        self.input = input
        self.arguments = arguments
        self.output = output
        self.summary = summary
        self.example = example
        self.exampleResult = result
    }

    /// How many arguments the filter accepts.
    public var arity: ClosedRange<Int> {
        arguments.filter { $0.defaultValue == nil }.count...arguments.count
    }

    /// `no arguments`, `1 argument`, `1 or 2 arguments` and so on, for messages.
    public var arityDescription: String {
        let range = arity
        let noun = range.upperBound == 1 ? "argument" : "arguments"
        if range.upperBound == 0 { return "no arguments" }
        if range.lowerBound == range.upperBound { return "\(range.lowerBound) \(noun)" }
        if range.upperBound - range.lowerBound == 1 { return "\(range.lowerBound) or \(range.upperBound) \(noun)" }
        return "\(range.lowerBound) to \(range.upperBound) \(noun)"
    }

    /// The call syntax, such as `| truncate: length, ellipsis`.
    public var syntax: String {
        if arguments.isEmpty { return "| \(name)" }
        return "| \(name): "
            + arguments.map { $0.defaultValue == nil ? $0.name : "[\($0.name)]" }.joined(separator: ", ")
    }
}

/// The fixed set of filters; there is no way to add one from a template.
///
/// Every filter is pure and total over its documented input types. None produces markup or escapes
/// HTML: escaping is the renderer's job alone. Filters that build strings or arrays charge the
/// budget in proportion to what they build, and none can multiply its input (there is no `repeat`).
public enum Filters {
    /// Every filter, in documentation order.
    /// Filter names from other template languages (Liquid, Jinja, Handlebars helpers) and the
    /// filter that does the same here, for did-you-mean hints the spelling alone would miss.
    static let otherLanguages: [String: String] = [
        "upcase": "upper", "uppercase": "upper", "downcase": "lower", "lowercase": "lower", "size": "length",
        "count": "length", "len": "length", "strip": "trim", "tojson": "json", "to_json": "json",
        "unique": "uniq", "concat": "append", "titlecase": "capitalize", "title": "capitalize", "int": "number",
        "float": "number", "to_number": "number", "divide": "divided_by", "mod": "modulo", "ceiling": "ceil",
    ]

    public static let all: [FilterSignature] = [
        // Values
        .init(
            "default", input: "any", arguments: [.init("fallback", "any")], output: "any",
            summary: "the fallback when the input is `null`, `\"\"`, `[]` or `{}` (but not `false` or `0`)",
            example: "props.title | default: \"Untitled\"", result: "Untitled"),
        .init(
            "json", input: "any", output: "string",
            summary: "the input as compact JSON text, keys in their order",
            example: "[1, 'a', null] | json", result: "[1,\"a\",null]"),
        .init(
            "length", input: "string, array or object", output: "integer",
            summary: "the number of characters, elements or members; `null` has length 0",
            example: "'héllo' | length", result: "5"),
        .init(
            "contains", input: "string, array or object", arguments: [.init("value", "any")], output: "boolean",
            summary: "whether the string has the substring, the array has the element, or the object has the key",
            example: "['a', 'b'] | contains: 'b'", result: "true"),
        // Text
        .init(
            "upper", input: "text", output: "string", summary: "the text in upper case",
            example: "'Hello' | upper", result: "HELLO"),
        .init(
            "lower", input: "text", output: "string", summary: "the text in lower case",
            example: "'Hello' | lower", result: "hello"),
        .init(
            "capitalize", input: "text", output: "string",
            summary: "the first character in upper case and the rest in lower case",
            example: "'hello WORLD' | capitalize", result: "Hello world"),
        .init(
            "trim", input: "text", output: "string", summary: "the text without leading and trailing whitespace",
            example: "'  hi  ' | trim", result: "hi"),
        .init(
            "truncate", input: "text",
            arguments: [.init("length", "integer"), .init("ellipsis", "text", default: "\"...\"")],
            output: "string",
            summary: "the text cut to at most `length` characters, ellipsis included, when it is longer",
            example: "'Once upon a time' | truncate: 9", result: "Once u..."),
        .init(
            "append", input: "text", arguments: [.init("suffix", "text")], output: "string",
            summary: "the text followed by the suffix", example: "'file' | append: '.md'", result: "file.md"),
        .init(
            "prepend", input: "text", arguments: [.init("prefix", "text")], output: "string",
            summary: "the prefix followed by the text", example: "'world' | prepend: 'hello '", result: "hello world"),
        .init(
            "replace", input: "text", arguments: [.init("search", "text"), .init("replacement", "text")],
            output: "string", summary: "the text with every occurrence of `search` replaced",
            example: "'a-b-c' | replace: '-', ' '", result: "a b c"),
        .init(
            "split", input: "text", arguments: [.init("separator", "text")], output: "array of strings",
            summary: "the pieces between separators, empty pieces kept; an empty separator splits into characters",
            example: "'a,b,,c' | split: ','", result: "[\"a\",\"b\",\"\",\"c\"]"),
        .init(
            "pluralize", input: "number", arguments: [.init("singular", "text"), .init("plural", "text")],
            output: "string", summary: "`singular` when the number is exactly 1, otherwise `plural`",
            example: "3 | pluralize: 'story', 'stories'", result: "stories"),
        // Arrays
        .init(
            "join", input: "array", arguments: [.init("separator", "text", default: "\" \"")], output: "string",
            summary: "the elements as text with the separator between them",
            example: "['a', 'b', 'c'] | join: ', '", result: "a, b, c"),
        .init(
            "first", input: "array or string", output: "any",
            summary: "the first element or character, or `null` when empty",
            example: "['a', 'b'] | first", result: "a"),
        .init(
            "last", input: "array or string", output: "any",
            summary: "the last element or character, or `null` when empty",
            example: "['a', 'b'] | last", result: "b"),
        .init(
            "reverse", input: "array or string", output: "same as input",
            summary: "the elements or characters in reverse order",
            example: "[1, 2, 3] | reverse", result: "[3,2,1]"),
        .init(
            "sort", input: "array", arguments: [.init("key", "string", default: "none")], output: "array",
            summary:
                "the elements (or, with `key`, the objects by that member) in ascending order: all numbers or all strings, `null` last",
            example: "[3, 1, 2] | sort", result: "[1,2,3]"),
        .init(
            "uniq", input: "array", output: "array", summary: "the elements without repeats, first occurrences kept",
            example: "[1, 2, 1] | uniq", result: "[1,2]"),
        .init(
            "slice", input: "array or string",
            arguments: [.init("start", "integer"), .init("length", "integer", default: "1")], output: "same as input",
            summary: "`length` elements or characters from `start`; a negative start counts from the end",
            example: "'abcdef' | slice: 1, 3", result: "bcd"),
        .init(
            "compact", input: "array", output: "array", summary: "the elements that are not `null`",
            example: "[1, null, 2] | compact", result: "[1,2]"),
        .init(
            "where", input: "array", arguments: [.init("key", "string"), .init("value", "any", default: "truthy")],
            output: "array",
            summary: "the objects whose member `key` equals `value` (or, without `value`, is truthy)",
            example: "props.tasks | where: 'done', true", result: "[{\"title\":\"Write\",\"done\":true}]"),
        .init(
            "map", input: "array", arguments: [.init("key", "string")], output: "array",
            summary: "the member `key` of each element (`null` where it is missing)",
            example: "props.users | map: 'name'", result: "[\"Ada\",\"Grace\"]"),
        // Objects
        .init(
            "keys", input: "object", output: "array of strings", summary: "the member names in order",
            example: "props.scores | keys", result: "[\"ada\",\"grace\"]"),
        .init(
            "values", input: "object", output: "array", summary: "the member values in order",
            example: "props.scores | values", result: "[3,5]"),
        // Numbers
        .init(
            "plus", input: "number", arguments: [.init("addend", "number")], output: "number",
            summary: "the sum", example: "0.1 | plus: 0.2", result: "0.3"),
        .init(
            "minus", input: "number", arguments: [.init("subtrahend", "number")], output: "number",
            summary: "the difference", example: "10 | minus: 3", result: "7"),
        .init(
            "times", input: "number", arguments: [.init("factor", "number")], output: "number",
            summary: "the product", example: "1.5 | times: 4", result: "6"),
        .init(
            "divided_by", input: "number", arguments: [.init("divisor", "number")], output: "number",
            summary: "the quotient, never truncated to an integer; dividing by zero is an error",
            example: "10 | divided_by: 4", result: "2.5"),
        .init(
            "modulo", input: "number", arguments: [.init("divisor", "number")], output: "number",
            summary: "the remainder, with the sign of the input; a zero divisor is an error",
            example: "7 | modulo: 3", result: "1"),
        .init(
            "abs", input: "number", output: "number", summary: "the absolute value",
            example: "-4.5 | abs", result: "4.5"),
        .init(
            "round", input: "number", arguments: [.init("decimals", "integer", default: "0")], output: "number",
            summary: "the number rounded half away from zero to `decimals` places (0 to 20)",
            example: "2.675 | round: 2", result: "2.68"),
        .init(
            "floor", input: "number", output: "number", summary: "the greatest integer not above the number",
            example: "-2.5 | floor", result: "-3"),
        .init(
            "ceil", input: "number", output: "number", summary: "the least integer not below the number",
            example: "2.1 | ceil", result: "3"),
        .init(
            "number", input: "number", arguments: [.init("decimals", "integer", default: "0")], output: "string",
            summary: "the number as text with exactly `decimals` places (0 to 20), rounded half away from zero",
            example: "3.14159 | number: 2", result: "3.14"),
        // Dates
        .init(
            "date", input: "string (ISO 8601)", arguments: [.init("format", "string", default: "\"date\"")],
            output: "string",
            summary:
                "an ISO 8601 date or date-time shown in UTC as `date`, `time`, `datetime`, `iso`, `short`, `long` or `full`",
            example: "'2024-03-05T14:30:00+01:00' | date: 'long'", result: "March 5, 2024"),
    ]

    private static let byName: [String: FilterSignature] = Dictionary(
        all.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

    /// The filter with this name, if it is in the fixed set.
    public static func signature(named name: String) -> FilterSignature? { byName[name] }

    /// The filters whose input passes through unchanged when it is `null` is every filter except these.
    static let acceptsNull: Set<String> = ["default", "json", "length"]

    /// The formats the `date` filter accepts.
    public static let dateFormats: [String] = ["date", "time", "datetime", "iso", "short", "long", "full"]
}
