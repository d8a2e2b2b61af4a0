import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The unprivileged account database servers and restore clients run as when BackupFeed runs as root.
///
/// A dump is untrusted input: whatever it makes the server or client do happens with this account's rights,
/// so it must not be root (PostgreSQL refuses root anyway). When BackupFeed is not root, everything runs as
/// ourselves and `SandboxUser.resolve()` returns nil.
public struct SandboxUser: Sendable, Equatable {
    public let name: String
    public let uid: UInt32
    public let gid: UInt32

    /// The environment variable naming the account to use instead of `nobody`.
    public static let environmentVariable = "BACKUPFEED_SANDBOX_USER"

    public init(name: String, uid: UInt32, gid: UInt32) {
        self.name = name
        self.uid = uid
        self.gid = gid
    }

    /// The account to switch to, or nil when we are not root (then processes run as ourselves).
    public static func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SandboxUser? {
        guard geteuid() == 0 else { return nil }
        let wanted = environment[environmentVariable].flatMap { $0.isEmpty ? nil : $0 } ?? "nobody"
        guard let user = lookUp(wanted) else {
            throw EngineError.internalFailure(
                "sandbox user '\(wanted)' does not exist; create it or set \(environmentVariable) to an unprivileged account")
        }
        guard user.uid != 0 else {
            throw EngineError.internalFailure("sandbox user '\(wanted)' is root; \(environmentVariable) must name an unprivileged account")
        }
        return user
    }

    /// Resolves a user name (or a numeric uid) through the password database.
    static func lookUp(_ nameOrID: String) -> SandboxUser? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        let status: Int32
        if let numeric = UInt32(nameOrID) {
            status = getpwuid_r(numeric, &entry, &buffer, buffer.count, &result)
        } else {
            status = getpwnam_r(nameOrID, &entry, &buffer, buffer.count, &result)
        }
        guard status == 0, let found = result else { return nil }
        return SandboxUser(name: String(cString: found.pointee.pw_name), uid: found.pointee.pw_uid, gid: found.pointee.pw_gid)
    }
}

/// File ownership and permission helpers for directories the sandbox user must use.
enum SandboxFiles {
    /// Gives `path` to the sandbox user (no-op when we run unprivileged).
    static func chown(_ path: String, to user: SandboxUser?) throws {
        guard let user else { return }
        guard Glibc.chown(path, user.uid, user.gid) == 0 else {
            throw EngineError.internalFailure("cannot chown \(path) to \(user.name): \(String(cString: strerror(errno)))")
        }
    }

    /// Copies a template's data directory into a run and gives the copy to the sandbox user: the template itself
    /// belongs to the server's account and stays read-only to every run.
    static func copyTemplate(_ template: URL, to destination: String, user: SandboxUser?, deadline: ContinuousClock.Instant) async throws {
        let copy = try await ProcessRunner.run(ProcessSpec(executable: "/bin/cp", arguments: ["-a", template.path, destination]), deadline: deadline)
        guard copy.succeeded else { throw EngineError.internalFailure("cannot copy the template \(template.path): \(lastLines(copy.output))") }
        guard let user else { return }
        let owner = try await ProcessRunner.run(
            ProcessSpec(executable: "/bin/chown", arguments: ["-R", "\(user.uid):\(user.gid)", destination]), deadline: deadline)
        guard owner.succeeded else { throw EngineError.internalFailure("cannot give the copied template to \(user.name): \(lastLines(owner.output))") }
    }

    /// Fails early, with a fix a person can apply, when the sandbox user cannot reach `directory`:
    /// otherwise the server dies later with an obscure "permission denied" on its socket or data dir.
    static func checkSearchable(_ directory: URL, by user: SandboxUser?) throws {
        guard let user else { return }
        var path = directory.standardizedFileURL.path
        while path != "/" && !path.isEmpty {
            var info = stat()
            if stat(path, &info) == 0 {
                let mode = info.st_mode
                let searchable = info.st_uid == user.uid ? mode & 0o100 != 0
                    : info.st_gid == user.gid ? mode & 0o010 != 0
                    : mode & 0o001 != 0
                if !searchable {
                    throw EngineError.internalFailure(
                        "directory \(path) is not searchable by sandbox user \(user.name) (uid \(user.uid)): `chmod o+x \(path)` or use another work directory")
                }
            }
            path = (path as NSString).deletingLastPathComponent
        }
    }
}
