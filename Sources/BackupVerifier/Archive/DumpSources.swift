import Foundation
#if canImport(Glibc)
import Glibc
private let systemRead = Glibc.read
#elseif canImport(Darwin)
import Darwin
private let systemRead = Darwin.read
#endif

/// A dump reached through layers of the stored file (zip entries, tar members, compressed streams), peeled
/// again chunk by chunk on each `stream` call: never extracted to disk.
public struct LayeredDumpSource: DumpSource {
    public let file: URL
    public let name: String
    public let format: DumpFormat
    let route: LayerRoute
    let limits: ArchiveLimits
    /// The identities that opened the encrypted layers on the route (the restore decrypts them again).
    let keyring: DecryptionKeyring

    init(file: URL, route: LayerRoute, name: String, format: DumpFormat, limits: ArchiveLimits, keyring: DecryptionKeyring = .empty) {
        self.file = file
        self.route = route
        self.name = name
        self.format = format
        self.limits = limits
        self.keyring = keyring
    }

    public func stream(_ consume: (UnsafeRawBufferPointer) async throws -> Void) async throws {
        try await withoutActuallyEscaping(consume) { consume in
            let budget = LayerBudget(limits: limits, deadline: nil)
            try await LayerRouteReader.read(file: file, route: route, budget: budget, keyring: keyring, into: ClosureSink(consume))
        }
    }
}

/// A dump pushed without a zip (`.sql`, `.dump`, `.sqlite`), read straight from the stored file.
public struct FileDumpSource: DumpSource {
    public let file: URL
    public let name: String
    public let format: DumpFormat

    public init(file: URL, format: DumpFormat) {
        self.file = file
        self.name = file.lastPathComponent
        self.format = format
    }

    public func stream(_ consume: (UnsafeRawBufferPointer) async throws -> Void) async throws {
        try await FileChunks.read(file, consume)
    }
}

/// Chunked reading of a plain file with a fixed buffer, so memory stays flat whatever the file size.
enum FileChunks {
    static let chunkSize = 256 * 1024

    static func read(_ file: URL, _ consume: (UnsafeRawBufferPointer) async throws -> Void) async throws {
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: file)
        } catch {
            throw ArchiveError.io("\(file.lastPathComponent): \(error.localizedDescription)")
        }
        defer { try? handle.close() }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = systemRead(handle.fileDescriptor, buffer.baseAddress, chunkSize)
            if n < 0 {
                if errno == EINTR { continue }
                throw ArchiveError.io("\(file.lastPathComponent): \(String(cString: strerror(errno)))")
            }
            if n == 0 { return }
            try Task.checkCancellation()
            try await consume(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    /// The first bytes of a file (for magic numbers), or fewer when it is shorter.
    static func head(_ file: URL, count: Int) throws -> [UInt8] {
        do {
            let handle = try FileHandle(forReadingFrom: file)
            defer { try? handle.close() }
            return [UInt8](try handle.read(upToCount: count) ?? Data())
        } catch {
            throw ArchiveError.io("\(file.lastPathComponent): \(error.localizedDescription)")
        }
    }

    /// Zip by content, not by name.
    static func isZip(_ head: [UInt8]) -> Bool { looksLikeZip(head) }
}
