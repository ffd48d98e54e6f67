// `monitor`: the traffic on closeup's namespaces as decoded events. It runs
// MONITOR on a connection of its own and reconnects (with backoff) when the
// server drops it; where MONITOR is refused (ElastiCache Serverless, an ACL
// user without +monitor) it polls instead: re-scanning the namespaces and
// reporting keys created, changed, and expired or deleted.
import Glibc

public struct MonitorRequest: Sendable {
    /// Only events on this user's keys.
    public var user: String?
    /// Only these namespaces; empty means all.
    public var kinds: Set<KeyKind> = []
    /// Stop after this many seconds; nil runs until stopped.
    public var duration: Double?
    /// Seconds between passes when polling.
    public var interval: Double = 1

    public init() {}

    func wants(_ event: MonitorEvent) -> Bool {
        guard let kind = event.kind else { return false }
        if !kinds.isEmpty && !kinds.contains(kind) { return false }
        if let user, event.user != user { return false }
        return true
    }
}

/// What the monitor tells its caller besides events (the CLI prints these on stderr).
public enum MonitorNotice: Sendable, Equatable {
    case polling(reason: String)
    /// INFO and CLUSTER were refused: other masters of a cluster, if any, are not watched.
    case layoutUnknown(String)
    case reconnecting(reason: String, afterSeconds: Double)
    case reconnected
}

public struct Monitor {
    let settings: Settings
    let clock: Clock

    public init(settings: Settings, clock: Clock = .system) {
        self.settings = settings
        self.clock = clock
    }

    /// Streams events until `duration` passes or `shouldStop()` says so.
    public func run(
        _ request: MonitorRequest, event: (MonitorEvent) -> Void, notice: (MonitorNotice) -> Void,
        shouldStop: () -> Bool
    ) throws(CloseupError) {
        let end = request.duration.map { Deadline.after(seconds: $0) }
        func finished() -> Bool { shouldStop() || end.map { $0.remainingMilliseconds == 0 } ?? false }
        var backoff = 0.5
        var first = true
        while !finished() {
            let client: RedisClient
            let streams: [RedisConnection]
            do throws(RedisError) {
                client = try RedisClient(options: settings.redis, cluster: settings.cluster)
                if let warning = try client.detectCluster().warning, first { notice(.layoutUnknown(warning)) }
                // MONITOR on each master of a cluster, each on a connection of its own.
                streams = try client.masters().map { master throws(RedisError) in
                    try RedisConnection(options: master.options)
                }
            } catch {
                // The first connection must work; later ones are retried (the server may be restarting).
                if first || error.isAuthentication { throw error.closeupError }
                notice(.reconnecting(reason: error.closeupError.message, afterSeconds: backoff))
                pause(backoff, until: finished)
                backoff = min(backoff * 2, 5)
                continue
            }
            if !first { notice(.reconnected) }
            first = false
            do {
                for stream in streams {
                    let reply = try stream.pipelineKeepingErrors([Self.monitor])[0]
                    // Any refusal (NOPERM, an ElastiCache "unknown command") means polling,
                    // except a connection that is not authenticated: nothing else would work.
                    guard let message = reply.errorMessage else { continue }
                    let refusal = RedisError.reply(command: reply.command, message: message)
                    if refusal.isUnauthenticated { throw refusal }
                    notice(.polling(reason: "the server refused MONITOR (\(message))"))
                    try poll(client, request, event: event, finished: finished)
                    return
                }
                backoff = 0.5
                let slice = 0.2 / Double(streams.count)
                // The keys our own side reads will show up as GETs of, not yet seen in the stream.
                var ownReads: [String: Int] = [:]
                func handle(_ pushed: RedisReply) throws(RedisError) {
                    guard let line = try pushed.text(), var parsed = MonitorLine.parse(line) else { return }
                    if parsed.command == "GET", parsed.client != "lua", let key = parsed.key, let pending = ownReads[key] {
                        ownReads[key] = pending > 1 ? pending - 1 : nil
                        return  // closeup reading a count, not traffic
                    }
                    guard request.wants(parsed) else { return }
                    if let read = count(&parsed, client) { ownReads[read, default: 0] += 1 }
                    event(parsed)
                }
                while !finished() {
                    // Drain what every master has sent before waiting on any: a busy master's
                    // backlog (other clients' traffic included) must not wait on idle ones.
                    var drained = false
                    for stream in streams {
                        while !finished(), let pushed = try stream.nextPushed(after: Self.monitor, within: 0) {
                            drained = true
                            try handle(pushed)
                        }
                    }
                    if drained { continue }
                    for stream in streams {
                        if let pushed = try stream.nextPushed(after: Self.monitor, within: slice) { try handle(pushed) }
                    }
                }
                return
            } catch let error as RedisError {
                if case .reply = error { throw error.closeupError }
                if case .unexpectedReply = error { throw error.closeupError }
                notice(.reconnecting(reason: error.closeupError.message, afterSeconds: backoff))
                pause(backoff, until: finished)
                backoff = min(backoff * 2, 5)
            } catch {
                throw CloseupError(.internal, "\(error)")
            }
        }
    }

