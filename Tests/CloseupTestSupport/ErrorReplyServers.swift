// Servers caught in one error state each (NOAUTH, WRONGPASS, NOPERM, READONLY, OOM,
// BUSY, MISCONF, LOADING, CLUSTERDOWN), for tests that run closeup against every
// error reply Redis can give. Real redis-servers wherever Redis can be driven into
// the state on demand; a scripted RESP server for LOADING and CLUSTERDOWN, which
// a real server only reaches by accident of timing or topology. What closeup should
// do about each reply is the tests' business, not this file's.
import CloseupKit
import Foundation

/// What a closeup process (or a `RedisConnection`) needs to meet one error state.
public struct RedisTarget: Sendable, Equatable {
    public var host = "127.0.0.1"
    public var port: Int
    public var username: String?
    public var password: String?

    public init(port: Int, username: String? = nil, password: String? = nil) {
        self.port = port
        self.username = username
        self.password = password
    }

    /// The variables that point closeup here; merge them into `Closeup.environment`.
    public var environment: [String: String] {
        var environment = ["REDIS_HOST": host, "REDIS_PORT": String(port)]
        environment["REDIS_USERNAME"] = username
        environment["REDIS_PASSWORD"] = password
        return environment
    }

    public func options() -> RedisOptions {
        var options = RedisOptions(address: .tcp(host: host, port: port))
        options.connectTimeout = 2
        options.operationTimeout = 2
        options.username = username
        options.password = password
        return options
    }

    /// Connects with these credentials; a refused AUTH throws `RedisError.reply(command: "AUTH", …)`.
    public func connect() throws -> RedisConnection { try RedisConnection(options: options()) }
}

/// One error state: where to find it, and how to leave it. The servers behind it live as long
/// as this object; only NOPERM touches a server others use, and it removes its user on deinit.
public final class ErrorReplyServer: @unchecked Sendable {
    /// The error code the state answers with, as it starts the reply: "NOAUTH", "OOM"…
    public let code: String
    public let target: RedisTarget
    /// The scripted server behind LOADING and CLUSTERDOWN, to read what closeup sent it.
    public let scripted: ScriptedRedis?
    private let keepAlive: [AnyObject]
    private let undo: () throws -> Void
    private let cleanup: () -> Void

    private init(
        _ code: String, _ target: RedisTarget, keepAlive: [AnyObject], scripted: ScriptedRedis? = nil,
        undo: @escaping () throws -> Void, cleanup: @escaping () -> Void = {}
    ) {
        self.code = code
        self.target = target
        self.keepAlive = keepAlive
        self.scripted = scripted
        self.undo = undo
        self.cleanup = cleanup
    }

    deinit { cleanup() }

    /// Leaves the state, so that `target` then answers as a healthy server would (see each
    /// factory for how). Tests that prove closeup recovers call it; others just drop the object.
    public func end() throws { try undo() }

    /// NOAUTH: a server with `requirepass`, and a target without a password, so every command
    /// but AUTH and QUIT, PING included, answers `-NOAUTH Authentication required.` (HELLO
    /// without its AUTH option, a longer NOAUTH). `seed` runs first, authenticated.
    /// `end()` clears requirepass.
    public static func noAuth(seed: [RedisCommand] = []) throws -> ErrorReplyServer {
        let server = try RedisServer(password: "right-" + UUID().uuidString)
        try run(seed, on: server.connect())
        return ErrorReplyServer("NOAUTH", RedisTarget(port: server.port), keepAlive: [server]) {
            try server.connect().call(RedisCommand("CONFIG", "SET", "requirepass", ""))
        }
    }

    /// WRONGPASS: a server with `requirepass` and a target with another password: AUTH answers
    /// `-WRONGPASS invalid username-password pair or user is disabled.`, so `target.connect()`
    /// throws. `end()` makes the target's password the right one.
    public static func wrongPassword(seed: [RedisCommand] = []) throws -> ErrorReplyServer {
        let server = try RedisServer(password: "right-" + UUID().uuidString)
        try run(seed, on: server.connect())
        let wrong = "wrong-" + UUID().uuidString
        return ErrorReplyServer("WRONGPASS", RedisTarget(port: server.port, password: wrong), keepAlive: [server]) {
            try server.connect().call(RedisCommand("CONFIG", "SET", "requirepass", wrong))
        }
    }

