// JSON Schema: the input is a schema, a NUL byte, then an instance (or the schema validates itself).
import CustomUICore
import JSONSchema

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSchema(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let split = bytes.firstIndex(of: 0) ?? size
    guard let schema = try? JSONParser.parseValue(bytes: bytes[..<split], limits: fuzzLimits) else { return 0 }
    _ = JSONSchema.metaValidate(schema)
    guard let compiled = try? JSONSchema.compile(schema) else { return 0 }
    let instance =
        split < size ? (try? JSONParser.parseValue(bytes: bytes[(split + 1)...], limits: fuzzLimits)) : schema
    if let instance { _ = compiled.validate(instance) }
    return 0
}
