import Foundation

/// The integrity pass over a stored file's layers: peels every stream by its content (zip, tar, gzip, zstd, xz,
/// bzip2, lz4, in any nesting), checks each layer to its end, and keeps, for every innermost stream (a "leaf",
/// a dump candidate), its route, size, first bytes and a scan for detection and completeness.
final class LayerWalk {
    struct Leaf: LocatableEntry {
        var route: LayerRoute
        /// The innermost entry name, or the stored file's name for a bare push.
        var name: String
        var size: Int64
        /// The first bytes (magic numbers).
        var head: [UInt8]
        /// The scan of the whole leaf, kept for the first `maxScanners` candidates (a later pass rescans others).
        var scan: DumpScanner?
        var isDirectory: Bool { false }

        /// The route to the raw member bytes: up to and including the last zip or tar entry step (a `.dat.gz`
        /// member of a directory-format archive is extracted compressed, as pg_restore expects it).
        var entryRoute: LayerRoute {
            guard let last = route.lastIndex(where: { $0.entryName != nil }) else { return [] }
            return Array(route[...last])
        }
    }

    /// What was checked of one kind of layer, for the integrity check's detail.
    struct Checked {
        var kind: String
        var streams = 0
        var members = 0
        var bytes: Int64 = 0
        var unterminated = 0
    }

    /// An encrypted stream the walk opened: where, with which identity, how much plaintext.
    struct Opening {
        var route: LayerRoute
        var encryption: Encryption
        var identity: String
        var bytes: Int64
    }

    static let maxDepth = 8
    static let maxScanners = 32

    let budget: LayerBudget
    let assumed: DumpFormat?
    let wanted: String?
    let fileName: String
    private(set) var leaves: [Leaf] = []
    private(set) var checked: [Checked] = []
    private(set) var openings: [Opening] = []
    /// Why encrypted leaves that stayed closed could not be opened (no stored identity), by their route.
    private(set) var closed: [(route: LayerRoute, reason: String)] = []
    private var scanners = 0

    init(budget: LayerBudget, assumed: DumpFormat?, wanted: String?, fileName: String) {
        self.budget = budget
        self.assumed = assumed
        self.wanted = wanted
        self.fileName = fileName
    }

    /// The sink that peels the stream at `route` (named `name` for the leaf it may turn out to be).
    func peel(route: LayerRoute, name: String) -> any ByteSink {
        PeelingSink(walk: self, route: route, name: name)
    }

    func record(_ kind: String, _ update: (inout Checked) -> Void) {
        if let index = checked.firstIndex(where: { $0.kind == kind }) {
            update(&checked[index])
        } else {
            var entry = Checked(kind: kind)
            update(&entry)
            checked.append(entry)
        }
    }

    fileprivate func add(_ leaf: Leaf) { leaves.append(leaf) }

    /// Decrypts every encrypted leaf with `keyring` and peels its plaintext like any other stream (which may hold
    /// encrypted streams in turn). A leaf no stored identity opens stays a leaf, with the reason kept for the
    /// report; a modified or truncated ciphertext throws (`failed`).
    func openEncrypted(file: URL, keyring: DecryptionKeyring) async throws {
        while let index = leaves.firstIndex(where: { Encryption.detect($0.head) != nil && !isClosed($0.route) }) {
            let leaf = leaves[index]
            guard let encryption = Encryption.detect(leaf.head) else { break }
            if leaf.route.count >= Self.maxDepth {
                throw ArchiveError.damagedLayer("\(layerLocation(leaf.route))more than \(Self.maxDepth) nested layers: no backup tool writes that")
            }
            leaves.remove(at: index)
            // Listed before the layers inside it (the integrity detail reads outermost first).
            record(encryption.rawValue) { _ in }
            let sink = peel(route: leaf.route + [.decrypt(encryption)], name: leaf.name)
            do {
                let (identity, bytes) = try await StreamDecryption.open(
                    encryption, file: file, route: leaf.route, head: leaf.head, keyring: keyring, limits: budget.limits,
                    budget: budget, into: sink)
                openings.append(Opening(route: leaf.route, encryption: encryption, identity: identity, bytes: bytes))
                record(encryption.rawValue) { $0.streams += 1; $0.bytes += bytes }
            } catch let error as ArchiveError where error.isVerifierLimitation {
                // Not opened (no identity matched, a passphrase, no tool): no plaintext reached the walk, but drop
                // whatever a partial run may have left, and keep the ciphertext as the leaf the report names.
                leaves.removeAll { $0.route.starts(with: leaf.route + [.decrypt(encryption)]) }
                leaves.insert(leaf, at: index)
                closed.append((leaf.route, error.description))
            }
        }
    }

    private func isClosed(_ route: LayerRoute) -> Bool { closed.contains { $0.route == route } }

