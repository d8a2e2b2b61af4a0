import Foundation

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

    /// Paths the helper needs read-only inside the sandbox besides the system directories: itself, and the
    /// directories of shared libraries loaded from elsewhere (a Swift toolchain's runtime in a development
    /// build; none for the release image, whose binary carries the Swift runtime).
    static func readOnlyPaths(for helper: URL) -> [String] {
        var paths = [helper.path]
        let system = ["/usr/", "/lib/", "/lib64/", "/lib32/", "/bin/", "/sbin/"]
        let maps = (try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8)) ?? ""
        var seen = Set<String>()
        for line in maps.split(separator: "\n") {
            guard let slash = line.firstIndex(of: "/") else { continue }
            let file = String(line[slash...])
            guard file.contains(".so"), !system.contains(where: { file.hasPrefix($0) }) else { continue }
            let directory = (file as NSString).deletingLastPathComponent
            if seen.insert(directory).inserted { paths.append(directory) }
        }
        return paths
    }
}
