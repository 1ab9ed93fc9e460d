/// The library's schema as an ordered list of migrations; `PRAGMA user_version` records how many
/// have run, so a library made by an older CustomUI is upgraded and one from a newer is refused.
enum Schema {
    /// Marks the file as a CustomUI library ("CUI1"), so a stranger's SQLite file is not touched.
    static let applicationID: Int = 0x4355_4931

    /// Migration `i` takes the schema from version `i` to `i + 1`.
    static let migrations: [String] = [
        // Version 1: the seeds' tables (002 and 004), one row per version, a lineage table for the
        // stable identity, FTS5 over the searchable columns kept in sync by triggers.
        """
        CREATE TABLE prompt_custom_ui_lineages (
          ui_id TEXT PRIMARY KEY,
          user_id TEXT NOT NULL,
          name TEXT NOT NULL,
          latest_version INTEGER NOT NULL DEFAULT 0,
          use_count INTEGER NOT NULL DEFAULT 0,
          last_used_at TEXT,
          rating_sum INTEGER NOT NULL DEFAULT 0,
          rating_count INTEGER NOT NULL DEFAULT 0,
          created_at TEXT NOT NULL,
          UNIQUE (user_id, name)
        );

        CREATE TABLE prompt_custom_uis (
          id TEXT PRIMARY KEY,
          ui_id TEXT NOT NULL REFERENCES prompt_custom_ui_lineages(ui_id) ON DELETE CASCADE,
          user_id TEXT NOT NULL,
          prompt_id TEXT,
          name TEXT NOT NULL,
          description TEXT,
          component_code TEXT NOT NULL,
          component_type TEXT NOT NULL DEFAULT 'template',
          props_schema TEXT,
          default_props TEXT,
          execution_mode TEXT NOT NULL DEFAULT 'manual',
          auto_submit INTEGER NOT NULL DEFAULT 0,
          show_variables INTEGER NOT NULL DEFAULT 1,
          layout_config TEXT,
          styling_config TEXT,
          is_public INTEGER NOT NULL DEFAULT 0,
          is_featured INTEGER NOT NULL DEFAULT 0,
          use_count INTEGER NOT NULL DEFAULT 0,
          version INTEGER NOT NULL DEFAULT 1,
          parent_version_id TEXT REFERENCES prompt_custom_uis(id) ON DELETE SET NULL,
          status TEXT NOT NULL DEFAULT 'draft',
          validated INTEGER NOT NULL DEFAULT 0,
          validation_errors TEXT,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          published_at TEXT,
          last_used_at TEXT,
          template_text TEXT NOT NULL,
          content_hash TEXT NOT NULL,
          category TEXT,
          tags TEXT NOT NULL DEFAULT '',
          is_latest INTEGER NOT NULL DEFAULT 1,
          UNIQUE (ui_id, version),
          CONSTRAINT valid_component_type CHECK (component_type IN ('react', 'template', 'json-schema')),
          CONSTRAINT valid_execution_mode CHECK (execution_mode IN (
            'auto-run', 'auto-run-one-shot', 'manual-with-hidden-variables',
            'manual-with-visible-variables', 'manual')),
          CONSTRAINT valid_status CHECK (status IN ('draft', 'active', 'archived')),
          CONSTRAINT positive_version CHECK (version >= 1)
        );
        CREATE INDEX idx_prompt_custom_uis_user_latest ON prompt_custom_uis(user_id, is_latest);
        CREATE INDEX idx_prompt_custom_uis_prompt_id ON prompt_custom_uis(prompt_id);
        CREATE INDEX idx_prompt_custom_uis_public_active ON prompt_custom_uis(is_public, status);
        CREATE INDEX idx_prompt_custom_uis_category ON prompt_custom_uis(category);
        CREATE INDEX idx_prompt_custom_uis_parent ON prompt_custom_uis(parent_version_id);
        CREATE INDEX idx_prompt_custom_uis_updated ON prompt_custom_uis(updated_at);

        CREATE VIRTUAL TABLE prompt_custom_uis_fts USING fts5(
          name, description, category, tags, content='prompt_custom_uis', content_rowid='rowid',
          tokenize='unicode61 remove_diacritics 2');
        CREATE TRIGGER prompt_custom_uis_fts_insert AFTER INSERT ON prompt_custom_uis BEGIN
          INSERT INTO prompt_custom_uis_fts(rowid, name, description, category, tags)
          VALUES (new.rowid, new.name, new.description, new.category, new.tags);
        END;
        CREATE TRIGGER prompt_custom_uis_fts_delete AFTER DELETE ON prompt_custom_uis BEGIN
          INSERT INTO prompt_custom_uis_fts(prompt_custom_uis_fts, rowid, name, description, category, tags)
          VALUES ('delete', old.rowid, old.name, old.description, old.category, old.tags);
        END;
        CREATE TRIGGER prompt_custom_uis_fts_update AFTER UPDATE OF name, description, category, tags ON prompt_custom_uis BEGIN
          INSERT INTO prompt_custom_uis_fts(prompt_custom_uis_fts, rowid, name, description, category, tags)
          VALUES ('delete', old.rowid, old.name, old.description, old.category, old.tags);
          INSERT INTO prompt_custom_uis_fts(rowid, name, description, category, tags)
          VALUES (new.rowid, new.name, new.description, new.category, new.tags);
        END;

        CREATE TABLE prompt_custom_ui_ratings (
          id TEXT PRIMARY KEY,
          custom_ui_id TEXT NOT NULL REFERENCES prompt_custom_ui_lineages(ui_id) ON DELETE CASCADE,
          user_id TEXT NOT NULL,
          rating INTEGER NOT NULL CHECK (rating >= 1 AND rating <= 5),
          feedback TEXT,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          UNIQUE (custom_ui_id, user_id)
        );

        CREATE TABLE ai_runs (
          id TEXT PRIMARY KEY,
          user_id TEXT NOT NULL,
          source_type TEXT NOT NULL,
          source_id TEXT,
          custom_ui_id TEXT,
          name TEXT NOT NULL,
          messages TEXT NOT NULL,
          settings TEXT NOT NULL,
          variable_values TEXT NOT NULL,
          broker_values TEXT NOT NULL,
          status TEXT NOT NULL,
          total_tokens INTEGER NOT NULL DEFAULT 0,
          total_cost REAL NOT NULL DEFAULT 0,
          message_count INTEGER NOT NULL DEFAULT 0,
          task_count INTEGER NOT NULL DEFAULT 0,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          last_message_at TEXT
        );
        CREATE INDEX idx_ai_runs_user_created ON ai_runs(user_id, created_at);
        CREATE INDEX idx_ai_runs_custom_ui ON ai_runs(custom_ui_id);

        CREATE TABLE ai_tasks (
          id TEXT PRIMARY KEY,
          run_id TEXT NOT NULL REFERENCES ai_runs(id) ON DELETE CASCADE,
          user_id TEXT NOT NULL,
          service TEXT NOT NULL,
          provider TEXT,
          model_id TEXT,
          request_data TEXT NOT NULL,
          response_text TEXT NOT NULL,
          response_errors TEXT NOT NULL,
          tool_updates TEXT NOT NULL,
          tokens_input INTEGER,
          tokens_output INTEGER,
          tokens_total INTEGER,
          cost REAL,
          time_to_first_token INTEGER,
          total_time INTEGER,
          status TEXT NOT NULL,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          completed_at TEXT
        );
        CREATE INDEX idx_ai_tasks_run ON ai_tasks(run_id);

        CREATE TABLE prompt_custom_ui_usage (
          id TEXT PRIMARY KEY,
          custom_ui_id TEXT NOT NULL REFERENCES prompt_custom_uis(id) ON DELETE CASCADE,
          user_id TEXT NOT NULL,
          run_id TEXT REFERENCES ai_runs(id) ON DELETE SET NULL,
          execution_time_ms INTEGER,
          variables_used TEXT,
          success INTEGER NOT NULL DEFAULT 1,
          error_message TEXT,
          created_at TEXT NOT NULL
        );
        CREATE INDEX idx_prompt_custom_ui_usage_user_id ON prompt_custom_ui_usage(user_id);
        CREATE INDEX idx_prompt_custom_ui_usage_custom_ui_id ON prompt_custom_ui_usage(custom_ui_id);

        CREATE TABLE prompt_custom_ui_templates (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL UNIQUE,
          description TEXT,
          category TEXT NOT NULL,
          component_code TEXT NOT NULL,
          preview_image_url TEXT,
          demo_prompt TEXT,
          tags TEXT NOT NULL DEFAULT '',
          difficulty TEXT NOT NULL DEFAULT 'beginner' CHECK (difficulty IN ('beginner', 'intermediate', 'advanced')),
          is_official INTEGER NOT NULL DEFAULT 0,
          use_count INTEGER NOT NULL DEFAULT 0,
          created_by TEXT,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL
        );
        CREATE INDEX idx_prompt_custom_ui_templates_category ON prompt_custom_ui_templates(category);
        """
    ]

    /// The schema version this build writes.
    static var currentVersion: Int { migrations.count }
}
