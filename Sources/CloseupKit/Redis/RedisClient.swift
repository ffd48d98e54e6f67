// What services talk to: one Redis server, or a Redis Cluster behind the same
// calls. Cluster mode starts with --cluster or the first MOVED reply; commands
// are routed by key slot, MOVED refreshes the slot map, ASK is followed with
// ASKING, and pipelines are split per node and put back in order.

public final class RedisClient {
    public let options: RedisOptions
    private let seed: RedisConnection
    private var cluster: ClusterRouter?

    /// Connects to the configured server; with `cluster`, loads the slot map at once.
    public init(options: RedisOptions, cluster: Bool = false) throws(RedisError) {
        self.options = options
        seed = try RedisConnection(options: options)
        if cluster { self.cluster = try ClusterRouter(seed: seed) }
    }

    public var isCluster: Bool { cluster != nil }

    /// Switches to cluster mode when the server says it is a cluster node (for commands that
    /// must see every master: keys scan, monitor, doctor).
    /// `info` is an INFO reply the caller already has (doctor), saving the round trip.
    public func detectCluster(info known: String? = nil) throws(RedisError) {
        guard cluster == nil else { return }
        let info: String
        if let known { info = known } else { info = try seed.call(RedisCommand("INFO", "cluster")).string ?? "" }
        if info.contains("cluster_enabled:1") { cluster = try ClusterRouter(seed: seed) }
    }

    /// Every master (just the server itself outside a cluster), for SCAN and MONITOR fan-out.
    public func masters() throws(RedisError) -> [RedisConnection] {
        guard let cluster else { return [seed] }
        return try cluster.masters()
    }

    /// The master's addresses and slot ranges, for doctor.
    public func clusterLayout() -> [(node: String, slots: Int)]? { cluster?.layout() }

    @discardableResult
    public func call(_ command: RedisCommand) throws(RedisError) -> RESPValue {
        let reply = try pipeline([command])[0]
        if case .error(let message) = reply { throw .reply(command: command.label, message: message) }
        return reply
    }

    public func pipeline(_ commands: [RedisCommand]) throws(RedisError) -> [RESPValue] {
        if let cluster { return try cluster.pipeline(commands) }
        let replies = try seed.pipeline(commands)
        guard replies.contains(where: ClusterRouter.isRedirect) else { return replies }
        // A MOVED from a server we took for standalone: it is a cluster after all.
        let router = try ClusterRouter(seed: seed)
        cluster = router
        return try router.pipeline(commands)
    }

    /// Streams `count` commands; see `RedisConnection.stream`. In a cluster, windows of commands
    /// are split per node. Replies carry their index: after a MOVED turns a standalone client into
    /// a cluster one, the redirected commands' replies come last.
    public func stream(count: Int, command: (Int) -> RedisCommand, reply: (Int, RESPValue) -> Void) throws(RedisError) {
        guard cluster != nil else {
            var redirected: [Int] = []
            try seed.stream(count: count, command: command) { index, value in
                if ClusterRouter.isRedirect(value) { redirected.append(index) } else { reply(index, value) }
            }
            guard !redirected.isEmpty else { return }
            cluster = try ClusterRouter(seed: seed)
            return try stream(count: redirected.count, command: { command(redirected[$0]) }, reply: { reply(redirected[$0], $1) })
        }
        var start = 0
        while start < count {
            let end = min(start + RedisConnection.window, count)
            let replies = try pipeline((start..<end).map(command))
            for (offset, value) in replies.enumerated() { reply(start + offset, value) }
            start = end
        }
    }

    /// Runs `script` on `key`: EVALSHA, then EVAL when the node has not seen the script.
    public func run(_ script: RedisScript, key: String, arguments: [String] = []) throws(RedisError) -> RESPValue {
        let reply = try run([(script, key, arguments)])[0]
        if case .error(let message) = reply { throw .reply(command: "script on \(key)", message: message) }
        return reply
    }

    /// Runs several scripts in one pipeline, each by digest and sent again in full where a node
    /// has not seen it. Error replies are returned, not thrown: a caller whose earlier script
    /// already changed data must still see the others' results to undo it.
    public func run(_ calls: [(script: RedisScript, key: String, arguments: [String])]) throws(RedisError) -> [RESPValue] {
        var replies = try pipeline(calls.map { $0.script.evalsha(key: $0.key, arguments: $0.arguments) })
        for (index, call) in calls.enumerated() {
            if case .error(let message) = replies[index], message.hasPrefix("NOSCRIPT") {
                replies[index] = try self.call(call.script.eval(key: call.key, arguments: call.arguments))
            }
        }
        return replies
    }
}

/// The slot map of a cluster and a connection per node.
final class ClusterRouter {
    private let seed: RedisConnection
    private var slots = [Int](repeating: -1, count: ClusterSlots.count)
    private var nodes: [RedisOptions.Address] = []
    private var connections: [Int: RedisConnection] = [:]

