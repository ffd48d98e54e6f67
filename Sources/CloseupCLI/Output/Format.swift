// Small formatting helpers shared by the human renderers.
import CloseupKit

enum Format {
    /// "in 287 s", or "no expiry" for a key without TTL.
    static func lifetime(_ ttl: Int64?) -> String {
        ttl.map { "expires in \($0) s" } ?? "no expiry"
    }

    /// A store as people write it: "Redis", "SQLite".
    static func name(_ store: StoreSource) -> String {
        switch store {
        case .redis: "Redis"
        case .sqlite: "SQLite"
        }
    }

    /// A JSON field for a TTL: the seconds, or null without one.
    static func ttl(_ ttl: Int64?) -> JSON { ttl.map(JSON.integer) ?? .null }

    /// A mobile number as stored, masked unless it does not parse (then shown as it is: it is not ours).
    static func masked(_ mobile: String?) -> String {
        guard let mobile else { return "unknown" }
        return (try? MobileNumber(mobile))?.masked ?? mobile
    }
}
