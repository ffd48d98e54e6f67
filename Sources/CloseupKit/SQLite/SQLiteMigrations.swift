// The SQLite schema, versioned by PRAGMA user_version. Migrations only ever
// move forward; a database from a newer closeup is refused, not rewritten.

enum SQLiteMigrations {
    /// Each entry moves the schema from version `index` to `index + 1`.
    static let steps: [String] = [
        """
        CREATE TABLE otp_codes (
            id INTEGER PRIMARY KEY,
            user_id TEXT NOT NULL,
            mobile_number TEXT,
            otp_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            expires_epoch INTEGER NOT NULL,
            used_at TEXT
        );
        CREATE INDEX otp_codes_user ON otp_codes (user_id, id);
        CREATE TABLE otp_attempts (
            user_id TEXT PRIMARY KEY,
            count INTEGER NOT NULL,
            expires_epoch INTEGER NOT NULL
        );
        CREATE TABLE rate_limits (
            key TEXT PRIMARY KEY,
            count INTEGER NOT NULL,
            expires_epoch INTEGER NOT NULL
        );
        CREATE TABLE verification_cache (
            user_id TEXT PRIMARY KEY,
            verified INTEGER NOT NULL,
            expires_epoch INTEGER NOT NULL
        );
        CREATE TABLE pending_video_cache (
            user_id TEXT PRIMARY KEY,
            job_id INTEGER NOT NULL,
            expires_epoch INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS video_jobs (
            id INTEGER PRIMARY KEY,
            user_id TEXT NOT NULL,
            status TEXT NOT NULL,
            created_at TEXT
        );
        CREATE INDEX IF NOT EXISTS video_jobs_user ON video_jobs (user_id, id);
        """,
        // 2: who changed what (SPEC §2, audit log; targets are newline-separated user ids), and
        // the unused codes by mobile number, for inspect --mobile.
        """
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            time TEXT NOT NULL,
            epoch INTEGER NOT NULL,
            os_user TEXT NOT NULL,
            sudo_user TEXT,
            host TEXT NOT NULL,
            command TEXT NOT NULL,
            target_count INTEGER NOT NULL,
            targets TEXT NOT NULL,
            redis TEXT,
            store TEXT,
            outcome TEXT NOT NULL,
            exit INTEGER NOT NULL,
            reason TEXT
        );
        CREATE INDEX audit_log_epoch ON audit_log (epoch);
        CREATE INDEX otp_codes_mobile ON otp_codes (mobile_number) WHERE used_at IS NULL;
        """,
    ]

    static var latestVersion: Int { steps.count }

    /// The tables the first step creates (video_jobs may be the backend's own, so it is not one).
    static let ownTables = ["otp_codes", "otp_attempts", "rate_limits", "verification_cache", "pending_video_cache"]

    /// Refuses a database closeup cannot have written: from a newer closeup, with a negative
    /// version, or at version 0 (never migrated) yet holding a table of closeup's names. Called
    /// before anything else touches the file (the switch to WAL would already change it).
    static func refuseNewer(_ database: SQLiteDatabase) throws(CloseupError) {
        // One statement, so one snapshot: read apart, another closeup's migration could commit
        // between the version (still 0) and the tables (already there).
        let names = ownTables.map { "'\($0)'" }.joined(separator: ", ")
        let state = try database.prepare(
            "SELECT user_version, (SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (\(names)) LIMIT 1)"
                + " FROM pragma_user_version")
        guard try state.step() else { return }
        let version = Int(state.integer(0) ?? 0)
        guard version <= latestVersion else {
            throw .unavailable(
                "SQLite database '\(database.path)' has schema version \(version), newer than this closeup"
                    + " understands (\(latestVersion)); it was left as it is: upgrade closeup")
        }
        guard version >= 0 else {
            throw .unavailable(
                "SQLite database '\(database.path)' has schema version \(version), which no closeup writes;"
                    + " it was left as it is", remedy: .ownSQLiteDatabase)
        }
        if version == 0, let table = state.text(1) {
            throw .unavailable(
                "SQLite database '\(database.path)' holds a table '\(table)' that closeup did not make;"
                    + " it was left as it is", remedy: .ownSQLiteDatabase)
        }
    }

    static func apply(to database: SQLiteDatabase) throws(CloseupError) {
        try refuseNewer(database)
        var version = try database.schemaVersion
        while version < latestVersion {
            // The version check is repeated inside the write lock: another process may have migrated meanwhile.
            try database.transaction { () throws(CloseupError) in
                let current = try database.schemaVersion
                guard current == version else { return }
                try database.execute(steps[version])
                try database.execute("PRAGMA user_version = \(version + 1)")
            }
            version = try database.schemaVersion
        }
    }
}
