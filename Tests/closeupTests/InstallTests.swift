// `make install` puts the completions where Debian's shells read them for the
// chosen PREFIX: each folder is on the real shell's own search path, and each
// shell, pointed at the staged tree (DESTDIR), loads closeup's completion from it.
import CloseupTestSupport
import Foundation
import Testing

@Suite(.serialized)
struct InstallTests {
    func sh(_ script: String, _ environment: [String: String] = [:]) throws -> CloseupResult {
        let home = try TemporaryDirectory.make(prefix: "closeup-install")
        var base = Closeup.environment(home: home)
        base["PATH"] = "/usr/local/bin:/usr/bin:/bin"
        base.removeValue(forKey: "XDG_DATA_DIRS")
        return try Closeup.runProgram(
            "/bin/bash", ["-c", script], environment: base.merging(environment) { $1 }, directory: repositoryRoot, stdin: "")
    }

    func folders(prefix: String) throws -> (bash: String, zsh: String, fish: String) {
        let lines = try sh("make -s completion-dirs PREFIX=\(prefix)").stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 3, "\(lines)")
        return (lines[0], lines[1], lines[2])
    }

    @Test(arguments: ["/usr/local", "/usr"])
    func eachFolderIsOnTheShellsOwnSearchPath(prefix: String) throws {
        let (bash, zsh, fish) = try folders(prefix: prefix)
        let fpath = try sh("zsh -fc 'print -l $fpath'").stdout.split(separator: "\n").map(String.init)
        #expect(fpath.contains(zsh), "zsh does not read \(zsh): \(fpath)")
        let fishPath = try sh("fish -c 'string join \\n $fish_complete_path'").stdout.split(separator: "\n").map(String.init)
        #expect(fishPath.contains(fish), "fish does not read \(fish): \(fishPath)")
        // bash-completion reads DIR/bash-completion/completions for each of XDG_DATA_DIRS, by
        // default /usr/local/share:/usr/share.
        let loader = try String(contentsOfFile: "/usr/share/bash-completion/bash_completion", encoding: .utf8)
        #expect(loader.contains("${XDG_DATA_DIRS:-/usr/local/share:/usr/share}"))
        #expect(bash == prefix + "/share/bash-completion/completions")
    }

    @Test func eachShellLoadsTheInstalledCompletion() throws {
        let stage = try TemporaryDirectory.make(prefix: "closeup-stage")
        let installed = try sh("make -s install-files DESTDIR='\(stage)' PREFIX=/usr/local BIN='\(Closeup.executable)'")
        #expect(installed.status == 0, "\(installed.stderr)")
        #expect(installed.stdout.contains("zsh in /usr/local/share/zsh/site-functions"), "\(installed.stdout)")
        let (_, zsh, fish) = try folders(prefix: "/usr/local")
        let bash = try sh(
            "source /usr/share/bash-completion/bash_completion; __load_completion closeup && complete -p closeup",
            ["XDG_DATA_DIRS": stage + "/usr/local/share"])
        #expect(bash.stdout.contains("closeup"), "bash: \(bash.stdout) \(bash.stderr)")
        let zshLoaded = try sh("zsh -fc 'fpath=(\(stage + zsh) $fpath); autoload -U compinit; compinit -u; print ${_comps[closeup]}'")
        #expect(zshLoaded.stdout.contains("_closeup"), "zsh: \(zshLoaded.stdout) \(zshLoaded.stderr)")
        // fish loads a command's completion only for a command it can find: the installed one.
        let fishLoaded = try sh(
            "PATH='\(stage)/usr/local/bin':$PATH fish -c 'set fish_complete_path \(stage + fish) $fish_complete_path;"
                + " complete -C \"closeup ot\"'")
        #expect(fishLoaded.stdout.contains("otp"), "fish: \(fishLoaded.stdout) \(fishLoaded.stderr)")
    }

    /// --version names the commit: `make build` passes it to the compiler (build_info.h).
    @Test func makeBuildsWithTheCommitOfTheCheckout() throws {
        let head = try sh("git rev-parse --short=12 HEAD").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(head.count == 12, "not a git checkout")
        let commit = try sh("make -s commit").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(commit == head || commit == head + "-dirty", "\(commit) vs \(head)")
        let dry = try sh("make -n build").stdout
        #expect(dry.contains("-DCLOSEUP_COMMIT='\"\(commit)\"'"), "\(dry)")
    }
}