    /// NOPERM: an ACL user on `server` (the shared one unless given) allowed everything but
    /// `denying`. Those commands answer `-NOPERM this user has no permissions to run the '<name>'
    /// command`; a script calling one answers `-ERR The user executing the script can't run this
    /// command or subcommand script: <sha>, on @user_script:<line>.` (through `redis.pcall`, the
    /// error the script sees lacks the ` script: …` part). Denying EVALSHA makes EVALSHA itself
    /// answer `-NOPERM … 'evalsha' command`. `end()` grants the user every command; the user is
    /// deleted on deinit.
    public static func noPermission(denying: [String], on server: RedisServer = .shared) throws -> ErrorReplyServer {
        let user = try server.aclUser(denying: denying)
        return ErrorReplyServer(
            "NOPERM", RedisTarget(port: server.port, username: user.username, password: user.password),
            keepAlive: [server],
            undo: { try server.connect().call(RedisCommand("ACL", "SETUSER", user.username, "+@all")) },
            cleanup: { _ = try? server.connect().call(RedisCommand("ACL", "DELUSER", user.username)) })
    }

    /// READONLY: a replica of a fresh master, returned once the link is up, so writes (DEL and
    /// EXPIRE too) answer `-READONLY You can't write against a read only replica.`; a script
    /// that writes answers the same plus ` script: <sha>, on @user_script:<line>.`. Reads and
    /// read-only scripts work. `seed` runs on the master, so the replica holds its keys.
    /// SCRIPT LOAD is not replicated: a first EVALSHA on the replica answers NOSCRIPT.
    /// `end()` promotes the replica (REPLICAOF NO ONE).
    public static func readOnly(seed: [RedisCommand] = []) throws -> ErrorReplyServer {
        // Without this the master waits 5 s for more replicas before a diskless sync.
        let master = try RedisServer(config: ["--repl-diskless-sync-delay", "0"])
        try run(seed, on: master.connect())
        let replica = try RedisServer(config: ["--replicaof", "127.0.0.1", String(master.port)])
        try waitFor("the replica's link to its master", on: replica, RedisCommand("INFO", "replication")) {
            $0.string?.contains("master_link_status:up") == true
        }
        return ErrorReplyServer("READONLY", RedisTarget(port: replica.port), keepAlive: [master, replica]) {
            try replica.connect().call(RedisCommand("REPLICAOF", "NO", "ONE"))
        }
    }

    /// OOM: `maxmemory 1` with `noeviction`, so SET, INCR and EXPIRE answer `-OOM command not
    /// allowed when used memory > 'maxmemory'.`, and so does a script calling one of them before
    /// it has written anything (adding ` script: <sha>, on @user_script:<line>.`). A script that
    /// has written already, even by a DEL, may go on writing. GET, DEL, PING and SCRIPT LOAD still
    /// work. `end()` sets maxmemory back to 0 (no limit).
    public static func outOfMemory(seed: [RedisCommand] = []) throws -> ErrorReplyServer {
        let server = try RedisServer(config: ["--maxmemory-policy", "noeviction"])
        let admin = try server.connect()
        try run(seed, on: admin)
        // Any real dataset is over one byte, so this holds until maxmemory changes.
        try admin.call(RedisCommand("CONFIG", "SET", "maxmemory", "1"))
        return ErrorReplyServer("OOM", RedisTarget(port: server.port), keepAlive: [server]) {
            try server.connect().call(RedisCommand("CONFIG", "SET", "maxmemory", "0"))
        }
    }

    /// BUSY: a `redis-cli` child runs a script that loops until killed, so every command but
    /// AUTH, HELLO, QUIT, RESET, MULTI/EXEC/DISCARD/WATCH, SCRIPT KILL and SHUTDOWN answers
    /// `-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.`;
    /// returned once PING answers so. New connections are still accepted.
    /// `end()` sends SCRIPT KILL (the script never writes, so it may be killed) and returns
    /// once PING answers PONG again.
    public static func busy(seed: [RedisCommand] = []) throws -> ErrorReplyServer {
        // busy-reply-threshold (lua-time-limit before 7.0) is how long a script runs before
        // others are told BUSY; meanwhile they just wait, so keep it short.
        let server = try RedisServer(config: ["--busy-reply-threshold", "100"])
        try run(seed, on: server.connect())
        let script = try ChildProcess(
            try which("redis-cli"), ["-p", String(server.port), "EVAL", "while true do end", "0"],
            environment: ["PATH": "/usr/bin:/bin"], directory: server.directory)
        try waitFor("BUSY", on: server, RedisCommand("PING")) { $0.errorCode == "BUSY" }
        return ErrorReplyServer("BUSY", RedisTarget(port: server.port), keepAlive: [server, script]) {
            // NOTBUSY: someone else killed it already; the wait below still holds.
            let killed = try server.connect().pipelineKeepingErrors([RedisCommand("SCRIPT", "KILL")])[0].resp
            guard killed == .status("OK") || killed.errorCode == "NOTBUSY" else {
                throw TestSupportError("SCRIPT KILL answered \(killed)")
            }
            try waitFor("PONG after SCRIPT KILL", on: server, RedisCommand("PING")) { $0 == .status("PONG") }
            try script.wait(timeout: 5)
        }
    }

