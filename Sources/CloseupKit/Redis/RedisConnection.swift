// One blocking connection to one Redis server: connect with a deadline, AUTH
// and SELECT, then pipelines of commands (one write, N replies) under a
// per-batch deadline. Nothing here knows about closeup's keys.
import Glibc

/// A connection to one Redis server. Not thread-safe; one per process or per task.
public final class RedisConnection {
    public let options: RedisOptions
    private let transport: Transport
    private let reader = RESPReader()
    /// Until the server has sent a byte, silence means "not really there" (see `exchange`).
    private var serverHasAnswered = false
    private var broken: RedisError?
    private var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)

    /// Connects, authenticates and selects the database within `options.connectTimeout`.
    public init(options: RedisOptions) throws(RedisError) {
        self.options = options
        let deadline = Deadline.after(seconds: options.connectTimeout)
        var tlsContext: TLSContext?
        if let tls = options.tls {
            guard case .tcp = options.address else {
                throw .tls(target: options.target, message: "TLS over a Unix socket is not supported", remedy: nil)
            }
            do { tlsContext = try TLSContext(tls) } catch {
                throw .tls(target: options.target, message: error.message, remedy: error.remedy)
            }
        }
        let socket: SocketTransport
        do {
            switch options.address {
            case .tcp(let host, let port):
                socket = try SocketTransport.connect(host: host, port: port, deadline: deadline)
            case .unix(let path):
                socket = try SocketTransport.connect(unixPath: path, deadline: deadline)
            }
        } catch {
            // A name the resolver does not know is configuration; one it cannot look up in time is absence.
            if error.isNoSuchHost, case .tcp(let host, _) = options.address {
                throw .noSuchHost(target: options.target, host: host)
            }
            let unfinished = error.isResolution ? error.reason : "no connection"
            let reason =
                error.isTimeout ? "\(unfinished) within \(formatSeconds(options.connectTimeout)) s" : error.reason
            throw .unreachable(target: options.target, reason: reason)
        }
        if let tlsContext, case .tcp(let host, _) = options.address {
            do {
                transport = try TLSTransport(socket: socket, host: host, context: tlsContext, deadline: deadline)
            } catch {
                // A handshake that never finished is an absent server; any other failure is configuration.
                throw error.isTimeout
                    ? .unreachable(target: options.target, reason: error.message)
                    : .tls(target: options.target, message: error.message, remedy: error.remedy)
            }
        } else {
            transport = socket
        }
        try handshake(deadline: deadline)
    }

    deinit { transport.close() }

    /// AUTH and SELECT in one round trip, only when needed, so the common case costs nothing.
    private func handshake(deadline: Deadline) throws(RedisError) {
        var commands: [RedisCommand] = []
        if let password = options.password {
            commands.append(
                options.username.map { RedisCommand("AUTH", $0, password) } ?? RedisCommand("AUTH", password))
        }
        if options.database != 0 { commands.append(RedisCommand("SELECT", String(options.database))) }
        guard !commands.isEmpty else { return }
        var replies: [RESPValue] = []
        try exchange(
            count: commands.count, command: { commands[$0] }, reply: { _, value in replies.append(value) },
            deadline: deadline, seconds: options.connectTimeout)
        // Each answers +OK; anything else (an error, or a server that says :1) is no login.
        for (command, reply) in zip(commands, replies) {
            let decoded = RedisReply(reply, to: command)
            guard try decoded.checked().status() == "OK" else {
                throw .unexpectedReply(command: decoded.command, expected: "OK", received: "another status")
            }
        }
    }

    /// True once the server has sent a byte: from then on, its silence or loss is a failure of
    /// this run, never a sign that Redis was not there.
    public var hasAnswered: Bool { serverHasAnswered }

    /// Sends one command; an error reply is thrown as `RedisError.reply`.
    @discardableResult
    public func call(_ command: RedisCommand) throws(RedisError) -> RedisReply {
        try pipeline([command])[0]
    }

    /// Sends all commands in one write and returns their replies in order. The first error
    /// reply is thrown once every reply is in (the connection stays usable).
    public func pipeline(_ commands: [RedisCommand]) throws(RedisError) -> [RedisReply] {
        try pipelineKeepingErrors(commands).checked()
    }

    /// Like `pipeline`, but error replies come back as replies: for callers that decide per
    /// command (a redirect to follow, a script to send again, a change to undo).
    public func pipelineKeepingErrors(_ commands: [RedisCommand]) throws(RedisError) -> [RedisReply] {
        [RedisReply](try rawPipeline(commands), answering: commands)
    }

    func rawPipeline(_ commands: [RedisCommand]) throws(RedisError) -> [RESPValue] {
        var replies: [RESPValue] = []
        replies.reserveCapacity(commands.count)
        try exchange(count: commands.count, command: { commands[$0] }, reply: { _, value in replies.append(value) })
        return replies
    }

    /// Streams `count` commands, made on demand by `command(index)`, and hands each reply to
    /// `reply(index, value)` in order, error replies included. Encoding runs ahead of the server
    /// by a bounded window, so the server works while we encode and memory stays flat however
    /// many commands there are. The operation timeout is the longest the server may go without
    /// sending a byte.
    func stream(
        count: Int, command: (Int) -> RedisCommand, reply: (Int, RESPValue) -> Void
    ) throws(RedisError) {
        try exchange(count: count, command: command, reply: reply)
    }

    /// Commands encoded ahead of the replies: enough to keep the server busy, few enough that
    /// neither side buffers much.
    static let window = 4096

    /// The one I/O loop. `deadline`, when given, bounds the whole exchange (the handshake);
    /// otherwise each wait is bounded by the operation timeout from the last progress.
    private func exchange(
        count: Int, command: (Int) -> RedisCommand, reply: (Int, RESPValue) -> Void,
        deadline fixed: Deadline? = nil, seconds: Double? = nil
    ) throws(RedisError) {
        if let broken { throw broken }
        let timeout = seconds ?? options.operationTimeout
        var output: [UInt8] = []
        output.reserveCapacity(64 * 1024)
        var written = 0, encoded = 0, received = 0
        do {
            while received < count {
                if written == output.count, encoded < count, encoded - received < Self.window {
                    // Refill: up to 64 KiB of commands, within the window.
                    output.removeAll(keepingCapacity: true)
                    written = 0
                    while encoded < count, encoded - received < Self.window, output.count < 64 * 1024 {
                        command(encoded).encode(into: &output)
                        encoded += 1
                    }
                }
                let events = Int16(POLLIN) | (written < output.count ? Int16(POLLOUT) : 0)
                let ready = try transport.wait(for: events, until: fixed ?? .after(seconds: timeout))
                if written < output.count, ready & Int16(POLLOUT | POLLERR | POLLHUP) != 0 {
                    let sent = try output.withUnsafeBytes { bytes throws(TransportError) in
                        try transport.write(UnsafeRawBufferPointer(rebasing: bytes[written...]))
                    }
                    written += sent ?? 0
                }
                if ready & Int16(POLLIN | POLLERR | POLLHUP) != 0 {
                    try receive(while: { received < count }) { value in
                        reply(received, value)
                        received += 1
                    }
                }
            }
        } catch let error as TransportError {
            throw fail(error, command: command(min(received, count - 1)), seconds: timeout)
        } catch let error as RESPReaderError {
            throw fail(.protocolViolation(target: options.target, reason: error.reason))
        } catch let error as RedisError {
            throw fail(error)
        } catch {
            throw fail(.connectionLost(target: options.target, reason: "\(error)"))
        }
    }

    /// Reads what the socket has and hands out complete replies while `more()`; the rest stay
    /// buffered in the reader (a MONITOR stream may follow its +OK in the same read).
    private func receive(while more: () -> Bool, _ handle: (RESPValue) -> Void) throws {
        try feedWhatArrived()
        while more(), let reply = try reader.next() { handle(reply) }
    }

    /// Reads what the socket has (nothing, when a TLS record is not yet whole) into the reader.
    private func feedWhatArrived() throws {
        let received = try readBuffer.withUnsafeMutableBytes { try transport.read(into: $0) }
        guard let received else { return }
        if received == 0 {
            throw serverHasAnswered
                ? RedisError.connectionLost(target: options.target, reason: "the server closed the connection")
                : RedisError.unreachable(target: options.target, reason: "the server closed the connection at once")
        }
        serverHasAnswered = true
        try readBuffer.withUnsafeBytes { try reader.feed(UnsafeRawBufferPointer(rebasing: $0[..<received])) }
    }

    /// Writes `command` and returns at once; `finishScan` reads its reply. Meanwhile the server
    /// works while the caller does: a SCAN walk asks for the next page before it handles the
    /// last one. Nothing else may be sent on this connection in between.
    public func beginCall(_ command: RedisCommand) throws(RedisError) {
        if let broken { throw broken }
        var output: [UInt8] = []
        command.encode(into: &output)
        var written = 0
        do {
            while written < output.count {
                try transport.wait(for: Int16(POLLOUT), until: .after(seconds: options.operationTimeout))
                written +=
                    try output.withUnsafeBytes { bytes throws(TransportError) in
                        try transport.write(UnsafeRawBufferPointer(rebasing: bytes[written...]))
                    } ?? 0
            }
        } catch let error as TransportError {
            throw fail(error, command: command, seconds: options.operationTimeout)
        } catch {
            throw fail(.connectionLost(target: options.target, reason: "\(error)"))
        }
    }

    /// Finishes a SCAN that `beginCall` sent. As soon as its reply's cursor has arrived, before
    /// the page itself is read and parsed, it sends `next(cursor)` (nil: nothing more to ask),
    /// so the server walks the next page while this one travels and is parsed. Returns the page
    /// and what was sent; nil when nothing was (a reply that is not a page: the caller decides).
    public func finishScan(
        _ command: RedisCommand, thenAsk next: (String) -> RedisCommand?
    ) throws(RedisError) -> (page: RedisReply, asked: RedisCommand?) {
        if let broken { throw broken }
        var decided = false, asked: RedisCommand?
        do {
            while true {
                if !decided {
                    switch reader.scanCursor() {
                    case .needMore: break
                    case .notAScanReply: decided = true
                    case .cursor(let cursor):
                        decided = true
                        asked = next(cursor)
                    }
                    if let asked { try beginCall(asked) }
                }
                if decided, let value = try reader.next() {
                    return (try RedisReply(value, to: command).checked(), asked)
                }
                _ = try transport.wait(for: Int16(POLLIN), until: .after(seconds: options.operationTimeout))
                try feedWhatArrived()
            }
        } catch let error as TransportError {
            throw fail(error, command: command, seconds: options.operationTimeout)
        } catch let error as RESPReaderError {
            throw fail(.protocolViolation(target: options.target, reason: error.reason))
        } catch let error as RedisError {
            throw error
        } catch {
            throw fail(.connectionLost(target: options.target, reason: "\(error)"))
        }
    }

    /// The next reply the server pushes unasked (after `command`, e.g. MONITOR), or nil when
    /// none came within `seconds`: silence is not an error on a stream.
    public func nextPushed(after command: RedisCommand, within seconds: Double) throws(RedisError) -> RedisReply? {
        if let broken { throw broken }
        do {
            if let buffered = try reader.next() { return RedisReply(buffered, to: command) }
            let ready = try transport.wait(for: Int16(POLLIN), until: .after(seconds: seconds))
            guard ready != 0 else { return nil }
            var pushed: RESPValue?
            try receive(while: { pushed == nil }) { pushed = $0 }
            return pushed.map { RedisReply($0, to: command) }
        } catch let error as TransportError where error.isTimeout {
            return nil
        } catch let error as TransportError {
            throw fail(.connectionLost(target: options.target, reason: error.reason))
        } catch let error as RESPReaderError {
            throw fail(.protocolViolation(target: options.target, reason: error.reason))
        } catch let error as RedisError {
            throw fail(error)
        } catch {
            throw fail(.connectionLost(target: options.target, reason: "\(error)"))
        }
    }

    /// A failed connection is never reused: its stream position is unknown.
    private func fail(_ error: RedisError) -> RedisError {
        broken = error
        transport.close()
        return error
    }

    private func fail(_ error: TransportError, command: RedisCommand, seconds: Double) -> RedisError {
        if error.isTLS {
            return fail(.tls(target: options.target, message: error.reason, remedy: .giveClientCertificate))
        }
        if error.isTimeout {
            // A server that accepted but never said a byte is as good as absent: the
            // store may fall back. One that has answered before is merely slow.
            return fail(
                serverHasAnswered
                    ? .timedOut(target: options.target, command: command.label, seconds: seconds)
                    : .unreachable(target: options.target, reason: "no answer within \(formatSeconds(seconds)) s"))
        }
        return fail(
            serverHasAnswered
                ? .connectionLost(target: options.target, reason: error.reason)
                : .unreachable(target: options.target, reason: error.reason))
    }
}
