/// The one script the engine ships (served as `/assets/runtime.js`). No author code ever runs: the
/// page's behaviour is this file, the same for every UI. It never evaluates text (no `eval`, no
/// `new Function`, no inline handlers); HTML it inserts was written by the server's renderers,
/// which escape everything that came from input.
///
/// What it does: binds the form to the page's session (POST `/api/session/ID/action`), opens the
/// session's event stream (`/api/session/ID/events`), applies `view` patches (the UI without the
/// slots' content, keeping what the user is typing) and `slot` patches (settled HTML appended,
/// open tail replaced), shows refusals next to the inputs, and marks the page while it works.
enum RuntimeScript {
    static let source = #"""
        // CustomUI runtime. Served by `customui serve`; see docs/serve.md for the patch protocol.
        (function () {
          'use strict';
          var root = document.getElementById('cui-root');
          if (!root) { return; }
          // The author's preview: reload when the watched file changes (the server re-validates it).
          if (root.dataset.watch) {
            var watch = new EventSource('/api/watch?file=' + encodeURIComponent(root.dataset.watch) + '&version=' + encodeURIComponent(root.dataset.version || ''));
            watch.addEventListener('changed', function () { watch.close(); window.location.reload(); });
            window.addEventListener('pagehide', function () { watch.close(); });
          }
          // A copy button on every code block (`pre > code`), added here: the server's HTML has none.
          function decorate(container) {
            var blocks = container.querySelectorAll('pre > code');
            for (var i = 0; i < blocks.length; i++) {
              var pre = blocks[i].parentNode;
              if (pre.querySelector(':scope > .cui-copy')) { continue; }
              var button = document.createElement('button');
              button.type = 'button';
              button.className = 'cui-copy';
              button.textContent = 'Copy';
              button.setAttribute('aria-label', 'Copy the code');
              pre.classList.add('cui-code');
              pre.insertBefore(button, pre.firstChild);
            }
          }

          function copied(button, text) {
            button.textContent = text;
            button.dataset.state = text === 'Copied' ? 'copied' : 'failed';
            setTimeout(function () { button.textContent = 'Copy'; delete button.dataset.state; }, 1500);
          }

          document.addEventListener('click', function (event) {
            var button = event.target && event.target.closest ? event.target.closest('.cui-copy') : null;
            if (!button) { return; }
            event.preventDefault();
            var code = button.parentNode.querySelector(':scope > code');
            var text = code ? code.textContent : '';
            if (!navigator.clipboard || !navigator.clipboard.writeText) { copied(button, 'Copy failed'); return; }
            navigator.clipboard.writeText(text).then(function () { copied(button, 'Copied'); },
              function () { copied(button, 'Copy failed'); });
          });

          decorate(root);
          if (!root.dataset.session) { return; }
          var base = '/api/session/' + encodeURIComponent(root.dataset.session);
          var slots = {};

          function form() { return root.querySelector('form.cui-view'); }

          function partsFor(slotElement, text) {
            var parts = slots[slotElement.id];
            if (!parts) {
              parts = { settled: document.createElement(text ? 'pre' : 'div'), tail: document.createElement('div') };
              parts.settled.className = text ? 'cui-plain cui-settled' : 'cui-settled';
              parts.tail.className = 'cui-tail';
              slots[slotElement.id] = parts;
            }
            if (parts.settled.parentNode !== slotElement) {
              slotElement.textContent = '';
              slotElement.appendChild(parts.settled);
              slotElement.appendChild(parts.tail);
            }
            return parts;
          }

          function applySlot(patch) {
            var element = document.getElementById(patch.id);
            if (!element) { return; }
            var isText = typeof patch.text === 'string';
            if (patch.reset && !isText && !patch.settled && !patch.tail) {
              delete slots[patch.id];
              return;
            }
            if (patch.reset && isText && patch.text === '') {
              delete slots[patch.id];
              return;
            }
            var parts = partsFor(element, isText);
            if (patch.reset) { parts.settled.textContent = ''; parts.tail.textContent = ''; parts.tailHTML = ''; }
            if (isText) {
              parts.settled.appendChild(document.createTextNode(patch.text));
            } else {
              if (typeof patch.settled === 'string') {
                if (patch.replace) { parts.settled.innerHTML = patch.settled; }
                else { parts.settled.insertAdjacentHTML('beforeend', patch.settled); }
              }
              if (typeof patch.tail === 'string') {
                // `keep`: the new tail starts with that many code units of the last one.
                parts.tailHTML = typeof patch.keep === 'number' ? (parts.tailHTML || '').slice(0, patch.keep) + patch.tail : patch.tail;
                parts.tail.innerHTML = parts.tailHTML;
              }
            }
            decorate(element);
            root.dataset.patches = String((Number(root.dataset.patches) || 0) + 1);
          }

          function controlsByName(container) {
            var map = {};
            var list = container.querySelectorAll('input[name], textarea[name], select[name]');
            for (var i = 0; i < list.length; i++) {
              var c = list[i];
              var key = c.name + (c.type === 'checkbox' || c.type === 'radio' ? '=' + c.value : '');
              map[key] = c;
            }
            return map;
          }

          function applyView(html, fresh) {
            var template = document.createElement('template');
            template.innerHTML = html;
            var next = template.content.querySelector('form.cui-view');
            var current = form();
            if (!next || !current) { return; }
            // Keep what the user typed: values of enabled controls carry over, unless the server reset the UI.
            var active = document.activeElement;
            var activeKey = null;
            if (!fresh) {
              var old = controlsByName(current);
              var now = controlsByName(next);
              Object.keys(now).forEach(function (key) {
                var o = old[key], n = now[key];
                if (!o || n.disabled || o.disabled) { return; }
                if (n.type === 'checkbox' || n.type === 'radio') { n.checked = o.checked; }
                else if (o.dataset.touched) { n.value = o.value; n.dataset.touched = '1'; }
                if (o === active) { activeKey = key; }
              });
            }
            // Slots keep their streamed content; an empty slot (a placeholder) drops it.
            var slotList = next.querySelectorAll('.cui-slot[id]');
            for (var i = 0; i < slotList.length; i++) {
              var s = slotList[i];
              var parts = slots[s.id];
              if (parts && !s.querySelector('.cui-placeholder')) {
                s.textContent = '';
                s.appendChild(parts.settled);
                s.appendChild(parts.tail);
              } else if (s.querySelector('.cui-placeholder')) {
                delete slots[s.id];
              }
            }
            var errors = current.querySelector('.cui-form-errors');
            current.replaceWith(next);
            decorate(next);
            if (errors && !fresh) { next.insertBefore(errors, next.firstChild); }
            if (activeKey) {
              var again = controlsByName(next)[activeKey];
              if (again) { again.focus(); }
            }
          }

          function clearErrors() {
            var f = form();
            if (!f) { return; }
            var old = f.querySelectorAll('.cui-field-error, .cui-form-errors');
            for (var i = 0; i < old.length; i++) { old[i].remove(); }
          }

          function showErrors(diagnostics) {
            clearErrors();
            var f = form();
            if (!f || !diagnostics.length) { return; }
            var general = document.createElement('div');
            general.className = 'cui-form-errors';
            general.setAttribute('role', 'alert');
            diagnostics.forEach(function (d) {
              var p = document.createElement('p');
              p.className = 'cui-field-error';
              p.textContent = d.message + (d.hint ? ' (' + d.hint + ')' : '');
              var control = d.variable ? f.querySelector('[name="vars[' + CSS.escape(d.variable) + ']"], [name="vars[' + CSS.escape(d.variable) + '][]"]') : null;
              var field = control ? control.closest('.cui-field') : null;
              if (field) { field.appendChild(p); } else { general.appendChild(p); }
            });
            if (general.childNodes.length) { f.insertBefore(general, f.firstChild); }
          }

          function send(action, submitted) {
            var data = new URLSearchParams();
            if (submitted) {
              new FormData(submitted).forEach(function (value, name) { data.append(name, value); });
            }
            data.set('action', action);
            root.dataset.busy = '1';
            return fetch(base + '/action', {
              method: 'POST', body: data, credentials: 'same-origin',
              headers: { 'Content-Type': 'application/x-www-form-urlencoded' }
            }).then(function (response) {
              return response.json().then(function (body) {
                delete root.dataset.busy;
                if (body.diagnostics && body.diagnostics.length) { showErrors(body.diagnostics); }
                else { clearErrors(); }
              });
            }).catch(function () {
              delete root.dataset.busy;
              showErrors([{ message: 'the server did not answer', hint: 'is `customui serve` still running?' }]);
            });
          }

          root.addEventListener('submit', function (event) {
            var f = event.target;
            if (!f.matches || !f.matches('form.cui-view')) { return; }
            event.preventDefault();
            var action = (event.submitter && event.submitter.value) || 'run';
            send(action, f).then(function () {
              // Sent: the message fields empty (looked up again: a view patch may have replaced them).
              var name = action === 'follow-up' ? 'follow_up' : action === 'run' ? 'message' : null;
              var field = name && form() ? form().querySelector('[name="' + name + '"]') : null;
              if (field && !root.querySelector('.cui-form-errors')) { field.value = ''; delete field.dataset.touched; }
            });
          });

          root.addEventListener('input', function (event) {
            if (event.target && event.target.dataset) { event.target.dataset.touched = '1'; }
          });

          // Enter in the follow-up field sends the follow-up (not the form's first button, Run).
          root.addEventListener('keydown', function (event) {
            var t = event.target;
            if (event.key !== 'Enter' || !t || t.name !== 'follow_up') { return; }
            var button = form() && form().querySelector('button[value="follow-up"]');
            if (button) { event.preventDefault(); form().requestSubmit(button); }
          });

          var events = new EventSource(base + '/events');
          events.addEventListener('view', function (e) { var d = JSON.parse(e.data); applyView(d.html, d.fresh); });
          events.addEventListener('slot', function (e) { applySlot(JSON.parse(e.data)); });
          events.addEventListener('status', function (e) { root.dataset.status = JSON.parse(e.data).status; });
          events.addEventListener('open', function () { root.dataset.connected = '1'; });
          window.addEventListener('pagehide', function () { events.close(); });
        })();
        """#
}

/// Styles the server adds to the engine's stylesheet: the page around the UI, the gallery, the
/// runtime's states, and the narrow-screen rules.
enum ServerStylesheet {
    static let css = """
        .cui-serve-nav { max-width: 1120px; margin: 0 auto; padding: 10px 16px 0; font: 14px system-ui, sans-serif; }
        .cui-serve-nav a { color: #3558d6; text-decoration: none; } .cui-serve-nav a:hover { text-decoration: underline; }
        .cui-tail { opacity: 0.92; }
        .cui-settled > :first-child, .cui-settled:empty + .cui-tail > :first-child { margin-top: 0; }
        .cui-slot pre, .cui-slot code { font-family: var(--cui-mono-font); }
        .cui-slot pre { overflow-x: auto; background: rgba(20, 30, 60, 0.05); padding: 10px; border-radius: 6px; }
        pre.cui-code { position: relative; padding-top: 34px; }
        .cui-copy { position: absolute; top: 6px; right: 6px; font: 12px system-ui, sans-serif; padding: 2px 8px; border: 1px solid var(--cui-border, #d9dce5); border-radius: 6px; background: var(--cui-surface, #fff); color: var(--cui-muted, #5d6475); cursor: pointer; opacity: 0.85; }
        .cui-copy:hover, .cui-copy:focus-visible, .cui-copy[data-state] { opacity: 1; }
        .cui-copy[data-state="copied"] { color: #17794a; border-color: #17794a; }
        .cui-slot table { display: block; overflow-x: auto; border-collapse: collapse; max-width: 100%; }
        .cui-slot th, .cui-slot td { border: 1px solid var(--cui-border); padding: 4px 8px; word-break: normal; }
        .cui-slot img { max-width: 100%; }
        .cui-image-link::before { content: "\\1F5BC\\FE0F  "; }
        .cui-form-errors { display: flex; flex-direction: column; gap: 4px; }
        .cui-field-error { margin: 4px 0 0; color: #b42318; font-size: 0.9em; }
        .cui-form-errors .cui-field-error { margin: 0; padding: 8px 10px; border: 1px solid #f1b5ae; border-radius: 6px; background: #fdf0ee; }
        .cui input:disabled, .cui textarea:disabled, .cui select:disabled { background: #eef0f4; color: var(--cui-muted); cursor: not-allowed; }
        .cui-live-preview:has(~ .cui-final) { display: none; }
        .cui-gallery { max-width: 1120px; margin: 0 auto; display: flex; flex-direction: column; gap: 16px; }
        .cui-gallery-search { display: flex; flex-wrap: wrap; gap: 8px; align-items: flex-end; }
        .cui-gallery-search label { display: flex; flex-direction: column; font-size: 0.85em; color: var(--cui-muted); gap: 2px; }
        .cui-gallery-search input, .cui-gallery-search select { font: inherit; height: 38px; box-sizing: border-box; padding: 6px 8px; border: 1px solid var(--cui-border); border-radius: 6px; background: var(--cui-surface); color: var(--cui-foreground); }
        .cui-gallery-search .cui-button { height: 38px; }
        .cui-gallery-list { list-style: none; margin: 0; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 12px; }
        .cui-gallery-item { background: var(--cui-surface); border: 1px solid var(--cui-border); border-radius: var(--cui-radius); padding: 14px; display: flex; flex-direction: column; gap: 6px; }
        .cui-gallery-item h2 { font-size: 1.05em; margin: 0; }
        .cui-gallery-item h2 a { color: var(--cui-accent); text-decoration: none; }
        .cui-gallery-item p { margin: 0; }
        .cui-gallery-meta { font-size: 0.85em; color: var(--cui-muted); display: flex; flex-wrap: wrap; gap: 6px 10px; }
        .cui-featured { border-color: var(--cui-accent); }
        .cui-tag { background: #eef1fb; color: #2a3f8f; border-radius: 999px; padding: 0 8px; font-size: 0.8em; }
        .cui-preview-bar { max-width: 1120px; margin: 0 auto; padding: 8px 16px; display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; font: 14px system-ui, sans-serif; color: var(--cui-muted, #5d6475); }
        .cui-preview-bar form { display: flex; gap: 8px; align-items: center; }
        .cui-preview-bar select { font: inherit; padding: 4px 6px; }
        .cui-stars { border: 0; margin: 0; padding: 0; display: flex; gap: 4px; align-items: center; }
        .cui-stars legend { float: left; margin-right: 6px; }
        .cui-preview-ok { color: #17794a; } .cui-preview-failed { color: #b42318; }
        .cui-diagnostics { white-space: pre-wrap; overflow-x: auto; background: #1b1f2a; color: #f1f3f8; padding: 12px; border-radius: 8px; font-family: var(--cui-mono-font); font-size: 0.85em; }
        @media (max-width: 600px) {
          .cui { padding: 10px; }
          .cui-row { flex-direction: column; }
          .cui-row > * { min-width: 0; }
          .cui-row > .cui-button { align-self: stretch; }
          .cui-grid { grid-template-columns: 1fr; }
        }
        @media (prefers-color-scheme: dark) {
          body { background: #12151c; }
          .cui { --cui-background: #12151c; --cui-foreground: #e6e8ee; --cui-muted: #a3aaba; --cui-surface: #1b2029; --cui-border: #333a48; --cui-accent: #8ea6ff; }
          .cui a, .cui-serve-nav a { color: #8ea6ff; }
          .cui-error, .cui-field-error { color: #ff9d94; }
          .cui-form-errors .cui-field-error { background: #3a1d1b; border-color: #6b2c27; }
          .cui input, .cui input[type=text], .cui input[type=number], .cui textarea, .cui select { background: #141820; color: var(--cui-foreground); border-color: var(--cui-border); }
          .cui input:disabled, .cui textarea:disabled, .cui select:disabled { background: #232834; color: var(--cui-muted); }
          .cui-button { background: var(--cui-surface); color: var(--cui-foreground); }
          .cui-button.cui-run { color: #0d1120; }
          .cui-status-completed { color: #6fdc9c; } .cui-status-failed { color: #ff9d94; }
          .cui-tag { background: #26304d; color: #c9d3ff; }
          .cui-slot pre { background: rgba(255, 255, 255, 0.06); }
          .cui-copy[data-state="copied"] { color: #6fdc9c; border-color: #6fdc9c; }
          .hl-keyword { color: #ff7b72; } .hl-string { color: #a5d6ff; } .hl-comment { color: #8b949e; }
          .hl-number, .hl-literal, .hl-property, .hl-attribute, .hl-entity { color: #79c0ff; }
          .hl-type, .hl-variable { color: #ffa657; } .hl-function, .hl-meta { color: #d2a8ff; } .hl-tag { color: #7ee787; }
        }
        """
}
