import CustomUICore
import Foundation
import JSONSchema
import Markdown
import Streaming

extension DiagnosticCode {
    /// A run was refused before anything was sent (a variable without a value, a bad value, the mode).
    public static let runRefused: Self = "run.refused"
    /// A run ended in a fault: HTTP error, lost connection, malformed line, timeout, missing `end`.
    public static let runFailed: Self = "run.failed"
    /// A run was cancelled.
    public static let runCancelled: Self = "run.cancelled"
}

/// Prices per million tokens, by model id, for the cost in run records and `usage`.
public struct PricingTable: Sendable, Hashable {
    /// Input and output prices in US dollars per million tokens.
    public struct Price: Sendable, Hashable {
        public var input: Double
        public var output: Double

        /// A price from its parts.
        public init(input: Double, output: Double) {
            self.input = input
            self.output = output
        }
    }

    /// Prices by model id.
    public var prices: [String: Price]

    /// A table from its entries.
    public init(prices: [String: Price]) { self.prices = prices }

    /// List prices of common models when this was written; override with `--pricing FILE`.
    public static let standard = PricingTable(prices: [
        "gpt-4o": Price(input: 2.5, output: 10), "gpt-4o-mini": Price(input: 0.15, output: 0.6),
        "gpt-4.1": Price(input: 2, output: 8), "gpt-4.1-mini": Price(input: 0.4, output: 1.6),
        "claude-3-5-sonnet": Price(input: 3, output: 15), "claude-3-5-haiku": Price(input: 0.8, output: 4),
    ])

    /// The cost of a usage, or nil when the model has no price.
    public func cost(model: String?, input: Int?, output: Int?) -> Double? {
        guard let model, let price = prices[model] else { return nil }
        return (Double(input ?? 0) * price.input + Double(output ?? 0) * price.output) / 1_000_000
    }

    /// Reads `{ "model": { "input": 2.5, "output": 10 }, … }` (dollars per million tokens).
    public static func load(_ file: SourceFile) -> (PricingTable?, [Diagnostic]) {
        let document: JSONDocument
        do {
            document = try JSONParser.parse(file)
        } catch {
            return (nil, [error.diagnostic(file: file.path)])
        }
        guard let object = document.value.objectValue else {
            return (
                nil,
                [
                    .error(
                        .promptInvalid, "a pricing table is an object of models", file: file.path,
                        range: document.range(of: .root))
                ]
            )
        }
        var prices: [String: Price] = [:]
        var diagnostics: [Diagnostic] = []
        for (model, entry) in object {
            guard let input = entry["input"]?.numberValue?.doubleValue,
                let output = entry["output"]?.numberValue?.doubleValue
            else {
                diagnostics.append(
                    .error(
                        .promptInvalid, "price of `\(model)` needs numbers `input` and `output`", file: file.path,
                        range: document.range(of: JSONPointer.root.appending(model)), hint: "dollars per million tokens"
                    ))
                continue
            }
            prices[model] = Price(input: input, output: output)
        }
        return (diagnostics.isEmpty ? PricingTable(prices: prices) : nil, diagnostics)
    }
}

/// What happened in one session step, for whoever draws the UI.
public enum SessionUpdate: Sendable {
    /// The run started (the request is about to be sent).
    case started
    /// Text was appended to a slot.
    case text(slot: String, appended: String)
    /// Anything else changed (status, tools, usage, broker, data, error).
    case changed
    /// The run ended.
    case finished(RunStatus)
}

/// One UI being used: its state, its conversation, and the runs it makes over a transport.
///
/// A session runs its UI under the execution mode's rules (docs/execution-modes.md): variable values
/// in the documented precedence, messages resolved strictly, the user's message appended, the
/// conversation continued where the mode allows, every event routed to the slots and scopes the
/// language defines, and every run recorded without secrets.
///
/// A session may be used from any number of tasks and threads at once (a run streaming on one,
/// `cancel()` and readers of `state` on others): everything it changes is one `Core` value in one
/// `Locked`, reached only through `withLock` (docs/decisions/session-concurrency.md). Callbacks
/// (`onUpdate`) are called outside the lock, so they may read the session.
public final class Session: Sendable {
    /// The compiled UI.
    public let template: CompiledTemplate
    /// Its prompt.
    public let prompt: Prompt

