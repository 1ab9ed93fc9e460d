import CustomUICore
import JSONSchema

extension DiagnosticCode {
    /// A props file is not a JSON object.
    public static let propsInvalid: Self = "props.invalid"
    /// A `bind` expression failed while computing a variable's initial value.
    public static let bindingEvaluation: Self = "binding.evaluation"
}

/// Everything validation learned about a UI: the document, the compiled template when it compiled,
/// and every diagnostic (sorted by file and position).
public struct ValidationReport: Sendable {
    /// The UI as read, if it could be read.
    public var document: CustomUIDocument?
    /// The compiled template, when the UI is a template and had no errors that prevent compiling.
    public var template: CompiledTemplate?
    /// The prompt, when one was given and could be read.
    public var prompt: Prompt?
    /// The caller's props, when a props file was given and is a JSON object.
    public var props: Value?
    /// Every finding, sorted.
    public var diagnostics: [Diagnostic]
    /// The files the diagnostics point into, for printing excerpts.
    public var sources: [SourceFile]

    /// Whether any diagnostic is an error.
    public var hasErrors: Bool { diagnostics.hasErrors }
}

/// The engine's front door for checking: reads a UI (template file or definition JSON), its prompt
/// and props, and runs every check, in pipeline order.
public enum Validator {
    /// Validates files as the CLI reads them; `prompt` and `props` are optional.
    public static func validate(
        ui: SourceFile, prompt promptFile: SourceFile? = nil, props propsFile: SourceFile? = nil,
        limits: ResourceLimits = .default
    ) -> ValidationReport {
        var diagnostics: [Diagnostic] = []
        var sources = [ui]
        var prompt: Prompt?
        if let promptFile {
            sources.append(promptFile)
            let (loaded, promptDiagnostics) = Prompt.load(promptFile, limits: limits)
            prompt = loaded
            diagnostics += promptDiagnostics
        }
        var props: Value?
        var propsDocument: JSONDocument?
        if let propsFile {
            sources.append(propsFile)
            do {
                let document = try JSONParser.parse(propsFile, limits: limits)
                if document.value.objectValue == nil {
                    diagnostics.append(
                        .error(
                            .propsInvalid, "props must be a JSON object, found \(document.value.typeName)",
                            file: propsFile.path,
                            range: document.range(of: .root), hint: "write props as `{ \"name\": value, … }`"))
                } else {
                    props = document.value
                    propsDocument = document
                }
            } catch {
                diagnostics.append(error.diagnostic(file: propsFile.path))
            }
        }
        let (document, loadDiagnostics) = CustomUILoader.load(ui, limits: limits)
        diagnostics += loadDiagnostics
        if let codeFile = document?.syntax?.file, codeFile !== ui { sources.append(codeFile) }
        guard let document else {
            return ValidationReport(
                document: nil, template: nil, prompt: prompt, diagnostics: diagnostics.sortedByLocation(),
                sources: sources)
        }
        var report = validate(document, prompt: prompt, props: props, propsDocument: propsDocument, limits: limits)
        report.diagnostics = dropCovered(diagnostics + report.diagnostics).sortedByLocation()
        report.sources = sources
        report.props = props
        return report
    }

    /// Validates a loaded UI against a prompt and caller props.
    public static func validate(
        _ document: CustomUIDocument, prompt: Prompt?, props: Value?, limits: ResourceLimits = .default
    ) -> ValidationReport {
        validate(document, prompt: prompt, props: props, propsDocument: nil, limits: limits)
    }

