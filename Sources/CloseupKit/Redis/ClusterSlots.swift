// Redis Cluster key slots: CRC16 (XMODEM) of the key, or of its hash tag, mod 16384.

public enum ClusterSlots {
    public static let count = 16384

    /// The slot of `key`. A non-empty `{tag}` hashes the tag alone, so `{u1}a` and `{u1}b` share a slot.
    public static func slot(of key: String) -> Int { slot(of: Array(key.utf8)) }

    /// The slot of a key given as bytes.
    public static func slot(of bytes: [UInt8]) -> Int {
        var hashed = bytes[...]
        if let open = bytes.firstIndex(of: UInt8(ascii: "{")),
            let close = bytes[(open + 1)...].firstIndex(of: UInt8(ascii: "}")), close > open + 1
        {
            hashed = bytes[(open + 1)..<close]
        }
        return Int(crc16(hashed) & 0x3FFF)
    }

    /// CRC-16/XMODEM (polynomial 0x1021, initial 0), as the cluster specification defines it.
    static func crc16(_ bytes: ArraySlice<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc ^= UInt16(byte) << 8
            for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        }
        return crc
    }
}
