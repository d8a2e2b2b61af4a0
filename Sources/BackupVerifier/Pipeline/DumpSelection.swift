import Foundation

/// Picks the dump among the streams the integrity pass found, and says what it is: a multi-member pg_dump
/// archive (by its toc.dat), else one stream chosen by `DumpLocator` and detected by `FormatDetector`.
struct DumpSelection {
    enum Outcome {
        case dump(source: any DumpSource, scan: DumpScanner?, evidence: String, layers: [String])
        /// The backup is not what a dump looks like (`failed`).
        case failed(String)
        /// A valid layout this verifier cannot read (`error`).
        case unsupported(String)
    }

    let file: URL
    let walk: LayerWalk
    let limits: ArchiveLimits
    let wanted: String?
    let assumedFormat: DumpFormat?
    var keyring: DecryptionKeyring = .empty

    func select() async throws -> Outcome {
        let leaves = walk.leaves
        let namedLeaf = wanted.flatMap { name in leaves.first { $0.name == name && PgArchiveLocator.basename($0.name) != "toc.dat" } }
        if namedLeaf == nil {
            switch PgArchiveLocator.locate(in: leaves, fileName: file.lastPathComponent, named: wanted) {
            case .found(let found): return pgArchive(found)
            case .failed(let reason): return .failed(reason)
            case .none: break
            }
        }
        let leaf: LayerWalk.Leaf
        if let namedLeaf {
            leaf = namedLeaf
        } else if leaves.count == 1, leaves[0].entryRoute.isEmpty {
            // A bare push (compressed or not) is the dump whatever its name.
            leaf = leaves[0]
        } else {
            switch DumpLocator.locate(in: leaves, named: wanted) {
            case .found(let found): leaf = found
            case .failed(let reason): return .failed(leaves.isEmpty && !walk.checked.isEmpty ? "the archive holds no files" : reason)
            }
        }
        if Encryption.detect(leaf.head) != nil {
            // The integrity pass tried every stored identity; it kept the reason none opened it.
            let location = leaf.route.isEmpty ? "the file" : leaf.name
            return .unsupported(walk.closedReason(leaf.route) ?? "\(location) is encrypted and no stored identity opens it")
        }
        if !leaf.route.isEmpty, looksLikeZip(leaf.head) {
            return .unsupported(
                "\(leaf.name) is a zip archive inside \(leaf.route.reportLayers.joined(separator: " › ")): the verifier opens a zip only as the pushed file itself; push the inner zip")
        }
        var scan = leaf.scan
        if scan == nil {
            // More candidates than the integrity pass kept scans for: read this one again.
            var rescan = DumpScanner(assumed: assumedFormat)
            try await LayeredDumpSource(file: file, route: leaf.route, name: leaf.name, format: .sqliteFile, limits: limits, keyring: keyring).stream { rescan.feed($0) }
            rescan.finish()
            scan = rescan
        }
        guard let scan, let format = scan.format else {
            return .dump(source: LayeredDumpSource(file: file, route: leaf.route, name: leaf.name, format: .sqliteFile, limits: limits, keyring: keyring),
                         scan: scan, evidence: "", layers: leaf.route.reportLayers)
        }
        let source = LayeredDumpSource(file: file, route: leaf.route, name: leaf.name, format: format, limits: limits, keyring: keyring)
        return .dump(source: source, scan: scan, evidence: scan.evidence, layers: leaf.route.reportLayers)
    }

    private func pgArchive(_ found: PgArchiveLocator.Found) -> Outcome {
        switch found {
        case .tar(let route, let name, let members):
            let source = LayeredDumpSource(file: file, route: route, name: name, format: .pgTar, limits: limits, keyring: keyring)
            return .dump(
                source: source, scan: nil,
                evidence: "tar members toc.dat (PGDMP magic) first and restore.sql, \(members) members: pg_dump tar format (-Ft)",
                layers: route.reportLayers + ["tar", "toc.dat"])
        case .directory(let folder, let members):
            let name = folder.isEmpty ? "toc.dat" : folder + "/"
            let data = members.filter { $0.name.hasSuffix(".dat") || $0.name.hasSuffix(".dat.gz") }.count - 1
            let source = PgDirectorySource(file: file, name: name, members: members, limits: limits, keyring: keyring)
            let toc = members.first { $0.name == "toc.dat" }?.route ?? []
            var evidence = "toc.dat (PGDMP magic) and \(max(0, data)) data files in \(folder.isEmpty ? "the archive's top folder" : folder + "/")"
            evidence += members.contains { $0.name == "restore.sql" }
                ? ": pg_dump tar-format members unpacked into a folder, restored as a directory (restore.sql is not used)"
                : ": pg_dump directory format (-Fd)"
            return .dump(source: source, scan: nil, evidence: evidence, layers: toc.reportLayers)
        }
    }
}
