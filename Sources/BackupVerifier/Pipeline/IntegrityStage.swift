import Crypto
import Foundation

/// The integrity pass: one read of the stored file (SHA-256), and of every layer inside it to its end (zip CRCs,
/// compressed streams' checks, tar members whole, the expanded-size, entry and ratio limits), scanning the dump
/// candidates on the way so nothing is read twice before the restore.
struct IntegrityStage {
    struct Result {
        var sha256: String
        var isZip: Bool
        var zipEntryCount = 0
        var expandedBytes: Int64 = 0
        var walk: LayerWalk
    }

    let file: URL
    let limits: ArchiveLimits
    let dumpName: String?
    let assumedFormat: DumpFormat?
    var keyring: DecryptionKeyring = .empty

    func run(deadline: ContinuousClock.Instant) async throws -> Result {
        let isZip = looksLikeZip(try FileChunks.head(file, count: 4))
        let budget = LayerBudget(limits: limits, deadline: deadline)
        let walk = LayerWalk(budget: budget, assumed: assumedFormat, wanted: dumpName, fileName: file.lastPathComponent)
        var hasher = SHA256()
        // A bare file is peeled in the same pass as the hash; a zip needs random access, so it is read after.
        let root = isZip ? nil : walk.peel(route: [], name: file.lastPathComponent)
        try await FileChunks.read(file) { chunk in
            hasher.update(bufferPointer: chunk)
            try await root?.write(chunk)
            try budget.checkDeadline()
        }
        try await root?.finish()
        let sha = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        var result = Result(sha256: sha, isZip: isZip, walk: walk)
        if isZip {
            let zip = try ZipArchive(url: file, maxEntries: limits.maxEntries)
            try zip.checkDeclaredLimits(limits)
            try budget.addEntries(zip.entries.count)
            result.zipEntryCount = zip.entries.count
            var unlimited = Int64.max
            for entry in zip.entries where !entry.isDirectory {
                let sink = walk.peel(route: [.zipEntry(index: entry.index, name: entry.name)], name: entry.name)
                try await zip.read(entry, budget: &unlimited, limit: .max) { chunk in
                    try budget.expand(chunk.count, layer: "zip entry \(entry.name)")
                    try budget.checkDeadline()
                    try await sink.write(chunk)
                }
                try await sink.finish()
            }
        }
        // Encrypted streams are opened after the pass: the tool reads its ciphertext itself, in its own task.
        try await walk.openEncrypted(file: file, keyring: keyring)
        result.expandedBytes = budget.expandedBytes
        return result
    }

    /// What was checked, layer by layer, for the integrity check's detail.
    static func describe(_ result: Result) -> [String] {
        var parts: [String] = []
        if result.isZip {
            parts.append("zip: \(result.zipEntryCount) entries consistent, CRC verified")
        }
        for checked in result.walk.checked {
            if checked.kind == "tar" {
                var text = "tar: \(checked.streams == 1 ? "" : "\(checked.streams) archives, ")\(checked.members) members whole, header checksums verified"
                if checked.unterminated > 0 { text += " (no end-of-archive marker: members after the last could be missing)" }
                parts.append(text)
            } else if let encryption = Encryption(rawValue: checked.kind), checked.streams > 0 {
                let identities = Array(Set(result.walk.openings.filter { $0.encryption == encryption }.map(\.identity))).sorted()
                parts.append(
                    "\(encryption.rawValue): opened with identity \(identities.map { "'\($0)'" }.joined(separator: ", ")), \(encryption.verified), \(ByteFormat.string(checked.bytes)) decrypted")
            } else if let compression = Compression(rawValue: checked.kind), checked.streams > 0 {
                let streams = checked.streams == 1 ? "" : "\(checked.streams) streams, "
                parts.append("\(compression.rawValue): \(streams)\(compression.verified), \(ByteFormat.string(checked.bytes)) decoded")
            }
        }
        if result.expandedBytes > 0 { parts.append("\(ByteFormat.string(result.expandedBytes)) expanded in all") }
        return parts
    }

    /// A tar without its end marker may have lost members: worth a warning, not a verdict.
    static func hasUnterminatedTar(_ result: Result) -> Bool {
        result.walk.checked.contains { $0.kind == "tar" && $0.unterminated > 0 }
    }
}
