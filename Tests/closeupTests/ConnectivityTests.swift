// Production connectivity: TLS (verification, SNI, mutual TLS) against real
// TLS redis-servers with certificates made by openssl at test time, and
// passwords that never show up in any output.
import CloseupKit
import CloseupTestSupport
import Foundation
import Testing

@Suite(.serialized)
final class TLSTests {
    static let certificates = try! TLSFixture()
    static let server = try! RedisServer(tls: certificates)
    static let mutualServer = try! RedisServer(tls: certificates, clientAuthentication: true)
    let home: String
    let environment: [String: String]

    init() throws {
        home = try TemporaryDirectory.make(prefix: "closeup-tls-home")
        environment = Closeup.environment(home: home, extra: ["CLOSEUP_OTP_SECRET": "tls-secret"])
    }

    func closeup(_ arguments: [String]) throws -> CloseupResult {
        try Closeup.run(arguments, environment: environment, directory: home)
    }

    var port: String { String(Self.server.port) }

    @Test func withTheRightCAtheFullOTPFlowWorksOverTLS() throws {
        let tls = ["--url", "rediss://localhost:\(port)", "--cacert", Self.certificates.caCertificate]
        let doctor = try closeup(tls + ["doctor"])
        #expect(doctor.status == 0 && doctor.stdout.contains("tls           on") && doctor.stdout.contains("reachable     ok"))
        let sent = try closeup(tls + ["--json", "otp", "send", "tls-user", "--mobile", "9800000020", "--force"])
        #expect(sent.status == 0 && sent.stderr.isEmpty)
        let code = (try JSONSerialization.jsonObject(with: Data(sent.stdout.utf8)) as! [String: Any])["otp"] as! String
        #expect(try closeup(tls + ["otp", "verify", "tls-user", code]).status == 0)
        #expect(try Self.server.connect().call(RedisCommand("EXISTS", "otp:tls-user")).resp == .integer(0))
    }

    @Test func anIPAddressIsVerifiedAgainstTheCertificatesIPEntry() throws {
        let result = try closeup(["--host", "127.0.0.1", "--port", port, "--tls", "--cacert", Self.certificates.caCertificate, "doctor"])
        #expect(result.status == 0)
    }

    @Test func aWrongCAIsAConfigurationErrorNeverPaperedOver() throws {
        let result = try closeup(["--url", "rediss://localhost:\(port)", "--cacert", Self.certificates.otherCACertificate, "otp", "ttl", "u1"])
        #expect(result.status == 5)
        #expect(result.stderrLines.count == 1)
        #expect(result.stderr.contains("TLS certificate verification failed for 'localhost'") && !result.stderr.contains("SQLite"))
    }

    @Test func aWrongHostNameFailsUnlessInsecure() throws {
        let base = ["--host", "127.0.0.1", "--port", port, "--tls", "--cacert", Self.certificates.caCertificate, "--sni", "cache.example.com"]
        let refused = try closeup(base + ["otp", "ttl", "u1"])
        #expect(refused.status == 5 && refused.stderr.contains("hostname mismatch"))
        let insecure = try closeup(base + ["--insecure", "otp", "ttl", "u1"])
        #expect(insecure.status == 1)
        #expect(insecure.stderr == "closeup: warning: --insecure: the Redis server's certificate and host name are not verified\n")
    }

    @Test func theSNINameIsVerifiedInsteadOfTheHost() throws {
        // The tunnel case: connect to an address, verify the name the certificate carries.
        let result = try closeup(["--host", "127.0.0.1", "--port", port, "--tls", "--cacert", Self.certificates.caCertificate, "--sni", "localhost", "doctor"])
        #expect(result.status == 0)
    }