    static func validate(
        _ document: CustomUIDocument, prompt: Prompt?, props: Value?, propsDocument: JSONDocument?,
        limits: ResourceLimits
    ) -> ValidationReport {
        var diagnostics: [Diagnostic] = []
        if let prompt {
            var check = PromptCheck(prompt: prompt)
            check.check()
            diagnostics += check.diagnostics
        }
        diagnostics += checkProps(document, caller: props, callerDocument: propsDocument)
        // layout_config and styling_config: what a page would refuse, validation refuses, with positions.
        diagnostics += Theme.check(document).diagnostics
        if document.definition.componentType == .jsonSchema {
            diagnostics += GeneratedUIOptions.check(document, prompt: prompt)
        }
        var report = ValidationReport(
            document: document, template: nil, prompt: prompt, diagnostics: [], sources: [document.file])
        guard document.definition.componentType == .template, let syntax = document.syntax else {
            report.diagnostics = diagnostics.sortedByLocation()
            return report
        }
        var structure = StructureCheck(file: syntax.file, rootAttributesOptional: document.isDefinitionJSON)
        structure.check(syntax.root)
        diagnostics += structure.diagnostics
        if structure.diagnostics.isEmpty, let grammar = GrammarValidator.shared {
            var root = syntax.root
            if document.isDefinitionJSON, root.attribute("name") == nil {
                // The grammar describes template files; a definition's root takes its name from the column.
                root.attributes.append(
                    SyntaxAttribute(
                        name: "name", nameRange: root.nameRange, value: document.definition.name,
                        valueRange: root.nameRange,
                        valueOrigin: TextOrigin(file: syntax.file, startOffset: root.nameRange.start.offset)))
            }
            diagnostics += grammar.validate(root, file: syntax.file)
        }
        guard syntax.root.name == "custom-ui" else {
            report.diagnostics = diagnostics.sortedByLocation()
            return report
        }
        var compiler = Compiler(file: syntax.file, limits: limits)
        let template = compiler.compile(document, root: syntax.root)
        diagnostics += compiler.diagnostics

        var bindings = BindingCheck(
            file: syntax.file, prompt: prompt, propsSchema: document.definition.propsSchema,
            slots: Set(template.slots.map(\.name)))
        bindings.check(template)
        diagnostics += bindings.diagnostics

        var inputs = InputCheck(file: syntax.file, prompt: prompt)
        inputs.check(template)
        diagnostics += inputs.diagnostics

        var valueCheck = ValueCheck(file: syntax.file, prompt: prompt, propsSchema: document.definition.propsSchema)
        valueCheck.check(template)
        diagnostics += valueCheck.diagnostics

        let effective = effectiveProps(document.definition, caller: props)
        let (values, valueDiagnostics) = VariableValues.initial(
            prompt: prompt, bindings: template.bindings, props: effective, file: syntax.file)
        diagnostics += valueDiagnostics
        let scope = initialScope(template, prompt: prompt, props: effective, values: values)
        var modes = ModeCheck(template: template, document: document, prompt: prompt, initialScope: scope)
        modes.check()
        diagnostics += modes.diagnostics

        // Only run the view when it compiled cleanly: a dry run over a broken template repeats errors.
        // (A missing slot breaks nothing the dry run evaluates.)
        if !diagnostics.contains(where: { $0.severity == .error && $0.code != .modeMissingSlot }) {
            var dryRun = DryRun(file: syntax.file, limits: limits)
            dryRun.run(template.view, scope: scope)
            dryRun.layOut(template, prompt: prompt, props: props)
            diagnostics += dryRun.diagnostics
        }

        var accessibility = AccessibilityCheck(file: syntax.file)
        accessibility.check(template.view)
        diagnostics += accessibility.diagnostics

        report.diagnostics = diagnostics.sortedByLocation()
        report.template = template
        return report
    }

    /// Drops a general `*.invalid` schema diagnostic when a specific check reports a range in the
    /// same file that contains it: one problem, one message, the most specific one.
    static func dropCovered(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        let general: Set<DiagnosticCode> = [.promptInvalid, .definitionInvalid, .propsInvalid]
        let specific = diagnostics.filter { !general.contains($0.code) && $0.range != nil }
        return diagnostics.filter { d in
            guard general.contains(d.code), let range = d.range else { return true }
            return !specific.contains { other in
                guard other.file == d.file, let outer = other.range else { return false }
                return outer.start.offset <= range.start.offset && range.end.offset <= outer.end.offset
            }
        }
    }

