// Fuzzes the OTP record reader (JSON, timestamps) and the JSON writer's round trip.
import CloseupKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? OTPRecord(parsing: text, key: "otp:fuzz")
    if let value = JSON.parse(text), JSON.parse(value.serialized) != value { fatalError("JSON round trip changed a value") }
    _ = Timestamp.parse(text)
    return 0
}
