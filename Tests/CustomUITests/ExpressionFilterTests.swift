import CustomUICore
import Testing

@testable import CustomUI

@Suite struct ExpressionFilterTests {
    typealias T = ExpressionTesting

    @Test(
        arguments: [
            // default
            ("props.missing | default: 'x'", Value.string("x")), ("props.empty | default: 'x'", "x"),
            ("[] | default: 1", 1), ("props.flag | default: true", false), ("props.zero | default: 5", 0),
            ("props.title | default: 'x'", "Hello"),
            // json
            ("[1, 'a', null] | json", "[1,\"a\",null]"), ("props.missing | json", "null"),
            ("props.scores | json", "{\"ada\":3,\"grace\":5}"),
            // length
            ("'héllo' | length", 5), ("props.items | length", 3), ("props.scores | length", 2),
            ("props.missing | length", 0),
            // contains
            ("['a', 'b'] | contains: 'b'", true), ("'hello' | contains: 'ell'", true),
            ("props.scores | contains: 'ada'", true), ("[1] | contains: 2", false),
            // text
            ("'Hello' | upper", "HELLO"), ("'Hello' | lower", "hello"), ("'straße' | upper", "STRASSE"),
            ("'hello WORLD' | capitalize", "Hello world"), ("'' | capitalize", ""), ("12 | upper", "12"),
            ("'  hi \\n' | trim", "hi"), ("'   ' | trim", ""),
            ("'Once upon a time' | truncate: 9", "Once u..."), ("'short' | truncate: 9", "short"),
            ("'abcdef' | truncate: 4, '…'", "abc…"), ("'abcdef' | truncate: 0, ''", ""),
            ("'file' | append: '.md'", "file.md"), ("'world' | prepend: 'hello '", "hello world"),
            ("3 | append: ' items'", "3 items"),
            ("'a-b-c' | replace: '-', ' '", "a b c"), ("'aaa' | replace: 'a', 'bb'", "bbbbbb"),
            ("'$1 \\\\ {{x}}' | replace: 'x', '$0'", "$1 \\ {{$0}}"),
            ("'a,b,,c' | split: ','", ["a", "b", "", "c"]), ("'abc' | split: ''", ["a", "b", "c"]),
            ("'' | split: ','", []), ("'a--b' | split: '--'", ["a", "b"]),
            ("1 | pluralize: 'story', 'stories'", "story"), ("3 | pluralize: 'story', 'stories'", "stories"),
            ("1.0 | pluralize: 'x', 'xs'", "x"), ("0 | pluralize: 'x', 'xs'", "xs"),
            // arrays
            ("['a', 'b', 'c'] | join: ', '", "a, b, c"), ("[1, null, true, [2]] | join", "1  true [2]"),
            ("[] | join: ','", ""),
            ("['a', 'b'] | first", "a"), ("['a', 'b'] | last", "b"), ("[] | first", nil), ("'héllo' | first", "h"),
            ("'héllo' | last", "o"), ("'' | last", nil),
            ("[1, 2, 3] | reverse", [3, 2, 1]), ("'abc' | reverse", "cba"),
            ("[3, 1, 2] | sort", [1, 2, 3]), ("['b', 'B', 'a'] | sort", ["B", "a", "b"]),
            ("[2, null, 1] | sort", [1, 2, nil]),
            ("props.items | sort: 'price' | map: 'name'", ["banana", "apple", "cherry"]),
            ("props.items | sort: 'name' | map: 'price'", [2, 1.5, 10]),
            ("[1, 2, 1, '1'] | uniq", [1, 2, "1"]),
            ("'abcdef' | slice: 1, 3", "bcd"), ("'abcdef' | slice: -2", "e"), ("[1, 2, 3] | slice: 1, 10", [2, 3]),
            ("[1, 2, 3] | slice: 5", []), ("[1, 2, 3] | slice: -10, 2", [1, 2]),
            ("[1, null, 2] | compact", [1, 2]),
            ("props.items | where: 'done', true | map: 'name'", ["apple", "cherry"]),
            ("props.items | where: 'done' | length", 2),
            ("props.items | where: 'price', 1.5 | map: 'name'", ["banana"]),
            ("[1, 'a'] | where: 'a'", []),
            ("props.items | map: 'name'", ["apple", "banana", "cherry"]), ("[1, 2] | map: 'x'", [nil, nil]),
            // objects
            ("props.scores | keys", ["ada", "grace"]), ("props.scores | values", [3, 5]),
            // numbers
            ("0.1 | plus: 0.2", 0.3), ("10 | minus: 3", 7), ("1.5 | times: 4", 6), ("10 | divided_by: 4", 2.5),
            ("10 | divided_by: 5", 2), ("1 | divided_by: 3", .double(1.0 / 3.0)), ("7 | modulo: 3", 1),
            ("-7 | modulo: 3", -1), ("7.5 | modulo: 2", 1.5),
            ("9223372036854775807 | plus: 1", .double(9.223372036854775808e18)),
            ("-4.5 | abs", 4.5), ("-3 | abs", 3), ("2.675 | round: 2", 2.68), ("2.5 | round", 3), ("-2.5 | round", -3),
            ("1234.5678 | round: 1", 1234.6), ("7 | round: 2", 7), ("-2.5 | floor", -3), ("2.1 | ceil", 3),
            ("-2.1 | ceil", -2), ("2 | floor", 2),
            ("3.14159 | number: 2", "3.14"), ("2 | number: 2", "2.00"), ("0.005 | number: 2", "0.01"),
            ("-0.004 | number: 2", "0.00"), ("1234.5 | number", "1235"), ("0.5 | number: 3", "0.500"),
            ("99.999 | number: 2", "100.00"),
            // dates
            ("'2024-03-05T14:30:00+01:00' | date: 'long'", "March 5, 2024"),
            ("'2024-03-05T14:30:00+01:00' | date: 'time'", "13:30"),
            ("'2024-03-05' | date", "2024-03-05"), ("'2024-03-05' | date: 'short'", "Mar 5, 2024"),
            ("'2024-03-05T00:30:00+02:00' | date: 'datetime'", "2024-03-04 22:30"),
            ("'2024-12-31T23:30:00-01:00' | date: 'iso'", "2025-01-01T00:30:00Z"),
            ("'2024-01-15T10:00:00.123Z' | date: 'full'", "Monday, January 15, 2024"),
            ("'2024-02-29' | date: 'full'", "Thursday, February 29, 2024"),
            // null passes through everything but default, json and length
            ("props.missing | upper", nil), ("props.missing | date: 'long'", nil), ("props.missing | plus: 1", nil),
        ] as [(String, Value)])
    func values(source: String, expected: Value) {
        #expect(T.value(source) == expected, "\(source)")
    }

