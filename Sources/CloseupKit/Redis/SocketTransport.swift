// A non-blocking socket (TCP or Unix) whose every wait is a poll() bounded by
// a deadline, so a server that accepts and then says nothing cannot hang us.
// Host names are resolved by HostResolver within the same deadline.
import Glibc

/// Byte transport under a Redis connection. TLS wraps the same file descriptor.
protocol Transport: AnyObject {
    var fileDescriptor: Int32 { get }
    /// Reads what is available: nil if it would block, 0 at end of stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TransportError) -> Int?
    /// Writes what fits: nil if it would block.
    func write(_ bytes: UnsafeRawBufferPointer) throws(TransportError) -> Int?
    func close()
    /// Input already read from the socket but not yet handed out (TLS records): poll() cannot see it.
    var hasBufferedInput: Bool { get }
}

/// A socket-level failure, worded for a message ("connection refused").
struct TransportError: Error, Equatable {
    var reason: String
    var isTimeout = false
    /// The TLS layer failed (an alert from the server), not the network: configuration, not absence.
    var isTLS = false
    /// The resolver answered that the host name does not exist: configuration, not absence.
    var isNoSuchHost = false
    /// With `isTimeout`: the deadline passed while the host name was still being resolved, and
    /// `reason` says so (a resolver that cannot answer is as absent as a server that does not).
    var isResolution = false

    static func errno(_ code: Int32) -> TransportError {
        TransportError(reason: String(cString: strerror(code)).lowercased())
    }
}

final class SocketTransport: Transport {
    let fileDescriptor: Int32
    private var closed = false
    var hasBufferedInput: Bool { false }

    private init(fileDescriptor: Int32) { self.fileDescriptor = fileDescriptor }
    deinit { close() }

    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(fileDescriptor)
    }

    /// Connects to the first address of `host` that answers before `deadline`, which bounds the
    /// name lookup too.
    static func connect(host: String, port: Int, deadline: Deadline) throws(TransportError) -> SocketTransport {
        let addresses: [ResolvedAddress]
        do {
            addresses = try HostResolver.resolve(host: host, port: port, deadline: deadline)
        } catch {
            switch error {
            case .noSuchName: throw TransportError(reason: "no such host '\(host)'", isNoSuchHost: true)
            case .cannotAnswer(let reason): throw TransportError(reason: "cannot resolve host '\(host)': \(reason)")
            case .timedOut:
                throw TransportError(reason: "host name '\(host)' not resolved", isTimeout: true, isResolution: true)
            }
        }
        var lastError = TransportError(reason: "no address for host '\(host)'")
        for address in addresses {
            do {
                let transport = try address.withSocketAddress { pointer throws(TransportError) in
                    try connect(family: address.family, address: pointer, length: address.length, deadline: deadline)
                }
                var one: Int32 = 1
                setsockopt(transport.fileDescriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(4))
                return transport
            } catch {
                lastError = error
                if error.isTimeout { break }
            }
        }
        throw lastError
    }

    /// Connects to a Unix-domain socket.
    static func connect(unixPath path: String, deadline: Deadline) throws(TransportError) -> SocketTransport {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        let bytes = Array(path.utf8)
        guard bytes.count < capacity else {
            throw TransportError(reason: "socket path is longer than \(capacity - 1) bytes")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return try withUnsafePointer(to: &address) { pointer throws(TransportError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw throws(TransportError) in
                try connect(
                    family: AF_UNIX, address: raw, length: socklen_t(MemoryLayout<sockaddr_un>.size),
                    deadline: deadline)
            }
        }
    }

    private static func connect(
        family: Int32, address: UnsafePointer<sockaddr>?, length: socklen_t, deadline: Deadline
    ) throws(TransportError) -> SocketTransport {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .errno(errno) }
        let transport = SocketTransport(fileDescriptor: fd)
        if Glibc.connect(fd, address, length) != 0 {
            guard errno == EINPROGRESS || errno == EAGAIN else { throw .errno(errno) }
            try transport.wait(for: Int16(POLLOUT), until: deadline)
            var failure: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &size)
            if failure != 0 { throw .errno(failure) }
        }
        return transport
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(TransportError) -> Int? {
        while true {
            let count = recv(fileDescriptor, buffer.baseAddress, buffer.count, 0)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
            throw .errno(errno)
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(TransportError) -> Int? {
        while true {
            // MSG_NOSIGNAL: a peer that hung up is an error to report, not a SIGPIPE that kills us.
            let count = send(fileDescriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if count >= 0 { return count }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
            throw .errno(errno)
        }
    }
}

extension Transport {
    /// Waits until the descriptor is ready for `events`, or throws a timeout at `deadline`.
    /// Returns the events that are ready.
    @discardableResult
    func wait(for events: Int16, until deadline: Deadline) throws(TransportError) -> Int16 {
        if events & Int16(POLLIN) != 0, hasBufferedInput { return Int16(POLLIN) }
        var entry = pollfd(fd: fileDescriptor, events: events, revents: 0)
        while true {
            let ready = poll(&entry, 1, deadline.remainingMilliseconds)
            if ready > 0 { return entry.revents }
            if ready == 0 { throw TransportError(reason: "timed out", isTimeout: true) }
            if errno != EINTR { throw .errno(errno) }
        }
    }
}
