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

    /// True once any server of this client has sent a byte. Before that, a silent or absent
    /// server means Redis is not there; after it, losing one is a failure of the run.
    public var hasAnswered: Bool { seed.hasAnswered || cluster?.hasAnswered == true }

    /// How `detectCluster` came to its answer.
    public enum ClusterDetection: Sendable, Equatable {
        case standalone
        case cluster
        /// INFO and CLUSTER SLOTS were both refused (least privilege): only `--cluster` or a
        /// MOVED reply can say, so the server is taken for standalone.
        case unknown(reason: String)

        /// What to tell the user when the layout is unknown: other masters' keys may be missed.
        public var warning: String? {
            guard case .unknown(let reason) = self else { return nil }
            return "\(reason); whether this is a cluster is unknown, so only this server is seen"
        }
    }

    /// Switches to cluster mode when the server says it is a cluster node (for commands that
    /// must see every master: keys scan, monitor, doctor). `info` is an INFO reply the caller
    /// already has (doctor), saving the round trip. A refused INFO is no failure (SPEC §2, least
    /// privilege): CLUSTER SLOTS is asked instead, which a standalone server refuses too.
    @discardableResult
    public func detectCluster(info known: String? = nil) throws(RedisError) -> ClusterDetection {
        if cluster != nil { return .cluster }
        var info = known
        var refusals: [String] = []
        if info == nil {
            do throws(RedisError) {
                info = try seed.call(RedisCommand("INFO", "cluster")).text()
            } catch {
                guard error.isRefusal, case .reply(_, let message) = error else { throw error }
                refusals.append("INFO: \(message)")
            }
        }
        if let info {
            if info.contains("cluster_enabled:1") { cluster = try ClusterRouter(seed: seed) }
            return isCluster ? .cluster : .standalone
        }
        let reply = try seed.pipelineKeepingErrors([RedisCommand("CLUSTER", "SLOTS")])[0]
        guard let message = reply.errorMessage else {
            cluster = try ClusterRouter(seed: seed, slots: reply)
            return .cluster
        }
        if message.contains("cluster support disabled") { return .standalone }
        let refusal = RedisError.reply(command: reply.command, message: message)
        guard refusal.isRefusal else { throw refusal }
        refusals.append("CLUSTER SLOTS: \(message)")
        return .unknown(reason: "Redis refused " + refusals.joined(separator: "; "))
    }

    /// Every master (just the server itself outside a cluster), for SCAN and MONITOR fan-out.
    public func masters() throws(RedisError) -> [RedisConnection] {
        guard let cluster else { return [seed] }
        return try cluster.masters()
    }

    /// Each master (how to reach it) and how many slots it serves, for doctor; nil outside a cluster.
    public func clusterLayout() -> [(node: RedisOptions, slots: Int)]? { cluster?.layout() }

    /// Sends one command; an error reply is thrown.
    @discardableResult
    public func call(_ command: RedisCommand) throws(RedisError) -> RedisReply {
        try pipeline([command])[0]
    }

    /// Sends the commands (split per node in a cluster) and returns their replies in order.
    /// The first error reply is thrown once every reply is in.
    public func pipeline(_ commands: [RedisCommand]) throws(RedisError) -> [RedisReply] {
        try pipelineKeepingErrors(commands).checked()
    }

    /// Like `pipeline`, but error replies come back as replies, for a caller that decides per
    /// command (a script to send again, a change to undo). Redirects are followed either way.
    public func pipelineKeepingErrors(_ commands: [RedisCommand]) throws(RedisError) -> [RedisReply] {
        [RedisReply](try rawPipeline(commands), answering: commands)
    }

    private func rawPipeline(_ commands: [RedisCommand]) throws(RedisError) -> [RESPValue] {
        if let cluster { return try cluster.pipeline(commands) }
        var replies = try seed.rawPipeline(commands)
        let redirected = replies.indices.filter { ClusterRouter.isRedirect(replies[$0]) }
        guard !redirected.isEmpty else { return replies }
        // A MOVED from a server we took for standalone: it is a cluster after all. The other
        // commands of the pipeline ran where they were sent; only the redirected ones, which
        // did not run, are sent again, routed by the slot map just loaded.
        let router = try ClusterRouter(seed: seed)
        cluster = router
        let resent = try router.pipeline(redirected.map { commands[$0] })
        for (index, reply) in zip(redirected, resent) { replies[index] = reply }
        return replies
    }

    /// Streams `count` commands that each remove one key (DEL, UNLINK; see `RedisConnection.stream`)
    /// and hands over whether each removed it. In a cluster, windows of commands are split per
    /// node; after a MOVED turns a standalone client into a cluster one, the redirected commands'
    /// flags come last. The first error reply, or a reply that is not 0 or 1, is thrown after
    /// the last reply is in, so one bad key does not leave the rest of a bulk job undone. Each
    /// reply is decoded here, without making a reply value per key on the common path.
    public func streamRemovals(count: Int, command: (Int) -> RedisCommand, removed: (Int, Bool) -> Void) throws(RedisError) {
        var firstError: RedisError?
        func deliver(_ index: Int, _ value: RESPValue) {
            switch value {
            case .integer(0): removed(index, false)
            case .integer(1): removed(index, true)
            default:
                do throws(RedisError) {
                    removed(index, try RedisReply(value, to: command(index)).flag())
                } catch {
                    firstError = firstError ?? error
                }
            }
        }
        if cluster == nil {
            var redirected: [Int] = []
            try seed.stream(count: count, command: command) { index, value in
                if ClusterRouter.isRedirect(value) { redirected.append(index) } else { deliver(index, value) }
            }
            if !redirected.isEmpty {
                cluster = try ClusterRouter(seed: seed)
                try streamInCluster(count: redirected.count, command: { command(redirected[$0]) }) {
                    deliver(redirected[$0], $1)
                }
            }
        } else {
            try streamInCluster(count: count, command: command, reply: deliver)
        }
        if let firstError { throw firstError }
    }

    /// Removes `keys` with as few commands as the layout allows: one UNLINK per 1,000 keys on a
    /// single server, one per hash slot in a cluster (a command's keys must share a slot).
    /// Returns how many existed. Call `detectCluster` first: a standalone server that is really
    /// a cluster node refuses keys of several slots in one command.
    public func unlink(_ keys: [String]) throws(RedisError) -> Int {
        var groups: [[String]] = []
        if isCluster {
            var bySlot: [Int: [String]] = [:]
            for key in keys { bySlot[ClusterSlots.slot(of: key), default: []].append(key) }
            groups = Array(bySlot.values)
        } else {
            groups = [keys]
        }
        var commands: [RedisCommand] = []
        for group in groups {
            for start in stride(from: 0, to: group.count, by: 1000) {
                commands.append(RedisCommand(arguments: ["UNLINK"] + group[start..<min(start + 1000, group.count)]))
            }
        }
        var removed = 0
        for reply in try pipeline(commands) {
            let count = try reply.integer()
            guard count >= 0 else { throw .unexpectedReply(command: reply.command, expected: "a count", received: "\(count)") }
            removed += Int(count)
        }
        return removed
    }

    private func streamInCluster(
        count: Int, command: (Int) -> RedisCommand, reply: (Int, RESPValue) -> Void
    ) throws(RedisError) {
        guard let cluster else { return }
        var start = 0
        while start < count {
            let end = min(start + RedisConnection.window, count)
            let replies = try cluster.pipeline((start..<end).map(command))
            for (offset, value) in replies.enumerated() { reply(start + offset, value) }
            start = end
        }
    }

    /// Runs `script` on `key`: EVALSHA, then EVAL when the node has not seen the script.
    /// An error reply is thrown.
    public func run(_ script: RedisScript, key: String, arguments: [String] = []) throws(RedisError) -> RedisReply {
        try runKeepingErrors([(script, key, arguments)])[0].checked()
    }

    /// Runs several scripts, then `commands`, in one pipeline: each script by digest, sent again
    /// in full only where a node answered NOSCRIPT (it did not run). Error replies are returned,
    /// not thrown: a caller whose earlier script already changed data must still see the others'
    /// results to undo it. The replies are the scripts' in order, then the commands'.
    public func runKeepingErrors(
        _ calls: [(script: RedisScript, key: String, arguments: [String])], followedBy commands: [RedisCommand] = []
    ) throws(RedisError) -> [RedisReply] {
        var replies = try pipelineKeepingErrors(
            calls.map { $0.script.evalsha(key: $0.key, arguments: $0.arguments) } + commands)
        for (index, call) in calls.enumerated() where replies[index].errorMessage?.hasPrefix("NOSCRIPT") == true {
            replies[index] = try pipelineKeepingErrors([call.script.eval(key: call.key, arguments: call.arguments)])[0]
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

    /// Loads the slot map from `slots` (a CLUSTER SLOTS reply the caller has), else asks. A
    /// refused CLUSTER SLOTS (least privilege) is no failure: the map is then learnt from
    /// MOVED replies, one slot at a time.
    init(seed: RedisConnection, slots known: RedisReply? = nil) throws(RedisError) {
        self.seed = seed
        if let known {
            try load(known, seedHost: seed.options)
            return
        }
        do throws(RedisError) {
            try refresh()
        } catch {
            guard error.isRefusal else { throw error }
            mapRefused = error
        }
    }

    /// Why the slot map is known only from redirects, if it is.
    private var mapRefused: RedisError?

    var hasAnswered: Bool { connections.values.contains { $0.hasAnswered } }

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
                mapRefused = nil
                return
            } catch {
                lastError = error
            }
        }
        throw lastError ?? .reply(command: "CLUSTER SLOTS", message: "no node answered")
    }

    /// Each element of a CLUSTER SLOTS reply is [start, end, [host, port, id…], replicas…].
    private func load(_ reply: RedisReply, seedHost: RedisOptions) throws(RedisError) {
        var fresh = [Int](repeating: -1, count: ClusterSlots.count)
        for range in try reply.array() {
            let parts = try range.array()
            guard parts.count >= 3 else { throw .unexpectedReply(command: reply.command, expected: "slot ranges", received: "a short range") }
            let start = try parts[0].integer(), end = try parts[1].integer()
            let master = try parts[2].array()
            guard master.count >= 2, 0 <= start, start <= end, end < ClusterSlots.count else {
                throw .unexpectedReply(command: reply.command, expected: "slot ranges", received: "a malformed range")
            }
            var host = try master[0].text() ?? ""
            let port = try master[1].integer()
            if host.isEmpty, case .tcp(let seedHost, _) = seedHost.address { host = seedHost }
            let node = index(of: .tcp(host: host, port: Int(port)))
            for slot in Int(start)...Int(end) { fresh[slot] = node }
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
        // Every node first, then the commands: a master that is down fails the pipeline before
        // any command ran on the others (a verify's attempt is not taken when its code is out
        // of reach).
        var targets: [(RedisConnection, [Int])] = []
        for (node, indices) in groups { targets.append((node < 0 ? seed : try connection(node), indices)) }
        for (connection, indices) in targets {
            let answered = try connection.rawPipeline(indices.map { commands[$0] })
            for (index, reply) in zip(indices, answered) { replies[index] = reply }
        }
        for index in replies.indices where Self.isRedirect(replies[index]) {
            replies[index] = try follow(commands[index], replies[index])
        }
        return replies
    }

    /// Follows MOVED (refreshing the map) and ASK (ASKING first, map unchanged), a few hops at
    /// most. Only `command`, which the redirecting node did not run, is sent again.
    func follow(_ command: RedisCommand, _ first: RESPValue) throws(RedisError) -> RESPValue {
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
                if let slot = Int(words[1]), slots.indices.contains(slot) { slots[slot] = target }
                if mapRefused == nil { try? refresh() }
                reply = try connection(target).rawPipeline([command])[0]
            } else if words[0] == "ASK" {
                reply = try connection(target).rawPipeline([RedisCommand("ASKING"), command])[1]
            } else {
                return reply
            }
        }
        return reply
    }

    /// Every master the slot map names. Without CLUSTER SLOTS the masters cannot all be known,
    /// and a fan-out that silently missed one would be a wrong answer: that is an error.
    func masters() throws(RedisError) -> [RedisConnection] {
        if let mapRefused, slots.contains(-1) { throw mapRefused }
        var result: [RedisConnection] = []
        for node in Set(slots.filter { $0 >= 0 }).sorted() { result.append(try connection(node)) }
        return result
    }

    func layout() -> [(node: RedisOptions, slots: Int)] {
        var counts: [Int: Int] = [:]
        for owner in slots where owner >= 0 { counts[owner, default: 0] += 1 }
        return counts.keys.sorted().map { node in
            var options = seed.options
            options.address = nodes[node]
            return (options, counts[node]!)
        }
    }
}
