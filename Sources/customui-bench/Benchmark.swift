import Foundation

/// One benchmark figure: `name value unit` on its own line.
struct Figure {
    var name: String
    var value: Double
    var unit: String

    var line: String {
        let formatted = value >= 100 ? String(format: "%.0f", value) : String(format: "%.3g", value)
        return "\(name) \(formatted) \(unit)"
    }
}

/// Times `body` repeatedly for at least `seconds` (after one warm-up call) and returns seconds per call.
func secondsPerCall(minimumSeconds seconds: Double = 0.5, minimumRuns: Int = 3, _ body: () throws -> Void) rethrows
    -> Double
{
    try body()
    let clock = ContinuousClock()
    var runs = 0
    let start = clock.now
    var elapsed = 0.0
    repeat {
        try body()
        runs += 1
        let d = clock.now - start
        elapsed = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    } while elapsed < seconds || runs < minimumRuns
    return elapsed / Double(runs)
}

/// Process CPU seconds per call over `runs` calls: on a shared machine this is steadier than wall
/// time, because time spent descheduled is not counted.
func cpuSecondsPerCall(runs: Int, _ body: () throws -> Void) rethrows -> Double {
    func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
    try body()
    let start = now()
    for _ in 0..<runs { try body() }
    return (now() - start) / Double(runs)
}
