// The few file operations closeup needs, on POSIX calls directly: full
// Foundation would double the start-up time of every command.
import Glibc

enum FileSystem {
    /// The whole file's bytes, or nil (see `lastErrorReason`). A file longer than `limit` bytes
    /// is refused (EFBIG): a path pointing at /dev/zero must not read forever.
    static func readBytes(_ path: String, limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return readBytes(fd: fd, limit: limit)
    }

    /// Reads `fd` to its end, as `readBytes(_:limit:)`.
    static func readBytes(fd: Int32, limit: Int) -> [UInt8]? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            guard bytes.count + count <= limit else {
                errno = EFBIG
                return nil
            }
            bytes.append(contentsOf: chunk[..<count])
        }
        return bytes
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// `mkdir -p` with mode 0700 for every folder it creates (existing ones are left as they are).
    static func makeFolders(_ path: String) throws(CloseupError) {
        var folder = ""
        for (index, part) in path.split(separator: "/", omittingEmptySubsequences: false).enumerated() {
            folder += index == 0 ? String(part) : "/" + part
            guard !folder.isEmpty, !exists(folder) else { continue }
            if mkdir(folder, 0o700) != 0 && errno != EEXIST {
                throw .unavailable("cannot create the folder '\(folder)': \(lastErrorReason)")
            }
        }
    }

    /// The size of the file at `path` in bytes, or nil when it cannot be stat'ed.
    static func size(_ path: String) -> Int64? {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : nil
    }

    /// The permission bits of `path`, or nil when it cannot be stat'ed.
    static func mode(_ path: String) -> mode_t? {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o7777 : nil
    }

    /// strerror of the current errno, lowercased to sit inside a sentence.
    static var lastErrorReason: String { String(cString: strerror(errno)).lowercased() }

    /// `$XDG_DATA_HOME/closeup`, else `~/.local/share/closeup` (SPEC §1).
    static func dataDirectory(environment: [String: String]) -> String {
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") { return xdg + "/closeup" }
        return homeDirectory(environment: environment) + "/.local/share/closeup"
    }

    static func homeDirectory(environment: [String: String]) -> String {
        if let home = environment["HOME"], !home.isEmpty { return home }
        if let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir { return String(cString: directory) }
        return "/"
    }
}