    /// One wrong input type per filter, with the filter's name as the position.
    @Test(arguments: [
        "props.scores | 2️⃣upper", "props.items | 2️⃣truncate: 3", "[1] | 2️⃣upper", "props.scores | 2️⃣lower",
        "[1] | 2️⃣capitalize",
        "[1] | 2️⃣trim", "[1] | 2️⃣truncate: 2", "[1] | 2️⃣append: 'x'", "[1] | 2️⃣prepend: 'x'",
        "[1] | 2️⃣replace: 'a', 'b'", "[1] | 2️⃣split: ','", "'1' | 2️⃣pluralize: 'a', 'b'", "'a' | 2️⃣join",
        "1 | 2️⃣first", "1 | 2️⃣last", "1 | 2️⃣reverse", "'a' | 2️⃣sort", "'a' | 2️⃣uniq", "1 | 2️⃣slice: 1",
        "'a' | 2️⃣compact", "'a' | 2️⃣where: 'k'", "'a' | 2️⃣map: 'k'", "[1] | 2️⃣keys", "[1] | 2️⃣values",
        "'1' | 2️⃣plus: 1", "'1' | 2️⃣minus: 1", "'1' | 2️⃣times: 1", "'1' | 2️⃣divided_by: 1", "'1' | 2️⃣modulo: 1",
        "'1' | 2️⃣abs", "'1' | 2️⃣round", "'1' | 2️⃣floor", "'1' | 2️⃣ceil", "'1' | 2️⃣number", "1 | 2️⃣date",
        "1 | 2️⃣contains: 1", "true | 2️⃣length",
    ])
    func wrongInputTypes(marked: String) throws {
        let m = MarkedText(marked)
        let error = try #require(T.error(m.text), "\(m.text)")
        #expect(error.code == .exprTypeMismatch, "\(m.text)")
        #expect(error.range.start.offset == m[2], "\(m.text)")
        #expect(error.message.contains("expects"), "\(m.text)")
    }

