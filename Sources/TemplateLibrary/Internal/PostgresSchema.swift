/// The PostgreSQL library's schema as ordered migrations, recorded in `customui_schema_migrations`.
///
/// The tables are the seeds' (002 and 004) with their types (`uuid`, `jsonb`, `timestamptz`,
/// `boolean`) and their row-level security policies, plus the library's lineage table. They are
/// made by `customui library migrate` connected as the owning role; the engine connects as another
/// role, a member of `customui_engine`, that the policies apply to. The acting user is set per
/// transaction with `set_config('customui.user_id', …, true)` and read by `auth.uid()`, as the
/// seeds' policies read Supabase's.
enum PostgresSchema {
    /// The role the migrations grant to; the engine's login role is made a member of it.
    static let engineRole = "customui_engine"

    /// Migration `i` takes the schema from version `i` to `i + 1`.
    static let migrations: [String] = [
        """
        CREATE SCHEMA IF NOT EXISTS auth;
        -- The acting user of this transaction, as Supabase's auth.uid() gives it (text: a JWT's `sub`).
        CREATE OR REPLACE FUNCTION auth.uid() RETURNS text LANGUAGE sql STABLE
          AS $f$ SELECT nullif(current_setting('customui.user_id', true), '') $f$;
        -- SQLite's instr, so tag filters are one statement for both stores.
        CREATE OR REPLACE FUNCTION public.instr(text, text) RETURNS integer LANGUAGE sql IMMUTABLE
          AS $f$ SELECT strpos($1, $2) $f$;

        CREATE TABLE prompt_custom_ui_lineages (
          ui_id uuid PRIMARY KEY,
          user_id text NOT NULL,
          name text NOT NULL,
          latest_version integer NOT NULL DEFAULT 0,
          use_count integer NOT NULL DEFAULT 0,
          last_used_at timestamptz,
          rating_sum integer NOT NULL DEFAULT 0,
          rating_count integer NOT NULL DEFAULT 0,
          created_at timestamptz NOT NULL DEFAULT now(),
          rowid bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
          UNIQUE (user_id, name)
        );

        CREATE TABLE prompt_custom_uis (
          id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
          ui_id uuid NOT NULL REFERENCES prompt_custom_ui_lineages(ui_id) ON DELETE CASCADE,
          user_id text NOT NULL,
          prompt_id text,
          name text NOT NULL,
          description text,
          component_code text NOT NULL,
          component_type text NOT NULL DEFAULT 'template',
          props_schema json,
          default_props json,
          execution_mode text NOT NULL DEFAULT 'manual',
          auto_submit boolean NOT NULL DEFAULT false,
          show_variables boolean NOT NULL DEFAULT true,
          layout_config json,
          styling_config json,
          is_public boolean NOT NULL DEFAULT false,
          is_featured boolean NOT NULL DEFAULT false,
          use_count integer NOT NULL DEFAULT 0,
          version integer NOT NULL DEFAULT 1,
          parent_version_id uuid REFERENCES prompt_custom_uis(id) ON DELETE SET NULL,
          status text NOT NULL DEFAULT 'draft',
          validated boolean NOT NULL DEFAULT false,
          validation_errors jsonb,
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_at timestamptz NOT NULL DEFAULT now(),
          published_at timestamptz,
          last_used_at timestamptz,
          template_text text NOT NULL,
          content_hash text NOT NULL,
          category text,
          tags text NOT NULL DEFAULT '',
          is_latest boolean NOT NULL DEFAULT true,
          rowid bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
          search_vector tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('simple', coalesce(name, '')), 'A')
            || setweight(to_tsvector('simple', coalesce(description, '')), 'B')
            || setweight(to_tsvector('simple', coalesce(category, '') || ' ' || replace(tags, '|', ' ')), 'C')
          ) STORED,
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
        CREATE INDEX idx_prompt_custom_uis_updated ON prompt_custom_uis(updated_at DESC, rowid DESC);
        CREATE INDEX idx_prompt_custom_uis_search ON prompt_custom_uis USING gin(search_vector);

        CREATE TABLE prompt_custom_ui_ratings (
          id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
          custom_ui_id uuid NOT NULL REFERENCES prompt_custom_ui_lineages(ui_id) ON DELETE CASCADE,
          user_id text NOT NULL,
          rating integer NOT NULL CHECK (rating >= 1 AND rating <= 5),
          feedback text,
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_at timestamptz NOT NULL DEFAULT now(),
          rowid bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
          UNIQUE (custom_ui_id, user_id)
        );
        CREATE INDEX idx_prompt_custom_ui_ratings_custom_ui_id ON prompt_custom_ui_ratings(custom_ui_id);

        CREATE TABLE ai_runs (
          id text PRIMARY KEY,
          user_id text NOT NULL,
          source_type text NOT NULL,
          source_id text,
          custom_ui_id text,
          name text NOT NULL,
          messages jsonb NOT NULL,
          settings jsonb NOT NULL,
          variable_values jsonb NOT NULL,
          broker_values jsonb NOT NULL,
          status text NOT NULL,
          total_tokens integer NOT NULL DEFAULT 0,
          total_cost double precision NOT NULL DEFAULT 0,
          message_count integer NOT NULL DEFAULT 0,
          task_count integer NOT NULL DEFAULT 0,
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_at timestamptz NOT NULL DEFAULT now(),
          last_message_at timestamptz,
          rowid bigint GENERATED ALWAYS AS IDENTITY UNIQUE
        );
        CREATE INDEX idx_ai_runs_user_created ON ai_runs(user_id, created_at);
        CREATE INDEX idx_ai_runs_custom_ui ON ai_runs(custom_ui_id);

        CREATE TABLE ai_tasks (
          id text PRIMARY KEY,
          run_id text NOT NULL REFERENCES ai_runs(id) ON DELETE CASCADE,
          user_id text NOT NULL,
          service text NOT NULL,
          provider text,
          model_id text,
          request_data jsonb NOT NULL,
          response_text text NOT NULL,
          response_errors jsonb NOT NULL,
          tool_updates jsonb NOT NULL,
          tokens_input integer,
          tokens_output integer,
          tokens_total integer,
          cost double precision,
          time_to_first_token integer,
          total_time integer,
          status text NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_at timestamptz NOT NULL DEFAULT now(),
          completed_at timestamptz,
          rowid bigint GENERATED ALWAYS AS IDENTITY UNIQUE
        );
        CREATE INDEX idx_ai_tasks_run ON ai_tasks(run_id);

        CREATE TABLE prompt_custom_ui_usage (
          id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
          custom_ui_id uuid NOT NULL REFERENCES prompt_custom_uis(id) ON DELETE CASCADE,
          user_id text NOT NULL,
          run_id text REFERENCES ai_runs(id) ON DELETE SET NULL,
          execution_time_ms integer,
          variables_used jsonb,
          success boolean NOT NULL DEFAULT true,
          error_message text,
          created_at timestamptz NOT NULL DEFAULT now(),
          rowid bigint GENERATED ALWAYS AS IDENTITY UNIQUE
        );
        CREATE INDEX idx_prompt_custom_ui_usage_user_id ON prompt_custom_ui_usage(user_id);
        CREATE INDEX idx_prompt_custom_ui_usage_custom_ui_id ON prompt_custom_ui_usage(custom_ui_id);
        CREATE INDEX idx_prompt_custom_ui_usage_created_at ON prompt_custom_ui_usage(created_at DESC);

        CREATE TABLE prompt_custom_ui_templates (
          id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
          name text NOT NULL UNIQUE,
          description text,
          category text NOT NULL,
          component_code text NOT NULL,
          preview_image_url text,
          demo_prompt text,
          tags text NOT NULL DEFAULT '',
          difficulty text NOT NULL DEFAULT 'beginner' CHECK (difficulty IN ('beginner', 'intermediate', 'advanced')),
          is_official boolean NOT NULL DEFAULT false,
          use_count integer NOT NULL DEFAULT 0,
          created_by text,
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_at timestamptz NOT NULL DEFAULT now(),
          rowid bigint GENERATED ALWAYS AS IDENTITY UNIQUE
        );
        CREATE INDEX idx_prompt_custom_ui_templates_category ON prompt_custom_ui_templates(category);

        -- Counters on rows the acting user does not own (a rating or a run of someone else's UI)
        -- are kept by the database as the owner, not by a policy that would let users write them.
        CREATE FUNCTION customui_rating_totals() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
          SET search_path = public, pg_temp AS $f$
        DECLARE target uuid;
        BEGIN
          target := CASE WHEN TG_OP = 'DELETE' THEN OLD.custom_ui_id ELSE NEW.custom_ui_id END;
          UPDATE prompt_custom_ui_lineages l SET rating_sum = t.s, rating_count = t.c
            FROM (SELECT coalesce(sum(rating), 0) AS s, count(*) AS c FROM prompt_custom_ui_ratings
                  WHERE custom_ui_id = target) t
            WHERE l.ui_id = target;
          RETURN NULL;
        END $f$;
        CREATE TRIGGER prompt_custom_ui_ratings_totals AFTER INSERT OR UPDATE OR DELETE ON prompt_custom_ui_ratings
          FOR EACH ROW EXECUTE FUNCTION customui_rating_totals();

        CREATE FUNCTION customui_usage_counts() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
          SET search_path = public, pg_temp AS $f$
        BEGIN
          -- `library copy` brings the counters with the rows; it does not count the usage again.
          IF current_setting('customui.copying', true) = 'on' THEN RETURN NULL; END IF;
          UPDATE prompt_custom_uis SET use_count = use_count + 1, last_used_at = NEW.created_at
            WHERE id = NEW.custom_ui_id;
          UPDATE prompt_custom_ui_lineages SET use_count = use_count + 1, last_used_at = NEW.created_at
            WHERE ui_id = (SELECT ui_id FROM prompt_custom_uis WHERE id = NEW.custom_ui_id);
          RETURN NULL;
        END $f$;
        CREATE TRIGGER prompt_custom_ui_usage_counts AFTER INSERT ON prompt_custom_ui_usage
          FOR EACH ROW EXECUTE FUNCTION customui_usage_counts();

        -- Whether a run exists at all (row-level security hides another user's), so recording usage
        -- with someone else's run is denied as on SQLite rather than reported missing. Nothing else leaks.
        CREATE FUNCTION customui_run_exists(run text) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
          SET search_path = public, pg_temp AS $f$ SELECT EXISTS (SELECT 1 FROM ai_runs WHERE id = run) $f$;

        -- Row-level security: the seeds' policies, and the same rule for every other table.
        ALTER TABLE prompt_custom_uis ENABLE ROW LEVEL SECURITY;
        ALTER TABLE prompt_custom_ui_lineages ENABLE ROW LEVEL SECURITY;
        ALTER TABLE prompt_custom_ui_usage ENABLE ROW LEVEL SECURITY;
        ALTER TABLE prompt_custom_ui_ratings ENABLE ROW LEVEL SECURITY;
        ALTER TABLE prompt_custom_ui_templates ENABLE ROW LEVEL SECURITY;
        ALTER TABLE ai_runs ENABLE ROW LEVEL SECURITY;
        ALTER TABLE ai_tasks ENABLE ROW LEVEL SECURITY;

        CREATE POLICY "Users can view own custom UIs" ON prompt_custom_uis FOR SELECT
          USING (auth.uid() = user_id);
        CREATE POLICY "Users can view public custom UIs" ON prompt_custom_uis FOR SELECT
          USING (is_public = true AND status = 'active');
        CREATE POLICY "Users can create custom UIs" ON prompt_custom_uis FOR INSERT
          WITH CHECK (auth.uid() = user_id);
        CREATE POLICY "Users can update own custom UIs" ON prompt_custom_uis FOR UPDATE
          USING (auth.uid() = user_id) WITH CHECK (auth.uid() = user_id);
        CREATE POLICY "Users can delete own custom UIs" ON prompt_custom_uis FOR DELETE
          USING (auth.uid() = user_id);

        CREATE POLICY "Users can view own or public lineages" ON prompt_custom_ui_lineages FOR SELECT
          USING (auth.uid() = user_id OR EXISTS (SELECT 1 FROM prompt_custom_uis v
            WHERE v.ui_id = prompt_custom_ui_lineages.ui_id AND v.is_public = true AND v.status = 'active'));
        CREATE POLICY "Users can create lineages" ON prompt_custom_ui_lineages FOR INSERT
          WITH CHECK (auth.uid() = user_id);
        CREATE POLICY "Users can update own lineages" ON prompt_custom_ui_lineages FOR UPDATE
          USING (auth.uid() = user_id) WITH CHECK (auth.uid() = user_id);
        CREATE POLICY "Users can delete own lineages" ON prompt_custom_ui_lineages FOR DELETE
          USING (auth.uid() = user_id);

        CREATE POLICY "Users can view own usage" ON prompt_custom_ui_usage FOR SELECT
          USING (auth.uid() = user_id);
        CREATE POLICY "Users can create usage records" ON prompt_custom_ui_usage FOR INSERT
          WITH CHECK (auth.uid() = user_id AND EXISTS (SELECT 1 FROM prompt_custom_uis v WHERE v.id = custom_ui_id));

        CREATE POLICY "Users can view own ratings" ON prompt_custom_ui_ratings FOR SELECT
          USING (auth.uid() = user_id);
        CREATE POLICY "Users can rate others' public UIs" ON prompt_custom_ui_ratings FOR INSERT
          WITH CHECK (auth.uid() = user_id AND EXISTS (SELECT 1 FROM prompt_custom_uis v
            WHERE v.ui_id = custom_ui_id AND v.is_public = true AND v.status = 'active' AND v.user_id <> auth.uid()));
        CREATE POLICY "Users can change own ratings" ON prompt_custom_ui_ratings FOR UPDATE
          USING (auth.uid() = user_id) WITH CHECK (auth.uid() = user_id);
        CREATE POLICY "Users can delete own ratings" ON prompt_custom_ui_ratings FOR DELETE
          USING (auth.uid() = user_id);

        CREATE POLICY "Everyone can view templates" ON prompt_custom_ui_templates FOR SELECT USING (true);
        CREATE POLICY "Users can add templates" ON prompt_custom_ui_templates FOR INSERT
          WITH CHECK (auth.uid() = created_by);
        CREATE POLICY "Users can change own templates" ON prompt_custom_ui_templates FOR UPDATE
          USING (auth.uid() = created_by) WITH CHECK (auth.uid() = created_by);

        CREATE POLICY "Users can use own runs" ON ai_runs FOR ALL
          USING (auth.uid() = user_id) WITH CHECK (auth.uid() = user_id);
        CREATE POLICY "Users can use own tasks" ON ai_tasks FOR ALL
          USING (auth.uid() = user_id) WITH CHECK (auth.uid() = user_id);

        GRANT USAGE ON SCHEMA public, auth TO customui_engine;
        GRANT SELECT, INSERT, UPDATE, DELETE ON prompt_custom_uis, prompt_custom_ui_lineages, prompt_custom_ui_usage,
          prompt_custom_ui_ratings, prompt_custom_ui_templates, ai_runs, ai_tasks TO customui_engine;
        GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO customui_engine;
        """,
        // Version 2: full-text matching through the GIN index. Under row-level security the
        // planner may not use an index for an operator that is not leakproof (`@@` is not), so a
        // search scanned every row. This function matches through the index with the policies'
        // own visibility rule, returning only ids the caller may see; the rows are then read
        // through the policies as before (joined on the primary key, which the planner may use).
        """
        CREATE FUNCTION customui_matching(q tsquery) RETURNS SETOF uuid LANGUAGE sql STABLE SECURITY DEFINER
          SET search_path = public, pg_temp AS $f$
          SELECT id FROM prompt_custom_uis
          WHERE search_vector @@ q AND (user_id = auth.uid() OR (is_public = true AND status = 'active'))
        $f$;
        REVOKE ALL ON FUNCTION customui_matching(tsquery) FROM PUBLIC;
        GRANT EXECUTE ON FUNCTION customui_matching(tsquery) TO customui_engine;
        """,
        // Version 3: a search ranks and orders without reading each matched row twice. The
        // function applies the listing's visibility rule (the owner's latest version, others'
        // public active ones; an anonymous caller matches no owner) and returns what relevance
        // order needs, so a plain search sorts the function's rows and reads back only one page
        // of rows, through the policies. The rule is a CASE, which the planner cannot turn into
        // a bitmap of every public row to AND with the text index's.
        """
        CREATE FUNCTION customui_search_matches(q tsquery)
          RETURNS TABLE (id uuid, rank real, updated_at timestamptz, row_number bigint)
          LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $f$
          SELECT v.id, ts_rank(v.search_vector, q), v.updated_at, v.rowid FROM prompt_custom_uis v
          WHERE v.search_vector @@ q
            AND CASE WHEN v.user_id = auth.uid() THEN v.is_latest ELSE v.is_public AND v.status = 'active' END
        $f$;
        REVOKE ALL ON FUNCTION customui_search_matches(tsquery) FROM PUBLIC;
        GRANT EXECUTE ON FUNCTION customui_search_matches(tsquery) TO customui_engine;
        """,
        // Version 4: search folds accents ("cafe" finds "Café"), as SQLite's FTS5 does, through
        // the `unaccent` dictionary in a text search configuration of our own. `unaccent` is a
        // trusted extension (the database's owner may create it); where it is missing or may
        // not be created, the configuration is plain `simple` and search does not fold accents.
        """
        DO $$ BEGIN
          BEGIN
            CREATE EXTENSION IF NOT EXISTS unaccent;
          EXCEPTION WHEN OTHERS THEN
            RAISE NOTICE 'unaccent is not available (%): search will not fold accents', SQLERRM;
          END;
          CREATE TEXT SEARCH CONFIGURATION customui_search (COPY = simple);
          IF EXISTS (SELECT 1 FROM pg_ts_dict WHERE dictname = 'unaccent') THEN
            ALTER TEXT SEARCH CONFIGURATION customui_search
              ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH unaccent, simple;
          END IF;
        END $$;
        ALTER TABLE prompt_custom_uis DROP COLUMN search_vector;
        ALTER TABLE prompt_custom_uis ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('customui_search', coalesce(name, '')), 'A')
          || setweight(to_tsvector('customui_search', coalesce(description, '')), 'B')
          || setweight(to_tsvector('customui_search', coalesce(category, '') || ' ' || replace(tags, '|', ' ')), 'C')
        ) STORED;
        CREATE INDEX idx_prompt_custom_uis_search ON prompt_custom_uis USING gin(search_vector);
        """,
        // Version 5: a publish finds the UI's latest and active versions without walking every
        // version of it (a UI with a thousand versions made each publish read them all).
        """
        CREATE INDEX idx_prompt_custom_uis_ui_latest ON prompt_custom_uis(ui_id) WHERE is_latest;
        CREATE INDEX idx_prompt_custom_uis_ui_active ON prompt_custom_uis(ui_id) WHERE status = 'active';
        """,
    ]

    /// The schema version this build writes.
    static var currentVersion: Int { migrations.count }

    /// The table that records which migrations ran; readable by the engine.
    static let versionTable = """
        DO $$ BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'customui_engine') THEN
            CREATE ROLE customui_engine NOLOGIN;
          END IF;
        END $$;

        CREATE TABLE IF NOT EXISTS customui_schema_migrations (
          version integer PRIMARY KEY,
          applied_at timestamptz NOT NULL DEFAULT now()
        );
        GRANT SELECT ON customui_schema_migrations TO customui_engine;
        """
}
