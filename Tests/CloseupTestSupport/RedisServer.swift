// A real redis-server for tests: started on a free loopback port (and a Unix
// socket) in a temp dir, without persistence, stopped when the tests end.
// Tests use unique key prefixes and never flush a server they share.
import CloseupKit
import Foundation

/// Servers still to kill when the test process exits, whichever test started them (suites
/// start servers from several threads at once, hence the lock).
private enum ServersToStop {
    nonisolated(unsafe) static var pids: [pid_t] = []
    nonisolated(unsafe) static var registered = false
    static let lock = NSLock()

    static func add(_ pid: pid_t) {
        lock.lock()
        defer { lock.unlock() }
        pids.append(pid)
        if !registered {
            registered = true
            atexit {
                ServersToStop.lock.lock()
                for pid in ServersToStop.pids { kill(pid, SIGKILL) }
                ServersToStop.lock.unlock()
            }
        }
    }

    /// Forgets a server stopped (and reaped) already: its pid may soon belong to someone else.
    static func remove(_ pid: pid_t) {
        lock.lock()
        defer { lock.unlock() }
        pids.removeAll { $0 == pid }
    }
}

public final class RedisServer: @unchecked Sendable {
    public let port: Int
    public let directory: String
    public var socketPath: String { directory + "/redis.sock" }
    private let process: ChildProcess

    /// The server most tests share; started on first use.
    public static let shared: RedisServer = {
        do { return try RedisServer() } catch { fatalError("cannot start redis-server for the tests: \(error)") }
    }()

    /// TLS material when the server speaks TLS only (its port is then the TLS port).
    public let tls: TLSFixture?
    public let clientAuthentication: Bool

    /// Starts a server; `config` lines are extra `--name value` arguments. With `tls`, the server
    /// accepts TLS only, and with `clientAuthentication` it requires a client certificate.
    /// The `requirepass` password, if any.
    public let password: String?

    /// With `port`, it listens there (a server restarted where the old one was).
    public init(
        config: [String] = [], tls: TLSFixture? = nil, clientAuthentication: Bool = false, password: String? = nil,
        port: Int? = nil
    ) throws {
        directory = try TemporaryDirectory.make(prefix: "closeup-redis")
        self.password = password
        // A cluster node also listens on port + 10000, so its port must leave room for that.
        self.port = try port ?? (config.contains("--cluster-enabled") ? freeClusterPort() : freePort())
        self.tls = tls
        self.clientAuthentication = clientAuthentication
        var listen = ["--port", String(self.port)]
        if let tls {
            listen = [
                "--port", "0", "--tls-port", String(self.port), "--tls-cert-file", tls.serverCertificate,
                "--tls-key-file", tls.serverKey, "--tls-ca-cert-file", tls.caCertificate,
                "--tls-auth-clients", clientAuthentication ? "yes" : "no",
            ]
        }
        let arguments =
            listen + [
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", directory, "--unixsocket", directory + "/redis.sock", "--unixsocketperm", "700",
                "--logfile", directory + "/redis.log", "--daemonize", "no",
            ] + config + (password.map { ["--requirepass", $0] } ?? [])
        process = try ChildProcess(
            try which("redis-server"), arguments, environment: ["PATH": "/usr/bin:/bin"], directory: directory,
            captureOutput: false)
        ServersToStop.add(process.pid)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let connection = try? RedisConnection(options: options()),
                (try? connection.call(RedisCommand("PING")))?.resp == .status("PONG")
            {
                return
            }
            usleep(50_000)
        }
        stop()
        throw TestSupportError("redis-server on port \(port) did not answer PING within 10 s")
    }

    /// Options for a TCP connection to this server (TLS, verified, with the client certificate, when it speaks TLS).
    public func options() -> RedisOptions {
        var options = RedisOptions(address: .tcp(host: "127.0.0.1", port: port))
        options.connectTimeout = 2
        options.operationTimeout = 2
        options.password = password
        if let tls {
            options.tls = TLSSettings(
                caCertificate: tls.caCertificate, certificate: clientAuthentication ? tls.clientCertificate : nil,
                privateKey: clientAuthentication ? tls.clientKey : nil)
        }
        return options
    }

    /// A connection waiting up to `timeout` seconds for each reply (filling a server with a
    /// million keys takes longer than a loaded machine answers in 2 s).
    public func connect(timeout: Double = 2) throws -> RedisConnection {
        var options = options()
        options.operationTimeout = timeout
        return try RedisConnection(options: options)
    }

    /// The `redis://` URL of this server.
    public var url: String { "redis://127.0.0.1:\(port)" }

    /// Sends `signal` to the server (SIGSTOP and SIGCONT stall it and let it go on).
    public func signal(_ signal: Int32) { process.signal(signal) }

    /// Kills the server at once: these servers keep nothing, and tests that stop one want it gone now.
    public func stop() {
        guard process.isRunning else { return }
        process.signal(SIGKILL)
        _ = try? process.wait(timeout: 10)
        ServersToStop.remove(process.pid)
    }

    deinit { stop() }
}

/// A CA, a server certificate for localhost and 127.0.0.1, a client certificate, and a
/// second CA that signed none of them: made by the `openssl` command at test time.
public struct TLSFixture: Sendable {
    public let directory: String
    public var caCertificate: String { directory + "/ca.crt" }
    public var otherCACertificate: String { directory + "/other-ca.crt" }
    public var serverCertificate: String { directory + "/server.crt" }
    public var serverKey: String { directory + "/server.key" }
    public var clientCertificate: String { directory + "/client.crt" }
    public var clientKey: String { directory + "/client.key" }

