/// The restoring account's grants: everything a dump needs on its own databases and nothing on MariaDB's own
/// schemas. A global grant (`ON *.*`) would cover `mysql` too, and a row written into `mysql.proc` with a root
/// definer then runs as root inside the sandbox server. MariaDB has no "all but" grant, so the account gets
/// database-level grants on name patterns that together match every name except `mysql`, `sys` and
/// `performance_schema` (`information_schema` is read-only to everyone):
/// - `_` matches one character, so `____` covers every 4-character name, whatever its characters;
/// - for the lengths of the protected names (3, 5, 18), names are covered position by position: the same first
///   characters, then any other ASCII character at the first position that differs.
/// Left out, and so not restorable: names of those three lengths that share a beginning with a protected name
/// and then differ by a non-ASCII character (`myäql`).
enum MariaDBPrivileges {
    static let protectedSchemas = ["mysql", "sys", "performance_schema"]
    /// MariaDB's longest database name.
    static let maxNameLength = 64

    static let databasePrivileges = [
        "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "REFERENCES", "INDEX", "ALTER", "CREATE TEMPORARY TABLES",
        "LOCK TABLES", "EXECUTE", "CREATE VIEW", "SHOW VIEW", "CREATE ROUTINE", "ALTER ROUTINE", "EVENT", "TRIGGER",
        "DELETE HISTORY",
    ]
    /// Global-only privileges that touch no schema: listing databases, and `SET sql_log_bin=0` at the top of
    /// mysqldump output from servers with a binary log (harmless here: there is none).
    static let globalPrivileges = ["SHOW DATABASES", "BINLOG ADMIN"]

    /// ASCII characters a quoted database name can hold (MariaDB refuses `/`, `\` and `.` in names).
    static let nameCharacters: [Character] = (0x20...0x7E).map { Character(Unicode.Scalar(UInt8($0))) }
        .filter { !["/", "\\", ".", "`"].contains($0) }

    /// LIKE patterns (with `\` escaping `_` and `%`) whose union is every database name but the protected ones.
    static func databasePatterns() -> [String] {
        let protectedLengths = Set(protectedSchemas.map(\.count))
        var patterns = (1...maxNameLength).filter { !protectedLengths.contains($0) }.map { String(repeating: "_", count: $0) }
        for length in protectedLengths.sorted() {
            let names = protectedSchemas.filter { $0.count == length }.map(Array.init)
            patterns += complement(of: names, length: length, prefix: [])
        }
        return patterns
    }

    /// Patterns covering the names of `length` that start with `prefix` and are none of `names` (which all start
    /// with `prefix`): at the next position, every character no protected name has there opens a free subtree.
    private static func complement(of names: [[Character]], length: Int, prefix: [Character]) -> [String] {
        guard prefix.count < length else { return [] }
        let taken = Set(names.map { $0[prefix.count] })
        // Both cases of a protected character are left out: with lower_case_table_names=1 patterns match names
        // case-insensitively, and `S__` would then cover `sys`.
        let takenFolded = Set(taken.flatMap { [Character($0.lowercased()), Character($0.uppercased())] })
        var patterns: [String] = []
        for character in nameCharacters where !takenFolded.contains(character) {
            patterns.append(escape(prefix + [character]) + String(repeating: "_", count: length - prefix.count - 1))
        }
        for character in taken.sorted() {
            patterns += complement(of: names.filter { $0[prefix.count] == character }, length: length, prefix: prefix + [character])
        }
        return patterns
    }

    private static func escape(_ characters: [Character]) -> String {
        characters.map { $0 == "_" || $0 == "%" ? "\\\($0)" : String($0) }.joined()
    }

    /// The SQL that creates the restoring account with these grants.
    static func setupSQL(account: String) -> String {
        let privileges = databasePrivileges.joined(separator: ", ")
        let grants = databasePatterns().map { "GRANT \(privileges) ON `\($0)`.* TO \(account);" }
        return (["CREATE USER \(account);", "GRANT \(globalPrivileges.joined(separator: ", ")) ON *.* TO \(account);"] + grants)
            .joined(separator: "\n")
    }
}