    /// Why the encrypted stream at `route` stayed closed, if it did.
    func closedReason(_ route: LayerRoute) -> String? { closed.first { $0.route == route }?.reason }

    /// Candidates get a full scan while there are few of them; clutter (READMEs, checksums) never does.
    fileprivate func wantsScanner(_ name: String) -> Bool {
        if let wanted, wanted != name { return false }
        guard !DumpLocator.isClutter(name), scanners < Self.maxScanners else { return false }
        scanners += 1
        return true
    }
}

/// Holds a stream's first block until it can tell what the stream is, then builds the next layer (or a leaf)
/// and replays the block into it.
private final class PeelingSink: ByteSink {
    /// Enough for a tar header; compressor magics are shorter.
    static let decideAfter = TarHeader.blockSize

    unowned let walk: LayerWalk
    let route: LayerRoute
    let name: String
    private var head: [UInt8] = []
    private var next: (any ByteSink)?

    init(walk: LayerWalk, route: LayerRoute, name: String) {
        self.walk = walk
        self.route = route
        self.name = name
    }

    func write(_ chunk: UnsafeRawBufferPointer) async throws {
        if let next { return try await next.write(chunk) }
        let take = min(Self.decideAfter - head.count, chunk.count)
        head.append(contentsOf: chunk[0..<take])
        guard head.count >= Self.decideAfter else { return }
        let next = try await decide()
        if take < chunk.count { try await next.write(UnsafeRawBufferPointer(rebasing: chunk[take...])) }
    }

    func finish() async throws {
        let next: any ByteSink
        if let existing = self.next { next = existing } else { next = try await decide() }
        try await next.finish()
        if let decoding = next as? DecodingSink {
            walk.record(decoding.compression.rawValue) { $0.streams += 1; $0.bytes += decoding.bytesOut }
        } else if let tar = next as? TarSink {
            walk.record("tar") {
                $0.streams += 1
                $0.members += tar.memberCount
                if !tar.sawEndMarker { $0.unterminated += 1 }
            }
        }
    }

    private func decide() async throws -> any ByteSink {
        let next: any ByteSink
        let nested = route.count >= LayerWalk.maxDepth
        if let compression = Compression.detect(head) {
            if nested { throw tooDeep() }
            next = try DecodingSink(
                compression, route: route, budget: walk.budget,
                next: walk.peel(route: route + [.decode(compression)], name: name))
        } else if Compression.isLegacyLz4(head) {
            throw ArchiveError.unsupported(
                "\(layerLocation(route))lz4 legacy format (lz4 -l), which liblz4's frame decoder does not read; compress with plain lz4")
        } else if TarHeader.looksLikeTar(head) {
            if nested { throw tooDeep() }
            let walk = self.walk, route = self.route
            next = TarSink(route: route, budget: walk.budget) { entry in
                entry.isFile ? walk.peel(route: route + [.tarEntry(ordinal: entry.ordinal, name: entry.name)], name: entry.name) : nil
            }
        } else {
            // Ciphertext is no dump: only its plaintext (peeled after this pass) is worth a scan.
            let encrypted = Encryption.detect(head) != nil
            next = LeafSink(
                walk: walk, route: route, name: name, scan: !encrypted && walk.wantsScanner(name) ? DumpScanner(assumed: walk.assumed) : nil)
        }
        self.next = next
        let held = head
        head = []
        try await writeBytes(held, to: next)
        return next
    }

    private func tooDeep() -> ArchiveError {
        .damagedLayer("\(layerLocation(route))more than \(LayerWalk.maxDepth) nested layers (\(route.reportLayers.joined(separator: " › "))): no backup tool writes that")
    }
}

/// An innermost stream: counted, its first bytes kept, and scanned when it is a dump candidate.
private final class LeafSink: ByteSink {
    unowned let walk: LayerWalk
    private var leaf: LayerWalk.Leaf
    private var headLimit = 64

    init(walk: LayerWalk, route: LayerRoute, name: String, scan: DumpScanner?) {
        self.walk = walk
        leaf = LayerWalk.Leaf(route: route, name: name, size: 0, head: [], scan: scan)
    }

    func write(_ chunk: UnsafeRawBufferPointer) async throws {
        leaf.size += Int64(chunk.count)
        if leaf.head.count < headLimit {
            let taken = min(headLimit - leaf.head.count, chunk.count)
            leaf.head.append(contentsOf: chunk[0..<taken])
            // An encrypted stream's header names its recipients: keep enough of it for the report.
            if headLimit == 64, leaf.head.count == 64, Encryption.detect(leaf.head) != nil {
                headLimit = 4096
                let more = min(headLimit - 64, chunk.count - taken)
                leaf.head.append(contentsOf: chunk[taken..<(taken + more)])
            }
        }
        leaf.scan?.feed(chunk)
    }

    func finish() async throws {
        leaf.scan?.finish()
        walk.add(leaf)
    }
}
