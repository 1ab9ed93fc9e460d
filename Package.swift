// swift-tools-version: 6.0
// CustomUI: a sandboxed custom-UI template engine. No Swift package dependencies:
// Foundation, libxml2 (Debian libxml2-dev) for templates, SQLite (libsqlite3-dev) for the library store,
// GNU libmicrohttpd (libmicrohttpd-dev) for `customui serve`, libpq (libpq-dev) for a team library on PostgreSQL.
import PackageDescription

let package = Package(
    name: "CustomUI",
    products: [
        .library(name: "CustomUI", targets: ["CustomUI"]),
        .executable(name: "customui", targets: ["CustomUICommand"]),
        .executable(name: "customui-bench", targets: ["CustomUIBench"]),
    ],
    targets: [
        // System-library shims: a module map and pkg-config, nothing else.
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),

        // Pipeline stages; imports only point down this list.
        .target(name: "CustomUICore"),
        .target(name: "JSONSchema", dependencies: ["CustomUICore"]),
        .target(name: "Markdown", dependencies: ["CustomUICore"]),
        .target(name: "Streaming", dependencies: ["CustomUICore", "JSONSchema"]),
        .target(name: "CustomUI", dependencies: ["CustomUICore", "JSONSchema", "Markdown", "Streaming", "CLibXML2"]),
        .target(
            name: "TemplateLibrary", dependencies: ["CustomUI", "CustomUICore", "JSONSchema", "CSQLite", "CLibPQ"]),
        .target(
            name: "CustomUIServer",
            dependencies: [
                "TemplateLibrary", "CustomUI", "Streaming", "JSONSchema", "Markdown", "CustomUICore", "CMicroHTTPD",
            ]),

        // Thin executables: argument parsing, output and exit codes only.
        .executableTarget(
            name: "CustomUICommand",
            dependencies: [
                "CustomUIServer", "CustomUI", "TemplateLibrary", "Streaming", "JSONSchema", "Markdown", "CustomUICore",
            ],
            path: "Sources/customui"),
        .executableTarget(
            name: "CustomUIBench",
            dependencies: [
                "CustomUIServer", "CustomUI", "TemplateLibrary", "Streaming", "JSONSchema", "Markdown", "CustomUICore",
            ],
            path: "Sources/customui-bench"),

        // Where the conformance data is, shared by the suites that read it (not a product).
        .target(name: "TestSupport", path: "Tests/TestSupport"),

        .testTarget(name: "CustomUICoreTests", dependencies: ["CustomUICore"]),
        .testTarget(name: "JSONSchemaTests", dependencies: ["JSONSchema", "CustomUICore", "TestSupport"]),
        .testTarget(name: "MarkdownTests", dependencies: ["Markdown", "CustomUICore", "TestSupport"]),
        .testTarget(name: "StreamingTests", dependencies: ["Streaming", "CustomUI", "JSONSchema", "CustomUICore"]),
        // CustomUIServer: the XSS corpus also goes through the live page's patch paths.
        .testTarget(
            name: "CustomUITests",
            dependencies: [
                "CustomUI", "JSONSchema", "Markdown", "Streaming", "CustomUICore", "TestSupport", "CustomUIServer",
            ],
            // Read and re-recorded in place from the source tree (CUSTOMUI_RECORD=1), not from a bundle.
            exclude: ["Fixtures", "Snapshots"]),
        // Some of these run the built `customui` executable against real library files.
        .testTarget(
            name: "TemplateLibraryTests",
            dependencies: [
                "TemplateLibrary", "CustomUI", "CustomUICore", "CustomUICommand", "CustomUIServer", "JSONSchema",
            ]),
        .testTarget(
            name: "CustomUIServerTests",
            dependencies: [
                "CustomUIServer", "TemplateLibrary", "CustomUI", "Streaming", "Markdown", "JSONSchema", "CustomUICore",
                "TestSupport",
            ]),
        // End-to-end tests run the built `customui` executable.
        .testTarget(name: "CommandTests", dependencies: ["CustomUICommand"]),
        // The engine as an embedder sees it: public API only, no @testable import.
        .testTarget(name: "EmbeddingTests", dependencies: ["CustomUI", "CustomUICore", "Markdown", "Streaming"]),
    ]
)
