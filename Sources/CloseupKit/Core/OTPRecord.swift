// The value of `otp:<user>` as the backend writes it: a JSON object with
// otp_hash, mobile_number, created_at, expires_at. Read leniently (extra
// fields, any offset, fractions; only otp_hash required), written exactly.

public struct OTPRecord: Sendable, Equatable {
    public var otpHash: String
    public var mobileNumber: String?
    /// The timestamps as written, and as epoch seconds.
    public var createdAt: String?
    public var expiresAt: String?
    public var createdEpoch: Double?
    public var expiresEpoch: Double?

    public init(otpHash: String, mobileNumber: String?, createdAt: String, expiresAt: String) {
        self.otpHash = otpHash
        self.mobileNumber = mobileNumber
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        createdEpoch = Timestamp.parse(createdAt)
        expiresEpoch = Timestamp.parse(expiresAt)
    }

    /// Exactly the seed's four fields, in its order.
    public var json: String {
        JSON.object([
            ("otp_hash", .string(otpHash)),
            ("mobile_number", .optional(mobileNumber)),
            ("created_at", .optional(createdAt)),
            ("expires_at", .optional(expiresAt)),
        ]).serialized
    }

    /// Parses a stored value; a value that is not such an object, or has a field present but
    /// unreadable, is corrupt (exit 6) and the message names `key`.
    public init(parsing text: String, key: String, localOffset: Int = 0) throws(CloseupError) {
        func corrupt(_ why: String) -> CloseupError {
            CloseupError(.corrupt, "corrupt OTP record at '\(key)': \(why); it was left as it is")
        }
        guard let value = JSON.parse(text), case .object = value else { throw corrupt("not a JSON object") }
        guard case .string(let hash)? = value["otp_hash"], !hash.isEmpty else {
            throw corrupt("otp_hash is missing or not a string")
        }
        otpHash = hash
        func optionalText(_ field: String) throws(CloseupError) -> String? {
            switch value[field] {
            case nil, .null?: return nil
            case .string(let text)?: return text
            case .integer(let number)? where field == "mobile_number": return String(number)
            default: throw corrupt("\(field) is not a string")
            }
        }
        mobileNumber = try optionalText("mobile_number")
        createdAt = try optionalText("created_at")
        expiresAt = try optionalText("expires_at")
        if let createdAt {
            guard let epoch = Timestamp.parse(createdAt, defaultOffset: localOffset) else {
                throw corrupt("created_at '\(CacheKeys.printable(createdAt))' is not an ISO 8601 time")
            }
            createdEpoch = epoch
        }
        if let expiresAt {
            guard let epoch = Timestamp.parse(expiresAt, defaultOffset: localOffset) else {
                throw corrupt("expires_at '\(CacheKeys.printable(expiresAt))' is not an ISO 8601 time")
            }
            expiresEpoch = epoch
        }
    }
}
