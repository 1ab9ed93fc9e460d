import Testing
@testable import CustomUICore

@Suite struct NumberTests {
    @Test(arguments: [
        ("1", "1"), ("1.0", "1"), ("1e2", "100"), ("-0", "0"), ("0.1", "0.1"), ("1.5e-7", "1.5e-7"),
        ("12345678901234567890123", "12345678901234567890123"), ("9223372036854775807", "9223372036854775807"),
        ("-9223372036854775808", "-9223372036854775808"), ("1E+30", "1e+30"),
    ])
    func parsesExactly(lexeme: String, expected: String) throws {
        let n = try #require(Number(lexeme: lexeme))
        #expect(n.description == expected)
    }

    @Test func integralValuesAreIntegers() throws {
        #expect(Number(lexeme: "1.0")?.intValue == 1)
        #expect(Number(lexeme: "2e3")?.isInteger == true)
        #expect(Number(lexeme: "12345678901234567890123")?.isInteger == true)
        #expect(Number(lexeme: "12345678901234567890123")?.intValue == nil)
        #expect(Number(lexeme: "0.5")?.isInteger == false)
        #expect(Number(2.0) == Number(2))
        #expect(Value.double(3.0) == Value.int(3))
    }

    @Test(arguments: ["", "-", "01", "1.", ".5", "1e", "+1", "1e+", "0x10", "1 "])
    func rejectsMalformed(lexeme: String) {
        #expect(Number(lexeme: lexeme) == nil)
    }

    @Test func ordersAcrossStorages() throws {
        let big = try #require(Number(lexeme: "100000000000000000000000000001"))
        #expect(Number(1) < Number(1.5))
        #expect(Number(-2.5) < Number(-2))
        #expect(Number(Int.max) < big)
        #expect(!(big < Number(1e29)))
        #expect(Number(lexeme: "-1e40")! < Number(Int.min))
    }
}

@Suite struct SourceFileTests {
    @Test func locatesOffsets() {
        let file = SourceFile(path: "a.xml", text: "ab\ncdé\r\nf\rg")
        #expect(file.lineCount == 4)
        #expect(file.location(at: 0) == SourceLocation(offset: 0, line: 1, column: 1))
        #expect(file.location(at: 4) == SourceLocation(offset: 4, line: 2, column: 2))
        // é is two UTF-8 bytes but one column.
        #expect(file.location(at: 7).column == 4)
        #expect(file.location(at: 9) == SourceLocation(offset: 9, line: 3, column: 1))
        #expect(file.location(at: 11) == SourceLocation(offset: 11, line: 4, column: 1))
        #expect(file.line(2) == "cdé")
        #expect(file.location(line: 2, column: 3).offset == 5)
    }
}

@Suite struct DiagnosticRendererTests {
    @Test func printsCaretUnderRange() {
        let file = SourceFile(path: "ui.xml", text: "<view>\n\t<headng level=\"1\"/>\n</view>\n")
        let range = file.range(9, 15)
        let d = Diagnostic.error(
            "template.unknown-element", "unknown element `headng`", file: "ui.xml", range: range,
            hint: "did you mean `heading`?")
        let text = DiagnosticRenderer(sources: [file]).render(d)
        #expect(
            text == """
                ui.xml:2:3: error[template.unknown-element]: unknown element `headng`
                  |
                2 |     <headng level="1"/>
                  |      ^~~~~~
                  = hint: did you mean `heading`?

                """)
    }

    @Test func wideCharactersShiftTheCaret() {
        let file = SourceFile(path: "t", text: "日本 x")
        let d = Diagnostic.error("c", "m", file: "t", range: file.range(7, 8))
        let lines = DiagnosticRenderer(sources: [file]).render(d).split(separator: "\n")
        #expect(lines[3] == "  |      ^")
    }

    @Test func jsonFormListsFixes() {
        let file = SourceFile(path: "t", text: "abc")
        let fix = Fix("change `b` to `x`", edits: [TextEdit(range: file.range(1, 2), text: "x")])
        let d = Diagnostic.error("x.y", "msg", file: "t", range: file.range(1, 2), fixes: [fix])
        #expect(
            d.jsonValue["fixes"]?.jsonText
                == #"[{"message":"change `b` to `x`","edits":[{"line":1,"column":2,"endLine":1,"endColumn":3,"text":"x"}]}]"#
        )
    }

    @Test func didYouMeanNamesEveryTie() {
        #expect(Suggestions.nearest(to: "bm", in: ["br", "em", "text"]) == ["br", "em"])
        #expect(Suggestions.didYouMean("bm", in: ["br", "em", "text"]) == "did you mean `br` or `em`?")
        #expect(Suggestions.didYouMean(["a", "b", "c"]) == "did you mean `a`, `b` or `c`?")
        #expect(Suggestions.nearest(to: "text", in: ["text"]).isEmpty, "what was written is no suggestion")
        #expect(Suggestions.closest(to: "headng", in: ["heading", "header"]) == "heading")
    }

    @Test func jsonFormHasPositions() {
        let file = SourceFile(path: "t", text: "abc")
        let d = Diagnostic.warning("x.y", "msg", file: "t", range: file.range(1, 2))
        #expect(
            d.jsonValue.jsonText
                == #"{"severity":"warning","code":"x.y","message":"msg","file":"t","line":1,"column":2,"endLine":1,"endColumn":3,"hint":null,"fixes":[]}"#
        )
    }
}