    public init() throws {
        directory = try TemporaryDirectory.make(prefix: "closeup-tls")
        let script = """
            set -e
            openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj '/CN=closeup test CA'
            openssl req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key -out other-ca.crt -days 2 -subj '/CN=another CA'
            printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > server.ext
            openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj '/CN=localhost'
            openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile server.ext
            openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj '/CN=closeup client'
            openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt -days 2
            chmod 644 *.key
            """
        let result = try Closeup.runProgram(
            "/bin/sh", ["-c", script], environment: ["PATH": "/usr/bin:/bin"], directory: directory, stdin: "")
        guard result.status == 0 else { throw TestSupportError("openssl failed: \(result.stderr)") }
    }
}

public struct TestSupportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A port below 55536 that is free, and whose cluster bus port (+10000) is free too.
func freeClusterPort() throws -> Int {
    for _ in 0..<200 {
        let port = Int.random(in: 20_000...45_000)
        if canBind(port) && canBind(port + 10_000) { return port }
    }
    throw TestSupportError("cannot find a free port pair for a cluster node")
}

private func canBind(_ port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}

/// A TCP port nobody listens on right now (bound to port 0, then released).
public func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw TestSupportError("cannot find a free port") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A loopback server that is not Redis: to every connection it sends `reply` (once it has read
/// the request), then closes it, or with `thenClose` false leaves it open and says no more.
public final class GarbageServer: @unchecked Sendable {
    public let port: Int
    private let fd: Int32

    public init(reply: [UInt8], thenClose: Bool = true) throws {
        let listener = try SilentListener()
        port = listener.port
        fd = dup(listener.descriptor)
        let fd = self.fd
        let thread = Thread {
            var open: [Int32] = []
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { break }
                var request = [UInt8](repeating: 0, count: 65_536)
                _ = recv(client, &request, request.count, 0)
                _ = reply.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if thenClose { close(client) } else { open.append(client) }
            }
            open.forEach { close($0) }
        }
        thread.start()
    }

    public convenience init(reply: String, thenClose: Bool = true) throws {
        try self.init(reply: Array(reply.utf8), thenClose: thenClose)
    }

    deinit {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }
}

/// A loopback listener that accepts connections (the kernel does, through the
/// backlog) and never says a word: the "server that hangs" of the timeout tests.
public final class SilentListener: @unchecked Sendable {
    public let port: Int
    private let fd: Int32
    var descriptor: Int32 { fd }

    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard ok else {
            close(fd)
            throw TestSupportError("cannot start a silent listener")
        }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }
}

public enum TemporaryDirectory {
    public static func make(prefix: String) throws -> String {
        var template = Array((NSTemporaryDirectory() + "/\(prefix).XXXXXX").utf8CString)
        guard let path = mkdtemp(&template) else { throw TestSupportError("mkdtemp failed") }
        return String(cString: path)
    }
}

/// The path of `program` on PATH (or in the usual Debian folders); posix_spawn takes paths only.
public func which(_ program: String) throws -> String {
    for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let path = "\(folder)/\(program)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    for folder in ["/usr/bin", "/usr/sbin", "/usr/local/bin"] where FileManager.default.isExecutableFile(atPath: "\(folder)/\(program)") {
        return "\(folder)/\(program)"
    }
    throw TestSupportError("\(program) not found on PATH; run 'make deps'")
}

/// A three-master Redis Cluster on loopback, made by `redis-cli --cluster create`.
public final class RedisCluster: @unchecked Sendable {
    public let nodes: [RedisServer]
    public let tls: TLSFixture?

    public init(tls: TLSFixture? = nil) throws {
        self.tls = tls
        var extra = ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000"]
        if tls != nil { extra += ["--tls-cluster", "yes", "--tls-replication", "yes"] }
        nodes = try (0..<3).map { _ in try RedisServer(config: extra, tls: tls) }
        var arguments = ["--cluster", "create"] + nodes.map { "127.0.0.1:\($0.port)" } + ["--cluster-replicas", "0", "--cluster-yes"]
        if let tls { arguments = ["--tls", "--cacert", tls.caCertificate] + arguments }
        let created = try Closeup.runProgram(
            try which("redis-cli"), arguments, environment: ["PATH": "/usr/bin:/bin"], directory: "/", stdin: "")
        guard created.status == 0 else { throw TestSupportError("redis-cli --cluster create failed: \(created.stdout)\(created.stderr)") }
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let ready = nodes.allSatisfy { node in
                let info = (try? node.connect().call(RedisCommand("CLUSTER", "INFO")).string) ?? nil
                return info?.contains("cluster_state:ok") == true && info?.contains("cluster_known_nodes:3") == true
            }
            if ready { return }
            usleep(100_000)
        }
        throw TestSupportError("the cluster did not reach cluster_state:ok within 20 s")
    }

    /// The node that serves `key`'s slot, by asking the cluster.
    public func owner(of key: String) throws -> RedisServer {
        let slot = try nodes[0].connect().call(RedisCommand("CLUSTER", "KEYSLOT", key)).number!
        let ranges = try nodes[0].connect().call(RedisCommand("CLUSTER", "SLOTS")).items ?? []
        for range in ranges {
            let parts = range.items!
            if parts[0].number! <= slot && slot <= parts[1].number! {
                let port = parts[2].items![1].number!
                return nodes.first { Int64($0.port) == port }!
            }
        }
        throw TestSupportError("no owner for slot \(slot)")
    }

    public func nodeID(_ node: RedisServer) throws -> String {
        try node.connect().call(RedisCommand("CLUSTER", "MYID")).string!
    }
}
