// Where and how to reach one Redis server, as resolved from the settings.

/// Everything a connection needs; the password never appears in `description`.
public struct RedisOptions: Sendable, Equatable {
    public enum Address: Sendable, Equatable {
        case tcp(host: String, port: Int)
        case unix(path: String)
    }

    public var address: Address
    public var database: Int = 0
    public var username: String?
    public var password: String?
    /// TLS settings; nil for a plain connection.
    public var tls: TLSSettings?
    /// Seconds to connect, handshake included.
    public var connectTimeout: Double = 5
    /// Seconds to wait for each reply batch.
    public var operationTimeout: Double = 5

    public init(address: Address) { self.address = address }

    /// "host:port" or "unix:/path", with "/db" when not 0: for messages and `doctor`.
    public var target: String {
        let base =
            switch address {
            case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            case .unix(let path): "unix:\(path)"
            }
        return database == 0 ? base : "\(base)/\(database)"
    }
}
