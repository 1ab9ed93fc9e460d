import CustomUICore
import Foundation
import Testing

@testable import JSONSchema

@Suite("JSON parser")
struct JSONParserTests {
    func parse(_ text: String, limits: ResourceLimits = .default) throws -> JSONDocument {
        try JSONParser.parse(SourceFile(path: "t.json", text: text), limits: limits)
    }

    func syntaxError(_ text: String, limits: ResourceLimits = .default) -> JSONSyntaxError? {
        do {
            _ = try JSONParser.parse(SourceFile(path: "t.json", text: text), limits: limits)
            return nil
        } catch {
            return error
        }
    }

    @Test func parsesAllValueKinds() throws {
        let doc = try parse(#"{"a": [1, -2.5, true, false, null, "x\n\u00e9\ud83d\ude00"], "b": {}}"#)
        let expected: Value = ["a": [1, -2.5, true, false, nil, "x\né😀"], "b": [:]]
        #expect(doc.value == expected)
    }

    @Test func keepsKeyOrder() throws {
        let doc = try parse(#"{"z": 1, "a": 2, "m": 3}"#)
        #expect(doc.value.objectValue?.keys == ["z", "a", "m"])
    }

    @Test func numbersAreExact() throws {
        #expect(try JSONParser.parseValue("1.0") == .int(1))
        #expect(try JSONParser.parseValue("1.0").typeName == "integer")
        #expect(try JSONParser.parseValue("1e2") == .int(100))
        let big = try JSONParser.parseValue("12345678901234567890123456789")
        #expect(big.numberValue?.description == "12345678901234567890123456789")
        #expect(big.typeName == "integer")
        let small = try JSONParser.parseValue("0.0075")
        #expect(small.numberValue?.exactDecimal == ExactDecimal(lexeme: "0.0075"))
        #expect(try JSONParser.parseValue("-0") == .int(0))
        #expect(try JSONParser.parseValue("9223372036854775807") == .int(Int.max))
        #expect(try JSONParser.parseValue("1e400").numberValue?.description == "1e+400")
    }

    @Test func rangesOfValuesAndKeys() throws {
        let doc = try parse("{\n  \"model_id\": \"gpt\",\n  \"list\": [10, 20]\n}")
        let range = try #require(doc.range(of: try JSONPointer(parsing: "/model_id")))
        #expect(range.start.line == 2 && range.start.column == 15)
        #expect(range.end.column == 20)
        let key = try #require(doc.keyRange(of: JSONPointer.root.appending("model_id")))
        #expect(key.start.line == 2 && key.start.column == 3)
        let item = try #require(doc.range(of: JSONPointer.root.appending("list").appending(1)))
        #expect(item.start.line == 3 && item.start.column == 16)
        #expect(doc.range(of: JSONPointer.root.appending("nope")) == nil)
        #expect(doc.keyRange(of: .root) == nil)
        #expect(doc.range(of: .root)?.end.line == 4)
    }

    @Test(arguments: [
        ("{\"a\": 1,}", 1, 9, "json.syntax"),
        ("[1, 2", 1, 1, "json.syntax"),
        ("{\n  \"a\": tru\n}", 2, 8, "json.syntax"),
        ("{'a': 1}", 1, 2, "json.syntax"),
        ("[01]", 1, 2, "json.syntax"),
        ("[1.]", 1, 2, "json.syntax"),
        ("\"abc", 1, 1, "json.syntax"),
        ("\"a\nb\"", 1, 3, "json.syntax"),
        ("\"\\x\"", 1, 2, "json.syntax"),
        ("1 2", 1, 3, "json.syntax"),
        ("", 1, 1, "json.syntax"),
        ("{\"a\": 1, \"a\": 2}", 1, 10, "json.duplicate-key"),
        ("\"\\ud800\"", 1, 2, "json.syntax"),
        ("\"\\udc00x\"", 1, 2, "json.syntax"),
        ("\"\\ud800\\u0041\"", 1, 2, "json.syntax"),
        ("[NaN]", 1, 2, "json.syntax"),
        ("{\"a\" 1}", 1, 6, "json.syntax"),
    ])
    func syntaxErrorsHavePositions(text: String, line: Int, column: Int, code: String) throws {
        let error = try #require(syntaxError(text))
        #expect(error.code.rawValue == code)
        #expect(error.location.line == line)
        #expect(error.location.column == column)
        let diagnostic = error.diagnostic(file: "t.json")
        #expect(diagnostic.code.rawValue == code)
        #expect(diagnostic.file == "t.json")
        #expect(!diagnostic.message.hasSuffix("."))
    }

    @Test func duplicateKeyNotesFirstOccurrence() throws {
        let error = try #require(syntaxError("{\"k\": 1,\n \"k\": 2}"))
        #expect(error.code == .jsonDuplicateKey)
        #expect(error.location.line == 2)
        #expect(error.firstOccurrence?.start.column == 2)
        #expect(error.diagnostic(file: "t.json").notes.count == 1)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parseValue(#"{"k": 1, "k": 2}"#) }
    }

    @Test func depthLimit() throws {
        let limits = ResourceLimits(maxDepth: 10)
        let deep = String(repeating: "[", count: 11) + String(repeating: "]", count: 11)
        let error = try #require(syntaxError(deep, limits: limits))
        #expect(error.code == Limit.depth.code)
        #expect(error.location.column == 11)
        let ok = String(repeating: "[", count: 10) + String(repeating: "]", count: 10)
        #expect(throws: Never.self) { try parse(ok, limits: limits) }
        // Default limits stop absurd nesting without overflowing the stack.
        let absurd = String(repeating: "[", count: 100_000)
        #expect(syntaxError(absurd)?.code == Limit.depth.code)
    }

    @Test func sizeLimit() throws {
        let limits = ResourceLimits(maxDocumentBytes: 8)
        let error = try #require(syntaxError("[1,2,3,4,5]", limits: limits))
        #expect(error.code == Limit.documentBytes.code)
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("{\"a\":1}".utf8)
        #expect(try JSONParser.parseValue(bytes: bytes) == ["a": 1])
        let doc = try parse("\u{FEFF}[true]")
        #expect(doc.value == [true])
    }

    @Test func invalidUTF8IsRejected() throws {
        let bytes: [UInt8] = Array("[\"ab".utf8) + [0xC3, 0x28] + Array("\"]".utf8)
        do {
            _ = try JSONParser.parseValue(bytes: bytes)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .jsonSyntax)
            #expect(error.message.contains("UTF-8"))
            #expect(error.location.column == 5)
        }
        let stray: [UInt8] = [0x5B, 0xFF, 0x5D]
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parseValue(bytes: stray) }
    }

    @Test func whitespaceAndLiterals() throws {
        #expect(try JSONParser.parseValue(" \t\r\n null \n") == .null)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parseValue("nulls") }
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parseValue("truex") }
        #expect(try JSONParser.parseValue(#""\/\b\f\r\t\"\\""#) == .string("/\u{08}\u{0C}\r\t\"\\"))
    }

    @Test func pointerParsingAndEscaping() throws {
        let pointer = try JSONPointer(parsing: "/a~1b/c~0d/0")
        #expect(pointer.tokens == ["a/b", "c~d", "0"])
        #expect(pointer.description == "/a~1b/c~0d/0")
        #expect(try JSONPointer(parsing: "") == .root)
        #expect(throws: JSONPointerError.self) { try JSONPointer(parsing: "a") }
        #expect(throws: JSONPointerError.self) { try JSONPointer(parsing: "/~2") }
        let value: Value = ["a/b": ["c~d": [7]]]
        #expect(pointer.resolve(in: value) == .int(7))
    }
}
