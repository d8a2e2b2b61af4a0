import Foundation
import Testing

@testable import BackupVerifier

/// The tool, its version and the source server, read from each kind of PostgreSQL dump header.
struct PostgresDumpOriginTests {
    @Test(arguments: [
        ("pg15-bcrypt-copy.sql", "pg_dump 15.18", "PostgreSQL 15.18"),
        ("pg15-bcrypt-copy.dump", "pg_dump 15.18", "PostgreSQL 15.18"),
        ("pg15-recreated-public-adminpack.dump", "pg_dump 15.18", "PostgreSQL 15.18"),
        ("pg15-dumpall.sql", "pg_dumpall 15.18", "PostgreSQL 15.18"),
        ("pg96-plpgsql-comment.sql", "pg_dump 9.6.1", "PostgreSQL 9.6.1"),
    ])
    func headerNamesToolAndServer(name: String, tool: String, server: String) throws {
        let origin = try #require(PostgresDumpOrigin.read(head: Array(try PostgresCorpus.bytes(name).prefix(FormatDetector.headSize))))
        #expect(origin.dumpTool == tool)
        #expect(origin.sourceServer == server)
    }

    @Test func globalsOnlyNamesTheToolWithoutAVersion() throws {
        let origin = try #require(PostgresDumpOrigin.read(head: try PostgresCorpus.bytes("pg15-dumpall-globals.sql")))
        #expect(origin.dumpTool == "pg_dumpall" && origin.sourceServer == nil && origin.isCluster)
    }

    @Test func olderPgDumpallNamesItsOwnVersion() {
        let text = """
            --
            -- PostgreSQL database cluster dump
            --

            -- Dumped from database version 10.12
            -- Dumped by pg_dumpall version 10.12

            SET default_transaction_read_only = off;
            """
        let origin = PostgresDumpOrigin.plain(text)
        #expect(origin?.dumpTool == "pg_dumpall 10.12" && origin?.sourceServer == "PostgreSQL 10.12")
    }

    @Test func aCutArchiveHeaderIsNotGuessed() throws {
        let bytes = try PostgresCorpus.bytes("pg15-bcrypt-copy.dump")
        #expect(PostgresDumpOrigin.read(head: Array(bytes.prefix(30)))?.dumpTool == nil)
    }

    /// pg_dumpall's globals-only output is a PostgreSQL dump even with no `\restrict` line (before 15.14).
    @Test func globalsOnlyIsDetected() throws {
        let text = try PostgresCorpus.text("pg15-dumpall-globals.sql")
            .split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("\\") }.joined(separator: "\n")
        #expect(FormatDetector.detect(head: Array(text.utf8)).format == .pgPlain)
    }
}
