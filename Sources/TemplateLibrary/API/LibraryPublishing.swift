import CustomUI
import CustomUICore
import Foundation
import JSONSchema

extension Library {
    // MARK: - Publishing

    /// Validates a UI file (and its prompt) and publishes it; see `publish(_:user:options:)`.
    public func publish(
        ui: SourceFile, prompt: SourceFile? = nil, user: String, options: PublishOptions = PublishOptions()
    ) throws(LibraryError)
        -> PublishOutcome
    {
        try publish(Validator.validate(ui: ui, prompt: prompt), user: user, options: options)
    }

    /// Publishes a validated UI as a new version of the user's UI of that name (or of
    /// `options.uiReference`); refuses a report with errors and writes nothing for identical content.
    public func publish(_ report: ValidationReport, user: String, options: PublishOptions = PublishOptions())
        throws(LibraryError)
        -> PublishOutcome
    {
        let prepared = try Self.prepare(report, user: user, options: options)
        return try write(user: user) { try publishLocked(prepared, user: user, options: options) }
    }

    /// Publishes many validated UIs in one transaction (imports and benchmarks); either all are
    /// written or, on the first refusal, none.
    public func publishMany(_ items: [(report: ValidationReport, options: PublishOptions)], user: String)
        throws(LibraryError) -> [PublishOutcome]
    {
        var prepared: [PreparedPublish] = []
        prepared.reserveCapacity(items.count)
        for item in items { prepared.append(try Self.prepare(item.report, user: user, options: item.options)) }
        return try write(user: user) {
            try zip(prepared, items).map { try publishLocked($0, user: user, options: $1.options) }
        }
    }

    /// What a publish computes before taking the write lock, so the lock is held briefly.
    struct PreparedPublish {
        var definition: CustomUIDefinition
        var category: String?
        var tags: [String]?
        var templateText: String
        var hash: String
        var warnings: [Diagnostic]
    }

