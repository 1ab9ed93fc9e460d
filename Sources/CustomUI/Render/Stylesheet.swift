/// The default stylesheet of rendered pages: custom properties a theme may override, and classes
/// for every element. Fixed text: nothing from a template or a definition is ever written here.
public enum Stylesheet {
    /// The stylesheet text.
    public static let css = """
        .cui { --cui-accent: #3558d6; --cui-background: #f6f7fb; --cui-foreground: #1b1f2a; --cui-muted: #5d6475;
          --cui-surface: #ffffff; --cui-border: #d9dce5; --cui-radius: 10px; --cui-spacing: 16px;
          --cui-font: system-ui, -apple-system, "Segoe UI", sans-serif; --cui-mono-font: ui-monospace, "DejaVu Sans Mono", monospace;
          --cui-max-width: 760px; }
        body { margin: 0; background: #f6f7fb; }
        .cui { font-family: var(--cui-font); color: var(--cui-foreground); background: var(--cui-background);
          line-height: 1.5; padding: var(--cui-spacing); box-sizing: border-box; min-height: 100vh; }
        .cui *, .cui *::before, .cui *::after { box-sizing: inherit; }
        .cui-view { max-width: var(--cui-max-width); margin: 0 auto; display: flex; flex-direction: column; gap: var(--cui-spacing); }
        .cui-layout-centered .cui-view { text-align: center; align-items: center; }
        .cui-layout-wide { --cui-max-width: 1120px; }
        .cui-layout-compact { --cui-spacing: 8px; font-size: 0.94em; }
        .cui-layout-sidebar { --cui-max-width: 360px; --cui-spacing: 12px; font-size: 0.94em; }
        .cui-layout-sidebar .cui-grid { grid-template-columns: 1fr; }
        .cui-layout-fullscreen { --cui-max-width: none; }
        .cui-layout-modal { display: flex; align-items: center; justify-content: center; }
        .cui-layout-modal .cui-view { --cui-max-width: 560px; width: 100%; background: var(--cui-surface);
          border: 1px solid var(--cui-border); border-radius: var(--cui-radius); padding: var(--cui-spacing);
          box-shadow: 0 12px 40px rgba(0, 0, 0, 0.18); }
        .cui h1, .cui h2, .cui h3, .cui h4, .cui h5, .cui h6 { margin: 0; line-height: 1.25; }
        .cui-heading, .cui-section > h1, .cui-section > h2, .cui-section > h3 { color: var(--cui-foreground); }
        .cui-stack { display: flex; flex-direction: column; }
        .cui-row { display: flex; flex-direction: row; }
        .cui-wrap { flex-wrap: wrap; }
        .cui-row > * { flex: 1 1 0; min-width: 10rem; }
        .cui-row > .cui-button { flex: 0 0 auto; min-width: 0; }
        .cui-align-start { align-items: flex-start; } .cui-align-center { align-items: center; }
        .cui-align-end { align-items: flex-end; } .cui-align-stretch { align-items: stretch; }
        .cui-grid { display: grid; }
        .cui-cols-1 { grid-template-columns: 1fr; } .cui-cols-2 { grid-template-columns: repeat(2, 1fr); }
        .cui-cols-3 { grid-template-columns: repeat(3, 1fr); } .cui-cols-4 { grid-template-columns: repeat(4, 1fr); }
        .cui-cols-5 { grid-template-columns: repeat(5, 1fr); } .cui-cols-6 { grid-template-columns: repeat(6, 1fr); }
        .cui-gap-none { gap: 0; } .cui-gap-small { gap: calc(var(--cui-spacing) / 2); }
        .cui-gap-medium { gap: var(--cui-spacing); } .cui-gap-large { gap: calc(var(--cui-spacing) * 2); }
        .cui-card { background: var(--cui-surface); border: 1px solid var(--cui-border); border-radius: var(--cui-radius);
          padding: var(--cui-spacing); display: flex; flex-direction: column; gap: calc(var(--cui-spacing) * 0.75);
          box-shadow: 0 1px 2px rgba(20, 30, 60, 0.06); }
        .cui-card-title { margin: 0; font-weight: 650; font-size: 1.05em; }
        .cui-section { display: flex; flex-direction: column; gap: calc(var(--cui-spacing) / 2); }
        .cui-text { margin: 0; }
        .cui-tone-muted { color: var(--cui-muted); } .cui-tone-info { color: #1f5fa8; } .cui-tone-success { color: #17794a; }
        .cui-tone-warning { color: #8a5a00; } .cui-tone-danger { color: #b42318; }
        .cui-size-small { font-size: 0.875em; } .cui-size-large { font-size: 1.2em; }
        .cui-divider { border: 0; border-top: 1px solid var(--cui-border); width: 100%; margin: 0; }
        .cui-list { margin: 0; padding-left: 1.4em; }
        .cui-image { max-width: 100%; height: auto; border-radius: var(--cui-radius); }
        .cui-link { color: var(--cui-accent); }
        .cui code, .cui pre { font-family: var(--cui-mono-font); font-size: 0.92em; }
        .cui :not(pre) > code { background: rgba(53, 88, 214, 0.08); padding: 0.1em 0.35em; border-radius: 4px; }
        .cui-badge { display: inline-block; font-size: 0.78em; font-weight: 600; padding: 0.1em 0.6em; border-radius: 999px;
          background: #e8eaf1; color: #343a4a; }
        .cui-badge.cui-tone-info { background: #e0ecfb; color: #1f5fa8; } .cui-badge.cui-tone-success { background: #dff3e8; color: #17794a; }
        .cui-badge.cui-tone-warning { background: #fbf0d9; color: #8a5a00; } .cui-badge.cui-tone-danger { background: #fbe3e1; color: #b42318; }
        .cui-field { display: flex; flex-direction: column; gap: 4px; border: 0; margin: 0; padding: 0; min-width: 0; }
        .cui-field > label, .cui-field > legend { font-weight: 600; font-size: 0.92em; padding: 0; }
        .cui input[type=text], .cui input[type=number], .cui textarea, .cui select {
          font: inherit; color: inherit; background: #fff; border: 1px solid var(--cui-border); border-radius: 8px;
          padding: 8px 10px; width: 100%; }
        .cui input:focus, .cui textarea:focus, .cui select:focus { outline: 2px solid var(--cui-accent); outline-offset: 1px; }
        .cui textarea { resize: vertical; }
        .cui-choices { flex-direction: row; flex-wrap: wrap; gap: 6px 16px; }
        .cui-choices > legend { width: 100%; margin-bottom: 4px; }
        .cui-choice { display: flex; align-items: center; gap: 6px; }
        .cui-toggle { flex-direction: row; align-items: center; gap: 8px; }
        .cui-other-label { font-size: 0.85em; color: var(--cui-muted); }
        .cui-help { margin: 0; font-size: 0.85em; color: var(--cui-muted); }
        .cui-button { font: inherit; font-weight: 600; border-radius: 8px; padding: 8px 18px; border: 1px solid var(--cui-border);
          background: #fff; color: var(--cui-foreground); cursor: pointer; }
        .cui-button.cui-run { background: var(--cui-accent); border-color: var(--cui-accent); color: #fff; }
        .cui-button:disabled { opacity: 0.5; cursor: default; }
        .cui-follow-up { display: flex; align-items: flex-end; gap: 8px; } .cui-follow-up > .cui-field { flex: 1; }
        .cui-slot { background: var(--cui-surface); border: 1px solid var(--cui-border); border-radius: var(--cui-radius);
          padding: var(--cui-spacing); min-height: 3em; overflow-wrap: anywhere; }
        .cui-slot > :first-child { margin-top: 0; } .cui-slot > :last-child { margin-bottom: 0; }
        .cui-slot pre { background: #f0f2f7; padding: 10px 12px; border-radius: 8px; overflow-x: auto; }
        .hl-keyword { color: #cf222e; } .hl-string { color: #0a3069; } .hl-comment { color: #6e7781; font-style: italic; }
        .hl-number, .hl-literal, .hl-property, .hl-attribute, .hl-entity { color: #0550ae; }
        .hl-type, .hl-variable { color: #953800; } .hl-function, .hl-meta { color: #8250df; } .hl-tag { color: #116329; }
        .cui-slot table { border-collapse: collapse; } .cui-slot th, .cui-slot td { border: 1px solid var(--cui-border); padding: 4px 8px; }
        .cui-slot blockquote { margin: 0; padding-left: 12px; border-left: 3px solid var(--cui-border); color: var(--cui-muted); }
        .cui-slot[aria-busy=true] { border-color: var(--cui-accent); }
        .cui-plain { white-space: pre-wrap; margin: 0; font-family: inherit; }
        .cui-placeholder { color: var(--cui-muted); font-style: italic; margin: 0; }
        .cui-status { margin: 0; font-size: 0.9em; color: var(--cui-muted); }
        .cui-status-failed { color: #b42318; } .cui-status-completed { color: #17794a; }
        .cui-tool-events { margin: 0; padding-left: 1.2em; font-size: 0.9em; color: var(--cui-muted); }
        .cui-usage { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; font-size: 0.85em; color: var(--cui-muted); }
        .cui-usage dd { margin: 0; }
        .cui-error { background: #fbe3e1; color: #8c1d13; border: 1px solid #f1b7b1; border-radius: var(--cui-radius); padding: 10px 14px; }
        .cui-conversation { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }
        .cui-turn { background: var(--cui-surface); border: 1px solid var(--cui-border); border-radius: var(--cui-radius); padding: 8px 12px; }
        .cui-user { background: #eef2fd; } .cui-role { margin: 0; font-size: 0.8em; font-weight: 700; color: var(--cui-muted); }
        .cui-image-missing, .cui-link-refused { color: var(--cui-muted); }

        """
}
