import CustomUICore

extension DiagnosticExample {
    /// The files of an example with the marker removed, and the file and byte offset it marked.
    public struct Materialized: Sendable {
        public var ui: SourceFile
        public var prompt: SourceFile?
        public var props: SourceFile?
        public var markerPath: String?
        public var markerOffset: Int?
    }

    /// The example as files, ready to validate.
    public func materialize() -> Materialized {
        var markerPath: String?
        var markerOffset: Int?
        func file(_ path: String, _ text: String?) -> SourceFile? {
            guard var text else { return nil }
            if let range = text.range(of: DiagnosticExample.marker) {
                markerPath = path
                markerOffset = text.utf8.distance(
                    from: text.utf8.startIndex, to: range.lowerBound.samePosition(in: text.utf8)!)
                text.removeSubrange(range)
            }
            return SourceFile(path: path, text: text)
        }
        let ui =
            file("example.definition.json", definition) ?? file("example.ui.xml", template)
            ?? SourceFile(path: "example.ui.xml", text: "")
        let prompt = definition == nil ? file("example.prompt.json", prompt ?? DiagnosticCatalog.standardPrompt) : nil
        let props = file("example.props.json", props)
        return Materialized(ui: ui, prompt: prompt, props: props, markerPath: markerPath, markerOffset: markerOffset)
    }

    /// Runs the validator over the example, with the default budgets but a generous deadline: what
    /// an example reports (and docs/diagnostics.md shows) must not depend on how busy the machine is
    /// (a loaded machine otherwise turns the `limit.steps` example into `limit.deadline`).
    public func validate() -> (Materialized, ValidationReport) {
        let files = materialize()
        return (
            files,
            Validator.validate(
                ui: files.ui, prompt: files.prompt, props: files.props, limits: ResourceLimits(deadline: .seconds(120)))
        )
    }
}
