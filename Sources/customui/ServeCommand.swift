import CustomUI
import CustomUIServer
import Dispatch
import Foundation
import Streaming
import TemplateLibrary

/// `customui serve`: the gallery and live runner pages in a browser (docs/serve.md).
enum ServeCommand: Command {
    static let name = "serve"
    static let summary = "serve the gallery and live runner pages to a browser"
    static let help = """
        usage: customui serve [FILE...] [--library FILE] [--user NAME] [--port N] [--host ADDR]
                              [--replay FILE | --replay-dir DIR] [--no-pace] [--speed X]
                              [--backend URL --protocol unified|agent|openai] [--prompts DIR]...
                              [--watch FILE]... [--max-runs N] [--max-body-bytes N]
                              [--max-header-bytes N] [--max-connections N]

        Serves, on http://127.0.0.1:8080/ by default:
          /                     the gallery: your UIs and the library's public active ones
          /ui/ID or /ui/OWNER/NAME   a library UI, live: fill its inputs, run, watch the answer stream
          /ui/local/NAME        a UI file named on the command line (NAME.ui.xml → NAME), read again
                                on every load
          /preview              with --watch FILE: the author's loop. Save the file (or its prompt or
                                props) and the page re-validates and re-renders; diagnostics are shown
                                as `customui validate` prints them; pick the recording replayed into it

        where answers come from (first that applies):
          --backend URL         a live server (--protocol unified, agent or openai); the bearer token is
                                read from CUSTOMUI_API_TOKEN and never reaches the browser
          --replay FILE         this recorded NDJSON stream for every run
          --replay-dir DIR      DIR/NAME.stream.ndjson for the UI NAME, else DIR/default.stream.ndjson
          NAME.stream.ndjson beside a UI file
        Replays run at their recorded pace (--speed 2: twice as fast; --no-pace: at once).

        options:
          --host ADDR           the address to bind (default 127.0.0.1; the page refuses other Host names)
          --port N              the port (default 8080; 0 picks a free one)
          --library PATH        the library (default: $CUSTOMUI_LIBRARY, else ~/.local/share/customui/library.sqlite)
          --user NAME           who is viewing a library file (default: $CUSTOMUI_USER, else the login
                                name). On a PostgreSQL library each request acts as the `sub` of its
                                HS256 token (`Authorization: Bearer`, or the cookie POST /auth/token
                                sets), checked against $CUSTOMUI_JWT_SECRET_FILE; no token: public UIs only
          --prompts DIR         where library UIs' prompts are found by id (*.prompt.json; default: the starters' folder)
          --timeout SECONDS     a backend run gives up after this long without any event (120)

        limits (each breach is refused with a message naming the limit):
          --max-runs N          runs in flight over every page (default 64, at most 1024)
          --max-body-bytes N    a request body (default 262144, at most 16777216; larger: 413)
          --max-header-bytes N  a request's header lines (default 32768, at most 262144; larger: 431)
          --max-connections N   open connections, event streams included (default 512, at most 4096)

        Ctrl-C stops the server; runs in progress are cancelled.
        """

