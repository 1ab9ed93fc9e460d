import CustomUICore
import Foundation
import JSONSchema

/// JSON parsing and JSON Schema figures, on the fixtures shared with the jsonschema-rs comparison
/// (`docs/benchmarks/json-schema/`: `props.schema.json` and the generated 10 KB `instance.json`).
func jsonSchemaBenchmarks() throws -> [Figure] {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/benchmarks/json-schema")
    let schemaText = try String(contentsOf: folder.appendingPathComponent("props.schema.json"), encoding: .utf8)
    let instanceText = try String(contentsOf: folder.appendingPathComponent("instance.json"), encoding: .utf8)
    let schemaValue = try JSONParser.parseValue(schemaText)
    let instanceFile = SourceFile(path: "instance.json", text: instanceText)
    let instance = try JSONParser.parseValue(instanceText)
    let instanceBytes = Double(instanceText.utf8.count)

    var figures: [Figure] = []
    // For profilers and CPU-time comparisons (compare.py --cpu): PROFILE_PARSE=N parses the instance N times,
    // PROFILE_ISVALID=N runs N yes/no validations, PROFILE_VALIDATE=N and PROFILE_INVALID=N N validations
    // of the instance and of the invalid one, PROFILE_COMPILE=N N compilations; nothing is printed.
    let environment = ProcessInfo.processInfo.environment
    if let count = environment["PROFILE_PARSE"].flatMap({ Int($0) }) {
        for _ in 0..<count { _ = try JSONParser.parseValue(instanceText) }
        return []
    }
    if environment["PROFILE_ISVALID"] != nil {
        let compiled = try JSONSchema.compile(schemaValue)
        let count = Int(environment["PROFILE_ISVALID"] ?? "") ?? 30000
        for _ in 0..<count { _ = compiled.isValid(instance) }
        return []
    }
    if let count = environment["PROFILE_VALIDATE"].flatMap({ Int($0) }) {
        let compiled = try JSONSchema.compile(schemaValue)
        for _ in 0..<count { _ = compiled.validate(instance) }
        return []
    }
    if let count = environment["PROFILE_INVALID"].flatMap({ Int($0) }) {
        let compiled = try JSONSchema.compile(schemaValue)
        let invalid = invalidInstance(instance)
        for _ in 0..<count { _ = compiled.validate(invalid) }
        return []
    }
    if let count = environment["PROFILE_COMPILE"].flatMap({ Int($0) }) {
        for _ in 0..<count { _ = try JSONSchema.compile(schemaValue) }
        return []
    }
    let compile = try secondsPerCall { _ = try JSONSchema.compile(schemaValue) }
    figures.append(Figure(name: "schema.compile.props", value: compile * 1e6, unit: "us"))
    let compileFromText = try secondsPerCall { _ = try JSONSchema.compile(JSONParser.parseValue(schemaText)) }
    figures.append(Figure(name: "schema.compile.props-with-parse", value: compileFromText * 1e6, unit: "us"))

    let compiled = try JSONSchema.compile(schemaValue)
    guard compiled.isValid(instance) else { throw BenchError("the benchmark instance does not match its schema") }
    let isValid = best {
        for _ in 0..<100 { _ = compiled.isValid(instance) }
    }
    figures.append(Figure(name: "schema.is-valid.10kb", value: 100 / isValid, unit: "validations/s"))
    let validate = best {
        for _ in 0..<100 { _ = compiled.validate(instance) }
    }
    figures.append(Figure(name: "schema.validate.10kb", value: 100 / validate, unit: "validations/s"))

    let invalid = invalidInstance(instance)
    let invalidValidate = best {
        for _ in 0..<100 { _ = compiled.validate(invalid) }
    }
    figures.append(Figure(name: "schema.validate.10kb-invalid", value: 100 / invalidValidate, unit: "validations/s"))

    let parse = try secondsPerCall { _ = try JSONParser.parseValue(instanceText) }
    figures.append(Figure(name: "schema.json.parse-value", value: instanceBytes / parse / 1e6, unit: "MB/s"))
    let parseWithPositions = try secondsPerCall { _ = try JSONParser.parse(instanceFile) }
    figures.append(
        Figure(name: "schema.json.parse-document", value: instanceBytes / parseWithPositions / 1e6, unit: "MB/s"))
    let endToEnd = try secondsPerCall { _ = compiled.validate(try JSONParser.parse(instanceFile)) }
    figures.append(Figure(name: "schema.parse-and-validate.10kb", value: 1 / endToEnd, unit: "documents/s"))

    // The streaming layer decodes many small NDJSON events with the position-free parser.
    let events = [
        #"{"event":"chunk","data":{"text":"Hello, wor"}}"#,
        #"{"event":"status_update","data":{"status":"processing","user_message":"Thinking…"}}"#,
        #"{"event":"tool_event","data":{"event":"tool_started","call_id":"c_12","tool_name":"search","data":{"q":"swift"}}}"#,
        #"{"event":"completion","data":{"status":"complete","total_usage":{"input_tokens":1200,"output_tokens":3400}}}"#,
    ].map { Array($0.utf8) }
    let eventParse = try secondsPerCall {
        for _ in 0..<250 { for line in events { _ = try JSONParser.parseValue(bytes: line) } }
    }
    figures.append(Figure(name: "schema.json.ndjson-events", value: 1000 / eventParse, unit: "events/s"))
    return figures
}

/// The instance with two errors (an unknown theme and an extra member), as compare.py makes it.
func invalidInstance(_ instance: Value) -> Value {
    guard case .object(var object) = instance else { return instance }
    object["theme"] = "sepia"
    object["extra"] = 1
    return .object(object)
}

/// The fastest of three timings: the machine is shared, and the minimum is the figure least disturbed by other work.
func best(_ body: () -> Void) -> Double {
    (0..<3).map { _ in secondsPerCall(minimumSeconds: 0.4, body) }.min() ?? 0
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