    /// One wrong argument type per filter that takes typed arguments, positioned at the argument.
    @Test(arguments: [
        "'a' | truncate: 1️⃣'x'", "'a' | truncate: 2, 1️⃣[]", "'a' | append: 1️⃣[]", "'a' | prepend: 1️⃣props.scores",
        "'a' | replace: 1️⃣[], 'b'", "'a' | replace: 'a', 1️⃣null", "'a' | split: 1️⃣[]",
        "1 | pluralize: 1️⃣[], 'b'", "[1] | join: 1️⃣[]", "[1] | sort: 1️⃣1", "'abc' | slice: 1️⃣'1'",
        "'abc' | slice: 1, 1️⃣1.5", "props.items | where: 1️⃣1", "props.items | map: 1️⃣null", "1 | plus: 1️⃣'1'",
        "1 | minus: 1️⃣true", "1 | times: 1️⃣[]", "1 | divided_by: 1️⃣'2'", "1 | modulo: 1️⃣null",
        "1 | round: 1️⃣'2'", "1 | number: 1️⃣1.5", "'2024-01-01' | date: 1️⃣1", "'abc' | contains: 1️⃣1",
        "props.scores | contains: 1️⃣1",
    ])
    func wrongArgumentTypes(marked: String) throws {
        let m = MarkedText(marked)
        let error = try #require(T.error(m.text), "\(m.text)")
        #expect(error.code == .exprTypeMismatch, "\(m.text)")
        #expect(error.range.start.offset == m[1], "\(m.text)")
        #expect(error.message.hasPrefix("argument `"), "\(m.text)")
    }

    @Test(arguments: [
        "'a' | truncate: 1️⃣-1", "'a' | slice: 0, 1️⃣-1", "'a' | replace: 1️⃣'', 'b'", "1 | round: 1️⃣21",
        "1 | number: 1️⃣-1", "'2024-01-01' | date: 1️⃣'lng'", "1️⃣'2024-13-01' | date", "1️⃣'yesterday' | date",
        "1️⃣'2023-02-29' | date",
    ])
    func invalidArguments(marked: String) throws {
        let m = MarkedText(marked)
        let error = try #require(T.error(m.text), "\(m.text)")
        #expect(error.code == .exprInvalidArgument, "\(m.text)")
        #expect(error.range.start.offset == m[1], "\(m.text)")
    }

    @Test func unknownDateFormatSuggestsOne() throws {
        let error = try #require(T.error("'2024-01-01' | date: 'lng'"))
        #expect(error.message == "unknown date format `lng`")
        #expect(error.hint == "did you mean `long`?")
    }

    @Test(arguments: ["10 | divided_by: 1️⃣0", "10 | modulo: 1️⃣0.0", "10 | divided_by: 1️⃣props.zero"])
    func divisionByZero(marked: String) throws {
        let m = MarkedText(marked)
        let error = try #require(T.error(m.text))
        #expect(error.code == .exprDivisionByZero)
        #expect(error.code == "expr.division-by-zero")
        #expect(error.range.start.offset == m[1])
    }

    @Test func sortRefusesMixedKinds() throws {
        let m = MarkedText("[1, 'a'] | 1️⃣sort")
        let error = try #require(T.error(m.text))
        #expect(error.code == .exprTypeMismatch)
        #expect(error.message == "filter `sort` cannot order numbers and strings: element 1 is a string")
        #expect(error.range.start.offset == m[1])
        #expect(T.error("props.items | sort")?.code == .exprTypeMismatch)
    }

    @Test func overflowingArithmeticIsAnError() throws {
        let error = try #require(T.error("1e308 | times: 10"))
        #expect(error.code == .exprInvalidArgument)
    }

    @Test func noFilterEscapesOrProducesMarkup() {
        for source in ["'<b>&\"' | upper", "'<b>' | append: '&'", "['<i>'] | join: '<br>'", "'<a>' | json"] {
            let value = T.value(source)?.stringValue ?? ""
            #expect(!value.contains("&lt;") && !value.contains("&amp;"), "\(source)")
        }
        #expect(T.value("'<b>' | json") == "\"<b>\"")
    }

    @Test func everyFilterHasAValueTest() {
        // Kept in step with `values`: a filter added to the set without a test fails here.
        let tested: Set<String> = [
            "default", "json", "length", "contains", "upper", "lower", "capitalize", "trim", "truncate", "append",
            "prepend", "replace", "split", "pluralize", "join", "first", "last", "reverse", "sort", "uniq", "slice",
            "compact", "where", "map", "keys", "values", "plus", "minus", "times", "divided_by", "modulo", "abs",
            "round", "floor", "ceil", "number", "date",
        ]
        #expect(Set(Filters.all.map(\.name)) == tested)
    }

    /// The props docs/expressions.md gives for the filter examples.
    static let exampleScope = Scope(props: [
        "tasks": [["title": "Write", "done": true], ["title": "Edit", "done": false]],
        "users": [["name": "Ada"], ["name": "Grace"]], "scores": ["ada": 3, "grace": 5],
    ])

    @Test func documentedExamplesProduceTheirDocumentedResults() {
        for filter in Filters.all {
            let rendered = T.value(filter.example, scope: Self.exampleScope).map(Evaluator.stringify)
            #expect(rendered == filter.exampleResult, "\(filter.name): \(filter.example)")
        }
    }
}
