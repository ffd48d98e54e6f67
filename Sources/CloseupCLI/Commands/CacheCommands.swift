// pending-video and verification: the backend's two small per-user caches.
import CloseupKit

enum CacheCommands {
    static func pendingVideoGet(_ context: CommandContext) throws(CloseupError) -> Int32 {
        let user = try UserID(context.arguments.positionals[0])
        let pending = try PendingVideoCache(store: context.store).get(user)
        let text: String
        if let pending {
            let origin =
                pending.source == .cache
                ? "cached, \(Format.lifetime(pending.ttl))" : "from video_jobs, now cached for \(pending.ttl ?? 0) s"
            text = "\(user): pending video job \(pending.jobID) (\(origin))"
        } else {
            text = "no pending video for \(user)"
        }
        context.emit(
            [
                ("user_id", .string(user.value)), ("job_id", .optional(pending?.jobID)),
                ("found_in", .optional(pending?.source.rawValue)), ("ttl_seconds", Format.ttl(pending?.ttl)),
            ] + (pending == nil ? [("reason", .string("not_cached"))] : []), text: text)
        return pending == nil ? 1 : 0
    }

    static func pendingVideoSet(_ context: CommandContext) throws(CloseupError) -> Int32 {
        let user = try UserID(context.arguments.positionals[0])
        let text = context.arguments.positionals[1]
        guard let job = PendingVideo.jobID(text) else {
            throw .usage("invalid job id '\(text)': expected a whole number")
        }
        let ttl = context.arguments.value("ttl").flatMap { Int64($0) } ?? PendingVideoCache.defaultTTL
        try PendingVideoCache(store: context.store).set(user, job: job, ttl: ttl)
        report(context, user, fields: [("job_id", .integer(job)), ("ttl_seconds", .integer(ttl))],
               text: "cached pending video job \(job) for \(user) for \(ttl) s")
        return 0
    }

    static func verificationGet(_ context: CommandContext) throws(CloseupError) -> Int32 {
        let user = try UserID(context.arguments.positionals[0])
        let cached = try VerificationCache(store: context.store).get(user)
        let text =
            cached.map { "\(user): \($0.value ? "verified" : "not verified") (cached, \(Format.lifetime($0.ttl)))" }
            ?? "no cached verification for \(user)"
        context.emit(
            [
                ("user_id", .string(user.value)), ("verified", cached.map { .bool($0.value) } ?? .null),
                ("ttl_seconds", Format.ttl(cached?.ttl)),
            ] + (cached == nil ? [("reason", .string("not_cached"))] : []), text: text)
        return cached == nil ? 1 : 0
    }

    static func verificationSet(_ context: CommandContext) throws(CloseupError) -> Int32 {
        let user = try UserID(context.arguments.positionals[0])
        let verified = context.arguments.positionals[1] == "true"  // the parser admits true or false only
        let ttl = context.arguments.value("ttl").flatMap { Int64($0) } ?? VerificationCache.defaultTTL
        try VerificationCache(store: context.store).set(user, verified: verified, ttl: ttl)
        report(context, user, fields: [("verified", .bool(verified)), ("ttl_seconds", .integer(ttl))],
               text: "cached verification of \(user): \(verified) for \(ttl) s")
        return 0
    }

    static func pendingVideoClear(_ context: CommandContext) throws(CloseupError) -> Int32 {
        let cache = PendingVideoCache(store: context.store)
        return try BulkClearCommand.run(
            context, noun: ("pending video entry", "pending video entries"),
            perUser: { users throws(CloseupError) in try cache.clear(users) },
            counting: { users throws(CloseupError) in try cache.clearCounting(users) })
    }

    static func verificationClear(_ context: CommandContext) throws(CloseupError) -> Int32 {
        let cache = VerificationCache(store: context.store)
        return try BulkClearCommand.run(
            context, noun: ("verification entry", "verification entries"),
            perUser: { users throws(CloseupError) in try cache.clear(users) },
            counting: { users throws(CloseupError) in try cache.clearCounting(users) })
    }

    private static func report(_ context: CommandContext, _ user: UserID, fields: [(String, JSON)], text: String) {
        context.emit([("user_id", .string(user.value))] + fields, text: text)
    }
}