    /// `props_schema` against the meta-schema, then `default_props` and the caller's props against it.
    static func checkProps(_ document: CustomUIDocument, caller: Value?, callerDocument: JSONDocument?) -> [Diagnostic]
    {
        guard let schema = document.definition.propsSchema else { return [] }
        let (compiled, diagnostics) = DocumentSchemas.compileProps(schema, document: document.propsSchemaDocument)
        guard let compiled else { return diagnostics }
        var result = diagnostics
        if let defaults = document.definition.defaultProps {
            // Defaults need not be complete (the caller may supply required props), so `required`
            // is checked on the merged props below, not on the defaults alone.
            result += DocumentSchemas.checkProps(
                defaults, document: document.defaultPropsDocument, schema: compiled, what: "default props"
            )
            .filter { $0.code != "schema.required" }
        }
        let merged = effectiveProps(document.definition, caller: caller)
        if let caller {
            result += DocumentSchemas.checkProps(caller, document: callerDocument, schema: compiled, what: "props")
                .filter { $0.code != "schema.required" }
        }
        for error in compiled.validate(merged).errors where error.code == "schema.required" {
            let file =
                caller != nil
                ? callerDocument?.file.path : document.defaultPropsDocument?.file.path ?? document.file.path
            let range =
                caller != nil ? callerDocument?.range(of: .root) : document.defaultPropsDocument?.range(of: .root)
            var d = error.diagnostic(file: file, range: range)
            d.code = .propsInvalid
            d.message = "props: " + d.message
            result.append(d)
        }
        return result
    }

    /// The props a UI sees: `default_props`, with the caller's top-level members replacing them.
    public static func effectiveProps(_ definition: CustomUIDefinition, caller: Value?) -> Value {
        var merged = definition.defaultProps?.objectValue ?? ValueObject()
        for (key, value) in caller?.objectValue ?? ValueObject() { merged[key] = value }
        return .object(merged)
    }

    /// The scope before any run: variables at their initial values, empty slots, run `idle`.
    public static func initialScope(
        _ template: CompiledTemplate, prompt: Prompt?, props: Value, values: [String: String]
    ) -> Scope {
        var slots = ValueObject()
        for slot in template.slots { slots[slot.name] = "" }
        var vars = ValueObject()
        for variable in prompt?.variables ?? [] { vars[variable.name] = .string(values[variable.name] ?? "") }
        return Scope(
            props: props, vars: .object(vars), slots: .object(slots), run: RunState(model: prompt?.modelID).value,
            broker: [:])
    }
}

/// Variable values in the documented precedence: prompt defaults, then `bind`ings from props,
/// then values the caller passes (user input is applied by the session on top of these).
public enum VariableValues {
    /// The values before the user edits anything.
    public static func initial(
        prompt: Prompt?, bindings: [VariableBinding], props: Value, caller: [String: String] = [:], file: SourceFile?
    ) -> (values: [String: String], diagnostics: [Diagnostic]) {
        var values: [String: String] = [:]
        var diagnostics: [Diagnostic] = []
        for variable in prompt?.variables ?? [] { values[variable.name] = variable.defaultValue }
        let scope = Scope(props: props)
        for binding in bindings {
            var budget = Budget()
            do {
                let value = try Evaluator.evaluate(binding.value, in: scope, budget: &budget)
                // A binding that yields null leaves the lower-precedence value in place.
                if !value.isNull { values[binding.variable] = Evaluator.stringify(value) }
            } catch {
                var d = error.diagnostic(file: file?.path)
                d.code = .bindingEvaluation
                d.message = "binding `\(binding.variable)` failed: \(d.message)"
                diagnostics.append(d)
            }
        }
        for (name, value) in caller { values[name] = value }
        return (values, diagnostics)
    }

    /// `prompt.missing-value` for each variable marked `required` whose value is empty (or only
    /// spaces): a run needs one. Other variables may be empty: their placeholders become empty text.
    public static func missingRequired(_ prompt: Prompt, values: [String: String]) -> [Diagnostic] {
        prompt.variables.filter { $0.required && (values[$0.name] ?? "").allSatisfy(\.isWhitespace) }.map { variable in
            .error(
                .promptMissingValue, "`\(variable.name)` is required, but its value is empty", file: prompt.file?.path,
                range: variable.nameRange,
                hint: "give `\(variable.name)` a value (`--var \(variable.name)=…`) or a default in the prompt")
        }
    }
}
