import Foundation
import Logging
import Testing

@testable import BackupVerifier

/// Real MySQL/MariaDB dumps (Tests/Fixtures/mysql, SOURCES.md) through the whole pipeline into a real MariaDB:
/// the verdict, the reason, the tables, and every skip and translation listed in the report.
@Suite(.serialized, .enabled(if: EngineTestSupport.runMariaDB, "MariaDB is not installed (apt-get install mariadb-server)"))
struct MySQLDialectRestoreTests {
    func verify(_ file: URL) async throws -> VerificationReport {
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let report = await ServerEnginePipelineTests.verifier(work: work).verify(file: file, expectedSHA256: nil, policy: .default, previous: nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path).isEmpty, "sandbox left behind")
        return report
    }

    func verify(fixture name: String) async throws -> VerificationReport { try await verify(MySQLFixtures.url(name)) }

    func verify(text: String) async throws -> VerificationReport {
        let tmp = try TempDir()
        defer { tmp.remove() }
        return try await verify(try tmp.file("dump.sql", Data(text.utf8)))
    }

    func mapping(_ report: VerificationReport, _ prefix: String) -> DumpRewrite? {
        report.mappings.first { $0.from.hasPrefix(prefix) }
    }

    @Test func allDatabasesRestoresUserSchemasQualifiedAndSkipsTheSystemSchema() async throws {
        let report = try await verify(fixture: "mariadb-10.11-all-databases-gtid.sql")
        #expect(report.verdict == .passed, "\(report.text())")
        #expect(report.tables.map(\.name) == ["blog.orders", "blog.posts", "shop.customers", "shop.orders"])
        #expect(report.rows("shop.orders") == 4 && report.rows("shop.customers") == 3 && report.rows("blog.posts") == 2 && report.rows("blog.orders") == 1)
        let system = try #require(mapping(report, "`mysql` system schema"))
        #expect(system.from == "`mysql` system schema (7 tables)" && system.to.contains("skipped"))
        #expect(report.check("restore")?.status == .warning)
        #expect(report.check("restore")?.detail.contains("the `mysql` system schema") == true)
        #expect(report.dumpTool == "MariaDB dump 10.19 (MariaDB 10.11.19)")
        #expect(report.sourceServer == "MariaDB 10.11.19")
    }

    @Test func replicationAccountsAndDropDatabaseOfTheSystemSchemaAreSkippedAndCounted() async throws {
        // --master-data=1 --gtid --system=users --add-drop-database: live CHANGE MASTER, SET GLOBAL gtid_slave_pos,
        // CREATE USER/GRANT/roles, DROP DATABASE `mysql`. The restoring account may run none of them.
        let report = try await verify(fixture: "mariadb-10.11-all-databases-master1-users.sql")
        #expect(report.verdict == .passed, "\(report.text())")
        #expect(report.tables.map(\.name) == ["blog.orders", "blog.posts", "shop.customers", "shop.orders"])
        #expect(mapping(report, "CHANGE MASTER TO")?.occurrences == 1)
        #expect(mapping(report, "SET GLOBAL gtid_slave_pos")?.occurrences == 1)
        #expect(mapping(report, "CREATE USER")?.occurrences == 8)
        #expect((mapping(report, "GRANT")?.occurrences ?? 0) >= 10)
        #expect(mapping(report, "CREATE ROLE")?.occurrences == 1)
        #expect(mapping(report, "`mysql` system schema") != nil)
    }

    @Test func databasesOptionRestoresEachSchema() async throws {
        let report = try await verify(fixture: "mariadb-10.11-databases-shop-blog.sql")
        #expect(report.verdict == .passed, "\(report.text())")
        #expect(report.tables.map(\.name) == ["blog.orders", "blog.posts", "shop.customers", "shop.orders"])
        // Only the view's DEFINER is adapted; nothing is skipped.
        #expect(report.mappings.map(\.from) == ["DEFINER=root@localhost"])
    }

    @Test func mysqldump8GTIDDumpRestoresWithTheReplicationLinesListed() async throws {
        let report = try await verify(fixture: "mysql80-gtid-purged-rails-schema.sql")
        #expect(report.verdict == .passed, "\(report.text())")
        #expect(report.rows("schema_migrations") == 1 && report.tables.count == 5)
        #expect(mapping(report, "SET @@GLOBAL.GTID_PURGED")?.occurrences == 1)
        #expect(mapping(report, "SET @@SESSION.SQL_LOG_BIN")?.occurrences == 3)
        #expect(mapping(report, "utf8mb4_0900_ai_ci") != nil)
    }

    @Test func multiLineGTIDSetAndTheEndOfBackupStateRestore() async throws {
        // The world_x dump with the GTID block mysqldump 8 writes when the server had several sources, at the
        // beginning and (8.0.32+) at the end of the backup.
        let dump = try String(contentsOf: MySQLFixtures.url("mysql80-worldx-collections.sql"), encoding: .utf8)
        let gtid = """
            SET @MYSQLDUMP_TEMP_LOG_BIN = @@SESSION.SQL_LOG_BIN;
            SET @@SESSION.SQL_LOG_BIN= 0;

            --
            -- GTID state at the beginning of the backup
            --

            SET @@GLOBAL.GTID_PURGED=/*!80000 '+'*/ '916941de-9c55-11f1-8057-926cb20853d9:1-761,
            a849f9cd-9d43-11f1-b163-f2b10cab70b0:1-17';

            """
        let end = "SET @@SESSION.SQL_LOG_BIN = @MYSQLDUMP_TEMP_LOG_BIN;\n--\n-- GTID state at the end of the backup \n--\n\n"
            + "SET @@GLOBAL.GTID_PURGED=/*!80000 '+'*/ '916941de-9c55-11f1-8057-926cb20853d9:1-765';\n"
        // (The file has CRLF line endings; the inserted lines have LF ones, as a concatenated dump would.)
        let withGTID = dump.replacingOccurrences(of: "/*!40111 SET @OLD_SQL_NOTES=@@SQL_NOTES, SQL_NOTES=0 */;", with: "/*!40111 SET @OLD_SQL_NOTES=@@SQL_NOTES, SQL_NOTES=0 */;\n" + gtid)
            .replacingOccurrences(of: "/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;", with: end + "/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;")
        let report = try await verify(text: withGTID)
        #expect(report.verdict == .passed, "\(report.text())")
        #expect(mapping(report, "SET @@GLOBAL.GTID_PURGED")?.occurrences == 2)
        #expect(report.rows("Donnees_demographiques") == 12)
    }

    @Test func mysql57DumpWithSQLLogBinRestores() async throws {
        let report = try await verify(fixture: "mysql57-gtid-commented-sql-log-bin.sql")
        #expect(report.verdict == .passed, "\(report.text())")
        #expect(report.rows("employees") == 5)
        #expect(mapping(report, "SET @@SESSION.SQL_LOG_BIN")?.occurrences == 3)
        #expect(report.dumpTool == "mysqldump 5.7.21")
    }

    @Test func worldXCollectionsFromMySQL8RestoreWithTheTranslationsListed() async throws {
        let report = try await verify(fixture: "mysql80-worldx-collections.sql")
        #expect(report.verdict == .passed, "\(report.text())")
        #expect(report.rows("Donnees_demographiques") == 12 && report.rows("chefs_de_gouvernement") == 12)
        #expect(mapping(report, "generated column declared NOT NULL")?.occurrences == 2)
        #expect(mapping(report, "PRIMARY KEY on a generated column")?.occurrences == 2)
        #expect(mapping(report, "CHECK … NOT ENFORCED")?.occurrences == 2)
        #expect(report.check("restore")?.detail.contains("translated MySQL 8 syntax MariaDB lacks") == true)
        #expect(report.dumpTool == "mysqldump 8.0.23" && report.sourceServer == "MySQL 8.0.23")
    }

    @Test func otherTranslatedMySQL8SyntaxRestores() async throws {
        let dump = """
            -- MySQL dump 10.13  Distrib 8.0.42, for Linux (x86_64)
            --
            -- Server version\t8.0.42

            /*!40101 SET NAMES utf8mb4 */;
            CREATE TABLE `places` (
              `id` int NOT NULL,
              `name` varchar(40) DEFAULT NULL,
              `doc` json DEFAULT NULL,
              `pos` point NOT NULL /*!80003 SRID 4326 */,
              `note` varchar(10) DEFAULT NULL /*!80023 INVISIBLE */,
              PRIMARY KEY (`id`),
              KEY `by_lower_name` ((lower(`name`))),
              KEY `by_id` (`id`) /*!80000 INVISIBLE */,
              SPATIAL KEY `by_pos` (`pos`)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci;
            INSERT INTO `places` (`id`, `name`, `doc`, `pos`) VALUES (1,'Oslo','{"city": "Oslo", "zip": "0150"}',ST_GeomFromText('POINT(10.75 59.91)', 4326));
            DELIMITER ;;
            CREATE FUNCTION `city_of`(d json) RETURNS varchar(40) DETERMINISTIC
            BEGIN
              RETURN d->>'$.city';
            END ;;
            DELIMITER ;
            -- Dump completed on 2026-01-01  0:00:00

            """
        let report = try await verify(text: dump)
        #expect(report.verdict == .passed, "\(report.text())")
        #expect(report.rows("places") == 1)
        for kind in ["/*!80003 SRID n */", "invisible index", "functional index", "->>"] {
            #expect(mapping(report, kind) != nil, "\(kind) not listed")
        }
    }

    @Test func untranslatableMySQL8SyntaxIsAnErrorNamingTheFeatureNeverFailed() async throws {
        let header = "-- MySQL dump 10.13  Distrib 8.0.42, for Linux (x86_64)\n--\n-- Server version\t8.0.42\n\n/*!40101 SET NAMES utf8mb4 */;\n"
        let unique = header + """
            CREATE TABLE `people` (
              `email` varchar(80) DEFAULT NULL,
              UNIQUE KEY `email_ci` ((lower(`email`)))
            ) ENGINE=InnoDB;
            INSERT INTO `people` VALUES ('a@example.org');
            -- Dump completed on 2026-01-01  0:00:00

            """
        let report = try await verify(text: unique)
        #expect(report.verdict == .error, "\(report.text())")
        #expect(report.summary.contains("MySQL 8 syntax MariaDB"))
        #expect(report.summary.contains("the UNIQUE functional index `email_ci` on people"))

        // Syntax the rewriter does not know, in a dump whose header names a MySQL 8 server: a dialect gap, `error`.
        let lateral = header + """
            CREATE TABLE `t` (`a` int);
            /*!50001 CREATE ALGORITHM=UNDEFINED */
            /*!50001 VIEW `v` AS select `t`.`a` AS `a`,`x`.`b` AS `b` from (`t` join lateral (select 1 AS `b`) `x`) */;
            -- Dump completed on 2026-01-01  0:00:00

            """
        let gap = try await verify(text: lateral)
        #expect(gap.verdict == .error, "\(gap.text())")
        #expect(gap.summary.contains("cannot parse a statement of this dump from MySQL 8.0.42"))

        // The same statement in a MariaDB dump is SQL its own engine rejects: the backup is bad.
        let mariadb = lateral.replacingOccurrences(of: "-- MySQL dump 10.13  Distrib 8.0.42, for Linux (x86_64)", with: "-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)")
            .replacingOccurrences(of: "-- Server version\t8.0.42", with: "-- Server version\t10.11.19-MariaDB")
        let bad = try await verify(text: mariadb)
        #expect(bad.verdict == .failed, "\(bad.text())")
        #expect(bad.summary.contains("ERROR 1064"))
    }

    @Test(arguments: [
        ("phpmyadmin-4.8.4-mariadb-10.1-test.sql", ["test_table"], "phpMyAdmin 4.8.4", "MariaDB 10.1.37"),
        ("adminer-4.8.1-mysql80-encryption.sql", ["my_table"], "Adminer 4.8.1", "MySQL 8.0.29"),
        ("adminer-4.7.5-mysql80-two-databases.sql", ["dump_example.users", "example.users"], "Adminer 4.7.5", nil),
    ] as [(String, [String], String, String?)])
    func dumpsOfOtherToolsRestoreWithToolAndServerNamed(name: String, tables: [String], tool: String, server: String?) async throws {
        let report = try await verify(fixture: name)
        #expect(report.verdict == .passed, "\(report.text())")
        #expect(report.tables.map(\.name) == tables)
        #expect(report.dumpTool == tool)
        #expect(report.sourceServer == server)
        if name.hasPrefix("adminer") {
            #expect(mapping(report, "/*!80016 DEFAULT ENCRYPTION='N' */") != nil, "\(report.mappings)")
        }
    }
}

