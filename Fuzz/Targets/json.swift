// JSON: parse; what parses writes back and parses to the same value.
import CustomUICore
import JSONSchema

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let value = try? JSONParser.parseValue(bytes: bytes, limits: fuzzLimits) else { return 0 }
    let written = JSONWriter().string(value)
    checkLinear(written.utf8.count, size, "JSON written")
    guard let again = try? JSONParser.parseValue(written, limits: fuzzLimits) else {
        finding("written JSON does not parse: \(written)")
    }
    if again != value { finding("JSON round trip changed the value: \(written)") }
    return 0
}
