// SPEC §2 "Files closeup trusts": the data folder, the SQLite database and the
// OTP secret decide which codes verify, so no other user may read or change
// them. Checked on every run with a few stat calls (and one small read of the
// secret file). A breach is a warning — the run goes on, so ops are never locked
// out by a mode — and a failure in `doctor`. Fixing is left to the user: each
// message says how.
import Glibc

/// A file or folder closeup trusts that another user could read or change.
public struct UnsafeFile: Sendable, Equatable {
    public var path: String
    /// One line: the path, what is wrong (kind, owner, mode) and what to do.
    public var message: String
}

enum TrustedFiles {
    /// The breaches among the data folder, the SQLite file and its write-ahead log, and — when closeup
    /// reads it (no CLOSEUP_OTP_SECRET) — the OTP secret file. Paths that do not exist yet are fine:
    /// closeup creates them private (folders 0700, files 0600).
    static func check(dataDirectory: String, sqlitePath: String, secretFile: String?) -> [UnsafeFile] {
        var found: [UnsafeFile] = []
        func breach(_ path: String, _ problem: String) { found.append(UnsafeFile(path: path, message: problem)) }

        if let info = status(dataDirectory) {
            let name = "data folder '\(dataDirectory)'"
            if let owner = foreignOwner(info) {
                breach(dataDirectory, "\(name) \(owner); use a folder of your own (XDG_DATA_HOME)")
            }
            if info.st_mode & 0o077 != 0 {
                let access = info.st_mode & 0o022 != 0 ? "writable by" : "open to"
                breach(
                    dataDirectory,
                    "\(name) is \(access) other users (mode \(octal(info))); run: chmod 700 '\(dataDirectory)'")
            }
        }
        if sqlitePath != ":memory:" {
            // A database elsewhere (--sqlite): a folder others may write to without the sticky bit
            // lets them replace the file itself, whatever its own mode.
            let folder = sqlitePath.lastIndex(of: "/").map { String(sqlitePath[..<$0]) } ?? "."
            let resolved = folder.isEmpty ? "/" : folder
            if resolved != dataDirectory, let info = status(resolved), info.st_mode & 0o022 != 0, info.st_mode & S_ISVTX == 0 {
                breach(
                    resolved,
                    "folder '\(resolved)' of the SQLite database is writable by other users (mode \(octal(info))), who"
                        + " could replace the database; run: chmod go-w '\(resolved)', or keep the database elsewhere")
            }
        }
        if sqlitePath != ":memory:" {
            // The WAL holds recent rows too, and outlives a chmod of the database (closeup keeps it).
            for path in [sqlitePath, sqlitePath + "-wal"] {
                guard let info = status(path) else { continue }
                let name = "SQLite database '\(path)'"
                if let owner = foreignOwner(info) {
                    breach(path, "\(name) \(owner); use a database of your own (--sqlite, CLOSEUP_SQLITE_PATH)")
                }
                if let access = fileAccess(info) {
                    breach(path, "\(name) is \(access) other users (mode \(octal(info))); run: chmod 600 '\(path)'")
                }
            }
        }
        if let path = secretFile { found += checkSecret(path) }
        return found
    }

    /// The OTP secret: a regular file (not a symbolic link, not a device), yours, private, and long enough.
    private static func checkSecret(_ path: String) -> [UnsafeFile] {
        var link = stat()
        guard lstat(path, &link) == 0 else { return [] }
        var found: [UnsafeFile] = []
        let name = "OTP secret '\(path)'"
        if link.st_mode & S_IFMT == S_IFLNK {
            found.append(
                UnsafeFile(
                    path: path,
                    message: "\(name) is a symbolic link; closeup trusts only a regular file: "
                        + "run: cp --remove-destination '\(linkTarget(path))' '\(path)'"))
        }
        guard let info = status(path) else { return found }
        guard info.st_mode & S_IFMT == S_IFREG else {
            return found + [
                UnsafeFile(path: path, message: "\(name) is not a regular file; replace it with one, or set CLOSEUP_OTP_SECRET")
            ]
        }
        if let owner = foreignOwner(info) {
            found.append(
                UnsafeFile(
                    path: path, message: "\(name) \(owner); replace it with a file of your own, or set CLOSEUP_OTP_SECRET"))
        }
        if let access = fileAccess(info) {
            found.append(
                UnsafeFile(
                    path: path, message: "\(name) is \(access) other users (mode \(octal(info))); run: chmod 600 '\(path)'"))
        }
        // Unreadable here means the command that needs it says why; a warning has nothing to add.
        if let secret = try? OTPSecret.readFile(path), secret.count < OTPSecret.minimumLength {
            found.append(
                UnsafeFile(
                    path: path,
                    message: "\(name) holds \(secret.count) character\(secret.count == 1 ? "" : "s"), fewer than "
                        + "\(OTPSecret.minimumLength); set CLOSEUP_OTP_SECRET to the backend's secret, or remove the"
                        + " file to have closeup make a new one"))
        }
        return found
    }

    private static func status(_ path: String) -> stat? {
        var info = stat()
        return stat(path, &info) == 0 ? info : nil
    }

    /// "belongs to uid 65534, not to you (uid 1000)", or nil when it is yours.
    private static func foreignOwner(_ info: stat) -> String? {
        info.st_uid == geteuid() ? nil : "belongs to uid \(info.st_uid), not to you (uid \(geteuid()))"
    }

    /// How group and others may use a file, or nil when they may not.
    private static func fileAccess(_ info: stat) -> String? {
        let readable = info.st_mode & 0o044 != 0
        let writable = info.st_mode & 0o022 != 0
        switch (readable, writable) {
        case (true, true): return "readable and writable by"
        case (true, false): return "readable by"
        case (false, true): return "writable by"
        case (false, false): return info.st_mode & 0o011 != 0 ? "open to" : nil
        }
    }

    /// The permission bits as `chmod` takes them ("755", "4755").
    private static func octal(_ info: stat) -> String { String(info.st_mode & 0o7777, radix: 8) }

    /// Where a symbolic link points, as a path that works from any folder.
    private static func linkTarget(_ path: String) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return "TARGET" }
        let target = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard !target.hasPrefix("/"), let slash = path.lastIndex(of: "/") else { return target }
        return String(path[...slash]) + target
    }
}
