import Foundation

/// What wrote a dump and from which server, as the dump's own header says: for the report ("mysqldump 8.0.42",
/// "phpMyAdmin 5.2.1"; "MySQL 8.0.42", "MariaDB 10.4.28").
struct DumpOrigin: Equatable, Sendable {
    /// The dump program and its version.
    var tool: String?
    /// The server the dump was read from.
    var sourceServer: String?

    /// Reads the origin from the head of a dump of `format` (nil when no parser recognises the header).
    static func read(head: [UInt8], format: DumpFormat?) -> DumpOrigin? {
        for parser in parsers {
            if let origin = parser.origin(head: head, format: format), origin.tool != nil || origin.sourceServer != nil { return origin }
        }
        return nil
    }

    /// One parser per family of headers; the first that recognises the head wins.
    static var parsers: [any DumpOriginParser.Type] { [MySQLDumpOrigin.self, PostgresDumpOrigin.self] }

    /// The first lines of a text head (at most `count`), line endings removed, a UTF-8 byte-order mark dropped.
    static func lines(_ head: [UInt8], count: Int = 40) -> [String] {
        var bytes = head.prefix(16 * 1024)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        return String(decoding: bytes, as: UTF8.self).split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .prefix(count).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\r")) }
    }
}

/// A parser of one family of dump headers.
protocol DumpOriginParser {
    /// The origin the head names, or nil when the head is not of this family.
    static func origin(head: [UInt8], format: DumpFormat?) -> DumpOrigin?
}