    /// MISCONF: a server with a save point whose BGSAVE failed (its `dir` was removed under
    /// it; running as root, permissions would not stop it), with stop-writes-on-bgsave-error
    /// on, so writes (DEL too) and a script's first write answer `-MISCONF Redis is configured
    /// to save RDB snapshots, but it's currently unable to persist to disk. …`. Reads, PING and
    /// read-only scripts work. `end()` turns stop-writes-on-bgsave-error off.
    public static func misconfigured(seed: [RedisCommand] = []) throws -> ErrorReplyServer {
        // MISCONF needs a save point: without one, Redis ignores a failed BGSAVE. The second
        // --dir wins over RedisServer's own, which keeps the log and the socket.
        let rdbDirectory = try TemporaryDirectory.make(prefix: "closeup-rdb")
        let server = try RedisServer(config: ["--save", "3600 1", "--dir", rdbDirectory])
        let admin = try server.connect()
        try run(seed, on: admin)
        try FileManager.default.removeItem(atPath: rdbDirectory)
        try admin.call(RedisCommand("BGSAVE"))
        try waitFor("a failed BGSAVE", on: server, RedisCommand("INFO", "persistence")) {
            let info = $0.string ?? ""
            return info.contains("rdb_bgsave_in_progress:0") && info.contains("rdb_last_bgsave_status:err")
        }
        return ErrorReplyServer("MISCONF", RedisTarget(port: server.port), keepAlive: [server]) {
            try server.connect().call(RedisCommand("CONFIG", "SET", "stop-writes-on-bgsave-error", "no"))
        }
    }

    /// LOADING: a scripted server answering every command, PING and AUTH included, with
    /// `-LOADING Redis is loading the dataset in memory`. `end()` throws: it has no healthy state.
    public static func loading() throws -> ErrorReplyServer {
        try scripted("LOADING", ScriptedRedis(everyReply: "-LOADING Redis is loading the dataset in memory\r\n"))
    }

    /// CLUSTERDOWN: a scripted server answering every command with `-CLUSTERDOWN The cluster is
    /// down`. (A real cluster node owning no slots answers keyed commands with `-CLUSTERDOWN Hash
    /// slot not served` but PING and keyless scripts normally.) `end()` throws, as for LOADING.
    public static func clusterDown() throws -> ErrorReplyServer {
        try scripted("CLUSTERDOWN", ScriptedRedis(everyReply: "-CLUSTERDOWN The cluster is down\r\n"))
    }

    private static func scripted(_ code: String, _ server: ScriptedRedis) -> ErrorReplyServer {
        ErrorReplyServer(code, RedisTarget(port: server.port), keepAlive: [server], scripted: server) {
            throw TestSupportError("a scripted \(code) server has no healthy state to return to")
        }
    }

    private static func run(_ commands: [RedisCommand], on connection: RedisConnection) throws {
        for command in commands { try connection.call(command) }
    }

    /// Polls `server` with `command` every 20 ms for up to 10 s until `done` holds for the reply.
    private static func waitFor(
        _ what: String, on server: RedisServer, _ command: RedisCommand, _ done: (RESPValue) -> Bool
    ) throws {
        let deadline = Date().addingTimeInterval(10)
        let connection = try server.connect()
        while Date() < deadline {
            if done(try connection.pipelineKeepingErrors([command])[0].resp) { return }
            usleep(20_000)
        }
        throw TestSupportError("no \(what) on port \(server.port) within 10 s")
    }
}

extension RedisServer {
    /// Creates an ACL user with a random name and password, allowed every command and key but
    /// `denying` (command names, or `@category`); delete it with `ACL DELUSER` when done.
    public func aclUser(denying: [String]) throws -> (username: String, password: String) {
        let username = "closeup-denied-" + UUID().uuidString.prefix(8).lowercased()
        let password = UUID().uuidString
        let rules = ["on", ">" + password, "~*", "&*", "+@all"] + denying.map { "-" + $0 }
        try connect().call(RedisCommand(arguments: ["ACL", "SETUSER", username] + rules))
        return (username, password)
    }
}

extension RESPValue {
    /// The first word of an error reply ("BUSY"); nil for other replies.
    public var errorCode: String? {
        guard case .error(let message) = self else { return nil }
        return message.split(separator: " ", maxSplits: 1).first.map(String.init)
    }
}

/// A loopback server that speaks RESP without being Redis: it reads command arrays
/// (pipelined, or split across reads) on any number of connections, answers each with
/// the raw RESP `reply(command)` returns, and records every command it received.
/// For states a real server will not enter on demand. Stops on deinit.
public final class ScriptedRedis: @unchecked Sendable {
    public let port: Int
    private let state: State