/// What the rewriter skips never reaches the server: a hostile dump's account and system-schema statements at
/// the start of a line are listed as skipped, and nothing of them happens (the privilege layer behind is proven
/// by `MariaDBHostileDumpTests`).
@Suite(.enabled(if: EngineTestSupport.runMariaDB, "MariaDB is not installed (apt-get install mariadb-server)"))
struct MySQLSkippedStatementsNeverRunTests {
    @Test func skippedAccountAndSystemSchemaStatementsHaveNoEffect() async throws {
        let marker = EngineTestSupport.pwnedMarker()
        let dump = """
            CREATE TABLE t (id INT);
            INSERT INTO t VALUES (1);
            GRANT ALL ON *.* TO restorer@localhost;
            CREATE USER other@localhost;
            SET GLOBAL general_log_file = '\(marker)';
            SET GLOBAL general_log = ON;
            USE mysql;
            INSERT INTO proc (db, name, type, specific_name, body, definer) VALUES ('hostile', 'p', 'PROCEDURE', 'p', 'SELECT 1', 'root@localhost');
            USE hostile;
            INSERT INTO t VALUES (2);

            """
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let file = try EngineTestSupport.dump(dump, in: work.deletingLastPathComponent(), name: "\(UUID().uuidString).sql")
        defer { try? FileManager.default.removeItem(at: file) }
        let sandbox = try await MariaDBEngine(templateRoot: EngineTestSupport.templates).makeSandbox(
            database: "hostile", workDirectory: work, deadline: EngineTestSupport.deadline(), logger: .init(label: "test"))
        let outcome = try await sandbox.restore(EngineTestFile(file, format: .mysqlDump), deadline: EngineTestSupport.deadline())
        #expect(try await sandbox.countRows(of: "t") == 2)
        // The restoring account still has no rights beyond its own databases, and no routine was planted.
        #expect(try await sandbox.scalar("SELECT COUNT(*) FROM information_schema.user_privileges WHERE privilege_type = 'SUPER'") == "0")
        #expect(try await sandbox.scalar("SELECT COUNT(*) FROM information_schema.routines WHERE routine_schema = 'hostile'") == "0")
        await sandbox.tearDown()
        EngineTestSupport.expectNothingLeft(in: work)
        #expect(!FileManager.default.fileExists(atPath: marker))
        let skipped = Dictionary(uniqueKeysWithValues: outcome.rewrites.map { ($0.from, $0.occurrences) })
        #expect(skipped["GRANT (accounts and privileges)"] == 1)
        #expect(skipped["CREATE USER (accounts and privileges)"] == 1)
        #expect(skipped["SET GLOBAL (server-wide setting)"] == 2)
        #expect(skipped["`mysql` system schema (0 tables)"] == 2)
    }
}
