import CustomUI
import CustomUICore
import Foundation

/// `customui lsp`: the Language Server Protocol over standard input and output.
enum LSPCommand: Command {
    static let name = "lsp"
    static let summary = "run the language server (LSP over stdio) for editors"
    static let help = """
        usage: customui lsp [--stdio]

        Speaks the Language Server Protocol on standard input and output (`Content-Length` framing,
        JSON-RPC 2.0) for templates (`.ui.xml`), definition JSON and prompt files: diagnostics as
        `customui validate` reports them (with the sibling NAME.prompt.json), completion, hover,
        go to definition and formatting. See docs/editors.md for editor set-up. `--stdio` is
        accepted for clients that pass it; it is the only transport.

        exit status: 0 after `shutdown` then `exit`, 1 when the client exits or vanishes without
        `shutdown`
        """

    static func run(_ arguments: inout Arguments, console: Console) throws -> Int32 {
        _ = arguments.flag("--stdio")
        let extra = try arguments.positionals()
        guard extra.isEmpty else { throw UsageError("`lsp` takes no files; the editor opens them") }
        signal(SIGPIPE, SIG_IGN)
        let server = LanguageServer()
        var framer = LSPFramer()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return ExitCode.failure
            }
            // The client closed its end: a clean exit, successful only after `shutdown`.
            if count == 0 { return server.exitCode }
            for event in framer.push(buffer[0..<count]) {
                var replies: [String]
                switch event {
                case .message(let body):
                    replies = server.handle(body)
                case .badHeader(let reason):
                    replies = [
                        LanguageServer.errorResponse(
                            id: .null, code: LanguageServer.ErrorCode.parseError,
                            message: "malformed message header: \(reason)")
                    ]
                case .tooLarge(let length):
                    replies = [
                        LanguageServer.errorResponse(
                            id: .null, code: LanguageServer.ErrorCode.invalidRequest,
                            message:
                                "a message of \(length) bytes is over the limit of \(framer.maxMessageBytes) bytes; it was skipped"
                        )
                    ]
                }
                for reply in replies {
                    guard send(LSPFramer.frame(reply)) else { return ExitCode.failure }
                }
                if server.exitRequested { return server.exitCode }
            }
        }
    }

    /// Writes all of `bytes` to standard output; false when the client has gone.
    static func send(_ bytes: [UInt8]) -> Bool {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            written += n
        }
        return true
    }
}
