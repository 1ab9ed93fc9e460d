import CustomUI
import CustomUICore
import Dispatch
import Foundation
import Markdown
import Streaming
import TemplateLibrary

/// `customui run`: binds variables, executes the prompt over a transport and streams the answer
/// into the UI's slots, live on a terminal, as plain text when piped, or as a final HTML page.
enum RunCommand: Command {
    static let name = "run"
    static let summary = "run a custom UI: execute its prompt and stream the answer into its slots"
    static let help = """
        usage: customui run UI [--prompt FILE] [--props FILE] [--var NAME=VALUE]... [--message TEXT]...
                            [--replay FILE... [--pace] [--speed X]] [--backend URL --protocol unified|agent|openai]
                            [--model ID] [--format terminal|html] [--output FILE] [--timeout SECONDS]
                            [--pricing FILE] [--width N] [--no-input] [--verbose]

        Validates UI, binds its variables (prompt defaults < `bind`s from props < --var < what you
        type), resolves the prompt's messages, runs them, and streams the answer into the UI.

        where the answer comes from (first that applies):
          --replay FILE         a recorded NDJSON stream (see docs/streaming.md); --pace replays it at
                                its recorded speed (--speed 2 twice as fast); repeat it for one
                                recording per turn (`--replay a.ndjson --replay b.ndjson`)
          --backend URL         a live server: --protocol unified (POST /api/ai/chat/unified, default),
                                agent (POST /api/ai/agent/execute) or openai (POST /v1/chat/completions,
                                for OpenAI, Ollama, llama.cpp, vLLM); the bearer token is read from
                                CUSTOMUI_API_TOKEN and never printed
          CUSTOMUI_BACKEND_URL and CUSTOMUI_PROTOCOL in the environment, the same way
          NAME.stream.ndjson beside NAME.ui.xml (the bundled examples have one)

        options:
          --message TEXT        the user's message, appended after the prompt's messages; repeat it
                                for follow-ups (each further message is the next turn)
          --model ID            run with this model instead of the prompt's settings.model_id (sent
                                as `config_overrides.model_id` on the agent protocol)
          --format FORMAT       `terminal` (default; live in place on a terminal, plain text when piped)
                                or `html` (the final page)
          --output FILE, -o FILE
                                write the final output to FILE
          --timeout SECONDS     give up after this long without anything from the server: events,
                                heartbeats, SSE comments and blank keep-alive lines all count (120)
          --pricing FILE        prices per million tokens: { "model": { "input": 2.5, "output": 10 } }
          --width N             terminal width
          --no-input            never ask for missing variable values
          --verbose             also say what is left out of the request (settings that
                                `--protocol openai` drops because the API has no such parameter)
          --library PATH        record the run (and its usage, for a library UI) in this library
                                (default: $CUSTOMUI_LIBRARY, else ~/.local/share/customui/library.sqlite)
          --user NAME           who is running (default: $CUSTOMUI_USER, else the login name)
          --no-record           do not record the run

        UI may also name a UI in the library (its id, a version id, OWNER/NAME or NAME) when no such
        file exists: the version you see runs (a template or a `json-schema` UI alike), and the run
        and its usage are recorded linked to it (`customui runs list --ui NAME`).

        Ctrl-C, SIGTERM, SIGHUP and SIGQUIT cancel the run: the server is told (POST
        /api/ai/cancel/{id}, waited for at most about 3 s) and what already streamed is kept and
        recorded as cancelled. A closed standard output (`| head`) cancels it the same way. A run whose
        stream reports an `error` that no later successful `completion` recovers, a `completion` with
        status `failed`, or an `end` with reason `error` is failed (docs/streaming.md).
        Exit status: 0 completed, 1 refused, failed or cancelled, 2 usage or I/O error.
        """

