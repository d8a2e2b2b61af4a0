import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A pg_dump archive whose members are separate files inside the stored file: a directory-format dump (`-Fd`)
/// zipped or tarred, or a tar-format dump (`-Ft`) unpacked into a folder and zipped. pg_restore reads such an
/// archive only from a directory, so its members are written into the run's sandbox (under the same limits as
/// every layer) and nowhere else.
public struct PgDirectorySource: DumpSource {
    public struct Member: Sendable {
        /// The file name inside the archive's folder ("toc.dat", "3357.dat.gz").
        var name: String
        /// The route to the member's raw bytes.
        var route: LayerRoute
    }

    public let file: URL
    public let name: String
    public let format = DumpFormat.pgDirectory
    let members: [Member]
    let limits: ArchiveLimits
    /// The identities that opened encrypted layers above the members (`tar | age` of a directory-format dump).
    let keyring: DecryptionKeyring

    init(file: URL, name: String, members: [Member], limits: ArchiveLimits, keyring: DecryptionKeyring = .empty) {
        self.file = file
        self.name = name
        self.members = members
        self.limits = limits
        self.keyring = keyring
    }

    /// Streams `toc.dat` (the archive's header and table of contents).
    public func stream(_ consume: (UnsafeRawBufferPointer) async throws -> Void) async throws {
        guard let toc = members.first(where: { $0.name == "toc.dat" }) else { throw ArchiveError.damagedLayer("the archive has no toc.dat") }
        try await LayeredDumpSource(file: file, route: toc.route, name: toc.name, format: format, limits: limits, keyring: keyring).stream(consume)
    }

    /// Writes every member into `directory` (which must exist and be empty); returns the bytes written.
    /// Members of one tar are written in one pass over it; zip members are read one by one.
    @discardableResult
    public func extract(into directory: URL) async throws -> Int64 {
        let budget = LayerBudget(limits: limits, deadline: nil)
        var written: Int64 = 0
        // Group members by the stream that holds them (the route without the member's own step).
        var groups: [(container: LayerRoute, members: [Member])] = []
        for member in members {
            let container = Array(member.route.dropLast())
            if case .tarEntry? = member.route.last, let index = groups.firstIndex(where: { $0.container == container }) {
                groups[index].members.append(member)
            } else {
                groups.append((container, [member]))
            }
        }
        for group in groups {
            if case .tarEntry? = group.members[0].route.last {
                var byOrdinal: [Int: Member] = [:]
                for member in group.members { if case .tarEntry(let ordinal, _)? = member.route.last { byOrdinal[ordinal] = member } }
                var files: [FileSink] = []
                let tar = TarSink(route: group.container, budget: budget) { entry in
                    guard let member = byOrdinal[entry.ordinal] else { return nil }
                    let sink = try FileSink(directory.appendingPathComponent(member.name))
                    files.append(sink)
                    return sink
                }
                try await LayerRouteReader.read(file: file, route: group.container, budget: budget, keyring: keyring, into: tar)
                written += files.reduce(0) { $0 + $1.written }
            } else {
                for member in group.members {
                    let sink = try FileSink(directory.appendingPathComponent(member.name))
                    try await LayerRouteReader.read(file: file, route: member.route, budget: budget, keyring: keyring, into: sink)
                    written += sink.written
                }
            }
        }
        return written
    }
}

/// Writes a stream into a new file (mode 0600; the caller gives it to the sandbox user).
final class FileSink: ByteSink {
    let url: URL
    private let descriptor: Int32
    private(set) var written: Int64 = 0
    private var closed = false

    init(_ url: URL) throws {
        self.url = url
        descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw EngineError.internalFailure("cannot create \(url.path): \(String(cString: strerror(errno)))")
        }
    }

    deinit { if !closed { close(descriptor) } }

    func write(_ chunk: UnsafeRawBufferPointer) async throws {
        var offset = 0
        while offset < chunk.count {
            let n = Glibc.write(descriptor, chunk.baseAddress!.advanced(by: offset), chunk.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw EngineError.internalFailure("cannot write \(url.lastPathComponent) into the sandbox: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        written += Int64(chunk.count)
    }

    func finish() async throws {
        if !closed {
            closed = true
            close(descriptor)
        }
    }
}
