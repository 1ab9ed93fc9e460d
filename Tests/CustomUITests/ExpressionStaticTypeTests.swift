import CustomUICore
import Testing

@testable import CustomUI

@Suite struct ExpressionStaticTypeTests {
    typealias T = ExpressionTesting

    func check(_ text: String, paths: [String: ValueTypes] = [:]) throws -> [Diagnostic] {
        try T.parse(text).get().typeCheck(file: "ui.xml") { paths[$0.description] }
    }

    @Test(arguments: [
        ("[1] | 1️⃣upper", DiagnosticCode.exprTypeMismatch, "filter `upper` expects text as input, got array"),
        ("props.x | keys | 1️⃣upper", .exprTypeMismatch, "filter `upper` expects text as input, got array"),
        ("props.x | length | 1️⃣join", .exprTypeMismatch, "filter `join` expects array as input, got number"),
        (
            "'abc' | truncate: 1️⃣'x'", .exprTypeMismatch,
            "argument `length` of filter `truncate` must be integer, got string"
        ),
        ("1 | divided_by: 1️⃣0", .exprDivisionByZero, "filter `divided_by` cannot divide by zero"),
        ("props.d | date: 1️⃣'lng'", .exprInvalidArgument, "unknown date format `lng`"),
        ("1️⃣1 < 'a'", .exprTypeMismatch, "cannot order number and string with `<`"),
        ("'a' in 1️⃣5", .exprTypeMismatch, "cannot look inside number with `in`"),
        ("(props.a == 1) | 1️⃣plus: 1", .exprTypeMismatch, "filter `plus` expects number as input, got boolean"),
        ("false and ([1] | 1️⃣upper)", .exprTypeMismatch, "filter `upper` expects text as input, got array"),
    ])
    func reportsCombinationsThatCannotSucceed(marked: String, code: DiagnosticCode, message: String) throws {
        let m = MarkedText(marked)
        let diagnostics = try check(m.text)
        #expect(diagnostics.count == 1, "\(diagnostics)")
        #expect(diagnostics.first?.code == code)
        #expect(diagnostics.first?.message == message)
        #expect(diagnostics.first?.range?.start.offset == m[1])
        #expect(diagnostics.first?.file == "ui.xml")
    }

    @Test(arguments: [
        "props.x | upper", "props.title | default: 'x' | upper", "props.items | length > 2", "props.a < props.b",
        "props.a < 3", "'a' in props.tags", "props.n | plus: props.m", "[1, 2] | join: ', ' | upper",
        "props.items | first | upper", "props.x | json | upper", "10 | divided_by: props.count",
        "props.d | date: props.format", "(props.items | first).name | upper", "null | upper",
    ])
    func acceptsWhatMightSucceed(source: String) throws {
        #expect(try check(source).isEmpty, "\(source)")
    }

    @Test func pathTypesFromTheCheckerSharpenTheResult() throws {
        let m = MarkedText("props.items | 1️⃣upper")
        let diagnostics = try check(m.text, paths: ["props.items": .array])
        #expect(diagnostics.map(\.code) == [.exprTypeMismatch])
        #expect(diagnostics.first?.range?.start.offset == m[1])
        // An optional array may be null, which `upper` passes through, but any other value fails.
        #expect(try check(m.text, paths: ["props.items": [.array, .null]]).count == 1)
        #expect(try check("props.items | default: [] | upper", paths: ["props.items": [.array, .null]]).count == 1)
        #expect(try check(m.text, paths: ["props.items": [.array, .string]]).isEmpty)
    }

    @Test func staticAndRuntimeErrorsAgree() throws {
        // The same expression fails at run time with the same code, message and range.
        for source in ["[1] | upper", "'abc' | truncate: 'x'", "1 | divided_by: 0", "'2024-01-01' | date: 'lng'"] {
            let diagnostic = try #require(try check(source).first)
            let runtime = try #require(T.error(source))
            #expect(diagnostic.code == runtime.code, "\(source)")
            #expect(diagnostic.range == runtime.range, "\(source)")
        }
    }

    @Test func typeSetsDescribeThemselves() {
        #expect(ValueTypes.text.description == "boolean, number or string")
        #expect(ValueTypes.any.description == "any value")
        #expect(ValueTypes(of: [1]) == .array)
        #expect(Filters.signature(named: "length")?.inputTypes == [.string, .array, .object])
        #expect(Filters.signature(named: "truncate")?.arguments[1].types == .text)
        #expect(Filters.signature(named: "split")?.outputTypes == .array)
    }
}
