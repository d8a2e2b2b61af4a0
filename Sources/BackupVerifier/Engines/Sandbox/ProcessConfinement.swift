import Foundation

/// How one program is confined: the sandbox kind, the only paths it may write (its run directory and socket
/// directory), extra read-only paths beyond the system's, and resource limits.
struct ProcessConfinement: Sendable {
    var isolation: ProcessIsolation
    var writable: [String]
    var readOnly: [String] = []
    var limits: ResourceLimits

    /// System directories the sandbox sees read-only. Merged-/usr systems have /bin, /lib … as symlinks into
    /// /usr: recreate the symlinks rather than binding them.
    static let systemDirectories = ["/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"]
    static let etcFiles = [
        "/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d",
        "/etc/alternatives", "/etc/localtime", "/etc/timezone", "/etc/host.conf", "/etc/hosts", "/etc/locale.alias",
    ]

    /// The command line that runs `program arguments` confined: `prlimit` for the limits, then `bwrap` (when
    /// available) for the namespaces and mounts. The caller puts `setpriv` in front when dropping root.
    func wrap(_ program: String, _ arguments: [String], workingDirectory: String?, cpuSeconds: Int?) -> (String, [String]) {
        var command = limits.prlimitArguments(cpuSeconds: cpuSeconds)
        command.append("--")
        if case .bubblewrap(let bwrap) = isolation {
            command.append(bwrap)
            command += bubblewrapArguments(workingDirectory: workingDirectory)
            command.append("--")
        }
        command.append(program)
        command += arguments
        return (ProcessRunner.prlimitPath, command)
    }

    private func bubblewrapArguments(workingDirectory: String?) -> [String] {
        // --unshare-all: network (only a loopback that is down), PID, IPC, UTS, cgroup and user namespaces.
        // --die-with-parent: the sandbox's PID 1 dies with the server, and with it every process it started,
        // setsid or not. --new-session: no controlling terminal to inject keystrokes into.
        // --hostname: the dump sees a name of ours, not the host's (`SELECT @@hostname` lands in its own output).
        var arguments = ["--unshare-all", "--die-with-parent", "--new-session", "--hostname", "backupfeed-sandbox", "--ro-bind", "/usr", "/usr"]
        for directory in Self.systemDirectories {
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: directory) {
                arguments += ["--symlink", target, directory]
            } else if FileManager.default.fileExists(atPath: directory) {
                arguments += ["--ro-bind", directory, directory]
            }
        }
        // Of /etc only what programs need to start and name their account: no host configuration, keys or
        // credentials a dump could read back through a server.
        for path in Self.etcFiles { arguments += ["--ro-bind-try", path, path] }
        arguments += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
        for path in readOnly { arguments += ["--ro-bind", path, path] }
        for path in writable { arguments += ["--bind", path, path] }
        if let workingDirectory { arguments += ["--chdir", workingDirectory] }
        return arguments
    }
}