    static func run(_ arguments: inout Arguments, console: Console) throws -> Int32 {
        let promptPath = try arguments.value("--prompt")
        let propsPath = try arguments.value("--props")
        let variables = try RenderCommand.pairs(try arguments.values("--var"), option: "--var")
        let messages = try arguments.values("--message")
        let message = messages.first
        let replayPaths = try arguments.values("--replay")
        let replayPath = replayPaths.first
        let pace = arguments.flag("--pace")
        let speed = try arguments.value("--speed").map { text throws(UsageError) -> Double in
            guard let v = Double(text), v > 0, v <= 1000 else {
                throw UsageError("`--speed` takes a positive number, not `\(text)`")
            }
            return v
        }
        let environment = ProcessInfo.processInfo.environment
        let backend =
            try arguments.value("--backend") ?? (replayPath == nil ? environment["CUSTOMUI_BACKEND_URL"] : nil)
        let backendProtocol = try arguments.choice(
            "--protocol", BackendProtocol.allCases,
            default: environment["CUSTOMUI_PROTOCOL"].flatMap(BackendProtocol.init(rawValue:)) ?? .unified)
        let model = try arguments.value("--model")
        let format = try arguments.choice("--format", [RenderFormat.terminal, .html], default: .terminal)
        let longOutput = try arguments.value("--output")
        let shortOutput = try arguments.value("-o")
        guard longOutput == nil || shortOutput == nil else { throw UsageError("give `--output` or `-o`, not both") }
        let outputPath = longOutput ?? shortOutput
        let timeout = try arguments.integer("--timeout", in: 1...86_400) ?? 120
        let pricingPath = try arguments.value("--pricing")
        let width = try arguments.integer("--width", in: 20...1000)
        let noInput = arguments.flag("--no-input")
        let verbose = arguments.flag("--verbose")
        let noRecord = arguments.flag("--no-record")
        let libraryPath = try arguments.value("--library")
        let libraryLocation = LibraryLocation.path(explicit: libraryPath)
        let explicitUser = try arguments.value("--user")
        // A shared library's user comes from a verified token; a file's from --user as before.
        var identityError: LibraryError?
        let user: String
        do {
            user = try LibraryLocation.actingUser(explicit: explicitUser, location: libraryLocation)
        } catch {
            user = ""
            identityError = error
        }
        let files = try arguments.positionals()
        guard files.count == 1, let path = files.first else { throw UsageError("name exactly one UI to run") }
        if replayPath != nil, backend != nil { throw UsageError("give either --replay or --backend, not both") }

        // Runs are recorded in the library; a library that cannot be opened only costs the record.
        let isFile = path == "-" || FileManager.default.fileExists(atPath: path)
        var library: Library?
        var libraryError: LibraryError?
        if !noRecord || !isFile {
            do throws(LibraryError) {
                if let identityError { throw identityError }
                library = try Library.open(libraryLocation, recorderUser: user)
            } catch {
                libraryError = error
                if !noRecord { console.err("customui run: warning: runs are not recorded: \(error)\n") }
            }
        }
        // A UI in the library: the version the user sees, as its file (a template, or the
        // definition JSON of a `json-schema` UI); its runs are linked to that version.
        var libraryUI: String?
        let ui: SourceFile
        if isFile {
            ui = try readInput(path)
        } else if let library {
            let entry: LibraryEntry
            do {
                entry = try library.entry(path, user: user)
            } catch {
                guard error.code == .libraryNotFound else {
                    console.err("customui run: \(error)\n")
                    return LibraryContext.exitCode(for: error)
                }
                throw UsageError("`\(path)` is neither a file nor a UI in the library")
            }
            let text = Library.text(of: entry, asDefinition: false)
            let suffix = entry.definition.componentType == .template ? "" : " (definition)"
            ui = SourceFile(path: "library:\(entry.owner)/\(entry.definition.name)\(suffix)", text: text)
            libraryUI = entry.definition.id
        } else {
            throw UsageError(
                "`\(path)` is neither a file nor a UI in the library\(libraryError.map { " (\($0.message))" } ?? "")")
        }
        let recorder: (any RunRecorder)? =
            noRecord ? nil : library.map { LinkedRunRecorder(library: $0, customUIID: libraryUI) }
        if libraryUI != nil, promptPath == nil { throw UsageError("a library UI needs its prompt: pass --prompt FILE") }
        let promptFile = try (promptPath ?? ValidateCommand.siblingPrompt(of: path)).map(readInput)
        let propsFile = try propsPath.map(readInput)
        let report = Validator.validate(ui: ui, prompt: promptFile, props: propsFile)
        let diagnostics = DiagnosticRenderer(sources: report.sources, color: console.colorErr)
        guard !report.hasErrors else {
            console.errRendered(diagnostics.render(report.diagnostics))
            console.err("\(ui.path): not run (\(DiagnosticRenderer.summary(report.diagnostics)))\n")
            return ExitCode.failure
        }
        guard var prompt = report.prompt else {
            throw UsageError("`run` needs the prompt: pass --prompt FILE (or put NAME.prompt.json beside the UI)")
        }
        if let model { prompt.settings["model_id"] = .string(model) }
        let props = report.props
        let (compiled, generationDiagnostics) = RenderPipeline.template(for: report, props: props)
        guard let template = compiled, !generationDiagnostics.hasErrors else {
            console.errRendered(diagnostics.render(generationDiagnostics))
            console.err("\(ui.path): not run\n")
            return ExitCode.failure
        }
        var pricing = PricingTable.standard
        if let pricingPath {
            let (table, pricingDiagnostics) = PricingTable.load(try readInput(pricingPath))
            guard let table else {
                console.errRendered(DiagnosticRenderer(color: console.colorErr).render(pricingDiagnostics))
                return ExitCode.usage
            }
            pricing = table
        }

        // The transport: --replay, --backend (or the environment), or the example's recording.
        let transport: any StreamTransport
        let sourceName: String
        if let backend {
            guard let url = URL(string: backend), url.scheme == "http" || url.scheme == "https" else {
                throw UsageError("`--backend` takes an http or https URL, not `\(backend)`")
            }
            let configuration = TransportConfiguration(
                baseURL: url, timeout: .seconds(timeout), cancelRequestTimeout: .seconds(2))
            sourceName = displayName(of: url)
            switch backendProtocol {
            case .agent: transport = AgentTransport(configuration: configuration)
            case .openai: transport = OpenAITransport(configuration: configuration)
            case .unified: transport = UnifiedChatTransport(configuration: configuration)
            }
        } else {
            let recordings = replayPaths.isEmpty ? siblingRecording(of: path).map { [$0] } ?? [] : replayPaths
            guard !recordings.isEmpty else {
                throw UsageError("no answer source: give --replay FILE or --backend URL (or set CUSTOMUI_BACKEND_URL)")
            }
            for recording in recordings where !FileManager.default.isReadableFile(atPath: recording) {
                throw UsageError("file `\(recording)` does not exist")
            }
            let replays = recordings.map {
                ReplayTransport(file: URL(fileURLWithPath: $0), pace: pace, speed: speed ?? 1)
            }
            sourceName = recordings.joined(separator: ", ")
            transport = replays.count == 1 ? replays[0] : TurnReplayTransport(replays)
        }

        let session = Session(
            template: template, prompt: prompt, props: props, variables: variables, transport: transport,
            recorder: recorder,
            pricing: pricing, user: user)
        session.sourceName = sourceName
        if let model, backend != nil, backendProtocol == .agent { session.configOverrides["model_id"] = .string(model) }
        if verbose, backend != nil, backendProtocol == .openai {
            let dropped = OpenAITransport.chatParameters(from: prompt.settings).dropped
            console.err(
                dropped.isEmpty
                    ? "customui run: every setting is a Chat Completions parameter; nothing dropped\n"
                    : "customui run: settings not sent (the OpenAI Chat Completions API has no such parameter): "
                        + dropped.map { "`\($0)`" }.joined(separator: ", ") + "\n")
        }
        if !noInput, isatty(STDIN_FILENO) == 1, template.definition.executionMode.allowsVariableInputs,
            !template.definition.executionMode.runsOnMount
        {
            askForMissingValues(session, console: console)
        }
        let refused = session.preflight(message: message)
        guard !refused.hasErrors else {
            console.errRendered(DiagnosticRenderer(color: console.colorErr).render(refused))
            console.err("\(ui.path): not run\n")
            return ExitCode.failure
        }

        let live = format == .terminal && outputPath == nil && console.colorOut
        let style = TerminalStyle(
            width: width ?? terminalWidth(environment), color: console.colorOut && outputPath == nil)
        let view = LiveView(
            session: session, style: style, console: console, live: live,
            plain: format == .terminal && !live && outputPath == nil)

        // Ctrl-C, SIGTERM, SIGHUP and SIGQUIT cancel: the transport tells the server; the session keeps what
        // streamed. A closed standard output cancels the same way (SIGPIPE is ignored so the write
        // fails with EPIPE instead of killing the process mid-run).
        let canceller = Canceller(session: session)
        signal(SIGPIPE, SIG_IGN)
        Console.closedOutput.onClose { canceller.cancel(signal: nil) }
        // Relayed from the moment they are installed: none is lost between one action and the next.
        SignalRelay.install(Canceller.signals) { number in canceller.cancel(signal: number) }
        defer {
            SignalRelay.uninstall(Canceller.signals)
            Console.closedOutput.onClose(nil)
        }

        // One turn: runs the session with `message`, cancellable by the signals above, and waits for
        // the cancel request to the server to leave before going on (or before the process exits).
        let outcome = Outcome()
        func turn(_ message: String?) {
            let done = DispatchSemaphore(value: 0)
            canceller.running(true)
            Task {
                outcome.diagnostics = await session.run(message: message) { update in view.handle(update) }
                done.signal()
            }
            done.wait()
            canceller.running(false)
            canceller.waitForServer()
            outcome.diagnostics = canceller.naming(outcome.diagnostics)
        }
        // Further --message options are the next turns, in order: refused before anything runs where
        // the mode does not continue the conversation.
        if messages.count > 1, !template.definition.executionMode.continuesConversation {
            throw UsageError(
                "`\(template.definition.executionMode.rawValue)` does not continue the conversation: give one --message"
            )
        }
        turn(message)
        view.finish()
        if messages.count > 1 {
            for next in messages.dropFirst() where session.state.run.status == .completed {
                turn(next)
                view.restart()
                view.finish()
            }
        }

        // On a terminal, where the template offers a follow-up, keep going with follow-ups, asked
        // for with the template's own label.
        let followUpLabel = Self.followUpLabel(template)
        if live, !noInput, isatty(STDIN_FILENO) == 1, template.definition.executionMode.continuesConversation,
            let followUpLabel, messages.count <= 1, session.state.run.status == .completed
        {
            while true {
                console.err("\(followUpLabel) (Enter to finish): ")
                guard let line = readLine(strippingNewline: true), !line.trimmingCharacters(in: .whitespaces).isEmpty
                else { break }
                turn(line)
                view.restart()
                view.finish()
                if session.state.run.status != .completed { break }
            }
        }

        if outputPath != nil || format == .html {
            let options = RenderOptions(format: format, terminal: style)
            let (output, renderDiagnostics) = RenderPipeline.render(
                template, prompt: prompt, state: session.state, options: options)
            if let output {
                if let outputPath {
                    try writeOutputFile(output, to: outputPath)
                } else if format == .html {
                    console.outDocument(output)
                } else {
                    console.outRendered(output)
                }
            }
            if !renderDiagnostics.isEmpty {
                console.errRendered(DiagnosticRenderer(color: console.colorErr).render(renderDiagnostics))
            }
        }
        if !outcome.diagnostics.isEmpty {
            console.errRendered(DiagnosticRenderer(color: console.colorErr).render(outcome.diagnostics))
        }
        for problem in session.recordingErrors {
            console.err("customui run: warning: the run was not fully recorded: \(problem)\n")
        }
        if !noRecord, let library, let libraryUI {
            do {
                try library.recordUsage(
                    uiID: libraryUI, user: user, runID: session.run.id, variables: session.state.variables,
                    success: session.state.run.status == .completed, error: session.state.run.error?.message,
                    durationMs: session.task?.totalTimeMs)
            } catch {
                console.err("customui run: warning: usage not recorded: \(error)\n")
            }
        }
        return outcome.diagnostics.hasErrors || session.run.status == .cancelled ? ExitCode.failure : ExitCode.ok
    }

