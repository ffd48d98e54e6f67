// The OTP hash the backend and closeup share: lowercase hex of
// HMAC-SHA256(key = secret's UTF-8 bytes, message = "<user>:<code>");
// constant-time comparison; 6-digit codes from the CSPRNG without modulo bias.
import COpenSSL

public struct OTPHasher: Sendable {
    private let secret: [UInt8]

    public init(secret: String) { self.secret = Array(secret.utf8) }

    public func hash(user: UserID, code: String) -> String {
        let message = Array("\(user.value):\(code)".utf8)
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        _ = HMAC(EVP_sha256(), secret, Int32(secret.count), message, message.count, &digest, &length)
        return hexString(Array(digest.prefix(Int(length))))
    }

    /// Compares in time that depends only on the lengths, so a guess leaks nothing of the hash.
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8), right = Array(b.utf8)
        guard left.count == right.count else { return false }
        return CRYPTO_memcmp(left, right, left.count) == 0
    }

    /// Six decimal digits, uniform: 32-bit draws at or above the largest multiple of 10^6 are rejected.
    public static func generateCode(random: RandomSource) -> String {
        let limit = UInt32.max - UInt32.max % 1_000_000
        while true {
            let bytes = random.bytes(4)
            let value = bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            if value < limit {
                let code = String(value % 1_000_000)
                return String(repeating: "0", count: 6 - code.count) + code
            }
        }
    }

    /// A code as typed: exactly six ASCII digits.
    public static func validateCode(_ code: String) throws(CloseupError) {
        guard code.utf8.count == 6, code.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw .usage("invalid code '\(CacheKeys.printable(code))': expected 6 digits")
        }
    }
}
