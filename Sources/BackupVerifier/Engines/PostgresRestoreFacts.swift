import Synchronization

/// What the rewriter learnt while a plain dump streamed through it, read by the sandbox afterwards (also when
/// the restore failed): the databases a pg_dumpall made, the roles it created, the extensions it skipped.
final class PostgresRestoreFacts: Sendable {
    struct Database: Sendable, Equatable {
        /// The name in the dump (what the report shows).
        var dumpName: String
        /// The sandbox database it was restored into (a name the verifier chose: never the dump's text).
        var sandboxName: String
    }

    struct State: Sendable {
        var isCluster = false
        var databases: [Database] = []
        var roles: [String] = []
        var skippedExtensions: [String] = []
    }

    private let state = Mutex(State())

    func update(_ change: (inout State) -> Void) { state.withLock { change(&$0) } }
    var snapshot: State { state.withLock { $0 } }
}

/// Names for the databases of a cluster dump inside the sandbox: lowercase letters, digits and `_` only (they
/// appear in our own `\connect` lines, which must never carry dump text), distinct, never a name the sandbox
/// itself uses.
struct SandboxDatabaseNames {
    private var used: Set<String>
    private(set) var byDumpName: [String: String] = [:]

    init(reserved: [String]) { used = Set(reserved.map { $0.lowercased() }) }

    /// The sandbox name for `dumpName`, and whether it is new.
    mutating func name(for dumpName: String) -> (name: String, isNew: Bool) {
        if let existing = byDumpName[dumpName] { return (existing, false) }
        var base = String(dumpName.lowercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "_" ? $0 : "_" }.prefix(40))
        if base.isEmpty || !(base.first!.isLetter || base.first == "_") { base = "db_" + base }
        if ["template0", "template1"].contains(base) { base = "restored_" + base }
        var candidate = base
        var suffix = 2
        while used.contains(candidate) {
            candidate = "\(base)_\(suffix)"
            suffix += 1
        }
        used.insert(candidate)
        byDumpName[dumpName] = candidate
        return (candidate, true)
    }
}
