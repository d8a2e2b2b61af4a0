import Foundation

/// Role statements of a pg_dumpall (or any dump that creates roles), turned into what a sandbox may do: the role
/// is created by `backupfeed_sandbox.create_role`, a function the template's superuser owns, which creates it
/// with NOSUPERUSER NOCREATEDB NOCREATEROLE NOLOGIN NOREPLICATION NOBYPASSRLS and no password whatever the dump
/// says. The restoring role has no CREATEROLE (in PostgreSQL 15 that right can grant itself
/// pg_execute_server_program), so any role statement not rewritten here fails the restore instead of running.
enum PostgresRoleStatements {
    /// The attributes and clauses a sandbox role never gets, as the report names them.
    static let strippedAttributes = [
        "SUPERUSER", "REPLICATION", "BYPASSRLS", "CREATEROLE", "CREATEDB", "LOGIN", "PASSWORD", "VALID UNTIL", "CONNECTION LIMIT",
    ]

    enum Statement: Equatable {
        /// `CREATE ROLE|USER|GROUP name …;`: the role to create, and the attributes the dump asked for that are dropped.
        case create(role: String, stripped: [String])
        /// `ALTER ROLE|USER|GROUP name …;`: dropped whole; the attributes it tried to set.
        case alter(role: String, stripped: [String])
    }

    /// Reads one complete line holding a whole role statement; nil when the line is not one (it then reaches the
    /// server unchanged, where the restoring role's missing CREATEROLE refuses it).
    static func parse(_ line: String) -> Statement? {
        let text = line.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasSuffix(";"),
              let match = text.firstMatch(of: #/^(?i)(CREATE|ALTER)\s+(ROLE|USER|GROUP)\s+("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)(.*);$/#)
        else { return nil }
        // `CREATE USER MAPPING FOR …` (foreign servers) is not a role.
        guard match.output.3.uppercased() != "MAPPING" else { return nil }
        let role = identifier(String(match.output.3))
        // Attributes are words outside string literals (a password hash could spell anything).
        let rest = String(match.output.4).replacing(#/'(?:[^']|'')*'/#, with: "''")
        // The whole line is replaced (create) or dropped (alter): nothing else on it reaches the server.
        let stripped = attributes(in: rest)
        return match.output.1.uppercased() == "CREATE" ? .create(role: role, stripped: stripped) : .alter(role: role, stripped: stripped)
    }

    /// The privileged attributes named in `rest` (the NO… forms ask for nothing and are not listed).
    static func attributes(in rest: String) -> [String] {
        let upper = rest.uppercased()
        let words = Set(upper.split(whereSeparator: { !$0.isLetter }).map(String.init))
        var found = strippedAttributes.filter { !$0.contains(" ") && words.contains($0) }
        if upper.contains("VALID UNTIL") { found.append("VALID UNTIL") }
        if upper.contains("CONNECTION LIMIT") { found.append("CONNECTION LIMIT") }
        if upper.contains(" SET ") || upper.hasPrefix(" SET ") || upper.contains(" RESET ") { found.append("role settings (SET …)") }
        if upper.contains(" IN ROLE ") || upper.contains(" ROLE ") || upper.contains(" ADMIN ") || upper.contains(" ADD USER ") {
            found.append("role memberships")
        }
        if upper.contains(" RENAME TO ") { found.append("RENAME") }
        return found
    }

    /// The roles of `CREATE POLICY name ON table [AS …] [FOR …] TO role, …` as pg_dump writes it (one line), without
    /// the ones every database has (`PUBLIC`, `CURRENT_USER`, …).
    static func policyRoles(_ line: String) -> [String] {
        let name = #"(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)"#
        let pattern = "^CREATE POLICY \(name) ON \(name)(?:\\.\(name))?(?: AS [A-Z]+)?(?: FOR [A-Z]+)? TO (\(name)(?:, \(name))*)"
        guard let regex = try? Regex(pattern), let match = try? regex.prefixMatch(in: line),
              let list = match.output[1].substring else { return [] }
        let builtIn: Set<String> = ["public", "current_user", "current_role", "session_user"]
        return list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            !builtIn.contains($0.lowercased()) || $0.hasPrefix("\"")
        }.map(identifier(_:))
    }

    /// The SQL that creates the stripped role; the name travels hex-encoded, so no quoting setting of the
    /// dump (standard_conforming_strings) can change what it says.
    static func createCall(for role: String) -> String {
        let hex = role.utf8.map { String(format: "%02x", $0) }.joined()
        return "SELECT backupfeed_sandbox.create_role(convert_from(decode('\(hex)', 'hex'), 'UTF8'));"
    }

    static func identifier(_ token: String) -> String {
        guard token.hasPrefix("\""), token.hasSuffix("\""), token.count >= 2 else { return token.lowercased() }
        return String(token.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"")
    }

    /// The template's function (run by its superuser when the template is built).
    static let setupSQL = """
        CREATE SCHEMA backupfeed_sandbox;
        CREATE FUNCTION backupfeed_sandbox.create_role(role_name text) RETURNS void
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $body$
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = role_name) THEN RETURN; END IF;
            EXECUTE format('CREATE ROLE %I NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOLOGIN NOREPLICATION NOBYPASSRLS', role_name);
        END
        $body$;
        REVOKE ALL ON FUNCTION backupfeed_sandbox.create_role(text) FROM PUBLIC;
        """
}
