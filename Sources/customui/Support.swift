import CustomUICore
import Foundation

/// A subcommand of `customui`: one type per subcommand, one file each.
protocol Command {
    /// The word after `customui` (`validate`, `schema`, …).
    static var name: String { get }
    /// One line for the command list.
    static var summary: String { get }
    /// The full help text, starting with the usage line.
    static var help: String { get }
    /// Runs with the arguments after the command name; returns the exit code.
    static func run(_ arguments: inout Arguments, console: Console) throws -> Int32
}

/// Exit codes shared by every command.
enum ExitCode {
    static let ok: Int32 = 0
    /// Findings (invalid input) or a failed run.
    static let failure: Int32 = 1
    /// Bad usage or unreadable input.
    static let usage: Int32 = 2
}

/// A mistake in how the command was called; printed with the command's usage line, exit 2.
struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The arguments after the command name, consumed option by option.
///
/// Options are `--name VALUE` or `--name=VALUE`; `--` ends options; anything left that starts
/// with `-` (other than `-` itself, meaning standard input) is an unknown option.
struct Arguments {
    private(set) var items: [String]

    init(_ items: [String]) { self.items = items }

    /// Whether a flag was given (removes every occurrence).
    mutating func flag(_ name: String) -> Bool {
        let before = items.count
        items.removeAll { $0 == name }
        return items.count != before
    }

    /// Every value of a repeatable option, in order.
    mutating func values(_ name: String) throws(UsageError) -> [String] {
        var result: [String] = []
        var i = 0
        while i < items.count, items[i] != "--" {
            if items[i] == name {
                guard i + 1 < items.count else { throw UsageError("option `\(name)` needs a value") }
                result.append(items[i + 1])
                items.removeSubrange(i...(i + 1))
            } else if items[i].hasPrefix(name + "=") {
                result.append(String(items[i].dropFirst(name.count + 1)))
                items.remove(at: i)
            } else {
                i += 1
            }
        }
        return result
    }

    /// The value of an option given at most once.
    mutating func value(_ name: String) throws(UsageError) -> String? {
        let all = try values(name)
        guard all.count <= 1 else { throw UsageError("option `\(name)` is given more than once") }
        return all.first
    }

    /// The value of an option that must be one of `choices`.
    mutating func choice(_ name: String, _ choices: [String], default defaultValue: String) throws(UsageError) -> String
    {
        guard let v = try value(name) else { return defaultValue }
        guard choices.contains(v) else {
            throw UsageError(
                "`\(name)` must be one of \(choices.map { "`\($0)`" }.joined(separator: ", ")), not `\(v)`")
        }
        return v
    }

    /// The value of an option that must be one of `choices` (listed in that order when it is not).
    mutating func choice<Choice: RawRepresentable>(_ name: String, _ choices: [Choice], default defaultValue: Choice)
        throws(UsageError) -> Choice where Choice.RawValue == String
    {
        guard let v = try value(name) else { return defaultValue }
        guard let choice = choices.first(where: { $0.rawValue == v }) else {
            throw UsageError(
                "`\(name)` must be one of \(choices.map { "`\($0.rawValue)`" }.joined(separator: ", ")), not `\(v)`")
        }
        return choice
    }

    /// An integer option.
    mutating func integer(_ name: String, in range: ClosedRange<Int>) throws(UsageError) -> Int? {
        guard let v = try value(name) else { return nil }
        guard let n = Int(v), range.contains(n) else {
            throw UsageError(
                "`\(name)` takes a whole number from \(range.lowerBound) to \(range.upperBound), not `\(v)`")
        }
        return n
    }

    /// The positional arguments; fails on any option nobody consumed.
    mutating func positionals() throws(UsageError) -> [String] {
        var result: [String] = []
        var afterDashes = false
        for item in items {
            if afterDashes || item == "-" || !item.hasPrefix("-") {
                result.append(item)
            } else if item == "--" {
                afterDashes = true
            } else {
                let known = item.split(separator: "=").first.map(String.init) ?? item
                throw UsageError("unknown option `\(known)`")
            }
        }
        items = []
        return result
    }
}

/// Where a command writes: standard output for results, standard error for diagnostics.
struct Console {
    /// Whether standard output is a terminal that may get colour.
    var colorOut: Bool
    /// Whether standard error is a terminal that may get colour.
    var colorErr: Bool

    static func detect() -> Console {
        let noColor = ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        return Console(
            colorOut: !noColor && isatty(STDOUT_FILENO) == 1,
            colorErr: !noColor && isatty(STDERR_FILENO) == 1)
    }

    /// Writes a message or listing to standard output. Whatever untrusted text it quotes (names,
    /// tags, server errors, streamed text) has its controls shown visibly; newlines and tabs stay.
    func out(_ text: String) { Console.writeAll(STDOUT_FILENO, Self.visible(text)) }
    /// Writes a message to standard error, its controls shown visibly like `out`.
    func err(_ text: String) { Console.writeAll(STDERR_FILENO, Self.visible(text)) }