    private let transport: any StreamTransport
    private let recorder: (any RunRecorder)?
    private let pricing: PricingTable
    private let limits: ResourceLimits
    private let core: Locked<Core>

    /// Everything about a session that changes, guarded by one lock.
    private struct Core {
        var state: RenderState
        var run: RunRecord
        var task: TaskRecord?
        var markdown: [String: MarkdownStream] = [:]
        var lastMarkdownUpdate: MarkdownUpdate?
        var history: [ChatMessage] = []
        var recorderErrors: [String] = []
        /// Set by `cancel()`, cleared when the run it was meant for ends.
        var cancelRequested = false
        var configOverrides = ValueObject()
        var sourceName: String?
        var inFlight: InFlight?
        // The streamed text and the debounced writer's state. Every call to the recorder is made
        // under the lock too, so a late debounced write never follows the final one.
        var streamedText = ""
        var pendingTask: TaskRecord?
        var lastTaskWrite = ContinuousClock.now
        var flushScheduled = false
    }

    /// The state the renderers draw.
    public var state: RenderState { core.withLock { $0.state } }
    /// The record of the conversation.
    public var run: RunRecord { core.withLock { $0.run } }
    /// The most recent task (request and response).
    public var task: TaskRecord? { core.withLock { $0.task } }
    /// The HTML each markdown slot's incremental stream has produced so far, by slot.
    public var markdownHTML: [String: String] { core.withLock { $0.markdown.mapValues(\.html) } }
    /// What the last chunk (or the end of the run) changed in the response slot's markdown HTML:
    /// settled blocks to append and the open tail to replace. Read it in `onUpdate` (the server
    /// sends it as a slot patch); nil for a text slot.
    public var lastMarkdownUpdate: MarkdownUpdate? { core.withLock { $0.lastMarkdownUpdate } }

    /// Per-run overrides sent to endpoints that take them (the agent endpoint's `config_overrides`).
    public var configOverrides: ValueObject {
        get { core.withLock { $0.configOverrides } }
        set { core.withLock { $0.configOverrides = newValue } }
    }
    /// Where the answer comes from (the backend URL, the recording's path), named by run diagnostics.
    public var sourceName: String? {
        get { core.withLock { $0.sourceName } }
        set { core.withLock { $0.sourceName = newValue } }
    }

    /// How often, at most, the task's `response_text` is written while streaming (seed 004's
    /// debounced update): often enough that a killed run keeps nearly all it showed, rarely enough
    /// that recording costs nothing next to streaming.
    public static let responseWriteInterval: Duration = .milliseconds(250)

    /// The slot `chunk` events stream into: the first declared slot.
    public var responseSlot: String? { template.slots.first?.name }

    /// A session in the initial state; `variables` are the caller's values (checked on `run`).
    public init(
        template: CompiledTemplate, prompt: Prompt, props: Value? = nil, variables: [String: String] = [:],
        transport: any StreamTransport, recorder: (any RunRecorder)? = nil, pricing: PricingTable = .standard,
        user: String? = nil,
        limits: ResourceLimits = .default
    ) {
        self.limits = limits
        self.template = template
        self.prompt = prompt
        self.transport = transport
        self.recorder = recorder
        self.pricing = pricing
        let state = RenderState.initial(template, prompt: prompt, props: props, variables: variables).state
        var run = RunRecord(id: UUID().uuidString.lowercased(), name: template.definition.name)
        run.userID = user
        run.sourceID = prompt.id ?? template.definition.promptID
        run.settings = .object(prompt.settings)
        core = Locked(Core(state: state, run: run))
    }

    /// Sets a variable as the user typed it (the highest precedence).
    public func setVariable(_ name: String, _ value: String) {
        core.withLock { $0.state.variables[name] = value }
    }

    /// Problems that stop a run before anything is sent: values the components refuse, mode rules,
    /// a run already in progress.
    public func preflight(message: String?) -> [Diagnostic] {
        core.withLock { preflight(message: message, $0) }
    }

