// `make deb`: the package lintian passes without an error, dpkg installs (closeup
// runs, man finds its page, bash, zsh and fish each find
// its completion), and removing it leaves none of its files. As root only: it
// installs into the machine's /usr.
import CloseupTestSupport
import Foundation
import Glibc
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/dpkg")))
struct DebPackageTests {
    func sh(_ script: String) throws -> CloseupResult {
        let home = try TemporaryDirectory.make(prefix: "closeup-deb")
        var environment = Closeup.environment(home: home)
        environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin"
        return try Closeup.runProgram("/bin/bash", ["-c", script], environment: environment, directory: repositoryRoot, stdin: "")
    }

    @Test func thePackagePassesLintianInstallsWorksAndRemovesCleanly() throws {
        // The release build `make test` made first: what `make deb` packages.
        let binary = repositoryRoot + "/.build/release/closeup"
        try #require(FileManager.default.isExecutableFile(atPath: binary), "no release build at \(binary)")
        let built = try sh("make -s deb-package BIN='\(binary)'")
        try #require(built.status == 0, "\(built.stderr)")
        let deb = repositoryRoot + "/" + built.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // The same commit makes the same package, byte for byte.
        let first = try Data(contentsOf: URL(fileURLWithPath: deb))
        sleep(1)
        #expect(try sh("make -s deb-package BIN='\(binary)'").status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: deb)) == first, "two builds of one commit differ")
        let control = try sh("dpkg-deb -f '\(deb)' Depends").stdout
        for runtime in ["libhiredis", "libsqlite3", "libssl3"] { #expect(control.contains(runtime), "\(control)") }

        let lint = try sh("lintian --fail-on error,warning '\(deb)' 2>&1")
        #expect(lint.status == 0 && !lint.stdout.contains("\nE: ") && !lint.stdout.hasPrefix("E: "), "\(lint.stdout)")

        _ = try sh("dpkg -r closeup >/dev/null 2>&1")
        // As an operator installs it (the runtime libraries are there already: make deps).
        let installed = try sh("DEBIAN_FRONTEND=noninteractive apt-get install -y -q '\(deb)'")
        try #require(installed.status == 0, "\(installed.stderr)")
        let files = try sh("dpkg -L closeup").stdout.split(separator: "\n").map(String.init).filter { !isDirectory($0) }
        #expect(files.contains("/usr/bin/closeup") && files.count >= 8, "\(files)")

        let version = try sh("/usr/bin/closeup --version")
        #expect(version.status == 0 && version.stdout.hasPrefix("closeup 0.1.0"), "\(version.stdout)")
        #expect(try sh("man -w closeup").stdout.contains("/usr/share/man/man1/closeup.1.gz"))
        let bash = try sh(
            "source /usr/share/bash-completion/bash_completion; __load_completion closeup && complete -p closeup")
        #expect(bash.stdout.contains("-F _closeup"), "bash: \(bash.stdout)\(bash.stderr)")
        let zsh = try sh("zsh -fc 'autoload -U compinit; compinit -u; print ${_comps[closeup]}'")
        #expect(zsh.stdout.contains("_closeup"), "zsh: \(zsh.stdout)\(zsh.stderr)")
        let fish = try sh("fish -c 'complete -C \"closeup ot\"'")
        #expect(fish.stdout.contains("otp"), "fish: \(fish.stdout)\(fish.stderr)")

        let removed = try sh("DEBIAN_FRONTEND=noninteractive apt-get remove -y -q closeup")
        #expect(removed.status == 0, "\(removed.stderr)")
        for file in files { #expect(!FileManager.default.fileExists(atPath: file), "\(file) left after dpkg -r") }
    }

    func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }
}
