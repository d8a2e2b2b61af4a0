import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A private directory (mode 0700, owned by the server's user) under the server's own temporary directory, for
/// the key files the tools need: an age identity file (0600) or a `GNUPGHOME` holding the imported secret keys.
/// It never holds plaintext, is not mounted into any sandbox (each sandbox gets its own empty /tmp), and is
/// removed, gpg-agent stopped first, when the run is over.
final class DecryptionWorkspace {
    let directory: URL
    private var gnupgHome: URL?

    static let prefix = "backupfeed-keys-"

    private init(directory: URL) { self.directory = directory }

    /// Runs `body` with a fresh workspace, removing it afterwards whatever happens.
    static func with<T>(_ body: (DecryptionWorkspace) async throws -> T) async throws -> T {
        let workspace = try create()
        do {
            let value = try await body(workspace)
            await workspace.remove()
            return value
        } catch {
            await workspace.remove()
            throw error
        }
    }

    static func create() throws -> DecryptionWorkspace {
        // The pid in the name lets a later start remove what a killed server left (`DecryptionLeftovers`).
        let template = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)\(getpid())-XXXXXX").path
        var bytes = Array(template.utf8CString)
        // mkdtemp makes the directory with mode 0700.
        guard let made = mkdtemp(&bytes) else {
            throw ArchiveError.unsupported("cannot make a private directory for decryption keys: \(String(cString: strerror(errno)))")
        }
        return DecryptionWorkspace(directory: URL(fileURLWithPath: String(cString: made), isDirectory: true))
    }

    /// Writes `text` to a new file of mode 0600 (created with that mode: never readable by anyone else).
    func writeSecret(_ text: String, named name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ArchiveError.unsupported("cannot write a key file: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ArchiveError.unsupported("cannot write a key file: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        return url
    }

    /// A `GNUPGHOME` (0700) inside the workspace; its gpg-agent is stopped on removal.
    func makeGnuPGHome() throws -> URL {
        // Short: gpg-agent puts its socket there when /run/user is missing, and socket paths are limited to 107 bytes.
        let home = directory.appendingPathComponent("g", isDirectory: true)
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        gnupgHome = home
        return home
    }

    /// Stops the home's gpg-agent and removes the directory, in a task of its own: a cancelled run (server
    /// shutdown) must still remove its keys, which needs working sleeps.
    func remove() async {
        await Self.removeInOwnTask(directory, gnupgHome: gnupgHome)
    }

    private static func removeInOwnTask(_ directory: URL, gnupgHome: URL?) async {
        await Task { await remove(directory, gnupgHome: gnupgHome) }.value
    }

    static func remove(_ directory: URL, gnupgHome: URL?) async {
        if let gnupgHome, let gpgconf = try? DecryptionTool.locate("gpgconf", package: "gnupg") {
            _ = try? await DecryptionTool.runSmall(
                DecryptionTool.configuration(gpgconf, ["--homedir", gnupgHome.path, "--kill", "gpg-agent"]), input: "")
        }
        // gpg-agent removes its sockets from the home as it shuts down, after gpgconf returns: a removal walking
        // the tree meanwhile fails on a vanished file, so try again until the directory is gone.
        for _ in 0..<100 {
            if (try? FileManager.default.removeItem(at: directory)) != nil || !FileManager.default.fileExists(atPath: directory.path) { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// Key directories a killed server left behind (a crash between decrypting and cleaning up): each holds a copy of
/// a secret key, so the next start removes those whose server process is gone, stopping their gpg-agent first.
public enum DecryptionLeftovers {
    /// Removes the leftovers of dead processes; returns how many it removed.
    @discardableResult
    public static func sweep(in temporary: URL = FileManager.default.temporaryDirectory) async -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
        var removed = 0
        for name in names where name.hasPrefix(DecryptionWorkspace.prefix) {
            let rest = name.dropFirst(DecryptionWorkspace.prefix.count)
            guard let pid = rest.split(separator: "-").first.flatMap({ Int32($0) }), pid != getpid() else { continue }
            // Alive (or not ours to signal): leave it.
            if kill(pid, 0) == 0 || errno != ESRCH { continue }
            let directory = temporary.appendingPathComponent(name, isDirectory: true)
            let home = directory.appendingPathComponent("g", isDirectory: true)
            await DecryptionWorkspace.remove(directory, gnupgHome: FileManager.default.fileExists(atPath: home.path) ? home : nil)
            removed += 1
        }
        return removed
    }
}
