// The fallback policy of SPEC §2 against real servers and real files.
import CloseupTestSupport
import Foundation
import Testing

@testable import CloseupKit

struct StoreTests {
    /// Settings for a run against `url` (nil: nothing configured) with a private SQLite file.
    func settings(url: String?, store: StoreMode = .auto, extra: [SettingKey: String] = [:]) throws -> Settings {
        var flags = extra
        flags[.url] = url
        flags[.store] = store.rawValue
        flags[.sqlitePath] = try TemporaryDirectory.make(prefix: "closeup-store") + "/closeup.sqlite3"
        flags[.timeout] = "0.5"
        return try Settings.resolve(flags: flags, environment: ["HOME": "/nonexistent"], envFile: .none)
    }

    /// Which store served, and the warnings given.
    func serve(_ settings: Settings) throws -> (backend: String, warnings: [String]) {
        var warnings: [String] = []
        let store = Store(settings: settings, warn: { warnings.append($0) })
        let backend = try store.perform(
            redis: { connection in try connection.call(RedisCommand("PING")).string ?? "?" },
            sqlite: { database in "sqlite:" + database.path })
        return (backend, warnings)
    }

    @Test func aReachableRedisServes() throws {
        let result = try serve(try settings(url: RedisServer.shared.url))
        #expect(result.backend == "PONG" && result.warnings.isEmpty)
    }

    @Test func aConfiguredButClosedRedisFallsBackWithOneWarningNamingBoth() throws {
        let settings = try settings(url: "redis://127.0.0.1:\(try freePort())")
        let result = try serve(settings)
        #expect(result.backend == "sqlite:" + settings.sqlitePath)
        #expect(result.warnings.count == 1)
        #expect(result.warnings[0].contains(settings.redis.target) && result.warnings[0].contains(settings.sqlitePath))
    }

    @Test func aListenerThatNeverAnswersFallsBackWithinTheTimeout() throws {
        let listener = try SilentListener()
        let start = Date()
        let result = try serve(try settings(url: "redis://127.0.0.1:\(listener.port)"))
        #expect(result.backend.hasPrefix("sqlite:") && result.warnings.count == 1)
        #expect(Date().timeIntervalSince(start) < 3)
    }

    @Test func storeRedisTurnsTheFallbackOffWithExit3() throws {
        #expect {
            try serve(try settings(url: "redis://127.0.0.1:\(try freePort())", store: .redis))
        } throws: { error in
            let error = error as! CloseupError
            return error.exitCode == 3 && error.remedy == .fallbackDisabled
        }
    }

    @Test func storeSQLiteNeverTouchesRedis() throws {
        let result = try serve(try settings(url: RedisServer.shared.url, store: .sqlite))
        #expect(result.backend.hasPrefix("sqlite:") && result.warnings.isEmpty)
    }

    @Test func anAuthenticationErrorIsReportedNeverPaperedOver() throws {
        let url = "redis://nobody-\(UUID().uuidString.prefix(6)):wrong@127.0.0.1:\(RedisServer.shared.port)"
        #expect {
            try serve(try settings(url: url))
        } throws: { error in
            let error = error as! CloseupError
            return error.exitCode == 5 && error.message.contains("WRONGPASS")
        }
    }

    @Test func anErrorReplyIsNotUnavailability() throws {
        let store = Store(settings: try settings(url: RedisServer.shared.url), warn: { _ in })
        #expect {
            try store.perform(
                redis: { connection in try connection.call(RedisCommand("NOSUCHCOMMAND")) },
                sqlite: { _ in RESPValue.null })
        } throws: { ($0 as! CloseupError).exitCode == 3 }
    }
}

struct ReconnectTests {
    @Test func anIdempotentReadReconnectsOnceAfterADroppedConnectionAndAWriteDoesNot() throws {
        var flags: [SettingKey: String] = [:]
        flags[.url] = RedisServer.shared.url
        flags[.sqlitePath] = try TemporaryDirectory.make(prefix: "closeup-reconnect") + "/closeup.sqlite3"
        let settings = try Settings.resolve(flags: flags, environment: ["HOME": "/nonexistent"], envFile: .none)
        let store = Store(settings: settings, warn: { Issue.record("unexpected warning: \($0)") })
        let user = try UserID("reconnect-\(UUID().uuidString.prefix(6))")
        let attempts = AttemptsService(store: store)
        #expect(try attempts.get(user).count == 0)

        func killStoreConnection() throws {
            let id = try store.redis()!.call(RedisCommand("CLIENT", "ID")).number!
            try RedisServer.shared.connect().call(RedisCommand("CLIENT", "KILL", "ID", String(id)))
        }
        try killStoreConnection()
        #expect(try attempts.get(user).count == 0)  // read: retried on a new connection

        try killStoreConnection()
        #expect {
            try RateLimiter(store: store).check(.otpRequest, try RateLimitIdentifier("x"), limit: 1, window: 1)
        } throws: { ($0 as! CloseupError).exitCode == 3 }  // a counting write is not retried blindly
    }
}
