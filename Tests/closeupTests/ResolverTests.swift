// Redis host names (SPEC §2): a name the resolver says does not exist is a
// configuration error naming the host, never a fallback; a resolver that cannot
// answer is an absent Redis, given up on at --connect-timeout. So that no test
// depends on the machine's DNS, each runs closeup in a mount namespace of its own
// whose /etc/resolv.conf names a stub nameserver the test runs on a random
// loopback address. IP literals and /etc/hosts names are checked against a real
// redis-server, without the namespace.
import CloseupTestSupport
import Foundation
import Testing

/// A UDP nameserver on port 53 of a random 127.x.y.z address (never 127.0.0.x).
final class StubNameserver: @unchecked Sendable {
    enum Answer: Sendable {
        /// RCODE 3, NXDOMAIN: glibc's EAI_NONAME.
        case noSuchName
        /// NOERROR with no records (the name exists, without addresses): glibc's EAI_NODATA.
        case noAddress
        /// Reads nothing and never replies; bound all the same, so that no ICMP "port
        /// unreachable" tells the resolver to give up at once.
        case silent
    }

    let address: String
    private let fd: Int32
    /// True when no thread owns the descriptor (the silent stub), so deinit closes it.
    private let closesItself: Bool

    init(_ answer: Answer) throws {
        var bound: (fd: Int32, address: String)?
        for _ in 0..<20 where bound == nil {
            let candidate = "127.\(Int.random(in: 1...254)).\(Int.random(in: 0...255)).\(Int.random(in: 1...254))"
            let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else {
                throw TestSupportError("cannot open a UDP socket: \(String(cString: strerror(errno)))")
            }
            var socketAddress = sockaddr_in()
            socketAddress.sin_family = sa_family_t(AF_INET)
            socketAddress.sin_addr.s_addr = inet_addr(candidate)
            socketAddress.sin_port = UInt16(53).bigEndian
            let ok = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            if ok { bound = (fd, candidate) } else { close(fd) }
        }
        guard let bound else {
            throw TestSupportError("cannot bind a stub nameserver to port 53 of a loopback address")
        }
        (fd, address) = bound
        closesItself = answer == .silent
        guard answer != .silent else { return }
        let fd = self.fd
        let rcode: UInt8 = answer == .noSuchName ? 3 : 0
        // The thread owns the descriptor once started: it closes it when shutdown() ends its wait,
        // so a number closed (and perhaps reused) under it is never read.
        Thread {
            var query = [UInt8](repeating: 0, count: 1500)
            while true {
                var peer = sockaddr_storage()
                var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
                let count = withUnsafeMutablePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(fd, &query, query.count, 0, $0, &length)
                    }
                }
                guard count > 0 else { break }
                guard let reply = Self.reply(to: query[0..<count], rcode: rcode) else { continue }
                _ = withUnsafePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, reply, reply.count, 0, $0, length)
                    }
                }
            }
            close(fd)
        }.start()
    }

    deinit {
        // shutdown() wakes the thread's recvfrom() even on an unconnected UDP socket (it reports ENOTCONN).
        if closesItself { close(fd) } else { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    /// The answer to one query: same ID, QR set, the opcode and RD echoed, RA set, `rcode`, the
    /// question echoed and no records. Nil for something that is not a query.
    static func reply(to query: ArraySlice<UInt8>, rcode: UInt8) -> [UInt8]? {
        let query = Array(query)
        guard query.count > 12 else { return nil }
        var end = 12
        while end < query.count, query[end] != 0 { end += Int(query[end]) + 1 }
        end += 5  // the root label, QTYPE and QCLASS
        guard end <= query.count else { return nil }
        var reply = Array(query[0..<end])
        reply[2] = 0x80 | (query[2] & 0x79)
        reply[3] = 0x80 | rcode
        reply.replaceSubrange(4..<12, with: [0, 1, 0, 0, 0, 0, 0, 0])
        return reply
    }
}

/// closeup against stub nameservers (root only: `unshare --mount` and port 53 need it, and CI runs
/// the tests as root), then against a real redis-server by IP literal and by /etc/hosts name.
@Suite(.serialized)
final class ResolverTests {
    let home: String
    let environment: [String: String]

    init() throws {
        home = try TemporaryDirectory.make(prefix: "closeup-resolver")
        environment = Closeup.environment(home: home)
    }

    /// Runs closeup where /etc/resolv.conf names only `nameserver` and /etc/nsswitch.conf sends host
    /// names to /etc/hosts, then DNS (a machine's own resolver service must not answer instead).
    func closeup(_ arguments: [String], nameserver: StubNameserver) throws -> (CloseupResult, seconds: Double) {
        let resolvConf = home + "/resolv.conf"
        try "nameserver \(nameserver.address)\n".write(toFile: resolvConf, atomically: true, encoding: .utf8)
        let nsswitch = home + "/nsswitch.conf"
        let current = (try? String(contentsOfFile: "/etc/nsswitch.conf", encoding: .utf8)) ?? ""
        let lines = current.split(separator: "\n").filter { !$0.hasPrefix("hosts:") }.map(String.init)
        try (lines + ["hosts: files dns", ""]).joined(separator: "\n").write(
            toFile: nsswitch, atomically: true, encoding: .utf8)
        let script =
            #"mount --bind "$0" /etc/resolv.conf && mount --bind "$1" /etc/nsswitch.conf && shift && exec "$@""#
        let wrapper = ["/usr/bin/unshare", "--mount", "/bin/sh", "-c", script, resolvConf, nsswitch]
        let start = Date()
        let result = try Closeup.run(
            ["--no-env-file"] + arguments, environment: environment, directory: home, wrapper: wrapper)
        return (result, Date().timeIntervalSince(start))
    }

    // Root only, here and below: unshare --mount and port 53 need it (CI runs the tests as root).
    @Test(
        .enabled(if: getuid() == 0, "needs root for unshare --mount and port 53"),
        arguments: [StubNameserver.Answer.noSuchName, .noAddress])
    func aHostTheResolverKnowsNotIsAConfigurationErrorNamingItNeverAFallback(_ answer: StubNameserver.Answer) throws {
        let nameserver = try StubNameserver(answer)
        // --quiet hides warnings, never errors.
        for quiet in [[], ["-q"]] {
            let (result, _) = try closeup(
                quiet + ["--host", "no-such-host.invalid", "attempts", "get", "u1"], nameserver: nameserver)
            #expect(result.status == 5, "\(result.stderr)")
            #expect(result.stdout.isEmpty)
            #expect(
                result.stderrLines == [
                    "closeup: Redis host 'no-such-host.invalid' does not exist (the resolver knows no such name);"
                        + " check --host, --url, REDIS_HOST or REDIS_URL"
                ])
        }
        // doctor says so too, and fails the same way.
        let (doctor, _) = try closeup(["--host", "no-such-host.invalid", "doctor"], nameserver: nameserver)
        #expect(doctor.status == 5 && doctor.stderr.contains("'no-such-host.invalid' does not exist"), "\(doctor.stderr)")
    }

    @Test(.enabled(if: getuid() == 0, "needs root for unshare --mount and port 53"))
    func aSilentResolverIsAnAbsentRedisGivenUpOnAtTheConnectTimeout() throws {
        let nameserver = try StubNameserver(.silent)
        // With resolv.conf's defaults glibc alone waits 5 s per try, twice: 3 s shows closeup stopped at 1 s.
        let base = ["--connect-timeout", "1", "--host", "slow.example"]
        let (fallback, fallbackSeconds) = try closeup(base + ["attempts", "get", "u1"], nameserver: nameserver)
        #expect(fallback.status == 0, "\(fallback.stderr)")
        #expect(fallbackSeconds < 3)
        #expect(fallback.stdout.hasPrefix("u1: "))
        #expect(fallback.stderrLines.count == 1)
        #expect(
            fallback.stderr.hasPrefix(
                "closeup: warning: Redis at slow.example:6379 is unreachable (host name 'slow.example' not resolved"
                    + " within 1 s); using SQLite at "))

        let (required, requiredSeconds) = try closeup(
            base + ["--store", "redis", "attempts", "get", "u1"], nameserver: nameserver)
        #expect(required.status == 3, "\(required.stderr)")
        #expect(requiredSeconds < 3)
        #expect(
            required.stderrLines == [
                "closeup: cannot reach Redis at slow.example:6379: host name 'slow.example' not resolved within 1 s;"
                    + " --store redis allows no SQLite fallback"
            ])
    }

    /// No thread for a literal, the hosts file for localhost: both still reach the server.
    @Test(arguments: ["127.0.0.1", "localhost"])
    func anIPLiteralAndALocalhostNameStillConnect(_ host: String) throws {
        let port = String(RedisServer.shared.port)
        let result = try Closeup.run(
            ["--no-env-file", "--host", host, "--port", port, "--store", "redis", "attempts", "get", "resolver-user"],
            environment: environment, directory: home)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty && result.stdout.hasPrefix("resolver-user: "))
    }
}
