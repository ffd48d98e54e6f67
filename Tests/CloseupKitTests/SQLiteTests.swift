// The SQLite layer on real files: modes, migrations, statements, transactions.
import CloseupTestSupport
import Foundation
import Testing

@testable import CloseupKit

struct SQLiteTests {
    @Test func createsTheFile0600InsideNewFolders0700AndMigrates() throws {
        let root = try TemporaryDirectory.make(prefix: "closeup-sqlite")
        let path = root + "/data/closeup/closeup.sqlite3"
        let database = try SQLiteDatabase(path: path)
        #expect(try database.schemaVersion == SQLiteMigrations.latestVersion)
        #expect(FileSystem.mode(path) == 0o600)
        #expect(FileSystem.mode(root + "/data/closeup") == 0o700)
        #expect(FileSystem.mode(root + "/data") == 0o700)
        let journal = try database.prepare("PRAGMA journal_mode")
        #expect(try journal.step() && journal.text(0) == "wal")
        let tables = try database.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        var names: [String] = []
        while try tables.step() { names.append(tables.text(0) ?? "") }
        #expect(names == ["audit_log", "otp_attempts", "otp_codes", "pending_video_cache", "rate_limits", "verification_cache", "video_jobs"])
    }

    @Test func reopeningKeepsDataAndDoesNotMigrateAgain() throws {
        let path = try TemporaryDirectory.make(prefix: "closeup-sqlite") + "/db.sqlite3"
        try SQLiteDatabase(path: path).prepare("INSERT INTO video_jobs (user_id, status) VALUES (?, ?)")
            .run([.text("u1"), .text("queued")])
        let reopened = try SQLiteDatabase(path: path)
        #expect(try reopened.prepare("SELECT count(*) FROM video_jobs").firstInteger() == 1)
    }

    @Test func aDatabaseFromANewerCloseupIsRefusedNotRewritten() throws {
        let path = try TemporaryDirectory.make(prefix: "closeup-sqlite") + "/db.sqlite3"
        try SQLiteDatabase(path: path).execute("PRAGMA user_version = 99")
        #expect {
            try SQLiteDatabase(path: path)
        } throws: { error in
            let error = error as! CloseupError
            return error.exitCode == 3 && error.message.contains("schema version 99")
        }
    }

    /// A newer closeup's database, a negative version (which once crashed closeup), and a file
    /// never migrated that holds a table of closeup's names (another program's otp_codes).
    @Test(arguments: [
        ("CREATE TABLE t (x)", 99, "schema version 99, newer"),
        ("CREATE TABLE t (x)", -1, "schema version -1, which no closeup writes"),
        ("CREATE TABLE otp_codes (foo)", 0, "holds a table 'otp_codes' that closeup did not make"),
    ])
    func aDatabaseCloseupCannotHaveWrittenIsRefusedBeforeAnythingTouchesIt(
        table: String, version: Int, message: String
    ) throws {
        // Made by another program, in rollback-journal mode: refusing it must not switch it to
        // WAL or leave -wal and -shm files beside it.
        let folder = try TemporaryDirectory.make(prefix: "closeup-sqlite")
        let path = folder + "/db.sqlite3"
        let made = try Closeup.runProgram(
            "/usr/bin/env", ["python3", "-c", "import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); db.execute(sys.argv[2]); db.execute('PRAGMA user_version = ' + sys.argv[3]); db.commit()", path, table, String(version)],
            environment: ProcessInfo.processInfo.environment, directory: folder, stdin: "")
        #expect(made.status == 0, "\(made.stderr)")
        #expect {
            try SQLiteDatabase(path: path)
        } throws: { error in
            let error = error as! CloseupError
            return error.exitCode == 3 && error.message.contains(message) && error.message.contains("left as it is")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(files == ["db.sqlite3"], "\(files)")
        let mode = try Closeup.runProgram(
            "/usr/bin/env", ["python3", "-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA journal_mode').fetchone()[0])", path],
            environment: ProcessInfo.processInfo.environment, directory: folder, stdin: "")
        #expect(mode.stdout == "delete\n", "\(mode.stdout)")
    }

    /// A kept WAL that still holds frames is read back and copied again by every later run;
    /// a run that wrote leaves it empty (and one that only read leaves it as it was).
    @Test func aRunThatWroteLeavesAnEmptyWAL() throws {
        let path = try TemporaryDirectory.make(prefix: "closeup-sqlite") + "/db.sqlite3"
        func walSize() throws -> Int { (try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? -1 }
        do {
            let database = try SQLiteDatabase(path: path)
            try database.prepare("INSERT INTO video_jobs (user_id, status) VALUES ('u', 'queued')").run()
            #expect(try walSize() > 0)
        }
        #expect(try walSize() == 0)
        do {
            let reader = try SQLiteDatabase(path: path)
            #expect(try reader.prepare("SELECT count(*) FROM video_jobs").firstInteger() == 1)
        }
        #expect(try walSize() == 0)
    }

    @Test func anUnusablePathIsUnavailableNamingIt() {
        #expect {
            try SQLiteDatabase(path: "/proc/closeup/nope.sqlite3")
        } throws: { error in
            let error = error as! CloseupError
            return error.exitCode == 3 && error.message.contains("/proc/closeup")
        }
    }

    @Test func aFailedTransactionRollsBack() throws {
        let database = try SQLiteDatabase(path: ":memory:")
        #expect(throws: CloseupError.self) {
            try database.transaction { () throws(CloseupError) in
                try database.prepare("INSERT INTO video_jobs (user_id, status) VALUES ('u', 'queued')").run()
                try database.execute("INSERT INTO no_such_table VALUES (1)")
            }
        }
        #expect(try database.prepare("SELECT count(*) FROM video_jobs").firstInteger() == 0)
    }

    @Test func boundTextIsNeverInterpretedAsSQL() throws {
        let database = try SQLiteDatabase(path: ":memory:")
        let hostile = "u'); DROP TABLE video_jobs; --"
        try database.prepare("INSERT INTO video_jobs (user_id, status) VALUES (?, 'queued')").run([.text(hostile)])
        let select = try database.prepare("SELECT user_id FROM video_jobs")
        #expect(try select.step() && select.text(0) == hostile)
    }
}