    static func prepare(_ report: ValidationReport, user: String, options: PublishOptions) throws(LibraryError)
        -> PreparedPublish
    {
        try checkUser(user)
        guard !report.hasErrors, let document = report.document else {
            let count = report.diagnostics.filter { $0.severity == .error }.count
            throw LibraryError(
                .libraryInvalidDefinition, "the UI has \(count) error\(count == 1 ? "" : "s"); nothing was published",
                hint: "fix the diagnostics above (`customui validate`) and publish again",
                diagnostics: report.diagnostics)
        }
        let definition = document.definition
        guard !definition.name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw LibraryError.invalid(
                "a published UI needs a `name`", hint: "add name=\"…\" to `<custom-ui>` or the `name` column")
        }
        // `OWNER/NAME` names a UI, so a slash in a name would make references ambiguous.
        guard !definition.name.contains("/") else {
            throw LibraryError.invalid(
                "a UI name cannot contain `/`: `\(definition.name)`",
                hint: "`OWNER/NAME` names a UI; choose a name without a slash")
        }
        let templateText = CustomUILoader.templateText(for: definition)
        return PreparedPublish(
            definition: definition, category: try options.category.map(normaliseCategory),
            tags: try options.tags.map(normaliseTags),
            templateText: templateText, hash: SHA256.hex(templateText),
            warnings: report.diagnostics.filter { $0.severity != .error })
    }

    private func publishLocked(_ prepared: PreparedPublish, user: String, options: PublishOptions) throws
        -> PublishOutcome
    {
        let definition = prepared.definition
        let category = prepared.category
        let tags = prepared.tags
        let templateText = prepared.templateText
        let hash = prepared.hash
        let warnings = prepared.warnings
        let now = Timestamp.string(Date())
        var lineage: SQLRow?
        if let reference = options.uiReference {
            let (row, latest) = try resolveLineage(reference, user: user)
            try AccessPolicy.check(.publishVersion, user: user, facts: latest.facts, name: reference)
            lineage = row
        } else {
            lineage = try db.query(
                "SELECT * FROM prompt_custom_ui_lineages WHERE user_id = ? AND name = ?", [user, definition.name]
            ).first
        }
        var parent: LibraryEntry?
        let uiID: String
        // The lineage row was read inside this transaction, after the write lock was taken, so
        // its latest version is current.
        let version: Int
        if let lineage, let id = lineage["ui_id"].string {
            uiID = id
            version = (lineage["latest_version"].int ?? 0) + 1
            parent = try latestVersion(uiID: id)
            if let parent, parent.contentHash == hash { return .unchanged(parent) }
        } else {
            uiID = Self.newID()
            version = 1
            try db.query(
                "INSERT INTO prompt_custom_ui_lineages (ui_id, user_id, name, latest_version, created_at) VALUES (?, ?, ?, 0, ?)",
                [uiID, user, definition.name, now])
        }
        let id = Self.newID()
        let isPublic = options.isPublic ?? parent?.definition.isPublic ?? false
        let status: DefinitionStatus = options.activate ? .active : .draft
        if lineage != nil {
            // One statement: the previous latest is no longer latest and, when this version is
            // activated, the active one is archived (an active version that is not the latest is
            // otherwise written unchanged). The two rows are found by the two partial indexes,
            // not by walking every version of the UI.
            try db.query(
                """
                UPDATE prompt_custom_uis SET is_latest = FALSE,
                  status = CASE WHEN ?1 AND status = 'active' THEN 'archived' ELSE status END,
                  updated_at = CASE WHEN ?1 AND status = 'active' THEN ?2 ELSE updated_at END
                WHERE id IN (SELECT id FROM prompt_custom_uis WHERE ui_id = ?3 AND is_latest = TRUE
                  UNION ALL SELECT id FROM prompt_custom_uis WHERE ui_id = ?3 AND status = 'active')
                """, [options.activate, now, uiID])
        }
        let json = { (value: Value?) -> String? in value.map { JSONWriter().string($0) } }
        try db.query(
            """
            INSERT INTO prompt_custom_uis (
              id, ui_id, user_id, prompt_id, name, description, component_code, component_type, props_schema, default_props,
              execution_mode, auto_submit, show_variables, layout_config, styling_config, is_public, is_featured, use_count,
              version, parent_version_id, status, validated, validation_errors, created_at, updated_at, published_at,
              last_used_at, template_text, content_hash, category, tags, is_latest)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, TRUE, ?, ?, ?, ?, NULL, ?, ?, ?, ?, TRUE)
            """,
            [
                id, uiID, user, definition.promptID, definition.name, definition.description, definition.componentCode,
                definition.componentType.rawValue, json(definition.propsSchema), json(definition.defaultProps),
                definition.executionMode.rawValue, definition.autoSubmit, definition.showVariables,
                json(definition.layoutConfig),
                json(definition.stylingConfig), isPublic, parent?.definition.isFeatured ?? false, version, parent?.id,
                status.rawValue,
                warnings.isEmpty ? nil : JSONWriter().string(.array(warnings.map(\.jsonValue))), now, now,
                options.activate ? now : nil, templateText, hash, category ?? parent?.category,
                Self.encodeTags(tags ?? parent?.tags ?? []),
            ])
        try db.query("UPDATE prompt_custom_ui_lineages SET latest_version = ? WHERE ui_id = ?", [version, uiID])
        guard let entry = try entries("WHERE v.id = ?", [id]).first else {
            throw LibraryError(.librarySQLite, "the version just written could not be read back")
        }
        return .published(entry)
    }

    // MARK: - Starters

    /// Publishes starter templates as public, active UIs of `user` and lists them in the gallery
    /// table (`prompt_custom_ui_templates`); installing again changes nothing.
    public func installStarters(_ starters: [StarterTemplate], user: String) throws(LibraryError) -> [PublishOutcome] {
        var outcomes: [PublishOutcome] = []
        for starter in starters {
            let ui = SourceFile(path: starter.path, text: starter.templateText)
            let prompt = starter.promptText.map { SourceFile(path: starter.slug + ".prompt.json", text: $0) }
            let report = Validator.validate(ui: ui, prompt: prompt)
            var outcome = try publish(
                report, user: user,
                options: PublishOptions(isPublic: true, category: starter.category, tags: starter.tags, activate: true))
            if case .unchanged(let entry) = outcome, !entry.facts.isPublished {
                outcome = .published(try activate(entry.uiID, user: user))
            }
            let entry = outcome.entry
            try write(user: user) { () throws in
                let now = Timestamp.string(Date())
                try db.query(
                    """
                    INSERT INTO prompt_custom_ui_templates (id, name, description, category, component_code, demo_prompt, tags, difficulty,
                      is_official, created_by, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, TRUE, ?, ?, ?)
                    ON CONFLICT (name) DO UPDATE SET description = excluded.description, category = excluded.category,
                      component_code = excluded.component_code, demo_prompt = excluded.demo_prompt, tags = excluded.tags,
                      difficulty = excluded.difficulty, updated_at = excluded.updated_at
                    WHERE prompt_custom_ui_templates.component_code <> excluded.component_code
                      OR coalesce(prompt_custom_ui_templates.demo_prompt, '') <> coalesce(excluded.demo_prompt, '')
                      OR prompt_custom_ui_templates.tags <> excluded.tags OR prompt_custom_ui_templates.difficulty <> excluded.difficulty
                      OR prompt_custom_ui_templates.category <> excluded.category
                    """,
                    [
                        Self.newID(), entry.definition.name, entry.definition.description, starter.category,
                        entry.templateText,
                        starter.promptText, Self.encodeTags(starter.tags), starter.difficulty, user, now, now,
                    ])
            }
            outcomes.append(outcome)
        }
        return outcomes
    }

    /// Reads the starters in a directory: each `NAME.ui.xml` with `NAME.prompt.json` and
    /// `NAME.meta.json` (`{"category", "tags", "difficulty"}`).
    public static func loadStarters(directory: String) throws(LibraryError) -> [StarterTemplate] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory) else {
            throw LibraryError(
                .libraryCannotOpen, "cannot read the starter directory `\(directory)`",
                hint: "pass --from DIR with the `Templates/` folder")
        }
        var starters: [StarterTemplate] = []
        for name in names.sorted() where name.hasSuffix(".ui.xml") {
            let slug = String(name.dropLast(".ui.xml".count))
            let base = (directory as NSString).appendingPathComponent(slug)
            guard let text = try? String(contentsOfFile: base + ".ui.xml", encoding: .utf8) else {
                throw LibraryError(.libraryCannotOpen, "cannot read the starter `\(base).ui.xml`")
            }
            let prompt = try? String(contentsOfFile: base + ".prompt.json", encoding: .utf8)
            var category = "general"
            var tags: [String] = []
            var difficulty = "beginner"
            if let metaText = try? String(contentsOfFile: base + ".meta.json", encoding: .utf8) {
                guard let meta = try? JSONParser.parseValue(metaText), meta.objectValue != nil else {
                    throw LibraryError.invalid("the starter metadata `\(base).meta.json` is not a JSON object")
                }
                category = meta["category"]?.stringValue ?? category
                tags = meta["tags"]?.arrayValue?.compactMap(\.stringValue) ?? []
                difficulty = meta["difficulty"]?.stringValue ?? difficulty
                guard ["beginner", "intermediate", "advanced"].contains(difficulty) else {
                    throw LibraryError.invalid(
                        "`\(base).meta.json`: difficulty must be beginner, intermediate or advanced")
                }
            }
            starters.append(
                StarterTemplate(
                    slug: slug, templateText: text, promptText: prompt, category: category, tags: tags,
                    difficulty: difficulty,
                    path: base + ".ui.xml"))
        }
        return starters
    }
}