    /// Adds the count a counting command reached ("verify attempt 3 of 5 taken for u1", "rate limit
    /// otp_request:98******10 at 2 of 3"): MONITOR shows commands, not replies, so the counter
    /// is read once more on the side connection. Returns the key it read (that GET will come by
    /// in the stream too, and is not traffic to report).
    private func count(_ event: inout MonitorEvent, _ client: RedisClient) -> String? {
        guard event.client != "lua", let key = event.key,
            event.command == "INCR" || event.command.hasPrefix("EVAL")
        else { return nil }
        guard let text = try? client.call(RedisCommand("GET", key)).text(), let count = Int64(text) else { return key }
        switch event.kind {
        case .attempts where event.command == "INCR":
            event.meaning = "failed attempt \(count) of \(settings.maxAttempts) for \(event.user ?? "")"
        case .attempts where event.arguments.count > 3:
            // closeup's verify: the attempt is kept only if the code turns out wrong.
            event.meaning = "verify attempt \(count) of \(event.arguments[3]) taken for \(event.user ?? "")"
        case .rateLimit where event.arguments.count > 3:
            event.meaning = "rate limit \(MonitorLine.maskedRateLimit(key)) at \(count) of \(event.arguments[3])"
        default:
            break
        }
        return key
    }

    private static let monitor = RedisCommand("MONITOR")

    private func pause(_ seconds: Double, until finished: () -> Bool) {
        let deadline = Deadline.after(seconds: seconds)
        while deadline.remainingMilliseconds > 0, !finished() { usleep(50_000) }
    }

    /// Polling mode: every `interval`, SCAN the namespaces, read each key's value and TTL
    /// (pipelined), and compare with the last pass.
    private func poll(
        _ connection: RedisClient, _ request: MonitorRequest, event: (MonitorEvent) -> Void,
        finished: () -> Bool
    ) throws {
        var previous = try snapshot(connection, request)
        while !finished() {
            let deadline = Deadline.after(seconds: request.interval)
            while deadline.remainingMilliseconds > 0, !finished() { usleep(20_000) }
            if finished() { break }
            let current = try snapshot(connection, request)
            let now = clock.now()
            for (key, state) in current.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
                let change: String? =
                    switch previous[key] {
                    case nil: "created"
                    case let old? where old.value != state.value: "changed"
                    default: nil
                    }
                if let change { report(key, change, state.ttl, now, request, event) }
            }
            for key in previous.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) where current[key] == nil {
                report(key, "expired or deleted", nil, now, request, event)
            }
            previous = current
        }
    }

    private func report(
        _ bytes: [UInt8], _ change: String, _ ttl: Int64?, _ now: Double, _ request: MonitorRequest,
        _ event: (MonitorEvent) -> Void
    ) {
        // Shown, never used again: a key that is not UTF-8 is escaped by the renderer.
        let key = String(decoding: bytes, as: UTF8.self)
        var polled = MonitorLine.describe(time: now, database: settings.redis.database, client: "poll", command: "POLL", arguments: [key])
        let what: String =
            switch polled.kind {
            case .otp: "OTP"
            case .attempts: "failed-attempt counter"
            case .verification: "verification cache"
            case .pendingVideo: "pending video cache"
            case .rateLimit: "rate limit \(MonitorLine.maskedRateLimit(key))"
            case nil: key
            }
        let owner = polled.user.map { " for \($0)" } ?? ""
        let lifetime = ttl.map { $0 >= 0 ? " (ttl \($0))" : " (no expiry)" } ?? ""
        polled.meaning = "\(what) \(change)\(owner)\(lifetime)"
        polled.arguments = []
        if request.wants(polled) { event(polled) }
    }

    /// Every key of the selected namespaces with a digest of its value and its TTL.
    private func snapshot(_ client: RedisClient, _ request: MonitorRequest) throws -> [[UInt8]: (value: Int, ttl: Int64)] {
        var keys: [[UInt8]] = []
        var seen = Set<[UInt8]>()
        var scan = KeyScanRequest()
        scan.kinds = request.kinds
        for pattern in KeyScanner.patterns(scan) {
            for node in try client.masters() {
                var cursor = "0"
                repeat {
                    let page = try node.call(
                        RedisCommand(arguments: ["SCAN", cursor, "COUNT", "1000", "MATCH", pattern ?? "*"])
                    ).scanPage()
                    cursor = page.cursor
                    for key in page.keys where KeyKind.of(key) != nil && seen.insert(key).inserted { keys.append(key) }
                } while cursor != "0"
            }
        }
        var result: [[UInt8]: (value: Int, ttl: Int64)] = [:]
        var start = 0
        while start < keys.count {
            let batch = Array(keys[start..<min(start + 500, keys.count)])
            let replies = try client.pipeline(batch.flatMap { [RedisCommand("GET", key: $0), RedisCommand("TTL", key: $0)] })
            for (index, key) in batch.enumerated() {
                guard let value = try replies[index * 2].bytes() else { continue }  // gone between SCAN and GET
                // A digest only: OTP records are compared, never kept or shown.
                let ttl: Int64 =
                    switch try replies[index * 2 + 1].lifetime() {
                    case .seconds(let seconds): seconds
                    case .noExpiry: -1
                    case .gone: -2
                    }
                result[key] = (value.hashValue, ttl)
            }
            start += batch.count
        }
        return result
    }
}
