/// What of a restore client's output goes into a report's public `logExcerpt`: the client's and the server's
/// own messages (errors, warnings, notices with their detail and hint lines), never the result rows of the
/// dump's own queries. A dump that runs `SELECT @@hostname, @@datadir` or selects rows out of its tables would
/// otherwise publish them to everyone who may read reports.
enum RestoreLog {
    /// Message lines of mariadb, psql and pg_restore, and of the servers behind them.
    static func messages(_ output: String) -> String {
        output.split(whereSeparator: \.isNewline).filter(isMessage).joined(separator: "\n")
    }

    static func isMessage(_ line: Substring) -> Bool {
        if line.hasPrefix("ERROR ") || line.hasPrefix("ERROR:") || line.hasPrefix("psql:") || line.hasPrefix("pg_restore:") {
            return true
        }
        let severities = ["WARNING:", "NOTICE:", "DETAIL:", "HINT:", "CONTEXT:", "FATAL:", "PANIC:", "LOCATION:", "Warning (Code", "Note (Code"]
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        return severities.contains { trimmed.hasPrefix($0) } || trimmed.hasPrefix("mariadb: ") || trimmed.hasPrefix("mysql: ")
    }
}
