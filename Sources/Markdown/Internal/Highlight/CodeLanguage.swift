/// The languages the HTML renderer highlights, and the lexical rules of each.
///
/// A fenced code block's info string names the language (its first word, case-insensitive, as
/// the `language-` class has it); anything not listed here is written as plain escaped text.
enum CodeLanguage: Equatable {
    case json, javascript, typescript, python, swift, sql, shell, markup

    /// The language an info string's first word names, if it is one the renderer highlights.
    init?(info: String) {
        let word = info.prefix { $0 != " " && $0 != "\t" && $0 != "\n" }.lowercased()
        switch word {
        case "json", "jsonc", "json5", "jsonl", "ndjson", "geojson": self = .json
        case "js", "javascript", "jsx", "mjs", "cjs", "node": self = .javascript
        case "ts", "typescript", "tsx", "mts", "cts": self = .typescript
        case "py", "python", "python3", "py3", "gyp": self = .python
        case "swift": self = .swift
        case "sql", "postgres", "postgresql", "psql", "mysql", "sqlite", "plsql", "tsql": self = .sql
        case "sh", "bash", "shell", "zsh", "ksh", "dash", "shellscript": self = .shell
        case "html", "htm", "xhtml", "xml", "svg", "plist", "xsd", "xsl", "xslt", "rss", "atom", "vue":
            self = .markup
        default: return nil
        }
    }

    /// The lexical rules of a language written with identifiers, strings and comments (all but markup).
    var rules: LexicalRules {
        switch self {
        case .json: return LexicalRules.json
        case .javascript: return LexicalRules.javascript
        case .typescript: return LexicalRules.typescript
        case .python: return LexicalRules.python
        case .swift: return LexicalRules.swift
        case .sql: return LexicalRules.sql
        case .shell, .markup: return LexicalRules.shell
        }
    }
}

/// What a token is: the CSS class its span gets (`hl-…`, styled by the page's stylesheet).
enum TokenKind {
    case keyword, string, comment, number, literal, type, function, variable, property, meta, tag, attribute, entity

    var className: StaticString {
        switch self {
        case .keyword: return "hl-keyword"
        case .string: return "hl-string"
        case .comment: return "hl-comment"
        case .number: return "hl-number"
        case .literal: return "hl-literal"
        case .type: return "hl-type"
        case .function: return "hl-function"
        case .variable: return "hl-variable"
        case .property: return "hl-property"
        case .meta: return "hl-meta"
        case .tag: return "hl-tag"
        case .attribute: return "hl-attribute"
        case .entity: return "hl-entity"
        }
    }
}

/// The lexical rules of one language, for ``CodeHighlighter``.
struct LexicalRules {
    /// Bytes that start a comment running to the end of the line (`//`, `#`, `--`).
    var lineComments: [[UInt8]] = []
    /// A comment's opening and closing (`/*`, `*/`).
    var blockComment: ([UInt8], [UInt8])? = nil
    /// Whether block comments nest (Swift).
    var nestedComments = false
    /// Quote characters that open a string; strings end at the line's end unless listed in `multilineQuotes`.
    var quotes: [UInt8] = [0x22]
    /// Quote characters whose strings may span lines (JavaScript's template literals, the shell's quotes).
    var multilineQuotes: [UInt8] = []
    /// Whether three quotes open a string that runs to three quotes (Python, Swift).
    var tripleQuotes = false
    /// Whether a backslash escapes the next byte in strings (`false`: a doubled quote does, as in SQL).
    var backslashEscapes = true
    /// Quote characters whose strings know no escapes at all (the shell's `'…'`).
    var rawQuotes: [UInt8] = []
    /// Whether a `"…"` string followed by `:` is a property name (JSON's keys).
    var propertyKeys = false
    /// Letters that may prefix a string (Python's `r`, `b`, `f`, `u`).
    var stringPrefixes: [UInt8] = []
    /// A byte that starts an attribute or decorator (`@`), written with the name after it.
    var decorator: UInt8? = nil
    /// Whether `#name` is a compiler directive (Swift's `#if`, `#available`).
    var hashDirectives = false
    /// Whether `$NAME`, `${…}` and `$1` are variables (the shell).
    var dollarVariables = false
    /// Whether `#` starts a comment only at a word's start (the shell: `a#b` is a word).
    var commentAtWordStart = false
    /// Whether keywords match in any case (SQL).
    var caseInsensitive = false
    /// Whether an identifier directly before `(` is a function name.
    var functionCalls = true
    /// Whether a capitalised identifier is a type name.
    var capitalisedTypes = false
    var keywords: Set<String> = []
    var literals: Set<String> = []
    var types: Set<String> = []

    static let json = LexicalRules(
        lineComments: [Array("//".utf8)], blockComment: (Array("/*".utf8), Array("*/".utf8)), propertyKeys: true,
        functionCalls: false, literals: ["true", "false", "null"])

    private static let javascriptKeywords: Set<String> = [
        "async", "await", "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do",
        "else", "export", "extends", "finally", "for", "from", "function", "get", "if", "import", "in", "instanceof",
        "let", "new", "of", "return", "set", "static", "super", "switch", "this", "throw", "try", "typeof", "var",
        "void", "while", "with", "yield", "as",
    ]

