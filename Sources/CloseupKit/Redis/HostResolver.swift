// Host name resolution bounded by a deadline, for SocketTransport. getaddrinfo()
// has no timeout of its own and cannot be interrupted, so a name is looked up on
// a thread of its own while the caller waits, at most until the deadline; a
// lookup abandoned there finishes on its thread, which then frees what it holds.
// It tells "no such name" (configuration) from "the resolver cannot answer"
// (absence); what each means to the user is left to the Redis layer.
import Glibc

/// One address getaddrinfo() gave for a host, copied out of its list so no C list outlives the lookup.
struct ResolvedAddress {
    var family: Int32
    var storage = sockaddr_storage()
    var length: socklen_t

    /// Calls `body` with the address as the `sockaddr` that connect() takes.
    func withSocketAddress<T, E: Error>(_ body: (UnsafePointer<sockaddr>) throws(E) -> T) throws(E) -> T {
        var copy = storage
        return try withUnsafePointer(to: &copy) { pointer throws(E) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address throws(E) in try body(address) }
        }
    }
}

enum HostResolver {
    /// Why a host has no addresses.
    enum Failure: Error, Equatable {
        /// The resolver answered that the name does not exist.
        case noSuchName
        /// The resolver could not answer (no server answered, a server failure, a system error), worded for a message.
        case cannotAnswer(String)
        /// No answer before the deadline.
        case timedOut
    }

    /// The stream-socket addresses of `host` (a name or an IP literal), in getaddrinfo's order.
    static func resolve(host: String, port: Int, deadline: Deadline) throws(Failure) -> [ResolvedAddress] {
        // An IP literal needs no resolver, hence no thread.
        if case .success(let addresses) = lookup(host: host, port: port, flags: AI_NUMERICHOST) { return addresses }
        let pending = Lookup(host: host, port: port)
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        // Detached: nobody joins a thread that may outlive the command's patience.
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var thread = pthread_t()
        // The thread owns one reference, so the box outlives a caller that gave up on it.
        let box = Unmanaged.passRetained(pending)
        let started = pthread_create(&thread, &attributes, { box in Lookup.run(box) }, box.toOpaque())
        guard started == 0 else {
            box.release()
            throw .cannotAnswer("cannot start a resolver thread: \(String(cString: strerror(started)).lowercased())")
        }
        switch pending.wait(until: deadline) {
        case .success(let addresses): return addresses
        case .failure(let failure): throw failure
        }
    }

    /// One blocking getaddrinfo() call, its list copied and freed at once.
    fileprivate static func lookup(host: String, port: Int, flags: Int32) -> Result<[ResolvedAddress], Failure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = flags | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        let systemError = errno  // meaningful only with EAI_SYSTEM
        guard status == 0 else {
            switch status {
            // EAI_NODATA (-5, glibc only, not imported): the name exists but has no address.
            case EAI_NONAME, -5: return .failure(.noSuchName)
            case EAI_SYSTEM: return .failure(.cannotAnswer(String(cString: strerror(systemError)).lowercased()))
            default: return .failure(.cannotAnswer(String(cString: gai_strerror(status)).lowercased()))
            }
        }
        defer { freeaddrinfo(list) }
        var addresses: [ResolvedAddress] = []
        var entry = list
        while let info = entry?.pointee {
            entry = info.ai_next
            guard let source = info.ai_addr else { continue }
            var address = ResolvedAddress(family: info.ai_family, length: info.ai_addrlen)
            withUnsafeMutableBytes(of: &address.storage) { target in
                target.copyMemory(
                    from: UnsafeRawBufferPointer(start: source, count: min(Int(info.ai_addrlen), target.count)))
            }
            addresses.append(address)
        }
        return .success(addresses)
    }
}

/// What a lookup thread and its caller share; each holds a reference, and the last one out frees it.
private final class Lookup {
    let host: String
    let port: Int
    /// Heap-allocated: pthread objects must not move, and a Swift stored property may.
    let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Written once by the thread, under `mutex`.
    var outcome: Result<[ResolvedAddress], HostResolver.Failure>?

    init(host: String, port: Int) {
        self.host = host
        self.port = port
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        // Deadlines are monotonic: a wall-clock step must not stretch or cut the wait.
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// The thread's body: resolve, hand over the outcome, drop the thread's reference.
    static func run(_ box: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
        guard let box else { return nil }
        let lookup = Unmanaged<Lookup>.fromOpaque(box).takeRetainedValue()
        let outcome = HostResolver.lookup(host: lookup.host, port: lookup.port, flags: 0)
        pthread_mutex_lock(lookup.mutex)
        lookup.outcome = outcome
        pthread_cond_signal(lookup.condition)
        pthread_mutex_unlock(lookup.mutex)
        return nil
    }

    /// The outcome, or `.timedOut` once `deadline` passes without one.
    func wait(until deadline: Deadline) -> Result<[ResolvedAddress], HostResolver.Failure> {
        var limit = timespec(
            tv_sec: Int(deadline.nanoseconds / 1_000_000_000), tv_nsec: Int(deadline.nanoseconds % 1_000_000_000))
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while outcome == nil {
            if pthread_cond_timedwait(condition, mutex, &limit) == ETIMEDOUT { return outcome ?? .failure(.timedOut) }
        }
        return outcome ?? .failure(.timedOut)
    }
}
