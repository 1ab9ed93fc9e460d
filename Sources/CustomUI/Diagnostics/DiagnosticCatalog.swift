import CustomUICore

/// A minimal input that produces a diagnostic, with `1️⃣` marking where the diagnostic must point.
public struct DiagnosticExample: Sendable {
    /// The template file (a `<custom-ui>` document), if the example has one.
    public var template: String?
    /// The prompt JSON; examples with a template and no prompt use `DiagnosticCatalog.standardPrompt`.
    public var prompt: String?
    /// Caller props JSON.
    public var props: String?
    /// A definition JSON, for examples about that form.
    public var definition: String?
    /// Shown in the docs instead of the input when the input is generated and large.
    public var summary: String?

    /// The position marker.
    public static let marker = "1️⃣"
}

/// What a diagnostic code means, with an example that the test suite runs.
public struct DiagnosticInfo: Sendable {
    /// The stable code.
    public var code: DiagnosticCode
    /// One sentence: when it is reported.
    public var summary: String
    /// An input that produces it at the marker, or nil when another test covers it.
    public var example: DiagnosticExample?
    /// The test that covers a code with no example, by name.
    public var testedBy: String?
}

/// Every diagnostic code the engine's template, prompt and definition checks can report.
///
/// docs/diagnostics.md is generated from this table (`customui explain --markdown`), and a test
/// runs every example, so the documentation cannot drift from what the engine says.
public enum DiagnosticCatalog {
    /// The prompt examples use when they bring none.
    public static let standardPrompt = """
        {
          "messages": [{ "role": "user", "content": "Write about {{topic}} in {{style}} style." }],
          "variableDefaults": [
            { "name": "topic", "defaultValue": "cats" },
            { "name": "style", "defaultValue": "plain", "customComponent": { "type": "select", "options": ["plain", "fancy"] } }
          ],
          "settings": { "model_id": "gpt-4o-mini" }
        }
        """

    /// A manual-mode template around `view` content, with a `run` and a slot so the mode is satisfied.
    static func ui(_ view: String, head: String = "", attributes: String = "") -> String {
        """
        <custom-ui name="Example"\(attributes)>
        \(head)  <view>
            <run/>
            <slot name="answer"/>
            \(view)
          </view>
        </custom-ui>
        """
    }

    static func template(_ text: String, prompt: String? = nil, props: String? = nil, summary: String? = nil)
        -> DiagnosticExample
    {
        DiagnosticExample(template: text, prompt: prompt, props: props, definition: nil, summary: summary)
    }

    static let schemaHead = """
          <props-schema>{ "type": "object", "properties": { "title": { "type": "string" }, "items": { "type": "array" } } }</props-schema>

        """

    static func promptWith(_ variables: String, content: String = "{{topic}}") -> String {
        """
        {
          "messages": [{ "role": "user", "content": "\(content)" }],
          "variableDefaults": [\(variables)],
          "settings": { "model_id": "gpt-4o-mini" }
        }
        """
    }

