// Shared by every fuzz target (compiled into each one; see Fuzz/build.sh).
import CustomUICore

/// The input as text: invalid UTF-8 repaired, as the CLI reads files.
func text(_ data: UnsafePointer<UInt8>, _ size: Int) -> String {
    String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
}

/// A finding that is not a crash (a mismatch, a blow-up): abort so libFuzzer saves the input.
func finding(_ message: @autoclosure () -> String) -> Never {
    fatalError("fuzz finding: " + message())
}

/// Output must stay linear in the input: at most 50 times it plus a floor.
func checkLinear(_ output: Int, _ input: Int, floor: Int = 1 << 20, _ what: String) {
    if output > 50 * input + floor { finding("\(what): \(output) bytes from \(input)") }
}

/// Limits for a fuzz run: the defaults, with a deadline under libFuzzer's one-second timeout so
/// a slow input shows up as a budget error, and any run past the timeout as a hang.
let fuzzLimits = ResourceLimits(deadline: .milliseconds(500))
