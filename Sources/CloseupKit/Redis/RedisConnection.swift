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
        do {
            switch options.address {
            case .tcp(let host, let port):
                transport = try SocketTransport.connect(host: host, port: port, deadline: deadline)
            case .unix(let path):
                transport = try SocketTransport.connect(unixPath: path, deadline: deadline)
            }
        } catch {
            let reason =
                error.isTimeout ? "no connection within \(formatSeconds(options.connectTimeout)) s" : error.reason
            throw .unreachable(target: options.target, reason: reason)
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
        let replies = try exchange(commands, deadline: deadline, seconds: options.connectTimeout)
        for (command, reply) in zip(commands, replies) {
            if case .error(let message) = reply { throw .reply(command: command.label, message: message) }
        }
    }

    /// Sends one command; an error reply is thrown as `RedisError.reply`.
    @discardableResult
    public func call(_ command: RedisCommand) throws(RedisError) -> RESPValue {
        let reply = try pipeline([command])[0]
        if case .error(let message) = reply { throw .reply(command: command.label, message: message) }
        return reply
    }

    /// Sends all commands in one write and returns their replies in order.
    /// Error replies come back as `.error` values: a caller decides per command.
    public func pipeline(_ commands: [RedisCommand]) throws(RedisError) -> [RESPValue] {
        try exchange(commands, deadline: .after(seconds: options.operationTimeout), seconds: options.operationTimeout)
    }

    /// `seconds` is the timeout behind `deadline`, for messages.
    private func exchange(
        _ commands: [RedisCommand], deadline: Deadline, seconds: Double
    ) throws(RedisError) -> [RESPValue] {
        if let broken { throw broken }
        guard !commands.isEmpty else { return [] }
        var output: [UInt8] = []
        for command in commands { command.encode(into: &output) }
        var replies: [RESPValue] = []
        replies.reserveCapacity(commands.count)
        var written = 0
        do {
            // Read while writing: a large pipeline must not stall on a full socket
            // buffer while the server waits for us to take its replies.
            while replies.count < commands.count {
                let events = Int16(POLLIN) | (written < output.count ? Int16(POLLOUT) : 0)
                let ready = try transport.wait(for: events, until: deadline)
                if written < output.count, ready & Int16(POLLOUT | POLLERR | POLLHUP) != 0 {
                    let sent = try output.withUnsafeBytes { bytes throws(TransportError) in
                        try transport.write(UnsafeRawBufferPointer(rebasing: bytes[written...]))
                    }
                    written += sent ?? 0
                }
                if ready & Int16(POLLIN | POLLERR | POLLHUP) != 0 {
                    try receive(into: &replies, expecting: commands.count)
                }
            }
        } catch let error as TransportError {
            throw fail(error, command: commands[min(replies.count, commands.count - 1)], seconds: seconds)
        } catch let error as RESPReaderError {
            throw fail(.protocolViolation(target: options.target, reason: error.reason))
        } catch let error as RedisError {
            throw fail(error)
        } catch {
            throw fail(.connectionLost(target: options.target, reason: "\(error)"))
        }
        return replies
    }

    private func receive(into replies: inout [RESPValue], expecting count: Int) throws {
        let received = try readBuffer.withUnsafeMutableBytes { try transport.read(into: $0) }
        guard let received else { return }
        if received == 0 {
            throw serverHasAnswered
                ? RedisError.connectionLost(target: options.target, reason: "the server closed the connection")
                : RedisError.unreachable(target: options.target, reason: "the server closed the connection at once")
        }
        serverHasAnswered = true
        try readBuffer.withUnsafeBytes { try reader.feed(UnsafeRawBufferPointer(rebasing: $0[..<received])) }
        while replies.count < count, let reply = try reader.next() { replies.append(reply) }
    }

    /// A failed connection is never reused: its stream position is unknown.
    private func fail(_ error: RedisError) -> RedisError {
        broken = error
        transport.close()
        return error
    }

    private func fail(_ error: TransportError, command: RedisCommand, seconds: Double) -> RedisError {
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
