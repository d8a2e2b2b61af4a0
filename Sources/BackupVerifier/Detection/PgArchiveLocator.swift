/// Finds a pg_dump archive made of several members among the leaves of a stored file: a `toc.dat` that starts
/// with the PGDMP magic, and the data files beside it. Recognised by those members, not by the container: a bare
/// `-Ft` tar is streamed to pg_restore as it is; anything else (a `-Fd` directory zipped or tarred, `-Ft` members
/// unpacked into a folder and zipped) is restored from a directory.
enum PgArchiveLocator {
    enum Found {
        /// The tar stream at `route` is a pg_dump tar archive (`toc.dat` first, `restore.sql` among its members).
        case tar(route: LayerRoute, name: String, members: Int)
        /// The members of the archive's folder, to be written into a directory.
        case directory(folder: String, members: [PgDirectorySource.Member])
    }

    enum Outcome {
        case none
        case found(Found)
        case failed(String)
    }

    static func locate(in leaves: [LayerWalk.Leaf], fileName: String, named wanted: String?) -> Outcome {
        let tocs = leaves.filter { leaf in
            basename(leaf.name) == "toc.dat" && leaf.head.starts(with: Array("PGDMP".utf8)) && !leaf.entryRoute.isEmpty
        }
        guard !tocs.isEmpty else { return .none }
        var chosen = tocs
        if let wanted {
            let trimmed = wanted.hasSuffix("/") ? String(wanted.dropLast()) : wanted
            chosen = tocs.filter { $0.name == wanted || folder(of: $0.name) == trimmed }
            if chosen.isEmpty { return .none }
        }
        guard chosen.count == 1 else {
            let names = chosen.prefix(5).map(\.name).joined(separator: ", ")
            return .failed("\(chosen.count) pg_dump archives (toc.dat) in the archive: \(names); name one in the policy's \"dump\" field")
        }
        let toc = chosen[0]
        let tocRoute = toc.entryRoute
        let container = Array(tocRoute.dropLast())
        let dir = folder(of: toc.name)
        // Raw members of the same folder in the same container (a decoded `.dat.gz` is still one member).
        var members: [PgDirectorySource.Member] = []
        for leaf in leaves {
            let route = leaf.entryRoute
            guard !route.isEmpty, Array(route.dropLast()) == container, let entryName = route.last?.entryName,
                  folder(of: entryName) == dir, !members.contains(where: { $0.route == route }) else { continue }
            let name = basename(entryName)
            guard name != ".", name != "..", !name.isEmpty else { continue }
            members.append(PgDirectorySource.Member(name: name, route: route))
        }
        if case .tarEntry(0, "toc.dat")? = tocRoute.last, members.contains(where: { $0.name == "restore.sql" }) {
            return .found(.tar(route: container, name: container.innermostEntry ?? fileName, members: members.count))
        }
        return .found(.directory(folder: dir, members: members))
    }

    static func basename(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }
}
