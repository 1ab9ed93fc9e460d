import CustomUICore
import Foundation
import Testing

@testable import JSONSchema

/// A recursive schema evaluated over a deep instance on a thread with a small stack: the depth
/// budget counts levels, and a level's frames are several times larger in a debug or
/// AddressSanitizer build, so the budget (512 levels) alone overflowed stacks under AddressSanitizer.
/// The evaluators also stop when the thread's stack is nearly used up, with the depth error.
@Suite struct StackDepthTests {
    /// `{"a": {"a": … 1 … }}`, `levels` deep.
    static func nested(_ levels: Int) -> Value {
        var value: Value = .int(1)
        for _ in 0..<levels { value = ["a": value] }
        return value
    }

    /// Runs `body` on a thread whose stack is `bytes` long, and waits for it.
    static func onThread(stack bytes: Int, _ body: @escaping @Sendable () -> Void) {
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            body()
            done.signal()
        }
        thread.stackSize = bytes
        thread.start()
        done.wait()
    }

    @Test(arguments: [false, true])
    func deepRecursionOnASmallStackFailsWithTheDepthError(collect: Bool) throws {
        // The annotation-tracking evaluator (`unevaluatedProperties`) and the fast one.
        let schema: Value =
            collect
            ? ["properties": ["a": ["$ref": "#"]], "unevaluatedProperties": false]
            : ["properties": ["a": ["$ref": "#"]]]
        let compiled = try JSONSchema.compile(schema)
        let instance = Self.nested(2000)
        final class Outcome: @unchecked Sendable {
            var valid = true
            var codes: [String] = []
        }
        let outcome = Outcome()
        Self.onThread(stack: 512 << 10) {
            outcome.valid = compiled.isValid(instance)
            outcome.codes = compiled.validate(instance).errors.map(\.code.rawValue)
        }
        #expect(!outcome.valid)
        #expect(outcome.codes.contains(Limit.depth.code.rawValue), "\(outcome.codes)")
        // Shallow instances are unaffected.
        #expect(compiled.isValid(Self.nested(40)))
    }
}
