// pending-video and verification: the backend's two small per-user caches.
import CloseupKit

enum CacheCommands {
    static func pendingVideoGet(_ context: CommandContext) throws(CloseupError) -> CommandResult {
        let user = try UserID(context.arguments.positionals[0])
        let pending = try PendingVideoCache(store: context.store).get(user)
        let fields: Fields = [
            (.userID, .string(user.value)), (.jobID, .optional(pending?.jobID)),
            (.foundIn, .optional(pending?.source.rawValue)), (.ttlSeconds, Format.ttl(pending?.ttl)),
        ]
        guard let pending else {
            return CommandResult(fields: fields, text: "no pending video for \(user)", outcome: .negative(.notCached))
        }
        let origin =
            pending.source == .cache
            ? "cached, \(Format.lifetime(pending.ttl))" : "from video_jobs, now cached for \(pending.ttl ?? 0) s"
        return CommandResult(fields: fields, text: "\(user): pending video job \(pending.jobID) (\(origin))")
    }

    static func pendingVideoSet(_ context: CommandContext) throws(CloseupError) -> CommandResult {
        let user = try UserID(context.arguments.positionals[0])
        let text = context.arguments.positionals[1]
        guard let job = PendingVideo.jobID(text) else {
            throw .usage("invalid job id '\(text)': expected a whole number")
        }
        let ttl = context.arguments.value("ttl").flatMap { Int64($0) } ?? PendingVideoCache.defaultTTL
        try PendingVideoCache(store: context.store).set(user, job: job, ttl: ttl)
        return CommandResult(
            fields: [(.userID, .string(user.value)), (.jobID, .integer(job)), (.ttlSeconds, .integer(ttl))],
            text: "cached pending video job \(job) for \(user) for \(ttl) s")
    }

    static func verificationGet(_ context: CommandContext) throws(CloseupError) -> CommandResult {
        let user = try UserID(context.arguments.positionals[0])
        let cached = try VerificationCache(store: context.store).get(user)
        let fields: Fields = [
            (.userID, .string(user.value)), (.verified, cached.map { .bool($0.value) } ?? .null),
            (.ttlSeconds, Format.ttl(cached?.ttl)),
        ]
        guard let cached else {
            return CommandResult(fields: fields, text: "no cached verification for \(user)", outcome: .negative(.notCached))
        }
        return CommandResult(
            fields: fields,
            text: "\(user): \(cached.value ? "verified" : "not verified") (cached, \(Format.lifetime(cached.ttl)))")
    }

    static func verificationSet(_ context: CommandContext) throws(CloseupError) -> CommandResult {
        let user = try UserID(context.arguments.positionals[0])
        let verified = context.arguments.positionals[1] == "true"  // the parser admits true or false only
        let ttl = context.arguments.value("ttl").flatMap { Int64($0) } ?? VerificationCache.defaultTTL
        try VerificationCache(store: context.store).set(user, verified: verified, ttl: ttl)
        return CommandResult(
            fields: [(.userID, .string(user.value)), (.verified, .bool(verified)), (.ttlSeconds, .integer(ttl))],
            text: "cached verification of \(user): \(verified) for \(ttl) s")
    }

    static func pendingVideoClear(_ context: CommandContext) throws(CloseupError) -> ExitStatus {
        let cache = PendingVideoCache(store: context.store)
        return try BulkClearCommand.run(
            context, noun: ("pending video entry", "pending video entries"),
            perUser: { users throws(CloseupError) in try cache.clear(users) },
            counting: { users throws(CloseupError) in try cache.clearCounting(users) })
    }

    static func verificationClear(_ context: CommandContext) throws(CloseupError) -> ExitStatus {
        let cache = VerificationCache(store: context.store)
        return try BulkClearCommand.run(
            context, noun: ("verification entry", "verification entries"),
            perUser: { users throws(CloseupError) in try cache.clear(users) },
            counting: { users throws(CloseupError) in try cache.clearCounting(users) })
    }
}