    init(seed: RedisConnection) throws(RedisError) {
        self.seed = seed
        try refresh()
    }

    static func isRedirect(_ reply: RESPValue) -> Bool {
        guard case .error(let message) = reply else { return false }
        return message.hasPrefix("MOVED ") || message.hasPrefix("ASK ")
    }

    /// Loads the slot map with CLUSTER SLOTS from any node that answers.
    func refresh() throws(RedisError) {
        var lastError: RedisError?
        for connection in [seed] + connections.values {
            do {
                let reply = try connection.call(RedisCommand("CLUSTER", "SLOTS"))
                try load(reply, seedHost: connection.options)
                return
            } catch {
                lastError = error
            }
        }
        throw lastError ?? .reply(command: "CLUSTER SLOTS", message: "no node answered")
    }

    private func load(_ reply: RESPValue, seedHost: RedisOptions) throws(RedisError) {
        guard let ranges = reply.array else {
            throw .protocolViolation(target: seed.options.target, reason: "unexpected CLUSTER SLOTS reply")
        }
        var fresh = [Int](repeating: -1, count: ClusterSlots.count)
        for range in ranges {
            guard let parts = range.array, parts.count >= 3, let start = parts[0].integer, let end = parts[1].integer,
                let master = parts[2].array, master.count >= 2, let port = master[1].integer
            else { continue }
            var host = master[0].string ?? ""
            if host.isEmpty, case .tcp(let seedHost, _) = seedHost.address { host = seedHost }
            let node = index(of: .tcp(host: host, port: Int(port)))
            for slot in Int(start)...Int(min(end, Int64(ClusterSlots.count - 1))) { fresh[slot] = node }
        }
        slots = fresh
    }

    private func index(of address: RedisOptions.Address) -> Int {
        if let found = nodes.firstIndex(of: address) { return found }
        nodes.append(address)
        return nodes.count - 1
    }

    private func connection(_ node: Int) throws(RedisError) -> RedisConnection {
        if let open = connections[node] { return open }
        if seed.options.address == nodes[node] {
            connections[node] = seed
            return seed
        }
        var options = seed.options
        options.address = nodes[node]
        let connection = try RedisConnection(options: options)
        connections[node] = connection
        return connection
    }

    /// The node serving `command`: its key's slot owner, or the seed for keyless commands.
    private func node(for command: RedisCommand) -> Int? {
        guard let key = command.routingKey else { return nil }
        let owner = slots[ClusterSlots.slot(of: key)]
        return owner >= 0 ? owner : nil
    }

    func pipeline(_ commands: [RedisCommand]) throws(RedisError) -> [RESPValue] {
        var replies = [RESPValue](repeating: .null, count: commands.count)
        var groups: [Int: [Int]] = [:]  // node -> command indices; -1 is the seed
        for (index, command) in commands.enumerated() { groups[node(for: command) ?? -1, default: []].append(index) }
        for (node, indices) in groups {
            let connection = node < 0 ? seed : try connection(node)
            let answered = try connection.pipeline(indices.map { commands[$0] })
            for (index, reply) in zip(indices, answered) { replies[index] = reply }
        }
        for index in replies.indices where Self.isRedirect(replies[index]) {
            replies[index] = try follow(commands[index], replies[index])
        }
        return replies
    }

    /// Follows MOVED (refreshing the map) and ASK (ASKING first, map unchanged), a few hops at most.
    private func follow(_ command: RedisCommand, _ first: RESPValue) throws(RedisError) -> RESPValue {
        var reply = first
        for _ in 0..<5 {
            guard case .error(let message) = reply else { return reply }
            let words = message.split(separator: " ")
            guard words.count == 3, let colon = words[2].lastIndex(of: ":"), let port = Int(words[2][words[2].index(after: colon)...])
            else { return reply }
            var host = String(words[2][..<colon])
            if host.isEmpty, case .tcp(let seedHost, _) = seed.options.address { host = seedHost }
            let target = index(of: .tcp(host: host, port: port))
            if words[0] == "MOVED" {
                if let slot = Int(words[1]) { slots[slot] = target }
                try? refresh()
                reply = try connection(target).pipeline([command])[0]
            } else if words[0] == "ASK" {
                reply = try connection(target).pipeline([RedisCommand("ASKING"), command])[1]
            } else {
                return reply
            }
        }
        return reply
    }

    func masters() throws(RedisError) -> [RedisConnection] {
        var result: [RedisConnection] = []
        for node in Set(slots.filter { $0 >= 0 }).sorted() { result.append(try connection(node)) }
        return result
    }

    func layout() -> [(node: String, slots: Int)] {
        var counts: [Int: Int] = [:]
        for owner in slots where owner >= 0 { counts[owner, default: 0] += 1 }
        return counts.keys.sorted().map { node in
            var options = seed.options
            options.address = nodes[node]
            options.database = 0
            return (options.target, counts[node]!)
        }
    }
}
