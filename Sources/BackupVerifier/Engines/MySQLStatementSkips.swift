import Foundation

/// The statements of a mysqldump/mariadb-dump that are about the source *server*, not its data, and that the
/// sandbox's restoring account may not run by design (it has no SUPER, no rights on MariaDB's own schemas):
/// - replication state: `SET @@GLOBAL.GTID_PURGED`, `SET @@SESSION.SQL_LOG_BIN`, MariaDB's `SET GLOBAL gtid_slave_pos`,
///   `CHANGE MASTER TO` / `CHANGE REPLICATION SOURCE TO` (`--master-data=1`, `--source-data=1`), `START/STOP SLAVE`;
/// - server-wide settings and accounts: `SET GLOBAL …`, `FLUSH …`, `CREATE USER`, `GRANT`, roles, passwords;
/// - MariaDB's and MySQL's system schemas (`mysql`, `sys`, `performance_schema`, `information_schema`) written by
///   `--all-databases`: everything from their `CREATE DATABASE`/`USE` to the next user schema.
/// Skipping them changes no user table; each kind is counted for the report.
enum MySQLStatementSkips {
    static let systemSchemas: Set<String> = ["mysql", "sys", "performance_schema", "information_schema"]

    /// Why a statement starting on this line is skipped: the report's "from" text, or nil to keep it.
    /// `statement` is the line with a leading versioned comment (`/*!80001 `, `/*M!100005 `) removed.
    static func skipKind(_ statement: Substring) -> String? {
        let upper = statement.prefix(64).uppercased()
        func starts(_ prefixes: String...) -> Bool { prefixes.contains { upper.hasPrefix($0) } }
        let squeezed = upper.replacingOccurrences(of: " ", with: "")
        if squeezed.hasPrefix("SET@@GLOBAL.GTID_PURGED") { return "SET @@GLOBAL.GTID_PURGED (the source server's GTID state)" }
        if squeezed.hasPrefix("SET@@SESSION.SQL_LOG_BIN") || squeezed.hasPrefix("SET@MYSQLDUMP_TEMP_LOG_BIN") || squeezed.hasPrefix("SETSQL_LOG_BIN") {
            return "SET @@SESSION.SQL_LOG_BIN (binary logging switch)"
        }
        if squeezed.hasPrefix("SETGLOBALGTID_SLAVE_POS") || squeezed.hasPrefix("SET@@GLOBAL.GTID_SLAVE_POS") {
            return "SET GLOBAL gtid_slave_pos (MariaDB replica position)"
        }
        if starts("CHANGE MASTER ", "CHANGE REPLICATION SOURCE ") { return "CHANGE MASTER TO / CHANGE REPLICATION SOURCE TO (replication source)" }
        if starts("START SLAVE", "STOP SLAVE", "START REPLICA", "STOP REPLICA", "START ALL SLAVES", "STOP ALL SLAVES", "RESET SLAVE", "RESET REPLICA", "RESET MASTER") {
            return "START/STOP SLAVE (replication threads)"
        }
        if starts("SET GLOBAL ", "SET @@GLOBAL.", "SET PERSIST", "SET @@PERSIST") { return "SET GLOBAL (server-wide setting)" }
        if starts("FLUSH ") { return "FLUSH (server caches and privileges)" }
        for account in ["CREATE USER", "ALTER USER", "DROP USER", "RENAME USER", "GRANT ", "REVOKE ", "CREATE ROLE", "DROP ROLE",
                        "SET ROLE", "SET DEFAULT ROLE", "SET PASSWORD"] where upper.hasPrefix(account) {
            return account.trimmingCharacters(in: .whitespaces) + " (accounts and privileges)"
        }
        // mariadb-dump --system=users switches to the dump's import role and back.
        if upper.hasPrefix("EXECUTE IMMEDIATE CONCAT('SET ROLE") { return "SET ROLE (accounts and privileges)" }
        return nil
    }

    /// The schema a `USE`, `CREATE DATABASE` or `DROP DATABASE` line switches to, or nil for other lines.
    static func schemaSwitch(_ statement: Substring) -> String? {
        let upper = statement.prefix(40).uppercased()
        guard upper.hasPrefix("USE ") || upper.hasPrefix("USE`") || upper.hasPrefix("CREATE DATABASE") || upper.hasPrefix("CREATE SCHEMA")
            || upper.hasPrefix("DROP DATABASE") || upper.hasPrefix("DROP SCHEMA") else { return nil }
        // The first quoted name, or the last bare word before `;` (`USE mysql;`).
        if let match = statement.firstMatch(of: #/`((?:[^`]|``)+)`/#) {
            return String(match.output.1).replacingOccurrences(of: "``", with: "`")
        }
        let words = statement.split(whereSeparator: { $0 == " " || $0 == ";" || $0 == "\t" })
        return words.last.map { String($0) }
    }

    /// The statement text after one leading versioned comment opener (`/*!40000 `, `/*M!100005 `), if any.
    static func unwrapVersioned(_ text: Substring) -> Substring {
        var rest = text.drop { $0 == " " || $0 == "\t" }
        guard rest.hasPrefix("/*!") || rest.hasPrefix("/*M!") else { return rest }
        rest = rest.dropFirst(rest.hasPrefix("/*M!") ? 4 : 3)
        rest = rest.drop { $0.isNumber }
        return rest.drop { $0 == " " }
    }
}