    /// The catalogue, grouped by stage.
    public static let entries: [DiagnosticInfo] =
        [
            // XML
            DiagnosticInfo(
                code: .xmlMalformed,
                summary: "the template is not well-formed XML; libxml2's message says what it expected",
                example: template(ui("<text>a <1️⃣ b</text>"))),
            DiagnosticInfo(
                code: .xmlTagMismatch, summary: "an end tag does not match the open element",
                example: template(ui("<text>hi</1️⃣txt>"))),
            DiagnosticInfo(
                code: .xmlUndefinedEntity,
                summary: "an entity other than `&lt; &gt; &amp; &quot; &apos;` or a character reference",
                example: template(ui("<text>caf&eacute;1️⃣</text>"))),
            DiagnosticInfo(
                code: .xmlDoctype,
                summary: "a `<!DOCTYPE>`; refused before any entity can be declared (entity bombs, XXE)",
                example: template(
                    "1️⃣<!DOCTYPE custom-ui [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<custom-ui name=\"x\"><view>&x;</view></custom-ui>"
                )),
            DiagnosticInfo(code: .xmlEmpty, summary: "the file has no root element", example: template("1️⃣")),

            // Limits while parsing
            DiagnosticInfo(
                code: Limit.depth.code, summary: "elements nested deeper than the limit (128)",
                example: template(
                    "<custom-ui name=\"x\"><view>" + String(repeating: "<stack>", count: 126) + "<1️⃣stack/>"
                        + String(repeating: "</stack>", count: 126) + "</view></custom-ui>",
                    summary: "a view with 127 nested `stack` elements")),
            DiagnosticInfo(
                code: Limit.nodes.code, summary: "more elements than the limit (50,000)",
                example: template(
                    "<custom-ui name=\"x\"><view>" + String(repeating: "<divider/>", count: 49_998)
                        + "<1️⃣divider/></view></custom-ui>",
                    summary: "a view with 49,999 `divider` elements")),
            DiagnosticInfo(
                code: Limit.attributeBytes.code, summary: "an attribute value longer than the limit (64 KiB)",
                example: template(
                    ui("<text 1️⃣tone=\"" + String(repeating: "x", count: 70_000) + "\">x</text>"),
                    summary: "a `text` whose `tone` is 70,000 characters long")),
            DiagnosticInfo(
                code: Limit.documentBytes.code, summary: "a template larger than the limit (4 MiB); nothing is parsed",
                example: template(
                    "1️⃣" + ui("<!--" + String(repeating: "x", count: 4 << 20) + "-->"),
                    summary: "a template with a 4 MiB comment")),

            // Template structure
            DiagnosticInfo(
                code: .templateWrongRoot, summary: "the root element is not `custom-ui`",
                example: template("<1️⃣view><text>hi</text></view>")),
            DiagnosticInfo(
                code: .templateUnknownElement,
                summary: "an element outside the closed vocabulary; nothing is passed through",
                example: template(ui("<1️⃣headng level=\"1\">Hi</headng>"))),
            DiagnosticInfo(
                code: .templateUnknownAttribute, summary: "an attribute the element does not take",
                example: template(ui("<heading 1️⃣size=\"2\" level=\"1\">Hi</heading>"))),
            DiagnosticInfo(
                code: .templateMissingAttribute, summary: "a required attribute is absent",
                example: template(ui("<1️⃣heading>Hi</heading>"))),
            DiagnosticInfo(
                code: .templateInvalidValue,
                summary: "an attribute value that is not a valid choice, number, boolean or name",
                example: template(ui("<heading level=\"1️⃣7\">Hi</heading>"))),
            DiagnosticInfo(
                code: .templateMisplacedElement, summary: "an element where its parent does not allow it",
                example: template(ui("<text>Hello <1️⃣card/></text>"))),
            DiagnosticInfo(
                code: .templateUnexpectedText, summary: "text directly inside an element that holds only elements",
                example: template(ui("<card>\n      1️⃣Loose text\n    </card>"))),
            DiagnosticInfo(
                code: .templateOrphanElse, summary: "`else` or `else-if` not directly after an `if` or `else-if`",
                example: template(ui("<1️⃣else><text>x</text></else>"))),
            DiagnosticInfo(
                code: .templateDuplicateElement,
                summary: "a second `view`, `props-schema`, `default-props`, `layout-config` or `styling-config`",
                example: template(
                    "<custom-ui name=\"x\">\n  <view><run/><slot name=\"a\"/></view>\n  <1️⃣view/>\n</custom-ui>")),
            DiagnosticInfo(
                code: .templateMissingView, summary: "the root has no `view`",
                example: template("<1️⃣custom-ui name=\"x\"></custom-ui>")),
            DiagnosticInfo(
                code: .templateDuplicateSlot, summary: "two slots with the same name",
                example: template(ui("<slot name=\"1️⃣answer\"/>"))),
            DiagnosticInfo(
                code: .templateUnsafeURL,
                summary: "a literal URL whose scheme is not http, https, mailto or relative (or a data: image)",
                example: template(ui("<text><link href=\"1️⃣javascript:alert(1)\">x</link></text>"))),
            DiagnosticInfo(
                code: .templateInvalidJSON,
                summary: "a `props-schema`, `default-props`, `layout-config` or `styling-config` that is not JSON",
                example: template(ui("", head: "  <props-schema>{ \"type\": 1️⃣}</props-schema>\n"))),
            DiagnosticInfo(
                code: .templateGrammar,
                summary:
                    "the tree breaks the RELAX NG grammar in a way no other check reported (a safety net; report it as a bug)",
                example: nil, testedBy: "GrammarTests.grammarRejectsWhatChecksWouldMiss"),

            // Expressions
            DiagnosticInfo(
                code: .exprUnexpectedToken, summary: "an expression with a token where it makes no sense",
                example: template(ui("<text>{{ props.title 1️⃣) }}</text>"))),
            DiagnosticInfo(
                code: .exprUnterminatedString, summary: "a string literal without its closing quote",
                example: template(ui("<text>{{ 1️⃣'abc }}</text>"))),
            DiagnosticInfo(
                code: .exprUnclosedInterpolation, summary: "`{{` without `}}`",
                example: template(ui("<text>1️⃣{{ props.title</text>"))),
            DiagnosticInfo(
                code: .exprEmpty, summary: "`{{ }}` or an attribute expression with nothing in it",
                example: template(ui("<if test=\"1️⃣\"><text>x</text></if>"))),
            DiagnosticInfo(
                code: .exprUnknownFilter, summary: "a filter outside the fixed set",
                example: template(ui("<text>{{ vars.topic | 1️⃣upcase }}</text>"))),
            DiagnosticInfo(
                code: .exprFilterArity, summary: "a filter given too few or too many arguments",
                example: template(ui("<text>{{ vars.topic | 1️⃣truncate }}</text>"))),
            DiagnosticInfo(
                code: .exprInvalidEscape, summary: "a backslash escape a string literal does not know",
                example: template(ui("<text>{{ 'a1️⃣\\q' }}</text>"))),
            DiagnosticInfo(
                code: .exprInvalidNumber, summary: "a malformed number literal",
                example: template(ui("<text>{{ 1️⃣1e }}</text>"))),
            DiagnosticInfo(
                code: .exprTypeMismatch,
                summary:
                    "an operator or filter applied to a value of the wrong type (found by the dry run with default props)",
                example: template(ui("<text>{{ vars.topic | 1️⃣plus: 1 }}</text>"))),
            DiagnosticInfo(
                code: .exprDivisionByZero, summary: "`divided_by: 0` or `modulo: 0`",
                example: template(ui("<text>{{ 4 | divided_by: 1️⃣0 }}</text>"))),
            DiagnosticInfo(
                code: .exprInvalidArgument, summary: "a filter argument outside what the filter accepts",
                example: template(ui("<text>{{ vars.topic | truncate: 1️⃣-1 }}</text>"))),
            DiagnosticInfo(
                code: .eachNotArray,
                summary: "`each` over a value that is neither an array nor null, when the props schema does not say",
                example: template(
                    ui(
                        "<each items=\"1️⃣props.title\" as=\"x\"><text>{{ x }}</text></each>",
                        head: "  <default-props>{ \"title\": \"Hello\" }</default-props>\n"))),
            DiagnosticInfo(
                code: Limit.expressionDepth.code, summary: "an expression nested deeper than the limit (64)",
                example: template(
                    ui(
                        "<text>{{ " + String(repeating: "(", count: 64) + "1️⃣(1" + String(repeating: ")", count: 65)
                            + " }}</text>"),
                    summary: "`{{ ((((…1…)))) }}` with 65 levels of parentheses")),
            DiagnosticInfo(
                code: Limit.iterations.code, summary: "an `each` over more items than the limit (10,000)",
                example: template(
                    ui(
                        "<list><each items=\"1️⃣props.items\" as=\"x\"><item>{{ x }}</item></each></list>",
                        head: "  <default-props>{ \"items\": ["
                            + Array(repeating: "0", count: 10_001).joined(separator: ",") + "] }</default-props>\n"),
                    summary: "default props with an array of 10,001 items, repeated with `each`")),
            DiagnosticInfo(
                code: Limit.steps.code, summary: "evaluation took more steps than the limit (2,000,000)",
                example: template(
                    ui(
                        "<each items=\"props.items\" as=\"a\"><text>{{ props.items | 1️⃣join: ',' }}</text></each>",
                        head: "  <default-props>{ \"items\": ["
                            + Array(repeating: "0", count: 2_000).joined(separator: ",") + "] }</default-props>\n"),
                    summary: "an `each` over 2,000 items that joins all 2,000 items in every iteration")),
            DiagnosticInfo(
                code: Limit.outputBytes.code, summary: "rendering produced more text than the limit (16 MiB)",
                example: template(
                    ui(
                        "<each items=\"props.items\" as=\"a\"><text>{{ 1️⃣props.big }}</text></each>",
                        head: "  <default-props>{ \"big\": \"" + String(repeating: "x", count: 200_000)
                            + "\", \"items\": ["
                            + Array(repeating: "0", count: 100).joined(separator: ",") + "] }</default-props>\n"),
                    summary: "a 200,000-character prop rendered 100 times")),
            DiagnosticInfo(
                code: Limit.deadline.code, summary: "evaluation ran longer than the deadline (5 s)", example: nil,
                testedBy: "ExpressionEvaluatorTests (deadline)"),

            // Bindings
            DiagnosticInfo(
                code: .bindingUnknownName, summary: "a path that starts with neither a scope root nor a loop variable",
                example: template(ui("<text>{{ 1️⃣prop.title }}</text>"))),
            DiagnosticInfo(
                code: .bindingUnknownProp, summary: "`props.x` where the props schema declares no `x`",
                example: template(ui("<text>{{ props.1️⃣titel }}</text>", head: schemaHead))),
            DiagnosticInfo(
                code: .bindingTypeMismatch,
                summary: "a prop used where its schema type cannot work, such as `each` over a string",
                example: template(
                    ui("<each items=\"1️⃣props.title\" as=\"x\"><text>{{ x }}</text></each>", head: schemaHead))),
            DiagnosticInfo(
                code: .bindingUnknownVariable,
                summary: "`vars.x`, `<variable name=\"x\">` or `<bind variable=\"x\">` where the prompt has no `x`",
                example: template(ui("<text>{{ vars.1️⃣tpoic }}</text>"))),
            DiagnosticInfo(
                code: .bindingUnknownSlot, summary: "`slots.x` where no slot is named `x`",
                example: template(ui("<text>{{ slots.1️⃣anwser }}</text>"))),
            DiagnosticInfo(
                code: .bindingUnknownRunField, summary: "`run.x` where `x` is not a run field",
                example: template(ui("<text>{{ run.1️⃣state }}</text>"))),
            DiagnosticInfo(
                code: .bindingImpossibleValue,
                summary:
                    "a comparison with a value the path never holds: `run.status`, a prop with an `enum` or `const`, a select, radio or toggle variable",
                example: template(ui("<if test=\"run.status == 1️⃣'complete'\"><text>Done</text></if>"))),
            DiagnosticInfo(
                code: .bindingBindScope, summary: "a `bind` value that reads something other than `props`",
                example: template(ui("", head: "  <bind variable=\"topic\" value=\"1️⃣vars.style\"/>\n"))),
            DiagnosticInfo(
                code: .bindingShadowing,
                summary: "a loop variable named like a scope root or an enclosing loop variable",
                example: template(
                    ui("<each items=\"props.items\" as=\"1️⃣props\"><text>x</text></each>", head: schemaHead))),
            DiagnosticInfo(
                code: .bindingEvaluation, summary: "a `bind` value that fails with the default props",
                example: template(
                    ui(
                        "",
                        head:
                            "  <default-props>{ \"n\": 1 }</default-props>\n  <bind variable=\"topic\" value=\"props.n | divided_by: 1️⃣0\"/>\n"
                    ))),
            DiagnosticInfo(
                code: .propsInvalid,
                summary:
                    "caller or default props that are not a JSON object or do not match `props_schema` (the failing keyword is in a note)",
                example: DiagnosticExample(
                    template: ui(
                        "",
                        head:
                            "  <props-schema>{ \"type\": \"object\", \"properties\": { \"count\": { \"type\": \"integer\" } } }</props-schema>\n"
                    ),
                    prompt: nil, props: "{ \"count\": 1️⃣\"3\" }")),
            DiagnosticInfo(
                code: .propsSchemaInvalid, summary: "a `props_schema` that is not a valid JSON Schema 2020-12 schema",
                example: template(
                    ui(
                        "",
                        head: "  <props-schema>{ \"type\": \"object\", \"minProperties\": 1️⃣\"two\" }</props-schema>\n"))
            ),

            // Prompt
            DiagnosticInfo(
                code: .promptInvalid, summary: "a prompt file that is not in the `PromptsData` shape",
                example: DiagnosticExample(template: ui(""), prompt: "1️⃣{ \"messages\": [] }")),
            DiagnosticInfo(
                code: .promptUnusedVariable, summary: "a declared variable no message uses",
                example: DiagnosticExample(
                    template: ui(""),
                    prompt: promptWith(
                        "{ \"name\": \"topic\", \"defaultValue\": \"x\" }, { \"name\": 1️⃣\"extra\", \"defaultValue\": \"y\" }"
                    ))),
            DiagnosticInfo(
                code: .promptDuplicateVariable, summary: "two variables with the same name",
                example: DiagnosticExample(
                    template: ui(""),
                    prompt: promptWith(
                        "{ \"name\": \"topic\", \"defaultValue\": \"x\" }, { \"name\": 1️⃣\"topic\", \"defaultValue\": \"y\" }"
                    ))),
            DiagnosticInfo(
                code: .promptMissingOptions, summary: "a select, radio or checkbox without options",
                example: DiagnosticExample(
                    template: ui(""),
                    prompt: promptWith(
                        "1️⃣{ \"name\": \"topic\", \"defaultValue\": \"x\", \"customComponent\": { \"type\": \"select\" } }"
                    ))),
            DiagnosticInfo(
                code: .promptInvalidRange,
                summary: "a number whose `min` is above its `max`, or whose `step` is not positive",
                example: DiagnosticExample(
                    template: ui(""),
                    prompt: promptWith(
                        "1️⃣{ \"name\": \"topic\", \"defaultValue\": \"5\", \"customComponent\": { \"type\": \"number\", \"min\": 10, \"max\": 1 } }"
                    ))),
            DiagnosticInfo(
                code: .promptInvalidDefault, summary: "a default value the variable's component would not accept",
                example: DiagnosticExample(
                    template: ui(""),
                    prompt: promptWith(
                        "1️⃣{ \"name\": \"topic\", \"defaultValue\": \"huge\", \"customComponent\": { \"type\": \"select\", \"options\": [\"small\", \"large\"] } }"
                    ))),
            DiagnosticInfo(
                code: .promptToggleValues, summary: "`toggleValues` without exactly two entries",
                example: DiagnosticExample(
                    template: ui(""),
                    prompt: promptWith(
                        "1️⃣{ \"name\": \"topic\", \"defaultValue\": \"on\", \"customComponent\": { \"type\": \"toggle\", \"toggleValues\": [\"on\"] } }"
                    ))),
            DiagnosticInfo(
                code: .promptMalformedPlaceholder,
                summary: "`{{ … }}` in a message that is not a variable name (kept as literal text)",
                example: DiagnosticExample(
                    template: ui(""),
                    prompt: promptWith(
                        "{ \"name\": \"topic\", \"defaultValue\": \"x\" }", content: "{{topic}} and 1️⃣{{ not a name }}"))
            ),
            DiagnosticInfo(
                code: .promptUnknownVariable, summary: "a placeholder naming a variable the prompt does not declare",
                example: DiagnosticExample(
                    template: ui(""),
                    prompt: promptWith(
                        "{ \"name\": \"topic\", \"defaultValue\": \"x\" }", content: "{{topic}} in 1️⃣{{stlye}}"))),
            DiagnosticInfo(
                code: .promptMissingValue,
                summary:
                    "a run with no value for a placeholder, or with an empty value for a variable marked `\"required\": true`",
                example: nil, testedBy: "MessageTemplateTests, RequiredVariableTests"),

            // Execution modes
            DiagnosticInfo(
                code: .modeMissingRunTrigger,
                summary: "a manual mode without a `run` the user can reach before the first run",
                example: template(
                    "<custom-ui name=\"x\" execution-mode=\"1️⃣manual\">\n  <view><text>No button</text><slot name=\"a\"/></view>\n</custom-ui>"
                )),
            DiagnosticInfo(
                code: .modeForbiddenElement,
                summary: "an element the mode forbids, such as `run` in `auto-run-one-shot`",
                example: template(
                    "<custom-ui name=\"x\" execution-mode=\"auto-run-one-shot\">\n  <view><1️⃣run/><slot name=\"a\"/></view>\n</custom-ui>"
                )),
            DiagnosticInfo(
                code: .modeMissingValue,
                summary: "a variable with no default, binding or input in a mode that needs one",
                example: DiagnosticExample(
                    template:
                        "<custom-ui name=\"x\" execution-mode=\"1️⃣auto-run\">\n  <view><slot name=\"a\"/></view>\n</custom-ui>",
                    prompt: promptWith("{ \"name\": \"topic\", \"defaultValue\": \"\" }"))),
            DiagnosticInfo(
                code: .modeUnplacedVariable, summary: "a variable without an input in `manual-with-visible-variables`",
                example: template(
                    "<custom-ui name=\"x\" execution-mode=\"1️⃣manual-with-visible-variables\">\n  <view><variable name=\"topic\"/><run/><slot name=\"a\"/></view>\n</custom-ui>"
                )),
            DiagnosticInfo(
                code: .inputDuplicateVariable,
                summary:
                    "a variable with two inputs that can be shown together (or an input inside `each`); inputs in different branches of one `if` are fine",
                example: template(ui("<variable name=\"topic\"/>\n    <variable name=\"1️⃣topic\"/>"))),
            DiagnosticInfo(
                code: .inputIncompatibleControl,
                summary:
                    "a `control=` that cannot hold the variable's values (a select as a number, a textarea as a toggle, a text as a checkbox without options)",
                example: template(ui("<variable name=\"style\" control=\"1️⃣number\"/>"))),
            DiagnosticInfo(
                code: .modeMissingSlot,
                summary: "a view with no `slot`: every mode runs the prompt, and its answer would have nowhere to go",
                example: template("<custom-ui name=\"x\">\n  <1️⃣view><run/></view>\n</custom-ui>")),
            DiagnosticInfo(
                code: .modeUnfedSlot,
                summary:
                    "a slot after the first: the answer streams into the first slot only, so it stays empty (a warning)",
                example: template(ui("<slot name=\"1️⃣notes\"/>"))),
            DiagnosticInfo(
                code: .modeConflictingSetting,
                summary:
                    "a setting that contradicts the mode: `show-variables=\"false\"`, or a variable in `layout_config.ui.hidden`, in `manual-with-visible-variables`, which shows every variable",
                example: template(
                    "<custom-ui name=\"x\" execution-mode=\"manual-with-visible-variables\" show-variables=\"1️⃣false\">\n  <view><variables/><run/><slot name=\"a\"/></view>\n</custom-ui>"
                )),
            DiagnosticInfo(
                code: .modeIneffectiveSetting,
                summary:
                    "`auto-submit` in an auto mode, or `show-variables` where it changes nothing (a warning: the setting is ignored)",
                example: template(
                    "<custom-ui name=\"x\" execution-mode=\"manual-with-hidden-variables\" show-variables=\"1️⃣true\">\n  <view><run/><slot name=\"a\"/></view>\n</custom-ui>"
                )),

            // Accessibility
            DiagnosticInfo(
                code: .a11yMissingLabel, summary: "an input or button with an empty label",
                example: template(ui("<cancel label=\"1️⃣\"/>"))),
            DiagnosticInfo(
                code: .a11yImageAlt, summary: "an image without `alt`",
                example: template(ui("<1️⃣image src=\"cat.png\"/>"))),
            DiagnosticInfo(
                code: .a11yHeadingOrder, summary: "a heading more than one level deeper than the one before it",
                example: template(ui("<heading level=\"1\">A</heading>\n    <heading level=\"1️⃣3\">B</heading>"))),
            DiagnosticInfo(
                code: .a11yEmptyLink, summary: "a link with no text",
                example: template(ui("<text><1️⃣link href=\"/help\"/></text>"))),

            // The live server (`customui serve`)
            DiagnosticInfo(
                code: "serve.refused-variable",
                summary:
                    "a page sent a value for a variable it may not set: hidden, read-only in its execution mode, or not in the prompt",
                example: nil, testedBy: "ServerHTTPTests.hiddenVariableIsRefused"),
            DiagnosticInfo(
                code: "serve.invalid-value",
                summary:
                    "a page sent a value its input would not accept (a number out of range, an unknown option), an empty follow-up or an unknown action",
                example: nil, testedBy: "ServerHTTPTests.badValueComesBackWithItsVariable"),

            // Definitions
            DiagnosticInfo(
                code: .definitionInvalid, summary: "a definition JSON that is not in the `prompt_custom_uis` shape",
                example: DiagnosticExample(definition: "1️⃣{ \"component_code\": \"<custom-ui><view/></custom-ui>\" }")),
            DiagnosticInfo(
                code: .definitionMismatch,
                summary: "a root attribute inside `component_code` that disagrees with its column",
                example: DiagnosticExample(
                    definition:
                        "{ \"name\": 1️⃣\"A\", \"component_type\": \"template\", \"component_code\": \"<custom-ui name=\\\"B\\\"><view><run/><slot name=\\\"a\\\"/></view></custom-ui>\" }"
                )),
            DiagnosticInfo(
                code: .definitionReact,
                summary: "`component_type: react`: JSX cannot be sandboxed; convert it to a template",
                example: DiagnosticExample(
                    definition:
                        "{ \"name\": \"A\", \"component_type\": 1️⃣\"react\", \"component_code\": \"return <div/>\" }")),

            // Layout and styling
            DiagnosticInfo(
                code: .layoutInvalid,
                summary:
                    "a `layout_config` that is not an object, or whose `layout` names no documented layout (docs/rendering.md)",
                example: template(ui("", head: "  <layout-config>{ \"layout\": 1️⃣\"sidebr\" }</layout-config>\n"))),
            DiagnosticInfo(
                code: .layoutUnknownKey,
                summary: "a `layout_config` key other than `layout` (a warning: it is ignored)",
                example: template(ui("", head: "  <layout-config>{ 1️⃣\"sidebar\": true }</layout-config>\n"))),
            DiagnosticInfo(
                code: .styleInvalidValue,
                summary:
                    "a `styling_config` value outside its closed grammar (colour, length or font list), or a `styling_config` that is not an object",
                example: template(ui("", head: "  <styling-config>{ \"accent\": 1️⃣\"purpel\" }</styling-config>\n"))),
            DiagnosticInfo(
                code: .styleUnknownKey,
                summary: "a `styling_config` key the theme does not have (a warning: it is ignored)",
                example: template(ui("", head: "  <styling-config>{ 1️⃣\"colour\": \"#36c\" }</styling-config>\n"))),

            // Tuning the generated UI
            DiagnosticInfo(
                code: .uiInvalid,
                summary:
                    "a malformed `layout_config.ui` of a `json-schema` definition: an unknown key or setting, a value of the wrong kind, an unknown widget",
                example: DiagnosticExample(
                    definition:
                        "{ \"name\": \"A\", \"component_type\": \"json-schema\", \"layout_config\": { \"ui\": { 1️⃣\"hiden\": [] } } }"
                )),
            DiagnosticInfo(
                code: .uiUnknownField,
                summary: "`layout_config.ui` names a field that is neither a prop nor a prompt variable (a warning)",
                example: DiagnosticExample(
                    definition:
                        "{ \"name\": \"A\", \"component_type\": \"json-schema\", \"props_schema\": { \"type\": \"object\", \"properties\": { \"customer\": { \"type\": \"string\" } } },\n  \"layout_config\": { \"ui\": { \"order\": [1️⃣\"custmer\"] } } }"
                )),

            // Rendering and running with caller values
            DiagnosticInfo(
                code: .renderInvalidVariable,
                summary: "a `--var` value the variable's component would not accept (`render`, `run`)",
                example: nil, testedBy: "RenderTests.badVariableValuesAreDiagnosticsNotCoercions"),
            DiagnosticInfo(
                code: .renderUnknownVariable,
                summary: "a `--var` for a variable the prompt does not declare (`render`, `run`)",
                example: nil, testedBy: "RenderTests.badVariableValuesAreDiagnosticsNotCoercions"),
            DiagnosticInfo(
                code: .renderUnknownSlot, summary: "a `--slot` for a slot the template does not declare (`render`)",
                example: nil, testedBy: "RenderTests.badVariableValuesAreDiagnosticsNotCoercions"),
            DiagnosticInfo(
                code: .runRefused,
                summary:
                    "a run refused before anything was sent: a value the component refuses, a second run of `auto-run-one-shot`, a follow-up the mode does not allow",
                example: nil, testedBy: "SessionTests.missingValuesAreRefusedBeforeSending"),
            DiagnosticInfo(
                code: .runFailed,
                summary:
                    "a run that ended in a fault (HTTP error, lost connection, malformed line, timeout, no `end`); what streamed is kept",
                example: nil, testedBy: "SessionTests.faultsKeepWhatStreamed"),
            DiagnosticInfo(
                code: .runCancelled, summary: "a run cancelled by the user (Ctrl-C); what streamed is kept (a warning)",
                example: nil, testedBy: "SessionTests.cancellingKeepsTheTextAndRecordsIt"),

            // Library
            DiagnosticInfo(
                code: "library.not-a-database", summary: "the library file exists but is not an SQLite database",
                example: nil,
                testedBy: "TemplateLibraryTests.RobustnessTests"),
            DiagnosticInfo(
                code: "library.not-a-library",
                summary: "the library file is an SQLite database some other program made", example: nil,
                testedBy: "TemplateLibraryTests.RobustnessTests"),
            DiagnosticInfo(
                code: "library.corrupt", summary: "SQLite found the library damaged", example: nil,
                testedBy: "TemplateLibraryTests.RobustnessTests"),
            DiagnosticInfo(
                code: "library.newer-schema",
                summary: "the library was made by a newer CustomUI (a later schema version)", example: nil,
                testedBy: "TemplateLibraryTests.RobustnessTests"),
            DiagnosticInfo(
                code: "library.read-only",
                summary: "the library cannot be written (a write-protected file or directory)", example: nil,
                testedBy: "TemplateLibraryTests.RobustnessTests"),
            DiagnosticInfo(
                code: "library.cannot-open", summary: "the library file or its directory cannot be opened or created",
                example: nil,
                testedBy: "TemplateLibraryTests.RobustnessTests"),
            DiagnosticInfo(
                code: "library.busy",
                summary: "another process held the library locked for longer than the busy timeout (10 s)",
                example: nil,
                testedBy: "TemplateLibraryTests.LibraryErrorCodeTests"),
            DiagnosticInfo(
                code: "library.not-found",
                summary: "no UI, version or run by that reference is visible to the acting user", example: nil,
                testedBy: "TemplateLibraryTests.AccessTests"),
            DiagnosticInfo(
                code: "library.denied", summary: "the access rules do not let the acting user do this", example: nil,
                testedBy: "TemplateLibraryTests.AccessTests"),
            DiagnosticInfo(
                code: "library.invalid-definition",
                summary: "a UI with errors was not published (its diagnostics follow)", example: nil,
                testedBy: "TemplateLibraryTests.LifecycleTests.definitionWithErrorsIsRefusedAndNothingIsWritten"),
            DiagnosticInfo(
                code: "library.invalid-input",
                summary: "an argument out of range or malformed (a rating of 7, an unknown sort, …)", example: nil,
                testedBy: "TemplateLibraryTests.AccessTests"),
            DiagnosticInfo(
                code: "library.ambiguous", summary: "a reference that names more than one UI", example: nil,
                testedBy: "TemplateLibraryTests.AccessTests"),
            DiagnosticInfo(
                code: "library.exists",
                summary: "an import would replace a UI, version or run the library already has (nothing is imported)",
                example: nil, testedBy: "TemplateLibraryTests.LibraryAnswersTests"),
            DiagnosticInfo(
                code: "library.sqlite", summary: "SQLite failed in a way no other `library.*` code describes",
                example: nil,
                testedBy: "TemplateLibraryTests.RobustnessTests"),
            DiagnosticInfo(
                code: "library.postgres", summary: "PostgreSQL failed in a way no other `library.*` code describes",
                example: nil,
                testedBy: "TemplateLibraryTests.PostgresLibraryTests.postgresFailuresBecomeLibraryCodes"),
            DiagnosticInfo(
                code: "library.unsafe-role",
                summary:
                    "the engine connected to a PostgreSQL library as a role row-level security does not bind (the tables' owner, a superuser, BYPASSRLS)",
                example: nil,
                testedBy: "TemplateLibraryTests.PostgresLibraryTests.theEngineRefusesARoleThePoliciesDoNotBind"),

            // Identity for a shared library (HS256 JWTs)
            DiagnosticInfo(
                code: "auth.missing-token",
                summary:
                    "a shared (PostgreSQL) library needs a signed token (CUSTOMUI_TOKEN, or `Authorization: Bearer`) and none was given",
                example: nil,
                testedBy: "TemplateLibraryTests.IdentityTests.theActingUserOfASharedLibraryComesFromTheToken"),
            DiagnosticInfo(
                code: "auth.invalid-token",
                summary: "the token is not a well-formed HS256 JWT with a `sub` and an `exp`",
                example: nil, testedBy: "TemplateLibraryTests.IdentityTests.refusalsHaveTheirOwnCodes"),
            DiagnosticInfo(
                code: "auth.bad-signature",
                summary:
                    "the token's signature does not match the JWT secret: it was changed, or signed with another key",
                example: nil, testedBy: "TemplateLibraryTests.IdentityTests.refusalsHaveTheirOwnCodes"),
            DiagnosticInfo(
                code: "auth.expired",
                summary: "the token's `exp` has passed (or its `nbf` has not come)",
                example: nil, testedBy: "TemplateLibraryTests.IdentityTests.refusalsHaveTheirOwnCodes"),
            DiagnosticInfo(
                code: "auth.no-secret",
                summary: "the JWT secret file (CUSTOMUI_JWT_SECRET_FILE) is missing, unreadable or empty",
                example: nil,
                testedBy: "TemplateLibraryTests.IdentityTests.theActingUserOfASharedLibraryComesFromTheToken"),
            DiagnosticInfo(
                code: "auth.user-label",
                summary: "`--user` was given for a shared library, where the user comes from a verified token",
                example: nil,
                testedBy: "TemplateLibraryTests.IdentityTests.theActingUserOfASharedLibraryComesFromTheToken"),

            // JSON Schema (props schemas, `customui schema`)
            DiagnosticInfo(
                code: "schema.invalid",
                summary: "a schema that is not a valid 2020-12 schema (a keyword with the wrong kind of value)",
                example: nil,
                testedBy: "JSONSchemaTests.ValidatorTests"),
            DiagnosticInfo(
                code: "schema.unresolved-ref",
                summary: "a `$ref` or `$dynamicRef` whose target is neither in the schema nor in the registry",
                example: nil, testedBy: "JSONSchemaTests.ValidatorTests.remoteReferencesComeOnlyFromTheRegistry"),
            DiagnosticInfo(
                code: "schema.invalid-pattern",
                summary: "a `pattern` or `patternProperties` regular expression that does not compile", example: nil,
                testedBy: "JSONSchemaTests.ValidatorTests"),
            DiagnosticInfo(
                code: "schema.unknown-vocabulary",
                summary: "a meta-schema that requires a vocabulary this validator does not know", example: nil,
                testedBy: "JSONSchemaTests.VocabularyTests"),
        ] + schemaKeywordEntries + [
            // JSON
            DiagnosticInfo(
                code: "json.syntax",
                summary: "a JSON file (prompt, props, definition, embedded schema) with a syntax error",
                example: DiagnosticExample(template: ui(""), prompt: "{ \"messages\": [1️⃣} ")),
            DiagnosticInfo(
                code: "json.duplicate-key", summary: "a JSON object with the same member name twice",
                example: DiagnosticExample(template: ui(""), props: "{ \"a\": 1, 1️⃣\"a\": 2 }")),
        ]