    private func preflight(message: String?, _ core: Core) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        if core.inFlight != nil {
            diagnostics.append(
                .error(.runRefused, "a run is already in progress", hint: "wait for it to end, or cancel it"))
        }
        diagnostics += VariableValues.missingRequired(prompt, values: core.state.variables)
        for variable in prompt.variables {
            if let value = core.state.variables[variable.name],
                let problem = ComponentValues.problem(with: value, for: variable)
            {
                diagnostics.append(.error(.runRefused, "`\(variable.name)`: \(problem.message)", hint: problem.hint))
            }
        }
        if template.definition.executionMode == .autoRunOneShot, core.run.messages.count > 0 {
            diagnostics.append(
                .error(.runRefused, "`auto-run-one-shot` runs only once", hint: "use `auto-run` to allow more runs"))
        }
        if message != nil, !template.definition.executionMode.continuesConversation, !core.history.isEmpty {
            diagnostics.append(.error(.runRefused, "this mode does not continue the conversation"))
        }
        return diagnostics
    }

    /// The run in progress, between `begin` and `finish`.
    private struct InFlight {
        var task: TaskRecord
        var started: ContinuousClock.Instant
        /// What makes the run failed if nothing later recovers it: an `error` event, a `completion`
        /// whose status is `failed`, an `end` whose reason is `error`.
        var failure: StreamFailure?
        /// Token counts that cannot be used (negative, or past `Int.max`); they fail the run.
        var usageFailure: StreamFailure?
        var message: String?
        var messages: [ChatMessage]
        /// A replay's recorded timings (`timing_stats` of its completion), shown instead of how long
        /// reading the file took.
        var recordedTiming: (firstToken: Int?, total: Int?)?
        /// Set when a budget ran out mid-stream: the run ends with it as its failure.
        var exceeded: StreamFailure?
        /// Bytes streamed into the response slot so far (checked against `limits.maxSlotBytes`).
        var responseBytes = 0
    }

    /// Runs the prompt once (a first run or a follow-up with `message`), streaming updates to `onUpdate`.
    /// Returns the diagnostics that describe how it ended (empty for a completed run).
    @discardableResult
    public func run(message: String? = nil, onUpdate: @Sendable (SessionUpdate) -> Void = { _ in }) async
        -> [Diagnostic]
    {
        let (request, refused) = begin(message: message, onUpdate: onUpdate)
        guard let request else { return refused }
        defer { core.withLock { $0.cancelRequested = false } }
        do {
            let events = transport.events(for: request)
            // A cancel that came before the transport had a stream to end ends the run here.
            if core.withLock({ $0.cancelRequested }) {
                await transport.cancel()
                throw StreamFailure(.cancelled, "the run was cancelled")
            }
            for try await event in events {
                if apply(event, onUpdate: onUpdate) { break }
            }
            return finish(failure: nil, onUpdate: onUpdate)
        } catch let failure as StreamFailure {
            return finish(failure: failure, onUpdate: onUpdate)
        } catch {
            return finish(failure: StreamFailure(.transport, "\(error)"), onUpdate: onUpdate)
        }
    }

    /// Starts a run: checks the mode and the values, resolves the messages, records the pending
    /// task. Returns the request to send, or the diagnostics that refused it. Embedders with their
    /// own event source call `begin`, then `apply` for each event, then `finish`.
    public func begin(message: String? = nil, onUpdate: (SessionUpdate) -> Void = { _ in }) -> (
        ExecutionRequest?, [Diagnostic]
    ) {
        let (request, diagnostics) = core.withLock { core -> (ExecutionRequest?, [Diagnostic]) in
            begin(message: message, &core)
        }
        if request != nil { onUpdate(.started) }
        return (request, diagnostics)
    }

    private func begin(message: String?, _ core: inout Core) -> (ExecutionRequest?, [Diagnostic]) {
        let refused = preflight(message: message, core)
        guard !refused.hasErrors else { return (nil, refused) }

        // Messages: the prompt's, resolved exactly; then earlier turns; then the user's message.
        var messages: [ChatMessage] = []
        if core.history.isEmpty {
            for promptMessage in prompt.messages {
                let template = MessageTemplate(promptMessage.content, origin: promptMessage.contentOrigin)
                do {
                    messages.append(
                        ChatMessage(
                            role: promptMessage.role.rawValue, content: try template.resolve(core.state.variables)))
                } catch {
                    return (nil, error.diagnostics)
                }
            }
        } else {
            messages = core.history
        }
        if let message, !message.isEmpty { messages.append(ChatMessage(role: "user", content: message)) }
        let request = ExecutionRequest(
            messages: messages, modelID: prompt.modelID, settings: prompt.settings, promptID: core.run.sourceID,
            conversationID: core.run.id, userInput: message, variables: core.state.variables,
            configOverrides: core.configOverrides, isNewConversation: core.history.isEmpty)

        var task = TaskRecord(
            id: UUID().uuidString.lowercased(), runID: core.run.id, service: transport.service,
            requestData: transport.requestData(for: request))
        task.model = prompt.modelID
        task.status = .streaming
        core.state.run.status = .running
        core.state.run.error = nil
        core.state.run.statusMessage = nil
        if let slot = responseSlot {
            core.state.slots[slot] = ""
            core.state.streamingSlots.insert(slot)
        }
        if let slot = responseSlot, template.slots.first?.format != .text { core.markdown[slot] = MarkdownStream() }
        core.run.messages = messages.map { ["role": .string($0.role), "content": .string($0.content)] }
        core.run.variableValues = core.state.variables
        core.streamedText = ""
        core.pendingTask = nil
        record(run: core.run, task: task, &core)
        core.inFlight = InFlight(task: task, started: ContinuousClock.now, message: message, messages: messages)
        return (request, [])
    }

    /// Routes one event to the slots and scopes; returns true for `end`.
    @discardableResult
    public func apply(_ event: StreamEvent, onUpdate: (SessionUpdate) -> Void = { _ in }) -> Bool {
        let (ended, update) = core.withLock { core in apply(event, &core) }
        if let update { onUpdate(update) }
        return ended
    }

    /// What `apply` does under the lock: whether the stream ended, and the update to report.
    private func apply(_ event: StreamEvent, _ core: inout Core) -> (ended: Bool, update: SessionUpdate?) {
        guard var flight = core.inFlight else { return (false, nil) }
        defer { core.inFlight = flight }
        switch event {
        case .chunk(let text):
            if flight.responseBytes + text.utf8.count > limits.maxSlotBytes {
                // The text so far stays; the rest of the stream is not read.
                flight.exceeded = StreamFailure(
                    kind: .transport, errorType: "limit_exceeded",
                    message:
                        "the response streamed into slot `\(responseSlot ?? "")` is larger than the limit of \(limits.maxSlotBytes) bytes",
                    code: "limit.slot-size")
                return (true, nil)
            }
            if flight.task.timeToFirstTokenMs == nil {
                flight.task.timeToFirstTokenMs = milliseconds(since: flight.started)
            }
            flight.responseBytes += text.utf8.count
            streamed(text, task: flight.task, &core)
            core.state.run.status = .streaming
            guard let slot = responseSlot else { return (false, nil) }
            core.state.slots[slot, default: ""] += text
            core.lastMarkdownUpdate = core.markdown[slot]?.append(text)
            return (false, .text(slot: slot, appended: text))
        case .statusUpdate(let status):
            core.state.run.statusMessage = status.userMessage ?? status.systemMessage ?? status.status
        case .toolEvent(let tool):
            flight.task.toolUpdates.append(tool.value)
            core.state.run.toolEvents.append(
                RunState.ToolEvent(
                    toolName: tool.toolName, event: tool.event, callID: tool.callID, message: tool.message))
        case .completion(let completion):
            if transport.service == "replay", let stats = completion.timingStats {
                flight.recordedTiming = (
                    stats["time_to_first_token_ms"]?.intValue,
                    stats["total_time_ms"]?.intValue ?? stats["total_ms"]?.intValue
                )
            }
            if Self.failedCompletionStatuses.contains(completion.status.lowercased()) {
                // Keep the server's own error message when an `error` event said more.
                if flight.failure == nil {
                    flight.failure = StreamFailure(
                        kind: .server, errorType: "completion_failed",
                        message: "the server reported the completion as `\(completion.status)`")
                }
            } else {
                flight.failure = nil  // a successful completion recovers from earlier `error` events
            }
            var usage = completion.usage
            if let problem = usage?.problem {
                flight.usageFailure = StreamFailure(
                    kind: .server, errorType: "invalid_usage",
                    message: "the `completion` has unusable token counts: \(problem)")
                usage = nil
            }
            flight.task.tokensIn = usage?.input
            flight.task.tokensOut = usage?.output
            flight.task.tokensTotal = usage?.total ?? usage?.input ?? usage?.output
            flight.task.cost = pricing.cost(model: prompt.modelID, input: usage?.input, output: usage?.output)
            if let cost = flight.task.cost, !cost.isFinite {
                flight.task.cost = nil
                flight.usageFailure = StreamFailure(
                    kind: .server, errorType: "invalid_usage",
                    message:
                        "the cost of this completion is out of range (the pricing table's price for `\(prompt.modelID ?? "")` is too large)"
                )
            }
            core.state.run.usage = RunState.Usage(
                inputTokens: flight.task.tokensIn, outputTokens: flight.task.tokensOut,
                totalTokens: flight.task.tokensTotal, cost: flight.task.cost)
        case .data(let value):
            core.state.run.data = value
        case .error(let failure):
            flight.failure = failure
            flight.task.errors.append(failure.value)
            core.state.run.error = RunState.Failure(message: failure.displayMessage, code: failure.code)
        case .broker(let broker):
            var object = core.state.broker.objectValue ?? ValueObject()
            object[broker.brokerID] = broker.value
            core.state.broker = .object(object)
            core.run.brokerValues = core.state.broker
        case .heartbeat:
            return (false, nil)
        case .end(let reason):
            if reason?.lowercased() == "error", flight.failure == nil {
                flight.failure = StreamFailure(
                    kind: .server, errorType: "stream_error", message: "the stream ended with reason `error`")
            }
            return (true, .changed)
        }
        return (false, .changed)
    }

    /// Ends the run: what streamed stays, the task and run are recorded with their totals.
    @discardableResult
    public func finish(failure: StreamFailure?, onUpdate: (SessionUpdate) -> Void = { _ in }) -> [Diagnostic] {
        let (outcome, diagnostics) = core.withLock { core in finish(failure: failure, &core) }
        if let outcome { onUpdate(.finished(outcome)) }
        return diagnostics
    }

    /// What `finish` does under the lock: how the run ended (nil when none was running) and its diagnostics.
    private func finish(failure: StreamFailure?, _ core: inout Core) -> (RunStatus?, [Diagnostic]) {
        guard var flight = core.inFlight else { return (nil, []) }
        core.inFlight = nil
        var outcome: RunStatus = .completed
        var diagnostics: [Diagnostic] = []
        // The run's totals are checked sums: a follow-up whose counts would overflow fails instead.
        let (tokensTotal, tokensOverflow) = core.run.tokensTotal.addingReportingOverflow(
            flight.task.tokensTotal ?? 0)
        if tokensOverflow, flight.usageFailure == nil {
            flight.usageFailure = StreamFailure(
                kind: .server, errorType: "invalid_usage",
                message:
                    "the conversation's token total overflows: \(core.run.tokensTotal) + \(flight.task.tokensTotal ?? 0) is more than \(Int.max)"
            )
        }
        let response = core.streamedText
        core.streamedText = ""
        core.pendingTask = nil
        // A transport fault (or the cancel) ends the run first; otherwise what the stream said decides.
        let failure = failure ?? flight.exceeded ?? flight.usageFailure ?? flight.failure
        if let failure {
            outcome = failure.kind == .cancelled ? .cancelled : .failed
            // An `error` event is already in the task's errors; other failures are added once.
            if failure != flight.failure || flight.task.errors.last != failure.value {
                flight.task.errors.append(failure.value)
            }
            core.state.run.error = RunState.Failure(message: failure.displayMessage, code: failure.code)
            var range: SourceRange?
            if let line = failure.line, line > 0 {
                range = SourceRange(at: SourceLocation(offset: 0, line: line, column: 1))
            }
            // Say that the text is kept only when there is some.
            let kept: String? =
                response.isEmpty
                ? nil
                : (outcome == .cancelled
                    ? "what streamed before the cancel is kept" : "what streamed before the failure is kept")
            let hint = [failure.hint, kept].compactMap { $0 }.joined(separator: "; ")
            diagnostics.append(
                Diagnostic(
                    outcome == .cancelled ? .warning : .error, outcome == .cancelled ? .runCancelled : .runFailed,
                    failure.displayMessage,
                    file: core.sourceName, range: range, hint: hint.isEmpty ? nil : hint))
        }
        if let slot = responseSlot { core.lastMarkdownUpdate = core.markdown[slot]?.finish() }
        let total = flight.recordedTiming?.total ?? milliseconds(since: flight.started)
        if let recorded = flight.recordedTiming?.firstToken { flight.task.timeToFirstTokenMs = recorded }
        var task = flight.task
        task.totalTimeMs = total
        task.responseText = response
        if flight.usageFailure != nil {
            task.tokensIn = nil
            task.tokensOut = nil
            task.tokensTotal = nil
            task.cost = nil
        }
        task.status = outcome == .completed ? .completed : (outcome == .cancelled ? .cancelled : .failed)
        task.completedAt = Date()
        let message = flight.message
        core.history =
            flight.messages + (response.isEmpty ? [] : [ChatMessage(role: "assistant", content: response)])
        core.state.streamingSlots.removeAll()
        core.state.run.status = outcome == .completed ? .completed : (outcome == .cancelled ? .cancelled : .failed)
        core.state.run.turn += 1
        core.state.run.timing = RunState.Timing(timeToFirstTokenMs: task.timeToFirstTokenMs, totalMs: total)
        if let message, !message.isEmpty {
            core.state.conversation.append(ConversationTurn(role: "user", text: message))
        }
        if !response.isEmpty { core.state.conversation.append(ConversationTurn(role: "assistant", text: response)) }
        core.run.messages = core.history.map { ["role": .string($0.role), "content": .string($0.content)] }
        core.run.status = outcome == .completed ? .active : (outcome == .cancelled ? .cancelled : .failed)
        if !tokensOverflow { core.run.tokensTotal = tokensTotal }
        let cost = core.run.cost + (task.cost ?? 0)
        if cost.isFinite { core.run.cost = cost }
        core.run.updatedAt = Date()
        core.task = task
        record(run: core.run, task: task, &core)
        return (outcome, diagnostics)
    }

    /// Cancels the running request (the transport tells the server). A cancel that arrives while
    /// a run is starting, before its stream exists, ends that run as soon as the stream does.
    public func cancel() async {
        core.withLock { $0.cancelRequested = true }
        await transport.cancel()
    }

    /// `completion` statuses that mean the request failed; any other status is a success.
    public static let failedCompletionStatuses: Set<String> = ["failed", "failure", "error"]

    /// Errors the recorder reported (they never fail a run).
    public var recordingErrors: [String] { core.withLock { $0.recorderErrors } }

    private func record(run: RunRecord, task: TaskRecord, _ core: inout Core) {
        guard let recorder else { return }
        core.pendingTask = nil
        core.lastTaskWrite = ContinuousClock.now
        do {
            try recorder.record(run: run)
            try recorder.record(task: task)
        } catch {
            core.recorderErrors.append("\(error)")
        }
    }

    /// Appends streamed text; with a recorder, writes the task with the text so far at most every
    /// `responseWriteInterval`, and once more after the last chunk of a burst (so what was shown is
    /// on disk within that interval even if the process is killed).
    private func streamed(_ text: String, task: TaskRecord, _ core: inout Core) {
        core.streamedText += text
        guard recorder != nil else { return }
        let now = ContinuousClock.now
        if now - core.lastTaskWrite >= Self.responseWriteInterval {
            writeStreaming(task, &core)
        } else {
            core.pendingTask = task
            guard !core.flushScheduled else { return }
            core.flushScheduled = true
            let due = core.lastTaskWrite + Self.responseWriteInterval
            Task.detached { [weak self] in
                try? await Task.sleep(until: due, clock: .continuous)
                self?.flushPending()
            }
        }
    }

    private func flushPending() {
        core.withLock { core in
            core.flushScheduled = false
            if let task = core.pendingTask { writeStreaming(task, &core) }
        }
    }

    /// Writes a streaming task with the text so far.
    private func writeStreaming(_ task: TaskRecord, _ core: inout Core) {
        guard let recorder else { return }
        var task = task
        task.responseText = core.streamedText
        task.status = .streaming
        core.pendingTask = nil
        core.lastTaskWrite = ContinuousClock.now
        do {
            try recorder.record(task: task)
        } catch {
            core.recorderErrors.append("\(error)")
        }
    }

    private func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let d = ContinuousClock.now - start
        return Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000)
    }
}
