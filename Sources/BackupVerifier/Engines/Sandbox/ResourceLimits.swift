import Foundation

/// Per-run limits on what the confined programs of one verification may use. A hostile dump can make a
/// database server or restore client allocate, fork, open or write without end; these turn that into a named
/// `error` verdict instead of a starved host.
public struct ResourceLimits: Sendable, Equatable, Codable {
    /// Address space of each confined process (RLIMIT_AS). mariadbd reserves about 1.5 GiB of address space at
    /// start (thread stacks, buffer pool), so the floor for database servers is well above that.
    public var addressSpaceBytes: UInt64
    /// Processes and threads of the sandbox account (RLIMIT_NPROC); mariadbd runs a thread per connection.
    public var processes: UInt64
    /// Open files per process (RLIMIT_NOFILE).
    public var openFiles: UInt64
    /// Bytes the run's directory may hold (database files, temp files, logs); also the largest single file
    /// (RLIMIT_FSIZE). Watched while the run goes on: past it the run ends with `error`.
    public var sandboxBytes: UInt64
    /// The run ends with `error` when the sandbox filesystem's free space drops below this.
    public var freeSpaceFloorBytes: UInt64

    public init(
        addressSpaceBytes: UInt64 = 8 << 30, processes: UInt64 = 1024, openFiles: UInt64 = 8192,
        sandboxBytes: UInt64 = 64 << 30, freeSpaceFloorBytes: UInt64 = 512 << 20
    ) {
        self.addressSpaceBytes = addressSpaceBytes
        self.processes = processes
        self.openFiles = openFiles
        self.sandboxBytes = sandboxBytes
        self.freeSpaceFloorBytes = freeSpaceFloorBytes
    }

    /// `prlimit(1)` options for these limits; CPU time is the run's remaining wall-clock budget (a program that
    /// burns CPU past the deadline is killed by the kernel even if our teardown were late), core dumps off.
    func prlimitArguments(cpuSeconds: Int?) -> [String] {
        var arguments = [
            "--as=\(addressSpaceBytes)", "--nproc=\(processes)", "--nofile=\(openFiles)", "--fsize=\(sandboxBytes)", "--core=0",
        ]
        if let cpuSeconds { arguments.append("--cpu=\(max(1, cpuSeconds))") }
        return arguments
    }
}
