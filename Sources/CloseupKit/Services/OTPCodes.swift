// The `otp_codes` table: closeup's durable copy of every code it issues (the
// seed's database backup). Single use is enforced here too: consuming is an
// UPDATE … WHERE used_at IS NULL whose change count decides the one winner.

/// A code row as stored: the record plus its row id and expiry.
struct OTPCodeRow {
    var id: Int64
    var record: OTPRecord
    var expiresEpoch: Int64
}

enum OTPCodes {
    /// Supersedes the user's unused codes (a new code replaces them) and stores `record`. Call in a transaction.
    static func insert(
        _ database: SQLiteDatabase, user: UserID, record: OTPRecord, expiresEpoch: Int64, now: String
    ) throws(CloseupError) -> Int64 {
        try database.prepare("UPDATE otp_codes SET used_at = ? WHERE user_id = ? AND used_at IS NULL")
            .run([.text(now), .text(user.value)])
        try database.prepare(
            "INSERT INTO otp_codes (user_id, mobile_number, otp_hash, created_at, expires_at, expires_epoch)"
                + " VALUES (?, ?, ?, ?, ?, ?)"
        ).run([
            .text(user.value), record.mobileNumber.map(SQLiteValue.text) ?? .null, .text(record.otpHash),
            .text(record.createdAt ?? now), .text(record.expiresAt ?? now), .integer(expiresEpoch),
        ])
        return try database.prepare("SELECT last_insert_rowid()").firstInteger() ?? 0
    }

    /// The user's newest unused code that has not expired.
    static func live(_ database: SQLiteDatabase, user: UserID, now: Int64) throws(CloseupError) -> OTPCodeRow? {
        let select = try database.prepare(
            "SELECT id, otp_hash, mobile_number, created_at, expires_at, expires_epoch FROM otp_codes"
                + " WHERE user_id = ? AND used_at IS NULL AND expires_epoch > ? ORDER BY id DESC LIMIT 1")
        try select.bind([.text(user.value), .integer(now)])
        guard try select.step(), let id = select.integer(0), let expires = select.integer(5) else { return nil }
        let record = OTPRecord(
            otpHash: select.text(1) ?? "", mobileNumber: select.text(2), createdAt: select.text(3) ?? "",
            expiresAt: select.text(4) ?? "")
        return OTPCodeRow(id: id, record: record, expiresEpoch: expires)
    }

    /// Marks row `id` used; true for the one caller that got it.
    static func consume(_ database: SQLiteDatabase, id: Int64, now: String) throws(CloseupError) -> Bool {
        try database.prepare("UPDATE otp_codes SET used_at = ? WHERE id = ? AND used_at IS NULL")
            .run([.text(now), .integer(id)])
        return database.changes == 1
    }

    /// Marks a code's row used: false when the row was already used (the code was consumed
    /// through the other store first); true also when closeup never stored this code (another
    /// writer issued it). The SQLite verify's consume; the Redis verify uses `mark`.
    static func consumeMatching(
        _ database: SQLiteDatabase, user: UserID, hash: String, now: String
    ) throws(CloseupError) -> Bool {
        try mark(database, user: user, hash: hash, now: now) != .alreadyUsed
    }

    /// What marking a code's copy used found.
    enum Marking: Equatable {
        /// The unused copy is now marked used, by this call.
        case marked
        /// The copy was used already (through SQLite, or by a racing verifier).
        case alreadyUsed
        /// No copy: another writer stored the code in Redis alone.
        case noCopy
    }

    /// Marks the newest unused copy of the code used, saying what it found.
    static func mark(_ database: SQLiteDatabase, user: UserID, hash: String, now: String) throws(CloseupError) -> Marking {
        try database.transaction { () throws(CloseupError) in
            try database.prepare(
                "UPDATE otp_codes SET used_at = ? WHERE id = (SELECT id FROM otp_codes"
                    + " WHERE user_id = ? AND otp_hash = ? AND used_at IS NULL ORDER BY id DESC LIMIT 1)"
            ).run([.text(now), .text(user.value), .text(hash)])
            if database.changes == 1 { return .marked }
            let exists = try database.prepare("SELECT EXISTS (SELECT 1 FROM otp_codes WHERE user_id = ? AND otp_hash = ?)")
                .firstInteger([.text(user.value), .text(hash)])
            return exists == 1 ? .alreadyUsed : .noCopy
        }
    }

    /// Undoes `mark` (the Redis side of the consume failed, so the code is still live there).
    static func unmark(_ database: SQLiteDatabase, user: UserID, hash: String, usedAt: String) throws(CloseupError) {
        try database.prepare(
            "UPDATE otp_codes SET used_at = NULL WHERE id = (SELECT id FROM otp_codes"
                + " WHERE user_id = ? AND otp_hash = ? AND used_at = ? ORDER BY id DESC LIMIT 1)"
        ).run([.text(user.value), .text(hash), .text(usedAt)])
    }

    /// Marks the users' unused codes used: their Redis codes were revoked or deleted, and a
    /// copy left live here would still verify through the fallback.
    static func revoke(_ database: SQLiteDatabase, users: [String], now: String) throws(CloseupError) {
        guard !users.isEmpty else { return }
        try database.transaction { () throws(CloseupError) in
            let update = try database.prepare("UPDATE otp_codes SET used_at = ? WHERE user_id = ? AND used_at IS NULL")
            for user in users { try update.run([.text(now), .text(user)]) }
        }
    }

    /// Removes a code that was never delivered.
    static func withdraw(_ database: SQLiteDatabase, id: Int64) throws(CloseupError) {
        try database.prepare("DELETE FROM otp_codes WHERE id = ?").run([.integer(id)])
    }
}
