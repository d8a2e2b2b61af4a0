import Crypto
import Foundation

/// A download in progress: bytes go to a hidden temporary file in the output directory while they are hashed; only
/// when the hash is the expected one is the file renamed to its real name, so a damaged download never appears
/// under a name a restore script would pick up.
final class DownloadFile {
    let directory: URL
    let temporary: URL
    private let handle: FileHandle
    private let interruptCleanup: InterruptCleanup
    private var hasher = SHA256()
    private(set) var byteCount: Int64 = 0

    /// Creates `directory` when missing, and the temporary file readable by its owner only (backups hold personal data).
    init(in directory: URL, for name: String) throws {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw ClientError("cannot create the output directory \(directory.path): \(error.localizedDescription)")
        }
        temporary = directory.appendingPathComponent(".\(name).\(UUID().uuidString.prefix(8).lowercased()).part")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw ClientError("cannot write in \(directory.path): \(String(cString: strerror(errno)))")
        }
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        interruptCleanup = InterruptCleanup(removing: temporary)
    }

    func write(_ bytes: some Collection<UInt8>) throws {
        let data = Data(bytes)
        hasher.update(data: data)
        do {
            try handle.write(contentsOf: data)
        } catch {
            throw ClientError("cannot write \(temporary.path): \(error.localizedDescription)")
        }
        byteCount += Int64(data.count)
    }

    /// Checks the hash and renames the file to `name` (replacing an older file of that name); on a mismatch the
    /// temporary file is deleted and nothing is left behind.
    func commit(as name: String, expectedSHA256: String) throws -> URL {
        let actual = FileDigest.hex(hasher.finalize())
        guard actual == expectedSHA256 else {
            discard()
            throw ClientError("checksum mismatch: the server said \(name) has SHA-256 \(expectedSHA256), but the "
                + "\(byteCount) bytes received hash to \(actual); the download was damaged and nothing was saved")
        }
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            discard()
            throw ClientError("cannot write \(temporary.path): \(error.localizedDescription)")
        }
        let destination = directory.appendingPathComponent(name)
        guard rename(temporary.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            discard()
            throw ClientError("cannot save \(destination.path): \(reason)")
        }
        interruptCleanup.cancel()
        return destination
    }

    func discard() {
        try? handle.close()
        try? FileManager.default.removeItem(at: temporary)
        interruptCleanup.cancel()
    }
}