    /// What each JSON Schema keyword's `schema.<keyword>` code means: a value (in `customui schema`,
    /// or in a note under `props.invalid`) that fails that keyword.
    static let schemaKeywords: [(keyword: String, summary: String)] = [
        ("additionalProperties", "a member `additionalProperties` does not allow"),
        ("anyOf", "a value that matches none of `anyOf`'s schemas"),
        ("const", "a value other than the `const` one"),
        ("contains", "an array with no item that matches `contains`"),
        ("dependentRequired", "an object with a member whose `dependentRequired` members are absent"),
        ("enum", "a value not among the `enum` values"),
        ("exclusiveMaximum", "a number at or above `exclusiveMaximum`"),
        ("exclusiveMinimum", "a number at or below `exclusiveMinimum`"),
        ("false", "a value where the schema is `false` (nothing is allowed there)"),
        ("format", "a string not in its `format` (only when formats are asserted)"),
        ("maxContains", "an array with more items matching `contains` than `maxContains`"),
        ("maxItems", "an array longer than `maxItems`"),
        ("maxLength", "a string longer than `maxLength`"),
        ("maxProperties", "an object with more members than `maxProperties`"),
        ("maximum", "a number above `maximum`"),
        ("minContains", "an array with fewer items matching `contains` than `minContains`"),
        ("minItems", "an array shorter than `minItems`"),
        ("minLength", "a string shorter than `minLength`"),
        ("minProperties", "an object with fewer members than `minProperties`"),
        ("minimum", "a number below `minimum`"),
        ("multipleOf", "a number that is not a multiple of `multipleOf`"),
        ("not", "a value that matches the schema under `not`"),
        ("oneOf", "a value that matches none, or more than one, of `oneOf`'s schemas"),
        ("pattern", "a string that does not match `pattern`"),
        ("propertyNames", "a member name `propertyNames` refuses"),
        ("required", "an object without a `required` member"),
        ("type", "a value of a `type` the schema does not allow"),
        ("unevaluatedProperties", "a member no subschema evaluated, where `unevaluatedProperties` refuses it"),
        ("uniqueItems", "an array with two equal items under `uniqueItems`"),
    ]

    static var schemaKeywordEntries: [DiagnosticInfo] {
        schemaKeywords.map {
            DiagnosticInfo(
                code: DiagnosticCode(rawValue: "schema." + $0.keyword), summary: $0.summary, example: nil,
                testedBy: "JSONSchemaTests.ConformanceTests")
        }
    }

    /// The entry for a code.
    public static func info(_ code: DiagnosticCode) -> DiagnosticInfo? { entries.first { $0.code == code } }
}