    /// Writes the output of one of our terminal renderers (a render, a live frame, diagnostics):
    /// they show untrusted controls visibly themselves, so their own ANSI styling is kept.
    func outRendered(_ text: String) { Console.writeAll(STDOUT_FILENO, text) }
    /// Writes rendered diagnostics to standard error, keeping their styling (see `outRendered`).
    func errRendered(_ text: String) { Console.writeAll(STDERR_FILENO, text) }

    /// Writes a document (HTML) byte for byte when standard output is a file or pipe, and with
    /// its controls shown visibly when it is a terminal.
    func outDocument(_ text: String) {
        Console.writeAll(STDOUT_FILENO, isatty(STDOUT_FILENO) == 1 ? Self.visible(text) : text)
    }

    private static func visible(_ text: String) -> String { TerminalText.visible(text, newlines: true, tabs: .keep) }

    /// Told when a write finds standard output closed (EPIPE, as after `| head`), where SIGPIPE is
    /// ignored (`run` ignores it, to end the run as cancelled rather than die with it).
    static let closedOutput = ClosedOutput()

    /// Writes all of `text`, retrying short and interrupted writes; a closed pipe ends the write.
    static func writeAll(_ descriptor: Int32, _ text: String) {
        var text = text
        text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            var offset = 0
            while offset < bytes.count {
                let n = write(descriptor, base + offset, bytes.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0, errno == EINTR {
                    continue
                } else {
                    if n < 0, errno == EPIPE, descriptor == STDOUT_FILENO { closedOutput.closed() }
                    return
                }
            }
        }
    }
}

/// `--format text|json`: a report for people, or JSON for programs.
enum ReportFormat: String, CaseIterable {
    case text, json
}

/// Whether standard output was found closed, and who to tell (once).
final class ClosedOutput: Sendable {
    private let state = Locked<(isClosed: Bool, handler: (@Sendable () -> Void)?)>((false, nil))

    /// Whether a write found standard output closed.
    var wasClosed: Bool { state.withLock { $0.isClosed } }

    /// Calls `handler` the first time standard output is found closed.
    func onClose(_ handler: (@Sendable () -> Void)?) { state.withLock { $0.handler = handler } }

    func closed() {
        let handler: (@Sendable () -> Void)? = state.withLock { state in
            defer { state.isClosed = true }
            return state.isClosed ? nil : state.handler
        }
        handler?()
    }
}

/// Reads a file named on the command line (`-` is standard input) as UTF-8 text.
func readInput(_ path: String) throws(UsageError) -> SourceFile {
    SourceFile(path: path == "-" ? "<stdin>" : path, text: try readText(path))
}

/// The UTF-8 text of `path` (`-` for standard input), without the line tables of a `SourceFile`: for
/// commands that hand the text straight to a parser that builds its own.
func readText(_ path: String) throws(UsageError) -> String {
    let data: Data
    if path == "-" {
        data = FileHandle.standardInput.readDataToEndOfFile()
    } else {
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
            throw UsageError("file `\(path)` \(reason)")
        }
    }
    guard let text = String(data: data, encoding: .utf8) else {
        throw UsageError("file `\(path)` is not UTF-8 text")
    }
    return text
}

/// Keeps `value` until the process exits: a large tree (a 10 MB markdown document's) is then freed by the
/// exit itself rather than node by node, which took a tenth of `customui markdown`'s time.
func keepUntilExit<T>(_ value: T) {
    _ = Unmanaged.passRetained(KeptValue(value))
}

private final class KeptValue<T> {
    let value: T
    init(_ value: T) { self.value = value }
}

/// The size of the terminal standard output is on, or nil when it is not one.
func terminalSize() -> (columns: Int, rows: Int)? {
    var size = winsize()
    guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
    return (Int(size.ws_col), Int(size.ws_row))
}

/// The width to wrap to: `COLUMNS`, else the terminal's width, else 80.
func terminalWidth(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
    if let columns = environment["COLUMNS"].flatMap({ Int($0) }), columns > 0 { return columns }
    return terminalSize()?.columns ?? 80
}

/// Writes a command's `--output` file: a regular file (or a new one) is replaced atomically, so a
/// reader never sees half of it; anything else that exists (`/dev/null`, a FIFO, a terminal) is
/// written in place, because renaming over it would replace the device with a file.
func writeOutputFile(_ text: String, to path: String) throws(UsageError) {
    var status = stat()
    if stat(path, &status) == 0, status.st_mode & S_IFMT != S_IFREG {
        let descriptor = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
        guard descriptor >= 0 else { throw UsageError("cannot write `\(path)`") }
        defer { close(descriptor) }
        Console.writeAll(descriptor, text)
        return
    }
    do {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    } catch {
        throw UsageError("cannot write `\(path)`")
    }
}
