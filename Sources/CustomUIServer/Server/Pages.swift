import CustomUI
import CustomUICore
import Foundation
import TemplateLibrary

/// Escaping for the server's own pages: the HTML renderer's own escaping (`HTMLEscaping`), so there
/// is one escaping point; the UI itself is written by `HTMLRenderer`.
enum Escape {
    static func text(_ s: String) -> String { HTMLEscaping.escape(s) }

    /// A path segment for a URL (everything but unreserved characters and `/` percent-encoded).
    static func path(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~/")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// A query value.
    static func query(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

/// The server's pages: the shell around a UI, the gallery, errors.
enum Pages {
    /// The security headers of every page (HTTP headers: browsers ignore `frame-ancestors` in `<meta>`).
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static let securityHeaders: [(name: String, value: String)] = [
        ("Content-Security-Policy", contentSecurityPolicy),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
        ("Cache-Control", "no-store"),
    ]

    static func html(_ status: Int, _ body: String) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "text/html; charset=utf-8", text: body, headers: securityHeaders)
    }

    static func plainError(_ status: Int, _ message: String) -> HTTPResponse {
        HTTPResponse(
            status: status, contentType: "text/plain; charset=utf-8", text: message + "\n", headers: securityHeaders)
    }

    /// The document head and the navigation back to the gallery (not on the gallery itself);
    /// `session` and `themed` add the runtime's hooks.
    /// `noScriptRefresh`: where a browser without script goes at once (an auto-run UI's run).
    static func head(
        title: String, session: String? = nil, themed: Bool = false, script: Bool = true,
        noScriptRefresh: String? = nil,
        galleryLink: Bool = true
    ) -> String {
        var out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        out +=
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>\(Escape.text(title))</title>\n"
        out += "<link rel=\"stylesheet\" href=\"/assets/customui.css\">\n"
        if let session, themed { out += "<link rel=\"stylesheet\" href=\"/api/session/\(session)/theme.css\">\n" }
        if script, session != nil { out += "<script src=\"/assets/runtime.js\" defer></script>\n" }
        if let noScriptRefresh {
            out +=
                "<noscript><meta http-equiv=\"refresh\" content=\"0; url=\(Escape.text(noScriptRefresh))\"></noscript>\n"
        }
        out += "</head>\n<body>\n"
        if galleryLink { out += "<nav class=\"cui-serve-nav\"><a href=\"/\">← Gallery</a></nav>\n" }
        return out
    }

    static let foot = "</body>\n</html>\n"

    /// The 404 page: the same for an unknown UI and for another user's private one.
    static func notFound() -> HTTPResponse {
        html(
            404,
            head(title: "Not found")
                + "<main class=\"cui\"><div class=\"cui-gallery\"><h1>Not found</h1><p>There is no such UI, or it is not shared with you.</p><p><a href=\"/\">Back to the gallery</a></p></div></main>\n"
                + foot)
    }

    /// Diagnostics as the CLI prints them, in a `<pre>`, escaped.
    static func diagnosticsFragment(_ diagnostics: [Diagnostic], sources: [SourceFile]) -> String {
        let text = DiagnosticRenderer(sources: sources, color: false).render(diagnostics)
        return "<pre class=\"cui-diagnostics\" role=\"alert\">\(Escape.text(TerminalSafe.clean(text)))</pre>\n"
    }

    static func invalid(_ title: String, _ diagnostics: [Diagnostic], sources: [SourceFile]) -> HTTPResponse {
        html(
            422,
            head(title: title)
                + "<main class=\"cui\"><div class=\"cui-gallery\"><h1>\(Escape.text(title)) does not validate</h1>\n"
                + diagnosticsFragment(diagnostics, sources: sources) + "</div></main>\n" + foot)
    }

    /// The gallery: local files, then the library's UIs the viewer can see, featured first.
    static func gallery(
        local: [String], entries: [LibraryEntry], query: String, category: String?, tag: String?, categories: [String],
        user: String, banner: String = ""
    ) -> String {
        var out = head(title: "CustomUI gallery", galleryLink: false)
        out += "<main class=\"cui\"><div class=\"cui-gallery\">\n<h1>Custom UIs</h1>\n" + banner
        out += "<form class=\"cui-gallery-search\" method=\"get\" action=\"/\" role=\"search\">\n"
        out += "<label>Search <input type=\"search\" name=\"q\" value=\"\(Escape.text(query))\"></label>\n"
        out += "<label>Category <select name=\"category\"><option value=\"\">All</option>"
        for c in categories {
            out += "<option value=\"\(Escape.text(c))\"\(c == category ? " selected" : "")>\(Escape.text(c))</option>"
        }
        out +=
            "</select></label>\n<label>Tag <input type=\"text\" name=\"tag\" value=\"\(Escape.text(tag ?? ""))\"></label>\n"
        out += "<button type=\"submit\" class=\"cui-button cui-run\">Filter</button>\n</form>\n"
        if !local.isEmpty {
            out += "<h2>Files</h2>\n<ul class=\"cui-gallery-list\">\n"
            for name in local {
                out +=
                    "<li class=\"cui-gallery-item\"><h2><a href=\"/ui/local/\(Escape.path(name))\">\(Escape.text(name))</a></h2><p class=\"cui-gallery-meta\">from the command line</p></li>\n"
            }
            out += "</ul>\n"
        }
        out += "<h2>Library</h2>\n"
        if entries.isEmpty {
            out +=
                "<p class=\"cui-text cui-tone-muted\">No UIs match. Publish one with <code>customui publish</code> or install the starters with <code>customui library install-starters</code>.</p>\n"
        } else {
            out += "<ul class=\"cui-gallery-list\">\n"
            for e in entries {
                let featured = e.definition.isFeatured
                out += "<li class=\"cui-gallery-item\(featured ? " cui-featured" : "")\">"
                out += "<h2><a href=\"/ui/\(Escape.path(e.uiID))\">\(Escape.text(e.definition.name))</a></h2>"
                if let d = e.definition.description, !d.isEmpty { out += "<p>\(Escape.text(d))</p>" }
                out += "<p class=\"cui-gallery-meta\">"
                if featured { out += "<span class=\"cui-badge cui-tone-info\">Featured</span>" }
                out += "<span>by \(Escape.text(e.owner == user ? "you" : e.owner))</span>"
                if let c = e.category { out += "<span>\(Escape.text(c))</span>" }
                if let r = e.ratingAverage {
                    out += "<span>★ \(String(format: "%.1f", r)) (\(e.ratingCount))</span>"
                } else {
                    out += "<span>not rated</span>"
                }
                out += "<span>\(e.uiUseCount) use\(e.uiUseCount == 1 ? "" : "s")</span>"
                if !e.definition.isPublic { out += "<span>private</span>" }
                if e.definition.status != .active { out += "<span>\(Escape.text(e.definition.status.rawValue))</span>" }
                out += "</p>"
                if !e.tags.isEmpty {
                    out += "<p class=\"cui-gallery-meta\">"
                    for t in e.tags {
                        out += "<a class=\"cui-tag\" href=\"/?tag=\(Escape.query(t))\">\(Escape.text(t))</a>"
                    }
                    out += "</p>"
                }
                out += "</li>\n"
            }
            out += "</ul>\n"
        }
        out += "</div></main>\n" + foot
        return out
    }
}

/// Text that reaches a page from diagnostics: control characters (other than line ends and tabs) shown as `�`.
enum TerminalSafe {
    static func clean(_ s: String) -> String {
        String(
            String.UnicodeScalarView(
                s.unicodeScalars.map { c in
                    (c.value < 0x20 && c != "\n" && c != "\t") || c.value == 0x7F ? "\u{FFFD}" : c
                }))
    }
}
