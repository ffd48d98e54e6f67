// The SQLite file behind Redis: opened with explicit flags, WAL so readers and
// a writer do not block each other, a busy timeout so concurrent closeup
// processes wait instead of failing, and forward-only migrations.
import CSQLite
import Glibc

/// One open SQLite database. Not thread-safe; one per process or per task.
public final class SQLiteDatabase {
    public let path: String
    let handle: OpaquePointer

    /// Opens (creating when missing) the database at `path`, or `:memory:`.
    /// A new file is created 0600; its folder, when closeup creates it, 0700.
    public init(path: String, busyTimeoutMilliseconds: Int32 = 5000) throws(CloseupError) {
        self.path = path
        if path != ":memory:" { try SQLiteDatabase.prepareFile(at: path) }
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let reason = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(status))
            sqlite3_close(handle)
            throw .unavailable("cannot open the SQLite database '\(path)': \(reason)", remedy: .checkSQLitePath)
        }
        self.handle = handle
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
        // Keep the -wal and -shm files between runs: each closeup run is one short
        // connection, and recreating and unlinking them every time costs more than the work.
        var persist: Int32 = 1
        sqlite3_file_control(handle, "main", SQLITE_FCNTL_PERSIST_WAL, &persist)
        do {
            try SQLiteMigrations.refuseNewer(self)
            try enableWAL(waitingUpTo: busyTimeoutMilliseconds)
            try execute("PRAGMA synchronous = NORMAL")
            try execute("PRAGMA foreign_keys = ON")
            try SQLiteMigrations.apply(to: self)
        } catch {
            sqlite3_close_v2(handle)
            throw error
        }
    }

    deinit {
        // The last connection to close copies the WAL into the database, but a kept WAL file is
        // read back and copied again by every later run (recovery forgets what was copied). So
        // a run that wrote empties it now, without waiting for anyone (busy: left to the next
        // writer); the next run then opens an empty WAL and writes nothing when it closes.
        if sqlite3_total_changes(handle) > 0 {
            sqlite3_busy_timeout(handle, 0)
            sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_TRUNCATE, nil, nil)
        }
        sqlite3_close_v2(handle)
    }

    /// Switching a new file to WAL takes an exclusive lock that SQLite does not wait for through
    /// the busy handler, so closeups opening a brand-new file at once would fail with "database
    /// is locked". The mode sticks to the file: only the first opens of a new file ever retry.
    private func enableWAL(waitingUpTo milliseconds: Int32) throws(CloseupError) {
        var waited: Int32 = 0
        while true {
            let status = sqlite3_exec(handle, "PRAGMA journal_mode = WAL", nil, nil, nil)
            if status == SQLITE_OK { return }
            guard status & 0xff == SQLITE_BUSY, waited < milliseconds else { throw failure(lastError) }
            usleep(5_000)
            waited += 5
        }
    }

    /// Creates the folders (0700) and an empty file (0600) so SQLite never makes them with the umask's modes.
    private static func prepareFile(at path: String) throws(CloseupError) {
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try FileSystem.makeFolders(String(path[..<slash]))
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw .unavailable(
                "cannot open the SQLite database '\(path)': \(FileSystem.lastErrorReason)", remedy: .checkSQLitePath)
        }
        close(fd)
    }

    /// Runs SQL that takes no parameters and returns no rows.
    public func execute(_ sql: String) throws(CloseupError) {
        var message: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(handle, sql, nil, nil, &message) != SQLITE_OK {
            let reason = message.map { String(cString: $0) } ?? lastError
            sqlite3_free(message)
            throw failure(reason)
        }
    }

    /// A prepared statement; bind with `?` placeholders, never string interpolation.
    public func prepare(_ sql: String) throws(CloseupError) -> SQLiteStatement {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw failure(lastError)
        }
        return SQLiteStatement(statement: statement, database: self)
    }

    /// Runs `body` in one IMMEDIATE transaction: it takes the write lock up front,
    /// so two processes cannot both read, decide, and then write. Inside another
    /// transaction, `body` simply joins it: the outer one decides commit or rollback.
    public func transaction<T>(_ body: () throws(CloseupError) -> T) throws(CloseupError) -> T {
        if sqlite3_get_autocommit(handle) == 0 { return try body() }
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// `PRAGMA user_version`: the schema version migrations have reached.
    public var schemaVersion: Int {
        get throws(CloseupError) { Int(try prepare("PRAGMA user_version").firstInteger() ?? 0) }
    }

    var lastError: String { String(cString: sqlite3_errmsg(handle)) }

    func failure(_ reason: String) -> CloseupError {
        .unavailable("SQLite database '\(path)' failed: \(reason)")
    }
}