    @Test func mutualTLSNeedsTheClientCertificate() throws {
        let base = ["--url", "rediss://localhost:\(Self.mutualServer.port)", "--cacert", Self.certificates.caCertificate]
        let with = try closeup(base + ["--cert", Self.certificates.clientCertificate, "--key", Self.certificates.clientKey, "doctor"])
        #expect(with.status == 0, "\(with.stderr)")
        let without = try closeup(base + ["otp", "ttl", "u1"])
        #expect(without.status == 5 || without.status == 3, "\(without.stderr)")
        #expect(!without.stderr.contains("using SQLite"))
        let keyOnly = try closeup(base + ["--key", Self.certificates.clientKey, "otp", "ttl", "u1"])
        #expect(keyOnly.status == 5 && keyOnly.stderr.contains("a private key needs its client certificate")
            && keyOnly.stderr.contains("give --cert and --key together"))
        let unreadable = try closeup(base + ["--cacert", "/nonexistent/ca.crt", "otp", "ttl", "u1"])
        #expect(unreadable.status == 5 && unreadable.stderr.contains("cannot read CA file '/nonexistent/ca.crt'"))
    }
}

@Suite(.serialized)
final class PasswordTests {
    static let password = "pw-\(UUID().uuidString)"
    static let server = try! RedisServer(password: password)
    let home: String

    init() throws { home = try TemporaryDirectory.make(prefix: "closeup-password") }

    @Test func aKnownPasswordAppearsNowhereInAnyOutput() throws {
        let port = String(Self.server.port)
        let passwordFile = home + "/redis-password"
        try (Self.password + "\n").write(toFile: passwordFile, atomically: true, encoding: .utf8)
        chmod(passwordFile, 0o644)
        try "REDIS_PASSWORD=\(Self.password)\nREDIS_PORT=\(port)\n".write(toFile: home + "/.env", atomically: true, encoding: .utf8)
        let base = Closeup.environment(home: home, extra: ["CLOSEUP_OTP_SECRET": "s"])
        let runs: [([String], [String: String])] = [
            (["doctor"], [:]),
            (["--json", "doctor"], [:]),
            (["--no-env-file", "--port", port, "--password-file", passwordFile, "--json", "doctor"], [:]),
            (["--no-env-file", "--url", "redis://:\(Self.password)@127.0.0.1:\(port)", "doctor"], [:]),
            (["--no-env-file", "--url", "redis://:\(Self.password)@127.0.0.1:\(port)/x", "doctor"], [:]),
            (["--no-env-file", "doctor"], ["REDIS_URL": "redis://default:\(Self.password)wrong@127.0.0.1:\(port)"]),
            (["--json", "otp", "send", "pw-user", "--mobile", "9800000030", "--force"], [:]),
            (["inspect", "pw-user"], [:]),
            (["keys", "scan", "--ttl"], [:]),
            (["monitor", "--duration", "1"], [:]),
            (["--no-env-file", "--port", port, "--json", "inspect", "pw-user"], ["REDIS_PASSWORD": Self.password + "x"]),
        ]
        var statuses: [Int32] = []
        for (arguments, extra) in runs {
            let result = try Closeup.run(arguments, environment: base.merging(extra) { $1 }, directory: home)
            statuses.append(result.status)
            #expect(!result.stdout.contains(Self.password) && !result.stderr.contains(Self.password), "\(arguments)")
        }
        #expect(statuses == [0, 0, 0, 0, 5, 5, 0, 0, 0, 0, 5], "\(statuses)")
    }

    @Test func aPasswordOnTheCommandLineWarnsAndAReadablePasswordFileWarns() throws {
        let port = String(Self.server.port)
        let environment = Closeup.environment(home: home)
        let url = try Closeup.run(
            ["--no-env-file", "--url", "redis://:\(Self.password)@127.0.0.1:\(port)", "otp", "ttl", "nobody"],
            environment: environment, directory: home)
        #expect(url.status == 1 && url.stderr.contains("visible to other users"))
        let file = home + "/loose-password"
        try Self.password.write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o640)
        let loose = try Closeup.run(
            ["--no-env-file", "--port", port, "--password-file", file, "otp", "ttl", "nobody"], environment: environment, directory: home)
        #expect(loose.status == 1 && loose.stderr.contains("is readable by other users (mode 640)"))
        let quiet = try Closeup.run(
            ["--no-env-file", "--port", port, "otp", "ttl", "nobody"], environment: environment.merging(["REDIS_PASSWORD": Self.password]) { $1 },
            directory: home)
        #expect(quiet.status == 1 && quiet.stderr.isEmpty)
    }
}