    static let javascript = LexicalRules(
        lineComments: [Array("//".utf8)], blockComment: (Array("/*".utf8), Array("*/".utf8)),
        quotes: [0x22, 0x27, 0x60], multilineQuotes: [0x60], decorator: 0x40, capitalisedTypes: true,
        keywords: javascriptKeywords, literals: ["true", "false", "null", "undefined", "NaN", "Infinity"])

    static let typescript: LexicalRules = {
        var rules = javascript
        rules.keywords.formUnion([
            "interface", "type", "enum", "implements", "namespace", "declare", "readonly", "private", "public",
            "protected", "abstract", "keyof", "satisfies", "is", "infer", "module", "override",
        ])
        rules.types = ["string", "number", "boolean", "any", "unknown", "never", "void", "object", "bigint", "symbol"]
        return rules
    }()

    static let python = LexicalRules(
        lineComments: [Array("#".utf8)], quotes: [0x22, 0x27], tripleQuotes: true,
        stringPrefixes: Array("rRbBfFuU".utf8), decorator: 0x40, capitalisedTypes: true,
        keywords: [
            "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else",
            "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or",
            "pass", "raise", "return", "try", "while", "with", "yield", "match", "case", "self",
        ],
        literals: ["True", "False", "None"],
        types: ["int", "float", "str", "bool", "list", "dict", "set", "tuple", "bytes", "object", "type"])

    static let swift = LexicalRules(
        lineComments: [Array("//".utf8)], blockComment: (Array("/*".utf8), Array("*/".utf8)), nestedComments: true,
        tripleQuotes: true, decorator: 0x40, hashDirectives: true, capitalisedTypes: true,
        keywords: [
            "actor", "associatedtype", "async", "await", "break", "case", "catch", "class", "continue", "default",
            "defer", "deinit", "do", "else", "enum", "extension", "fallthrough", "fileprivate", "final", "for", "func",
            "guard", "if", "import", "in", "init", "inout", "internal", "is", "as", "lazy", "let", "mutating",
            "nonisolated", "open", "operator", "override", "private", "protocol", "public", "repeat", "rethrows",
            "return", "self", "Self", "some", "any", "static", "struct", "subscript", "super", "switch", "throw",
            "throws", "try", "typealias", "var", "weak", "where", "while", "consuming", "borrowing", "sending",
        ],
        literals: ["true", "false", "nil"])

    static let sql = LexicalRules(
        lineComments: [Array("--".utf8)], blockComment: (Array("/*".utf8), Array("*/".utf8)), quotes: [0x27],
        multilineQuotes: [0x27], backslashEscapes: false, caseInsensitive: true,
        keywords: [
            "ADD", "ALL", "ALTER", "AND", "AS", "ASC", "BEGIN", "BETWEEN", "BY", "CASCADE", "CASE", "CHECK", "COMMIT",
            "CONFLICT", "CONSTRAINT", "CREATE", "CROSS", "DATABASE", "DEFAULT", "DELETE", "DESC", "DISTINCT", "DO",
            "DROP", "ELSE", "END", "EXCEPT", "EXISTS", "FOREIGN", "FROM", "FULL", "GRANT", "GROUP", "HAVING", "IF",
            "IN", "INDEX", "INNER", "INSERT", "INTERSECT", "INTO", "IS", "JOIN", "KEY", "LEFT", "LIKE", "LIMIT", "NOT",
            "OFFSET", "ON", "OR", "ORDER", "OUTER", "OVER", "PARTITION", "PRIMARY", "REFERENCES", "RETURNING", "RIGHT",
            "ROLLBACK", "SELECT", "SET", "TABLE", "THEN", "TRANSACTION", "TRIGGER", "UNION", "UNIQUE", "UPDATE",
            "USING", "VALUES", "VIEW", "WHEN", "WHERE", "WITH", "RECURSIVE", "ILIKE", "RETURNS", "REPLACE",
        ],
        literals: ["NULL", "TRUE", "FALSE"],
        types: [
            "INT", "INTEGER", "BIGINT", "SMALLINT", "SERIAL", "BIGSERIAL", "TEXT", "VARCHAR", "CHAR", "BOOLEAN", "BOOL",
            "DATE", "TIME", "TIMESTAMP", "TIMESTAMPTZ", "NUMERIC", "DECIMAL", "REAL", "FLOAT", "DOUBLE", "BLOB",
            "JSON", "JSONB", "UUID", "BYTEA", "INTERVAL",
        ])

    static let shell = LexicalRules(
        lineComments: [Array("#".utf8)], quotes: [0x22, 0x27], multilineQuotes: [0x22, 0x27], rawQuotes: [0x27],
        dollarVariables: true,
        commentAtWordStart: true, functionCalls: false,
        keywords: [
            "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "in",
            "function", "return", "export", "local", "readonly", "set", "unset", "source", "exit", "shift", "trap",
            "select", "declare", "eval", "exec",
        ],
        literals: ["true", "false"])
}
