import Foundation
import Testing
@testable import BackupVerifier

#if canImport(Glibc)
import Glibc
#endif

/// What every hostile SQLite test checks after the run: nothing was left running and nothing was written
/// outside the run's directory (which the pipeline removes).
enum SQLiteChildProbe {
    /// Pids whose command line mentions `text`, this process excluded, zombies too (what `pgrep -f` finds).
    static func processes(mentioning text: String) -> [Int32] {
        let own = getpid()
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry in
            guard let pid = Int32(entry), pid != own,
                  let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !raw.isEmpty else { return nil }
            return String(decoding: raw.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self).contains(text) ? pid : nil
        }
    }

    /// The `backupfeed sqlite-child` process itself (not the bubblewrap processes around it, whose command
    /// lines mention the same arguments), working under `root`.
    static func child(under root: URL) -> Int32? {
        processes(mentioning: root.path).first { pid in
            guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe") else { return false }
            return (exe as NSString).lastPathComponent == "backupfeed"
        }
    }

    /// Files under the shared temp directory and /tmp named like `marker`: a dump that escaped would leave one.
    static func strays(named marker: String) -> [String] {
        ["/tmp", FileManager.default.temporaryDirectory.path].flatMap { directory in
            ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.contains(marker) }.map { directory + "/" + $0 }
        }
    }

    /// Checks that the run left nothing behind: no process mentions `work`, and `work` holds no run directory.
    static func expectNothingLeft(in work: URL, sourceLocation: SourceLocation = #_sourceLocation) throws {
        // The kernel ends a sandbox's PID namespace when its outer process dies; give that a moment, as the
        // MariaDB/PostgreSQL tests do, before calling a process left behind.
        for _ in 0..<60 where !processes(mentioning: work.path).isEmpty { usleep(50_000) }
        #expect(processes(mentioning: work.path).isEmpty, "processes left: \(processes(mentioning: work.path))", sourceLocation: sourceLocation)
        let left = (try? FileManager.default.contentsOfDirectory(atPath: work.path)) ?? []
        #expect(left.filter { $0.hasPrefix("run-") }.isEmpty, "left in the work directory: \(left)", sourceLocation: sourceLocation)
    }
}