    static func run(_ arguments: inout Arguments, console: Console) throws -> Int32 {
        let host = try arguments.value("--host") ?? "127.0.0.1"
        let port = try arguments.integer("--port", in: 0...65535) ?? 8080
        let libraryPath = try arguments.value("--library")
        let explicitUser = try arguments.value("--user")
        let replay = try arguments.value("--replay")
        let replayDirectory = try arguments.value("--replay-dir")
        let noPace = arguments.flag("--no-pace")
        let speed = try arguments.value("--speed").map { text throws(UsageError) -> Double in
            guard let v = Double(text), v > 0, v <= 1000 else {
                throw UsageError("`--speed` takes a positive number, not `\(text)`")
            }
            return v
        }
        let environment = ProcessInfo.processInfo.environment
        let backend =
            try arguments.value("--backend")
            ?? (replay == nil && replayDirectory == nil ? environment["CUSTOMUI_BACKEND_URL"] : nil)
        let protocolName = try arguments.choice(
            "--protocol", ["unified", "agent", "openai"], default: environment["CUSTOMUI_PROTOCOL"] ?? "unified")
        let timeout = try arguments.integer("--timeout", in: 1...86_400) ?? 120
        let maxRuns = try arguments.integer("--max-runs", in: 1...ServerOptions.runsCeiling)
        let maxBody = try arguments.integer("--max-body-bytes", in: 1024...HTTPLimits.bodyCeiling)
        let maxHeader = try arguments.integer("--max-header-bytes", in: 1024...HTTPLimits.headerCeiling)
        let maxConnections = try arguments.integer("--max-connections", in: 16...HTTPLimits.connectionCeiling)
        var promptDirectories = try arguments.values("--prompts")
        let watch = try arguments.values("--watch")
        let files = try arguments.positionals() + watch
        if backend != nil, replay != nil || replayDirectory != nil {
            throw UsageError("give either --replay/--replay-dir or --backend, not both")
        }
        for file in files where !FileManager.default.isReadableFile(atPath: file) {
            throw UsageError("file `\(file)` does not exist")
        }
        if let replay, !FileManager.default.isReadableFile(atPath: replay) {
            throw UsageError("file `\(replay)` does not exist")
        }
        if promptDirectories.isEmpty, let starters = LibraryCommand.starterDirectory() {
            promptDirectories = [starters]
        }

        let answers: AnswerSource
        if let backend {
            guard let url = URL(string: backend), url.scheme == "http" || url.scheme == "https" else {
                throw UsageError("`--backend` takes an http or https URL, not `\(backend)`")
            }
            answers = .backend(
                TransportConfiguration(baseURL: url, timeout: .seconds(timeout)), protocolName: protocolName)
        } else {
            answers = .replay(file: replay, directory: replayDirectory, pace: !noPace, speed: speed ?? 1)
        }
        var library: Library?
        // A shared library's viewer comes from each request's verified token (checked against
        // CUSTOMUI_JWT_SECRET_FILE); a file's is --user for every request.
        let libraryLocation = LibraryLocation.path(explicit: libraryPath)
        let user = LibraryLocation.user(explicit: explicitUser)
        var tokenSecret: [UInt8]?
        if LibraryLocation.isPostgres(libraryLocation) {
            if let explicitUser, !explicitUser.isEmpty {
                throw UsageError(
                    "`--user` names the viewer only for a library file; on a shared library each request's token does")
            }
            do {
                tokenSecret = try VerifiedToken.readSecret(path: environment["CUSTOMUI_JWT_SECRET_FILE"])
            } catch {
                console.err("customui serve: \(error)\n")
                return ExitCode.failure
            }
        }
        do {
            library = try Library.open(libraryLocation, recorderUser: tokenSecret == nil ? user : nil)
        } catch {
            console.err("customui serve: warning: no library (only the files given are served): \(error)\n")
        }
        var options = ServerOptions(user: user, answers: answers)
        options.tokenSecret = tokenSecret
        options.host = host
        options.port = port
        options.watch = watch
        if let maxRuns { options.maxConcurrentRuns = maxRuns }
        if let maxBody { options.limits.maxBodyBytes = maxBody }
        if let maxHeader { options.limits.maxHeaderBytes = maxHeader }
        if let maxConnections { options.limits.maxConnections = maxConnections }
        let server = UIServer(
            catalog: Catalog(files: files, library: library, promptDirectories: promptDirectories), options: options)
        do {
            try server.start()
        } catch {
            console.err("customui serve: \(error)\n")
            return ExitCode.failure
        }
        // Set before the address is printed, so a client that signals once it has read it is heard
        // (SignalRelay: no window in which a signal is lost).
        let stop = DispatchSemaphore(value: 0)
        SignalRelay.install([SIGINT, SIGTERM]) { _ in stop.signal() }
        console.out("customui serve: \(server.url)/ (Ctrl-C to stop)\n")
        for name in server.catalog.localFiles.keys.sorted() { console.out("  \(server.url)/ui/local/\(name)\n") }
        if !watch.isEmpty {
            console.out("  \(server.url)/preview (watching \(watch.count) file\(watch.count == 1 ? "" : "s"))\n")
        }

        stop.wait()
        SignalRelay.uninstall([SIGINT, SIGTERM])
        server.stop()
        console.err("customui serve: stopped\n")
        return ExitCode.ok
    }
}
