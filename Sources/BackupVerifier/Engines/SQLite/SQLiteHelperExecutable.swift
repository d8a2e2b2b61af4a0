import Foundation
import Synchronization

/// Finds the `backupfeed` executable whose hidden `sqlite-child` subcommand runs SQLite restores, and what of
/// the file system it needs to start inside the sandbox.
public enum SQLiteHelperExecutable {
    /// Overrides where the helper is looked for (an absolute path to a `backupfeed` executable).
    public static let environmentVariable = "BACKUPFEED_SQLITE_HELPER"

    /// The running program when it is `backupfeed` itself (the server, `backupfeed verify`); otherwise (a test
    /// runner) the `backupfeed` built beside it; or the environment's override. Nil when none exists.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        if let path = environment[environmentVariable], !path.isEmpty { return URL(fileURLWithPath: path) }
        guard let own = currentExecutable() else { return nil }
        if own.lastPathComponent == "backupfeed" { return own }
        let sibling = own.deletingLastPathComponent().appendingPathComponent("backupfeed")
        return FileManager.default.isExecutableFile(atPath: sibling.path) ? sibling : nil
    }

    /// This process's executable, symbolic links resolved.
    public static func currentExecutable() -> URL? {
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        return URL(fileURLWithPath: path)
    }

    private static let libraryDirectories = Mutex<[String: [String]]>([:])

    /// Paths the helper needs read-only inside the sandbox besides the system directories: itself, and the
    /// directories of the shared libraries it links from elsewhere (a Swift toolchain's runtime in a
    /// development build; none for the release image, whose binary carries the Swift runtime), as `ldd` lists
    /// them. Asked once per helper.
    static func readOnlyPaths(for helper: URL) async -> [String] {
        if let known = libraryDirectories.withLock({ $0[helper.path] }) { return [helper.path] + known }
        let system = ["/usr/", "/lib/", "/lib64/", "/lib32/", "/bin/", "/sbin/"]
        var directories: [String] = []
        if let result = try? await ProcessRunner.run(
            ProcessSpec(executable: "/usr/bin/ldd", arguments: [helper.path]), deadline: .now + .seconds(20), outputLimit: 1 << 20) {
            for line in result.output.split(separator: "\n") {
                // "\tlibswiftCore.so => /opt/swift/usr/lib/swift/linux/libswiftCore.so (0x…)"
                guard let arrow = line.range(of: "=> /") else { continue }
                let file = String(line[line.index(before: arrow.upperBound)...].prefix { $0 != " " })
                guard !system.contains(where: { file.hasPrefix($0) }) else { continue }
                let directory = (file as NSString).deletingLastPathComponent
                if !directories.contains(directory) { directories.append(directory) }
            }
        }
        libraryDirectories.withLock { $0[helper.path] = directories }
        return [helper.path] + directories
    }
}