    /// The wire protocol of `--backend` (`--protocol`).
    enum BackendProtocol: String, CaseIterable {
        /// `POST /api/ai/chat/unified`.
        case unified
        /// `POST /api/ai/agent/execute`.
        case agent
        /// `POST /v1/chat/completions`.
        case openai
    }

    /// How the last turn ended, set by the task that ran it and read once it is done.
    final class Outcome: Sendable {
        private let value = Locked<[Diagnostic]>([])
        var diagnostics: [Diagnostic] {
            get { value.withLock { $0 } }
            set { value.withLock { $0 = newValue } }
        }
    }

    /// Turns SIGINT, SIGTERM, SIGHUP, SIGQUIT and a closed standard output into one cancel of the running
    /// session, and lets the command wait (bounded) for the server to be told before it exits.
    /// Outside a run (at the follow-up question) a signal does what it would by default.
    final class Canceller: Sendable {
        static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]
        /// How long the command waits for the cancel request: the transport waits at most 1 s for a
        /// request id it does not know yet, and gives up on the request itself after 2 s.
        static let serverWait: Double = 3.5
        private let session: Session
        private let pending = DispatchGroup()
        private let state = Locked<(inRun: Bool, cancelled: Bool, reason: String?)>((false, false, nil))

        init(session: Session) { self.session = session }