@Suite struct SuggestionTests {
    @Test func suggestsCloseNames() {
        #expect(Suggestions.closest(to: "headng", in: ["heading", "header", "text"]) == "heading")
        #expect(Suggestions.closest(to: "tpoic", in: ["topic", "style"]) == "topic")
        #expect(Suggestions.closest(to: "zzz", in: ["topic", "style"]) == nil)
    }
}

@Suite struct JSONWriterTests {
    @Test func escapesAndKeepsOrder() {
        let v: Value = ["b": 1, "a": ["x\n\"y\u{01}", nil, true, 1.5]]
        #expect(v.jsonText == #"{"b":1,"a":["x\n\"y\u0001",null,true,1.5]}"#)
    }
}

@Suite struct BudgetTests {
    @Test func stepsRunOut() {
        var budget = Budget(ResourceLimits(maxSteps: 10))
        #expect(throws: LimitExceeded(.steps, maximum: 10)) {
            for _ in 0..<11 { try budget.step() }
        }
    }
}

@Suite struct DisplayWidthTests {
    @Test func measuresColumns() {
        #expect(DisplayWidth.of("abc") == 3)
        #expect(DisplayWidth.of("日本") == 4)
        #expect(DisplayWidth.of("e\u{301}") == 1)
        #expect(DisplayWidth.of("👍🏽") == 2)
    }

    @Test func asciiTextCountsAsItsCharactersDo() {
        // All-ASCII text is counted by bytes; it must agree with the per-character widths, controls and CR LF included.
        let samples = [
            "", "plain words", "tab\there", "line\r\nbreak", "\r\n\r\n", "bell\u{7}del\u{7F}",
            String(repeating: "x~ ", count: 50),
        ]
        for text in samples {
            let perCharacter = text.reduce(0) { $0 + DisplayWidth.of($1) }
            #expect(DisplayWidth.of(text) == perCharacter, "\(text.debugDescription)")
            #expect(DisplayWidth.of(text[...]) == perCharacter)
        }
        #expect(DisplayWidth.of("ab\r\ncd\u{1B}") == 4)
        #expect(DisplayWidth.of("abc日") == 5)
    }
}

@Suite struct SourceFileColumnTests {
    @Test(arguments: [0, 1, 63, 64, 65, 127, 128, 200])
    func columnsMatchAScanAcrossCheckpoints(prefix: Int) {
        // Multi-byte scalars straddling 64-byte checkpoints must still count once each.
        let text = String(repeating: "a", count: prefix) + String(repeating: "é日👍", count: 40) + "\nxyz"
        let file = SourceFile(path: "t", text: text)
        var column = 1
        for (offset, byte) in file.bytes.enumerated() {
            if byte == 0x0A { break }
            if byte & 0xC0 != 0x80 {
                #expect(file.location(at: offset).column == column)
                column += 1
            }
        }
        #expect(file.location(at: file.bytes.count - 1).column == 3)
    }
}

@Suite struct CivilDateTests {
    @Test(arguments: [
        ("2024-02-29", true), ("2023-02-29", false), ("1900-02-29", false), ("2000-02-29", true), ("2024-04-31", false),
        ("2024-12-31", true), ("2024-13-01", false), ("2024-00-10", false), ("2024-01-00", false), ("2024-1-01", false),
        ("2024/01/01", false), ("２０24-01-01", false), ("2024-01-01T", false),
    ])
    func readsFullDates(text: String, valid: Bool) {
        #expect((CivilDate(fullDate: Array(text.utf8)) != nil) == valid)
    }

    @Test func daysRoundTripAcrossLeapYearsAndEras() {
        #expect(CivilDate(year: 1970, month: 1, day: 1)?.daysSince1970 == 0)
        #expect(CivilDate(year: 2000, month: 3, day: 1)?.daysSince1970 == 11_017)
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            let date = CivilDate(daysSince1970: days)
            #expect(CivilDate(year: date.year, month: date.month, day: date.day)?.daysSince1970 == days)
        }
    }
}
