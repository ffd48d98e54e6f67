// Every name closeup's JSON uses, spelled once (SPEC §4: one name per concept
// across all commands). Handlers, the renderer and the man page's JSON OUTPUT
// section (JSONContract) name fields through this enum; a test fails when a
// field name is written as a string anywhere else.
import CloseupKit

enum Field: String, CaseIterable, Sendable {
    // Who and what
    case userID = "user_id", userIDs = "user_ids", mobileNumber = "mobile_number"
    case action, identifier, key, keyEncoding = "key_encoding", kind
    // Codes and counters
    case otp, channel, via, valid, live, revoked, cleared
    case count, max, blocked, remaining, allowed, attempts
    case createdAt = "created_at", expiresAt = "expires_at", ttlSeconds = "ttl_seconds"
    case resetInSeconds = "reset_in_seconds", expires, wouldDelete = "would_delete", deleted
    // Caches
    case jobID = "job_id", foundIn = "found_in", verified, verification, pendingVideo = "pending_video"
    case sendRateLimit = "send_rate_limit", problems
    // Results, refusals and errors
    case store, reason, message, error, exit
    // monitor
    case time, client, db, command, meaning, arguments
    // doctor
    case version, envFile = "env_file", storeMode = "store_mode", redis, sqlite, otpSecret = "otp_secret"
    case unsafeFiles = "unsafe_files", warnings, warning, ok, target, configured, tls, username
    case passwordSource = "password_source", reachable, latencyMS = "latency_ms", serverVersion = "server_version"
    case topology, role, infoRefused = "info_refused", clusterNodes = "cluster_nodes", clusterState = "cluster_state"
    case address, slots, path, schemaVersion = "schema_version", source, problem
    // audit
    case osUser = "os_user", sudoUser = "sudo_user", host, targetCount = "target_count", targets
    case servedBy = "served_by", outcome
    // stats
    case namespaces, keys, withoutTTL = "without_ttl", ttlHistogram = "ttl_histogram", memory, staleRows = "stale_rows"
    case estimatedBytes = "estimated_bytes", marginBytes = "margin_bytes", sampled, sampledBytes = "sampled_bytes"
    case le60 = "le_60", le300 = "le_300", le1800 = "le_1800", le3600 = "le_3600", gt3600 = "gt_3600", none
    case scanned, totalKeys = "total_keys", servers, total, usedMemory = "used_memory", maxMemory = "maxmemory"
    case maxMemoryPolicy = "maxmemory_policy", evictedKeys = "evicted_keys", expiredKeys = "expired_keys"
    case keyspaceHits = "keyspace_hits", keyspaceMisses = "keyspace_misses", hitRatio = "hit_ratio", dbSize = "dbsize"
    case sampleSize = "sample_size", fileBytes = "file_bytes", notes, findings
}

/// A JSON object's members, named by `Field`.
typealias Fields = [(Field, JSON)]

extension JSON {
    /// An object of named fields, in their order.
    static func fields(_ fields: Fields) -> JSON { .object(fields.map { ($0.0.rawValue, $0.1) }) }
}

/// Why an answer is negative (exit 1) or refused (exit 4): the stable word a script reads in
/// `reason` (SPEC §4).
enum Reason: String, CaseIterable, Sendable {
    case wrongCode = "wrong_code", noLiveOTP = "no_live_otp", blocked, liveOTP = "live_otp"
    case rateLimited = "rate_limited", notCached = "not_cached"
    /// A delete the user said no to at its prompt.
    case declined
}