        func running(_ value: Bool) {
            state.withLock { state in
                state.inRun = value
                if value {
                    state.cancelled = false
                    state.reason = nil
                }
            }
        }

        func cancel(signal number: Int32?) {
            let (inRun, first) = state.withLock { state in
                defer { state.cancelled = true }
                if state.inRun, !state.cancelled { state.reason = Self.reason(number) }
                return (state.inRun, !state.cancelled)
            }
            guard inRun else {
                if let number {
                    // Nothing is running: let the signal end the process as it normally would.
                    signal(number, SIG_DFL)
                    raise(number)
                }
                return
            }
            guard first else { return }
            pending.enter()
            let session = self.session
            let group = pending
            Task {
                await session.cancel()
                group.leave()
            }
        }

        /// Waits until every cancel request has been answered or given up on.
        func waitForServer() { _ = pending.wait(timeout: .now() + Self.serverWait) }

        /// The run's cancel diagnostic, saying what cancelled it (`Ctrl-C`, `SIGTERM`, a closed output).
        func naming(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
            guard let reason = state.withLock({ $0.reason }) else { return diagnostics }
            return diagnostics.map { d in
                guard d.code == .runCancelled else { return d }
                var named = d
                named.message += " (\(reason))"
                return named
            }
        }

        static func reason(_ number: Int32?) -> String {
            switch number {
            case SIGINT?: "Ctrl-C (SIGINT)"
            case SIGTERM?: "SIGTERM"
            case SIGHUP?: "SIGHUP"
            case SIGQUIT?: "SIGQUIT"
            case let other?: "signal \(other)"
            case nil: "standard output was closed"
            }
        }
    }

    /// A backend URL as diagnostics name it: scheme, host, port and path, never user info or query.
    static func displayName(of url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "the backend" }
        components.user = nil
        components.password = nil
        components.query = nil
        components.fragment = nil
        return components.string ?? "the backend"
    }

    /// `NAME.stream.ndjson` beside `NAME.ui.xml`, if it exists.
    static func siblingRecording(of path: String) -> String? {
        for suffix in [".ui.xml", ".definition.json"] where path.hasSuffix(suffix) {
            let candidate = String(path.dropLast(suffix.count)) + ".stream.ndjson"
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Asks on the terminal for variables that have no value, by component type.
    static func askForMissingValues(_ session: Session, console: Console) {
        // Toggles and checkboxes always have a value (empty is "off" or "none"); others need one.
        for variable in session.prompt.variables
        where (session.state.variables[variable.name] ?? "").isEmpty
            && variable.component?.kind != .toggle && variable.component?.kind != .checkbox
        {
            let label = RenderTreeBuilder.humanize(variable.name)
            let component = variable.component
            while true {
                var question = label
                switch component?.kind {
                case .select?, .radio?:
                    let options = component?.options ?? []
                    question +=
                        " (" + options.enumerated().map { "\($0.offset + 1) \($0.element)" }.joined(separator: ", ")
                        + ")"
                case .toggle?:
                    question += " (y/n)"
                case .number?:
                    if let min = component?.min, let max = component?.max { question += " (\(min)–\(max))" }
                default: break
                }
                console.err(question + ": ")
                guard let line = readLine(strippingNewline: true) else { return }
                var value = line
                if let options = component?.options, [.select, .radio].contains(component?.kind), let n = Int(line),
                    n >= 1, n <= options.count
                {
                    value = options[n - 1]
                }
                if component?.kind == .toggle {
                    let values = component?.toggleValues ?? ComponentValues.defaultToggleValues
                    value = line.lowercased().hasPrefix("y") ? values[1] : values[0]
                }
                if let problem = ComponentValues.problem(with: value, for: variable) {
                    console.err("  \(problem.message)\(problem.hint.map { " (\($0))" } ?? "")\n")
                    continue
                }
                session.setVariable(variable.name, value)
                break
            }
        }
    }
}

extension RunCommand {
    /// The label of the template's first `follow-up` (its default when it has none written), or nil
    /// when the template offers no follow-up.
    static func followUpLabel(_ template: CompiledTemplate) -> String? {
        var label: String?
        for node in template.view {
            node.forEachElement { e in
                guard label == nil, e.name == "follow-up" else { return }
                label = e.literal("label") ?? "Follow-up"
            }
        }
        return label
    }
}

/// One recording per turn: the first run replays the first file, the second the second, and so on;
/// a turn beyond the last recording fails with a message saying so.
final class TurnReplayTransport: StreamTransport, Sendable {
    private let replays: [ReplayTransport]
    /// The turn the next `events(for:)` plays.
    private let turn = Locked(0)

    init(_ replays: [ReplayTransport]) { self.replays = replays }

    var service: String { "replay" }

    func requestData(for request: ExecutionRequest) -> Value {
        replays[min(turn.withLock { $0 }, replays.count - 1)].requestData(for: request)
    }

    func events(for request: ExecutionRequest) -> AsyncThrowingStream<StreamEvent, Error> {
        let index = turn.withLock { turn in
            defer { turn += 1 }
            return turn
        }
        guard index < replays.count else {
            return AsyncThrowingStream { continuation in
                continuation.finish(
                    throwing: StreamFailure(
                        .transport, "no recording for turn \(index + 1): \(replays.count) were given with --replay"))
            }
        }
        return replays[index].events(for: request)
    }

    func cancel() async {
        for replay in replays { await replay.cancel() }
    }
}

/// Draws a running session: in place on a terminal (at most 20 frames a second, so the cost is
/// bounded by time, not by the number of chunks), or as plain streamed text when piped.
final class LiveView: Sendable {
    let session: Session
    let style: TerminalStyle
    let console: Console
    let live: Bool
    let plain: Bool

    /// What is on screen; the lock also keeps frames whole when updates come from more than one thread.
    private struct Screen {
        var drawnLines = 0
        var lastFrame = ContinuousClock.now - .seconds(1)
        var wroteText = false
        /// The terminal's height, read at the first frame.
        var rows: Int?
    }
    private let screen = Locked(Screen())

    init(session: Session, style: TerminalStyle, console: Console, live: Bool, plain: Bool) {
        self.session = session
        self.style = style
        self.console = console
        self.live = live
        self.plain = plain
    }

    func handle(_ update: SessionUpdate) {
        screen.withLock { screen in
            if plain {
                if case .text(_, let appended) = update {
                    console.out(appended)
                    screen.wroteText = true
                }
                return
            }
            guard live else { return }
            if case .finished = update { return }
            let now = ContinuousClock.now
            if now - screen.lastFrame < .milliseconds(50), case .text = update { return }
            screen.lastFrame = now
            draw(final: false, &screen)
        }
    }

    /// Starts a new frame below what is on screen (after a follow-up question was typed).
    func restart() {
        screen.withLock { $0.drawnLines = 0 }
    }

    func finish() {
        screen.withLock { screen in
            if plain {
                if screen.wroteText { console.out("\n") }
                let state = session.state
                var summary: [String] = []
                // A failed or cancelled run's error is printed once, as its diagnostic; here only a
                // server error the run recovered from is named.
                if state.run.status == .completed, let error = state.run.error?.message {
                    summary.append("recovered from error: \(TerminalText.visible(error))")
                }
                if let tokens = state.run.usage?.totalTokens { summary.append("\(tokens) tokens") }
                summary.append(state.run.status.rawValue)
                console.err(summary.joined(separator: " · ") + "\n")
            } else if live {
                draw(final: true, &screen)
            }
        }
    }

    /// The terminal's height, so a live frame never scrolls (scrolled-off lines cannot be redrawn).
    private static func terminalRows() -> Int {
        if let rows = terminalSize()?.rows, rows > 2 { return rows }
        return Int(ProcessInfo.processInfo.environment["LINES"] ?? "") ?? 24
    }

    private func draw(final: Bool, _ screen: inout Screen) {
        let options = RenderOptions(format: .terminal, terminal: style)
        guard
            var text = RenderPipeline.render(
                session.template, prompt: session.prompt, state: session.state, options: options
            ).output
        else { return }
        if !final {
            // While streaming, show the bottom of the view that fits; the whole view is printed at the end.
            let rows = screen.rows ?? Self.terminalRows()
            screen.rows = rows
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            if lines.count > rows - 1 { text = lines.suffix(rows - 1).joined(separator: "\n") + "\n" }
        }
        var frame = ""
        if screen.drawnLines > 0 { frame += "\u{1B}[\(screen.drawnLines)F\u{1B}[J" }
        frame += text
        screen.drawnLines = text.reduce(0) { $1 == "\n" ? $0 + 1 : $0 }
        console.outRendered(frame)
    }
}
