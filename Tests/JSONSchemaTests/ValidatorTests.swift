import CustomUICore
import Foundation
import Testing

@testable import JSONSchema

@Suite("Validator")
struct ValidatorTests {
    func compile(_ text: String, options: ValidationOptions = .default) throws -> CompiledSchema {
        try JSONSchema.compile(JSONParser.parseValue(text), options: options)
    }

    func document(_ text: String) throws -> JSONDocument {
        try JSONParser.parse(SourceFile(path: "i.json", text: text))
    }

    @Test func plainMessagesAndLocations() throws {
        let schema = try compile(
            #"""
            {"type": "object", "required": ["model_id"],
             "properties": {"model_id": {"type": "string"}, "n": {"type": "integer"}}}
            """#)
        let result = schema.validate(try JSONParser.parseValue(#"{"n": "x"}"#))
        #expect(!result.isValid)
        let messages = result.errors.map(\.message).sorted()
        #expect(messages == ["expected integer, found string", "missing required property `model_id`"])
        let typeError = try #require(result.errors.first { $0.keyword == "type" })
        #expect(typeError.instanceLocation.description == "/n")
        #expect(typeError.keywordLocation == "/properties/n/type")
        #expect(typeError.absoluteKeywordLocation == "urn:customui:schema#/properties/n/type")
        #expect(typeError.code.rawValue == "schema.type")
        let required = try #require(result.errors.first { $0.keyword == "required" })
        #expect(required.instanceLocation == .root)
        #expect(required.keywordLocation == "/required")
    }

    @Test func keywordLocationFollowsReferences() throws {
        let schema = try compile(
            #"""
            {"$defs": {"pos": {"minimum": 0}}, "properties": {"a": {"$ref": "#/$defs/pos"}}}
            """#)
        let error = try #require(schema.validate(["a": -1]).errors.first)
        #expect(error.keywordLocation == "/properties/a/$ref/minimum")
        #expect(error.absoluteKeywordLocation == "urn:customui:schema#/$defs/pos/minimum")
        #expect(error.message == "-1 is less than the minimum of 0")
    }

    @Test func documentErrorsHaveSourceRanges() throws {
        let schema = try compile(#"{"properties": {"a": {"type": "string"}}, "additionalProperties": false}"#)
        let doc = try document("{\n  \"a\": 1,\n  \"nme\": 2\n}")
        let result = schema.validate(doc)
        #expect(result.errors.count == 2)
        let type = try #require(result.errors.first { $0.keyword == "type" })
        #expect(type.range?.start.line == 2 && type.range?.start.column == 8)
        let extra = try #require(result.errors.first { $0.keyword == "additionalProperties" })
        // Errors about a member's name point at the name, not the value.
        #expect(extra.range?.start.line == 3 && extra.range?.start.column == 3)
        let diagnostic = extra.diagnostic(file: "i.json")
        #expect(diagnostic.code.rawValue == "schema.additionalProperties")
        #expect(
            diagnostic.description == "i.json:3:3: error[schema.additionalProperties]: property `nme` is not allowed")
    }

    @Test func didYouMeanHints() throws {
        let schema = try compile(
            #"""
            {"required": ["model_id"], "properties": {"model_id": {}, "temperature": {}}, "additionalProperties": false}
            """#)
        let result = schema.validate(["temprature": 1, "model_id": "m"])
        #expect(result.errors.first?.hint == "did you mean `temperature`?")
        let missing = schema.validate(["modelid": "m"])
        #expect(missing.errors.contains { $0.hint == "found `modelid`; did you mean `model_id`?" })
        let enumSchema = try compile(#"{"enum": ["textarea", "toggle"]}"#)
        #expect(enumSchema.validate("toggel").errors.first?.hint == "did you mean `toggle`?")
    }

    @Test(
        arguments: [
            (#"{"type": "integer"}"#, #""3""#, "write the number without quotes: `3`"),
            (#"{"type": "integer"}"#, #""3.5""#, nil),
            (#"{"type": "number"}"#, #""3.5""#, "write the number without quotes: `3.5`"),
            (#"{"type": "boolean"}"#, #""true""#, "write `true` without quotes"),
            (#"{"type": "string"}"#, "42", #"quote it to make a string: `"42"`"#),
            (#"{"type": "string"}"#, "[1]", nil),
        ] as [(String, String, String?)])
    func typeHints(schema: String, instance: String, hint: String?) throws {
        let result = try compile(schema).validate(try JSONParser.parseValue(instance))
        #expect(result.errors.first?.hint == hint)
    }

    @Test func basicOutputFormat() throws {
        let schema = try compile(#"{"items": {"type": "string"}}"#)
        #expect(schema.validate(["a"]).basicOutput == ["valid": true])
        let output = schema.validate(["a", 2]).basicOutput
        #expect(output["valid"] == false)
        let error = try #require(output["errors"]?.arrayValue?.first)
        #expect(error["instanceLocation"] == "/1")
        #expect(error["keywordLocation"] == "/items/type")
        #expect(error["absoluteKeywordLocation"] == "urn:customui:schema#/items/type")
        #expect(error["error"] == "expected string, found integer")
    }

    @Test func isValidAgreesWithValidate() throws {
        let schema = try compile(#"{"anyOf": [{"type": "string"}, {"minimum": 3}], "not": {"const": 5}}"#)
        let cases: [(Value, Bool)] = [("x", true), (4, true), (1, false), (5, false), (nil, true)]
        for (value, expected) in cases {
            #expect(schema.isValid(value) == expected)
            #expect(schema.validate(value).isValid == expected)
        }
    }

    @Test func exactNumbers() throws {
        let schema = try compile(#"{"multipleOf": 0.0001}"#)
        #expect(schema.isValid(try JSONParser.parseValue("0.0075")))
        #expect(!schema.isValid(try JSONParser.parseValue("0.00751")))
        let integer = try compile(#"{"type": "integer"}"#)
        #expect(integer.isValid(try JSONParser.parseValue("1.0")))
        #expect(integer.isValid(try JSONParser.parseValue("123456789012345678901234567890")))
        #expect(!integer.isValid(try JSONParser.parseValue("1.5")))
        let big = try compile(#"{"maximum": 18446744073709551615}"#)
        #expect(!big.isValid(try JSONParser.parseValue("18446744073709551616")))
        #expect(big.isValid(try JSONParser.parseValue("18446744073709551615")))
    }

    @Test func formatIsAnnotationUnlessAsserted() throws {
        let annotation = try compile(#"{"format": "email"}"#)
        #expect(annotation.isValid("not an email"))
        let assertion = try compile(#"{"format": "email"}"#, options: ValidationOptions(assertFormat: true))
        #expect(!assertion.isValid("not an email"))
        #expect(assertion.isValid("a@example.com"))
        #expect(assertion.validate("x").errors.first?.message == "`x` is not a valid `email`")
    }

    @Test(arguments: [
        (##"{"$ref": "#/$defs/missing"}"##, "schema.unresolved-ref", "/$ref"),
        (#"{"$ref": "http://example.com/none.json"}"#, "schema.unresolved-ref", "/$ref"),
        (#"{"properties": {"a": {"pattern": "(["}}}"#, "schema.invalid-pattern", "/properties/a/pattern"),
        (#"{"minLength": -1}"#, "schema.invalid", "/minLength"),
        (#"{"type": "strin"}"#, "schema.invalid", "/type"),
        (#"{"items": 3}"#, "schema.invalid", "/items"),
    ])
    func schemaErrors(text: String, code: String, pointer: String) throws {
        let document = try JSONParser.parse(SourceFile(path: "s.json", text: text))
        do {
            _ = try JSONSchema.compile(document)
            Issue.record("expected a schema error")
        } catch {
            #expect(error.code.rawValue == code)
            #expect(error.pointer?.description == pointer)
            #expect(error.range != nil)
            #expect(error.diagnostic(file: "s.json").file == "s.json")
        }
    }

    @Test func remoteReferencesComeOnlyFromTheRegistry() throws {
        var registry = SchemaRegistry()
        registry.register(["type": "integer"], uri: "https://example.com/int.json")
        let schema = try JSONSchema.compile(["$ref": "https://example.com/int.json"], registry: registry)
        #expect(schema.isValid(3))
        #expect(!schema.isValid("3"))
        #expect(registry.document(for: JSONSchema.metaSchemaURI) != nil)
        let empty = SchemaRegistry(includeMetaSchemas: false)
        #expect(throws: SchemaError.self) {
            try JSONSchema.compile(["$ref": .string(JSONSchema.metaSchemaURI)], registry: empty)
        }
    }

    @Test func selfReferenceWithoutProgressStops() throws {
        let schema = try compile(
            ##"{"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}"##)
        let result = schema.validate(1)
        #expect(!result.isValid)
        #expect(!schema.isValid(1))
    }

    @Test func branchingRecursionStopsAtTheStepLimit() throws {
        // Each level doubles the work and no level consumes input: without a budget this never finishes.
        let text = ##"{"anyOf": [{"$ref": "#"}, {"$ref": "#"}]}"##
        let schema = try compile(text, options: ValidationOptions(maxSteps: 100_000))
        #expect(!schema.isValid(1))
        let result = schema.validate(1)
        #expect(!result.isValid)
        #expect(result.errors.contains { $0.code == Limit.steps.code })
    }

    @Test func recursiveSchemasAreFreed() throws {
        weak var weakSchema: CompiledSchema?
        do {
            let schema = try compile(##"{"properties": {"next": {"$ref": "#"}}}"##)
            weakSchema = schema
            #expect(schema.isValid(["next": ["next": [:]]]))
        }
        #expect(weakSchema == nil)
    }

    @Test func recursiveSchemaOnDeepInstance() throws {
        let schema = try compile(##"{"type": "array", "items": {"$ref": "#"}}"##)
        var value: Value = []
        for _ in 0..<100 { value = [value] }
        #expect(schema.isValid(value))
    }

    @Test func metaValidationFindsBadKeywordValues() throws {
        let result = JSONSchema.metaValidate(try JSONParser.parseValue(#"{"minLength": "3"}"#))
        #expect(!result.isValid)
        #expect(result.errors.contains { $0.instanceLocation.description == "/minLength" })
        #expect(JSONSchema.metaValidate(["type": "object"]).isValid)
    }

    @Test func uniqueItemsComparesCodePoints() throws {
        let schema = try compile(#"{"uniqueItems": true}"#)
        #expect(schema.isValid(["\u{e9}", "e\u{301}"]))
        #expect(!schema.isValid([1, 1.0]))
        #expect(!schema.isValid([["a": 1, "b": 2], ["b": 2, "a": 1]]))
    }
}

@Suite("Patterns")
struct PatternTests {
    /// The in-house matcher and ICU must agree on every pattern the matcher accepts.
    @Test(arguments: [
        ("^usr_[0-9a-f]{8}$", ["usr_0a1b2c3d", "usr_0a1b2c3", "usr_0a1b2c3dd", "xusr_0a1b2c3d", "usr_0A1B2C3D"]),
        ("^#[0-9a-fA-F]{6}$", ["#a0b1c2", "#A0B1C2", "#a0b1c", "a0b1c2", "#a0b1c2\n"]),
        ("^[a-z][a-z0-9-]{0,31}$", ["usage", "u", "9x", "a-b-c", "", "ab_c"]),
        ("sec-[0-9]+", ["sec-1", "xsec-12y", "sec-", "sec"]),
        ("^a*a*b$", ["aaab", "b", "aaa", String(repeating: "a", count: 200)]),
        ("\\d+\\.\\d*", ["12.", "1.5", ".5", "x1.y"]),
        ("^[^\\s]+$", ["abc", "a b", "é", "a\u{00A0}b"]),
        ("^.{2,3}$", ["é😀", "abcd", "\n\n", "ab"]),
        ("\\w+@\\w+", ["a@b", "@b", "é@b"]),
        ("^\\$[0-9]+$", ["$12", "12"]),
    ])
    func simpleMatcherAgreesWithICU(pattern: String, inputs: [String]) throws {
        let simple = try #require(SimpleRegex(pattern))
        let icu = try NSRegularExpression(pattern: SchemaRegex.translate(pattern))
        for input in inputs {
            let expected =
                icu.firstMatch(in: input, range: NSRange(location: 0, length: (input as NSString).length)) != nil
            let outcome = simple.matches(input)
            if outcome != .tooHard {
                #expect((outcome == .match) == expected, "\(pattern) on \(input.debugDescription)")
            }
            #expect(try SchemaRegex(pattern).matches(input) == expected)
        }
    }

    /// The linear-time matcher agrees with ICU on patterns with groups and alternation.
    @Test(arguments: [
        ("^(a+)+$", ["aaaa", "aaaab", "", "a"]),
        ("^(ab|cd)*e?$", ["abcdab", "abcde", "abc", "e", ""]),
        ("(?:x|y){2,3}z", ["xyz", "xz", "yyyyz", "z"]),
        ("^(?<word>[a-z]+)-\\d{2}$", ["ab-12", "ab-1", "-12", "ab-123"]),
        ("colou?r|grey|gray", ["color", "colour", "gravy", "grey!"]),
        ("^\\S+@\\S+$", ["a@b", "a b@c", "@b"]),
        ("^[^a-c]*$", ["xyz", "xaz", ""]),
        ("a.c", ["abc", "a\nc", "a😀c"]),
        ("^$", ["", "a"]),
        ("(a|b)*?c", ["ababc", "abab"]),
    ])
    func pikeMatcherAgreesWithICU(pattern: String, inputs: [String]) throws {
        let pike = try #require(PikeRegex(pattern))
        let icu = try NSRegularExpression(pattern: SchemaRegex.translate(pattern))
        for input in inputs {
            let expected =
                icu.firstMatch(in: input, range: NSRange(location: 0, length: (input as NSString).length)) != nil
            #expect(pike.matches(input) == expected, "\(pattern) on \(input.debugDescription)")
        }
    }

    @Test func catastrophicPatternsStayLinear() throws {
        // Exponential for a backtracking engine; the Pike VM answers at once.
        let regex = try SchemaRegex("^(a+)+$")
        #expect(!regex.matches(String(repeating: "a", count: 5000) + "!"))
        let nested = try SchemaRegex("^(\\w+\\s?)*$")
        #expect(!nested.matches(String(repeating: "word ", count: 2000) + "!"))
    }

    @Test func backtrackingPatternsStopAtTheStepLimit() throws {
        // A backreference keeps this pattern on ICU, where it backtracks exponentially: the match gives up.
        let schema = try JSONSchema.compile(
            JSONParser.parseValue(
                #"{"properties": {"a": {"pattern": "^(a+)+\\1$"}}, "patternProperties": {"^(b+)+\\1$": true}}"#))
        let hostile = String(repeating: "a", count: 40) + "!"
        let value = try JSONParser.parseValue(#"{"a": "\#(hostile)"}"#)
        #expect(!schema.isValid(value))
        let result = schema.validate(value)
        #expect(!result.isValid)
        #expect(result.errors.count == 1)
        let error = try #require(result.errors.first)
        #expect(error.code == Limit.steps.code)
        #expect(error.keyword == "pattern")
        #expect(error.instanceLocation.description == "/a")
        #expect(error.message.contains("took more steps than the limit"))
        #expect(error.hint != nil)

        let key = String(repeating: "b", count: 40) + "!"
        let keyed = try JSONParser.parseValue(#"{"\#(key)": 1}"#)
        #expect(!schema.isValid(keyed))
        let keyError = try #require(schema.validate(keyed).errors.first)
        #expect(keyError.code == Limit.steps.code)
        #expect(keyError.keyword == "patternProperties")
        #expect(keyError.pointsAtKey)

        // The same patterns still answer ordinary values.
        #expect(schema.isValid(try JSONParser.parseValue(#"{"a": "aa", "bb": 1}"#)))
        #expect(!schema.isValid(try JSONParser.parseValue(#"{"a": "ab"}"#)))
        // A long value with a linear lookbehind pattern stays within the limit.
        #expect(try SchemaRegex("(?<=x)y").match(String(repeating: "z", count: 1_000_000) + "xy") == .match)
        #expect(try SchemaRegex("(a)\\1").match(String(repeating: "z", count: 1_000_000)) == .noMatch)
    }

    @Test func literalPatternsCompareCodePoints() throws {
        #expect(!(try SchemaRegex("^K$")).matches("\u{212A}"))
        #expect(!(try SchemaRegex("^K")).matches("\u{212A}x"))
        #expect(!(try SchemaRegex("K")).matches("a\u{212A}"))
        #expect(try SchemaRegex("K").matches("aKb"))
    }

    @Test func longPatternsStayCorrect() throws {
        let pattern = "^" + String(repeating: "a", count: 5000) + "$"
        #expect(SimpleRegex(pattern) == nil)
        let regex = try SchemaRegex(pattern + "x?")
        #expect(regex.matches(String(repeating: "a", count: 5000)))
        #expect(!regex.matches(String(repeating: "a", count: 4999)))
    }

    @Test(arguments: ["(a|b)", "a+?", "\\bword", "\\p{L}", "(?=x)", "(a)\\1", "[\\D]", "\\u0041"])
    func unsupportedPatternsFallBackToICU(pattern: String) throws {
        #expect(SimpleRegex(pattern) == nil)
        _ = try SchemaRegex(pattern)
    }

    @Test(arguments: ["\\bword", "\\p{L}", "(?=x)", "(?<!x)y", "(a)\\1", "\\u0041", "\\cA"])
    func lookaroundAndBackreferencesAreLeftToICU(pattern: String) throws {
        #expect(PikeRegex(pattern) == nil)
        _ = try SchemaRegex(pattern)
    }

    /// Fuzz finding (`schema`, Fuzz/findings/schema-crash-12c3…): `'0-29_{-2,}` was read as a
    /// quantifier with a lower bound of -2 (the bounds went through `Int`, which takes a sign), and
    /// building its program trapped. Bounds are decimal digits only, as ECMA-262 says; anything else
    /// is not a quantifier to our matchers, and ICU decides.
    @Test(arguments: ["'0-29_{-2,}", "a{-1}", "a{+2}", "a{2,-1}", "a{ 2}", "a{2, 3}", "a{99999999999999999999}"])
    func boundsAreDecimalDigitsOnly(pattern: String) {
        #expect(SimpleRegex(pattern) == nil)
        #expect(PikeRegex(pattern) == nil)
        _ = try? SchemaRegex(pattern)
    }

    @Test func bracedQuantifiersStillCount() throws {
        for (pattern, yes, no) in [("^a{2}$", "aa", "a"), ("^a{2,}$", "aaaa", "a"), ("^a{1,3}$", "aaa", "aaaa")] {
            #expect(SimpleRegex(pattern) != nil)
            #expect(PikeRegex(pattern) != nil)
            let regex = try SchemaRegex(pattern)
            #expect(regex.matches(yes) && !regex.matches(no), "\(pattern)")
        }
    }
}
