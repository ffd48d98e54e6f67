// Where the HMAC key comes from: CLOSEUP_OTP_SECRET, else a random 256-bit
// secret closeup creates once in its data dir (0600). Every writer of codes
// must share it, which `doctor` reminds the user of.
import Glibc

public enum OTPSecret {
    /// SPEC §2: a shorter secret file draws a warning (closeup writes 64 hex characters).
    static let minimumLength = 32

    /// `<data dir>/otp-secret`.
    public static func path(in dataDirectory: String) -> String { dataDirectory + "/otp-secret" }

    /// The secret text (the file's surrounding whitespace ignored), creating the file when needed.
    public static func load(settings: Settings, random: RandomSource = .system) throws(CloseupError) -> String {
        if let configured = settings.otpSecret { return configured }
        let path = path(in: settings.dataDirectory)
        if let existing = try read(path) { return existing }
        try create(path, folder: settings.dataDirectory, random: random)
        guard let created = try read(path) else {
            throw .unavailable("cannot read the OTP secret '\(path)' after creating it")
        }
        return created
    }

    private static func read(_ path: String) throws(CloseupError) -> String? {
        guard let secret = try readFile(path) else { return nil }
        guard !secret.isEmpty else {
            throw .configuration("the OTP secret file '\(path)' is empty; remove it or set CLOSEUP_OTP_SECRET")
        }
        return secret
    }

    /// The text of the secret file without its surrounding whitespace; nil when there is no file.
    /// Only a regular file is read, opened without blocking: a FIFO or a link to /dev/zero is an
    /// error at once, never a hang or an endless read.
    static func readFile(_ path: String) throws(CloseupError) -> String? {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw .configuration("cannot read the OTP secret '\(path)': \(FileSystem.lastErrorReason)")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw .configuration(
                "the OTP secret '\(path)' is not a regular file; replace it with one, or set CLOSEUP_OTP_SECRET")
        }
        guard let bytes = FileSystem.readBytes(fd: fd, limit: 1 << 16) else {
            throw .configuration("cannot read the OTP secret '\(path)': \(FileSystem.lastErrorReason)")
        }
        guard let text = String(validating: bytes, as: UTF8.self), !text.contains("\u{FFFD}") else {
            throw .configuration(
                "the OTP secret '\(path)' is not UTF-8 text; put the backend's secret in it as text, or remove"
                    + " it to have closeup make a new one")
        }
        return String(Substring(text).drop(while: \.isWhitespace).trimmingTrailingWhitespace())
    }

    /// Writes a temp file and links it into place: a concurrent closeup sees either no
    /// secret or the whole one, and two racing creators agree on the first.
    private static func create(_ path: String, folder: String, random: RandomSource) throws(CloseupError) {
        try FileSystem.makeFolders(folder)
        let temporary = "\(path).\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw .unavailable("cannot create the OTP secret '\(path)': \(FileSystem.lastErrorReason)")
        }
        let text = Array((hexString(random.bytes(32)) + "\n").utf8)
        let written = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        defer { unlink(temporary) }
        guard written == text.count, synced else {
            throw .unavailable("cannot write the OTP secret '\(path)': \(FileSystem.lastErrorReason)")
        }
        if link(temporary, path) != 0 && errno != EEXIST {
            throw .unavailable("cannot create the OTP secret '\(path)': \(FileSystem.lastErrorReason)")
        }
    }
}
