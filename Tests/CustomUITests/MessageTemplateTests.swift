import CustomUICore
import Testing

@testable import CustomUI

@Suite struct MessageTemplateTests {
    func template(_ content: String) -> MessageTemplate {
        MessageTemplate(
            content, origin: TextOrigin(file: SourceFile(path: "prompt.json", text: content), startOffset: 0))
    }

    @Test func resolvesTheSeedExample() throws {
        let t = template("Write a story about {{topic}} in {{style}} style")
        #expect(t.variableNames == ["topic", "style"])
        #expect(
            try t.resolve(["topic": "dragons", "style": "fantasy"]) == "Write a story about dragons in fantasy style")
        #expect(t.diagnostics.isEmpty)
    }

    @Test func acceptsSpacesAndNameCharacters() throws {
        let t = template("{{ topic }} {{\tstyle-2 }} {{snake_case}} {{X9}}")
        #expect(t.variableNames == ["topic", "style-2", "snake_case", "X9"])
        #expect(try t.resolve(["topic": "a", "style-2": "b", "snake_case": "c", "X9": "d"]) == "a b c d")
    }

    @Test func valueContainingAPlaceholderIsInsertedLiterally() throws {
        let t = template("{{a}} and {{b}}")
        #expect(try t.resolve(["a": "{{b}}", "b": "{{a}}"]) == "{{b}} and {{a}}")
    }

    @Test(arguments: ["$1", "$0 $& $$", "\\", "\\1 \\\\", ".*+?^${}()|[]", "(?<x>y)", "\n\t", "🐉"])
    func valuesWithMetacharactersAreInsertedLiterally(value: String) throws {
        let t = template("<{{x}}>")
        #expect(try t.resolve(["x": value]) == "<" + value + ">")
    }

    @Test func namesWithRegexMetacharactersAreNotPlaceholders() throws {
        // The seeds built a regex from the name; here such text is simply literal, with a warning.
        let t = template("{{a.b}} {{a+}} {{(x)}} {{x}}")
        #expect(t.variableNames == ["x"])
        #expect(t.diagnostics.count == 3)
        #expect(t.diagnostics.allSatisfy { $0.code == .promptMalformedPlaceholder && $0.severity == .warning })
        #expect(try t.resolve(["x": "1", "a.b": "no", "a": "no"]) == "{{a.b}} {{a+}} {{(x)}} 1")
    }

    @Test func aRepeatedPlaceholderIsReplacedEachTime() throws {
        let t = template("{{x}}-{{ x }}")
        #expect(t.variableNames == ["x"])
        #expect(t.placeholders.count == 2)
        #expect(try t.resolve(["x": "7"]) == "7-7")
    }

    @Test func missingValuesAreReportedWithNamesAndRanges() throws {
        let m = MarkedText("Hi 1️⃣{{name}}2️⃣, about 3️⃣{{ topic }}4️⃣ and {{known}}")
        let t = template(m.text)
        #expect(throws: MessageResolutionError.self) { try t.resolve(["known": "k"]) }
        do {
            _ = try t.resolve(["known": "k"])
        } catch {
            #expect(error.names == ["name", "topic"])
            #expect(error.description == "no value for variables `name`, `topic`")
            let diagnostics = error.diagnostics
            #expect(diagnostics.map(\.code) == [.promptMissingValue, .promptMissingValue])
            #expect(diagnostics[0].message == "no value for variable `name`")
            #expect(diagnostics[0].range?.start.offset == m[1] && diagnostics[0].range?.end.offset == m[2])
            #expect(diagnostics[1].range?.start.offset == m[3] && diagnostics[1].range?.end.offset == m[4])
            #expect(diagnostics[0].file == "prompt.json")
        }
    }

    @Test func unknownVariablesAreReportedWithSuggestions() throws {
        let m = MarkedText("About 1️⃣{{topci}} in {{style}}")
        let diagnostics = template(m.text).check(declared: ["topic", "style"])
        #expect(diagnostics.count == 1)
        #expect(diagnostics[0].code == .promptUnknownVariable)
        #expect(diagnostics[0].message == "message uses `topci`, which the prompt does not declare")
        #expect(diagnostics[0].hint == "did you mean `topic`?")
        #expect(diagnostics[0].range?.start.offset == m[1])
    }

    @Test func malformedPlaceholdersAreWarnedAtTheirPosition() throws {
        let m = MarkedText("a 1️⃣{{ first name }}2️⃣ b 3️⃣{{}} c 4️⃣{{ open")
        let t = template(m.text)
        #expect(t.diagnostics.map(\.code) == Array(repeating: .promptMalformedPlaceholder, count: 3))
        #expect(t.diagnostics[0].range?.start.offset == m[1] && t.diagnostics[0].range?.end.offset == m[2])
        #expect(t.diagnostics[1].range?.start.offset == m[3])
        #expect(t.diagnostics[2].range?.start.offset == m[4])
        #expect(t.diagnostics[2].message == "`{{` is not closed by `}}`")
        #expect(try t.resolve([:]) == m.text)
    }

    @Test func bracesAroundAPlaceholderStayLiteral() throws {
        let t = template("{{{x}}} {\"json\": {\"a\": 1}} {{ {{y}}")
        #expect(t.variableNames == ["x", "y"])
        #expect(try t.resolve(["x": "1", "y": "2"]) == "{1} {\"json\": {\"a\": 1}} {{ 2")
    }

    @Test func withoutAnOriginThereAreNoRanges() throws {
        let t = MessageTemplate("{{a}}", origin: nil)
        #expect(t.placeholders.first?.range == nil)
        #expect(t.placeholders.first?.name == "a")
    }

    @Test func rangesFollowAPiecewiseOrigin() throws {
        // The message came from JSON: `\"` is two source bytes for one text byte.
        let m = MarkedText("{\"content\": \"say \\\"hi\\\" to 1️⃣{{name}}\"}")
        let file = SourceFile(path: "prompt.json", text: m.text)
        let content = "say \"hi\" to {{name}}"
        let origin = TextOrigin(file: file, segments: [(0, 13), (4, 17), (5, 19), (7, 21), (8, 23)])
        let t = MessageTemplate(content, origin: origin)
        #expect(t.placeholders.first?.range?.start.offset == m[1])
    }

    @Test func codesAreListed() {
        #expect(
            DiagnosticCode.promptMessageCodes.map(\.rawValue) == [
                "prompt.malformed-placeholder", "prompt.missing-value", "prompt.unknown-variable",
            ])
    }
}
