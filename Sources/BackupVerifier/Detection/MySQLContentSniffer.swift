import Foundation

/// MySQL dumps written by tools other than mysqldump, recognised by their headers, and MySQL dumps without any
/// header (`--skip-comments`, hand-trimmed files) recognised by statements only MySQL's dialect writes.
enum MySQLContentSniffer {
    /// Header lines of tools that only ever write MySQL dumps (their versions and servers are read by
    /// `MySQLDumpOrigin`). HeidiSQL and mysqldump-php are left to the `/*!40101 SET` marker their MySQL dumps
    /// always carry: HeidiSQL also exports PostgreSQL and SQL Server databases under the same header.
    static let toolHeaders = [
        "-- phpMyAdmin SQL Dump", "# SCHEMA DUMP FOR TABLE:", "Source Server Type    : MySQL", "Source Server Type    : MariaDB",
    ]

    /// Evidence for a MySQL dump in a head that matched no header, or nil. Adminer names the dialect in its
    /// header (`-- Adminer 4.8.1 MySQL 8.0.29 dump`, and `… PostgreSQL … dump` for the other one). Without a
    /// header it takes a backtick-quoted `CREATE TABLE` *and* a clause only MySQL/MariaDB table definitions carry:
    /// backticks alone are not enough (sqlite3 .dump keeps them when the schema was written with them).
    static func evidence(_ text: String) -> String? {
        if let adminer = text.prefix(200).firstMatch(of: #/-- Adminer \S+ MySQL (?:\S+ )?dump/#) {
            return "found \"\(adminer.output)\""
        }
        guard text.contains("CREATE TABLE `") || text.contains("CREATE TABLE IF NOT EXISTS `") else { return nil }
        let clauses = [") ENGINE=", ") ENGINE =", " AUTO_INCREMENT=", "UNLOCK TABLES;", "DEFAULT CHARSET="]
        guard let clause = clauses.first(where: text.contains) else { return nil }
        return "no tool header; MySQL statements (CREATE TABLE `…` with \"\(clause.trimmingCharacters(in: .whitespaces))\")"
    }
}