    /// `reply` gets each command's arguments and returns the whole reply, CRLFs included.
    public init(reply: @escaping @Sendable ([String]) -> String) throws {
        let listener = try SilentListener()
        port = listener.port
        let state = State(listener: listener.descriptor)
        self.state = state
        // The thread owns the listener: its descriptor closes only once accept is over for good.
        Thread {
            while true {
                let client = accept(listener.descriptor, nil, nil)
                if client < 0 && (errno == EINTR || errno == ECONNABORTED) { continue }
                guard client >= 0, state.open(client) else { break }
                Thread { ScriptedRedis.serve(client, state: state, reply: reply) }.start()
            }
            state.listenerClosing()
        }.start()
    }

    /// A server giving the same reply to every command.
    public convenience init(everyReply: String) throws {
        try self.init(reply: { _ in everyReply })
    }

    /// Every command received so far, over all connections, in order of arrival.
    public var received: [[String]] { state.received }

    deinit { state.stop() }

    private static func serve(_ client: Int32, state: State, reply: ([String]) -> String) {
        defer { state.close(client) }
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = recv(client, &chunk, chunk.count, 0)
            guard count > 0 else { return }
            pending += chunk[0..<count]
            var answers = ""
            var used = 0
            do {
                while let (command, length) = try parseCommand(pending[used...]) {
                    used += length
                    state.record(command)
                    answers += reply(command)
                }
            } catch {
                // What Redis does with bytes that are not a command: say so and hang up.
                answers += "-ERR Protocol error: \(error)\r\n"
                sendAll(client, answers)
                return
            }
            pending.removeFirst(used)
            guard sendAll(client, answers) else { return }
        }
    }

    /// The first command array in `bytes` and the number of bytes it takes;
    /// nil while it is incomplete. Throws on anything but an array of bulk strings.
    static func parseCommand(_ bytes: ArraySlice<UInt8>) throws -> (command: [String], length: Int)? {
        var index = bytes.startIndex
        /// The number in a "<marker><digits>\r\n" header, nil while the line is incomplete.
        func header(_ marker: Character) throws -> Int? {
            guard index < bytes.endIndex else { return nil }
            guard bytes[index] == UInt8(ascii: marker.unicodeScalars.first!) else {
                throw TestSupportError("expected '\(marker)'")
            }
            guard let newline = bytes[index...].firstIndex(of: 0x0A) else { return nil }
            guard newline > index + 1, bytes[newline - 1] == 0x0D,
                let number = Int(String(decoding: bytes[(index + 1)..<(newline - 1)], as: UTF8.self)), number >= 0
            else { throw TestSupportError("bad '\(marker)' header") }
            index = newline + 1
            return number
        }
        guard let count = try header("*") else { return nil }
        var command: [String] = []
        for _ in 0..<count {
            guard let length = try header("$") else { return nil }
            guard bytes.endIndex - index >= length + 2 else { return nil }
            command.append(String(decoding: bytes[index..<(index + length)], as: UTF8.self))
            index += length + 2
        }
        return (command, index - bytes.startIndex)
    }

    @discardableResult
    private static func sendAll(_ client: Int32, _ text: String) -> Bool {
        var bytes = ArraySlice(Array(text.utf8))
        while !bytes.isEmpty {
            let sent = bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return false }
            bytes = bytes.dropFirst(sent)
        }
        return true
    }

    /// What the listening and connection threads share: open descriptors and commands received.
    /// Descriptors are closed and shut down only under the lock, so `stop` never shuts down a
    /// number that was closed already and may now belong to someone else.
    private final class State: @unchecked Sendable {
        private var receivedSoFar: [[String]] = []
        private var clients: Set<Int32> = []
        private var listener: Int32?
        private var stopped = false
        private let lock = NSLock()

        init(listener: Int32) { self.listener = listener }

        private func withLock<T>(_ body: () -> T) -> T {
            lock.lock()
            defer { lock.unlock() }
            return body()
        }

        var received: [[String]] { withLock { receivedSoFar } }
        func record(_ command: [String]) { withLock { receivedSoFar.append(command) } }

        /// Registers an accepted connection; false (and closed) once the server is stopping.
        func open(_ client: Int32) -> Bool {
            withLock {
                if stopped { Glibc.close(client) } else { clients.insert(client) }
                return !stopped
            }
        }

        func close(_ client: Int32) {
            withLock {
                clients.remove(client)
                Glibc.close(client)
            }
        }

        /// The accept loop is over; its thread is about to close the listener.
        func listenerClosing() { withLock { listener = nil } }

        /// Wakes every thread (shutdown, not close: each closes its own descriptor when it sees it).
        func stop() {
            withLock {
                stopped = true
                for client in clients { shutdown(client, Int32(SHUT_RDWR)) }
                if let listener { shutdown(listener, Int32(SHUT_RDWR)) }
            }
        }
    }
}