/// Headers of the tools that write MySQL/MariaDB dumps: mysqldump, mariadb-dump, phpMyAdmin, Adminer, HeidiSQL,
/// mysqldump-php, the npm `mysqldump` package, Navicat. DBeaver runs the native mysqldump (its header is mysqldump's).
enum MySQLDumpOrigin: DumpOriginParser {
    static func origin(head: [UInt8], format: DumpFormat?) -> DumpOrigin? {
        guard format == nil || format == .mysqlDump else { return nil }
        let lines = DumpOrigin.lines(head)
        guard let first = lines.firstIndex(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty && !$0.hasPrefix("/*M!999999") }) else { return nil }
        let header = Array(lines[first...])
        let top = header[0]
        if top.hasPrefix("-- MySQL dump") || top.hasPrefix("-- MariaDB dump") { return mysqldump(header) }
        if top.hasPrefix("-- phpMyAdmin SQL Dump") { return phpMyAdmin(header) }
        if top.hasPrefix("-- Adminer ") { return adminer(top) }
        if top.hasPrefix("-- mysqldump-php") {
            return DumpOrigin(tool: "mysqldump-php", sourceServer: labelled(header.prefix(8), label: "-- Server version").map(server))
        }
        if let heidi = header.prefix(8).firstIndex(where: { $0.hasPrefix("-- HeidiSQL Version:") }) {
            let version = header[heidi].dropFirst("-- HeidiSQL Version:".count).trimmingCharacters(in: .whitespaces)
            // Host, server version, server OS, HeidiSQL version, one per line, their labels in the export's language:
            // "-- Server version:               8.0.30 - Source distribution".
            let serverValue = heidi >= 2 ? header[heidi - 2].split(separator: ":", maxSplits: 1).last
                .map { $0.components(separatedBy: " - ").first!.trimmingCharacters(in: .whitespaces) } : nil
            return DumpOrigin(tool: "HeidiSQL \(version)", sourceServer: serverValue.flatMap { $0.isEmpty ? nil : server($0) })
        }
        if header.prefix(20).contains(where: { $0.hasPrefix("# SCHEMA DUMP FOR TABLE:") || $0.hasPrefix("# DATA DUMP FOR TABLE:") }) {
            return DumpOrigin(tool: "mysqldump (npm package)", sourceServer: nil)
        }
        if let navicat = header.prefix(4).first(where: { $0.contains("Navicat") && $0.contains("Data Transfer") }) {
            let version = header.prefix(12).first { $0.contains("Source Server Version") }
                .flatMap { $0.split(separator: ":").last }.map { $0.trimmingCharacters(in: .whitespaces) }
            return DumpOrigin(tool: navicat.trimmingCharacters(in: .whitespaces), sourceServer: version.map(navicatVersion))
        }
        return nil
    }

    /// `-- MySQL dump 10.13  Distrib 8.0.42, for Linux (x86_64)` / `-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB, …`
    /// and `-- Server version	8.0.42`.
    private static func mysqldump(_ header: [String]) -> DumpOrigin {
        let top = header[0]
        var tool = top.hasPrefix("-- MariaDB dump") ? "MariaDB dump" : "mysqldump"
        let protocolVersion = top.firstMatch(of: #/dump (\d+\.\d+)/#).map { String($0.output.1) }
        if let distrib = top.firstMatch(of: #/Distrib ([^,\s]+)/#).map({ String($0.output.1) }) {
            if distrib.contains("MariaDB") {
                // mariadb-dump's own version is the "dump 10.19" one; the distribution is the MariaDB release.
                tool += " \(protocolVersion ?? "") (MariaDB \(distrib.components(separatedBy: "-MariaDB").first ?? distrib))"
            } else {
                tool += " \(distrib)"
            }
        } else if let protocolVersion {
            tool += " \(protocolVersion)"
        }
        let serverVersion = labelled(header.prefix(8), label: "-- Server version")
        return DumpOrigin(tool: tool.replacingOccurrences(of: "  ", with: " "), sourceServer: serverVersion.map(server))
    }

    /// `-- version 5.2.1`, and the server line whose label is in the export's language:
    /// `-- Server version: 10.4.28-MariaDB`, `-- Versión del servidor: 8.4.5`, `-- Sunucu sürümü: 10.1.9-MariaDB`.
    private static func phpMyAdmin(_ header: [String]) -> DumpOrigin {
        let block = header.prefix(12)
        let version = block.first { $0.hasPrefix("-- version ") }.map { String($0.dropFirst("-- version ".count)).trimmingCharacters(in: .whitespaces) }
        let serverLine = block.dropFirst(2).first { line in
            line.range(of: #"^-- [^:]+:\s*\d+\.\d+\.\d+(-[\w.+~:-]+)?\s*$"#, options: .regularExpression) != nil
        }
        let value = serverLine.flatMap { $0.split(separator: ":", maxSplits: 1).last }.map { $0.trimmingCharacters(in: .whitespaces) }
        return DumpOrigin(tool: "phpMyAdmin" + (version.map { " \($0)" } ?? ""), sourceServer: value.map(server))
    }

    /// `-- Adminer 4.8.1 MySQL 8.0.29-0ubuntu0.20.04.3 dump`, `-- Adminer 4.7.6 MySQL dump`.
    private static func adminer(_ top: String) -> DumpOrigin? {
        guard let match = top.firstMatch(of: #/^-- Adminer (\S+) MySQL (?:(\S+) )?dump/#) else { return nil }
        return DumpOrigin(tool: "Adminer \(match.output.1)", sourceServer: match.output.2.map { server(String($0)) })
    }

    private static func labelled(_ lines: ArraySlice<String>, label: String) -> String? {
        lines.first { $0.hasPrefix(label) }.map { line in
            var value = line.dropFirst(label.count)
            if value.first == ":" { value = value.dropFirst() }
            return value.trimmingCharacters(in: .whitespaces)
        }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// "MySQL 8.0.42", "MariaDB 10.4.28": MariaDB's version strings name it (`10.4.28-MariaDB-log`, and through
    /// the MySQL protocol `5.5.5-10.6.4-MariaDB-1:10.6.4+maria~focal`).
    static func server(_ raw: String) -> String {
        if raw.contains("MariaDB") {
            let trimmed = raw.hasPrefix("5.5.5-") ? String(raw.dropFirst(6)) : raw
            let version = trimmed.firstMatch(of: #/^\d+\.\d+\.\d+/#).map { String($0.output) } ?? trimmed
            return "MariaDB \(version)"
        }
        return "MySQL \(raw)"
    }

    /// Navicat writes the server version as a number: 80012 → MySQL 8.0.12, 100432 → 10.4.32.
    private static func navicatVersion(_ raw: String) -> String {
        guard let number = Int(raw) else { return raw }
        let text = "\(number / 10000).\(number / 100 % 100).\(number % 100)"
        return number >= 100000 ? "MariaDB \(text)" : "MySQL \(text)"
    }
}
