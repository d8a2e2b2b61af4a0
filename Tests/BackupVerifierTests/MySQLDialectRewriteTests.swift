import Foundation
import Testing

@testable import BackupVerifier

/// The MySQL dialect rules without a database: what is skipped, what is translated, and what the report lists.
/// The restores that prove MariaDB accepts the result are in `MySQLDialectRestoreTests`.
struct MySQLDialectRewriteTests {
    func rewrite(_ text: String, chunkSize: Int = 5, findings: MySQL8Findings = MySQL8Findings()) -> (String, MySQLDumpRules) {
        DumpRewriterTests().rewrite(text, rules: MySQLDumpRules(knownCollations: DumpRewriterTests.mariaDB1011, findings: findings), chunkSize: chunkSize)
    }

    func occurrences(_ rules: MySQLDumpRules, _ prefix: String) -> Int? {
        rules.rewrites.first { $0.from.hasPrefix(prefix) }?.occurrences
    }

    @Test func gtidAndBinaryLogLinesOfMysqldump8AreSkippedIncludingTheMultiLineForm() {
        // As mysqldump 8.0 writes them, the GTID set split over lines (one per source server UUID).
        let dump = """
            SET @MYSQLDUMP_TEMP_LOG_BIN = @@SESSION.SQL_LOG_BIN;
            SET @@SESSION.SQL_LOG_BIN= 0;

            --
            -- GTID state at the beginning of the backup
            --

            SET @@GLOBAL.GTID_PURGED=/*!80000 '+'*/ '916941de-9c55-11f1-8057-926cb20853d9:1-761,
            a849f9cd-9d43-11f1-b163-f2b10cab70b0:1-17';
            CREATE TABLE `t` (`a` int);
            INSERT INTO `t` VALUES (1);
            SET @@SESSION.SQL_LOG_BIN = @MYSQLDUMP_TEMP_LOG_BIN;
            -- GTID state at the end of the backup
            SET @@GLOBAL.GTID_PURGED=/*!80000 '+'*/ 'f88461e0-6791-11ed-9576-5abec353b268:1-565';
            CHANGE REPLICATION SOURCE TO SOURCE_LOG_FILE='binlog.000002', SOURCE_LOG_POS=157;
            CHANGE MASTER TO MASTER_LOG_FILE='mysql-bin.000233', MASTER_LOG_POS=314582450;
            SET GLOBAL gtid_slave_pos='0-1-14';
            -- CHANGE MASTER TO MASTER_LOG_FILE='kept.000001', MASTER_LOG_POS=4;

            """
        let (output, rules) = rewrite(dump)
        #expect(!output.contains("GTID_PURGED="))
        #expect(!output.contains("a849f9cd"), "the GTID set's second line must go with its statement")
        #expect(!output.contains("SQL_LOG_BIN"))
        #expect(!output.contains("\nCHANGE ") && !output.contains("gtid_slave_pos"))
        #expect(output.contains("CREATE TABLE `t` (`a` int);\nINSERT INTO `t` VALUES (1);\n"))
        #expect(output.contains("-- CHANGE MASTER TO MASTER_LOG_FILE='kept.000001'"), "comments stay comments")
        #expect(occurrences(rules, "SET @@GLOBAL.GTID_PURGED") == 2)
        #expect(occurrences(rules, "SET @@SESSION.SQL_LOG_BIN") == 3)
        #expect(occurrences(rules, "CHANGE MASTER TO") == 2)
        #expect(occurrences(rules, "SET GLOBAL gtid_slave_pos") == 1)
        #expect(rules.notes.contains { $0.contains("skipped what restores the source server") && $0.contains("GTID_PURGED (the source server's GTID state) (2×)") })
    }

    @Test func systemSchemasOfAllDatabasesAreSkippedAndCountedUserSchemasKept() throws {
        let dump = try String(contentsOf: MySQLFixtures.url("mariadb-10.11-all-databases-gtid.sql"), encoding: .utf8)
        let (output, rules) = rewrite(dump, chunkSize: 4096)
        #expect(!output.contains("USE `mysql`") && !output.contains("CREATE TABLE `global_priv`") && !output.contains("INSERT INTO `global_priv`"))
        #expect(output.contains("USE `shop`;") && output.contains("USE `blog`;") && output.contains("INSERT INTO `orders` VALUES"))
        let system = try #require(rules.rewrites.first { $0.from.hasPrefix("`mysql` system schema") })
        #expect(system.from == "`mysql` system schema (7 tables)")
        #expect(system.occurrences > 10)
        #expect(system.to.contains("skipped"))
        // The --master-data=2 lines are comments in this dump: nothing of them is listed.
        #expect(occurrences(rules, "CHANGE MASTER TO") == nil)
    }

    @Test func accountsRolesAndServerWideStatementsAreSkippedEvenInVersionedComments() {
        let dump = """
            CREATE USER `app`@`localhost` IDENTIFIED BY PASSWORD '*14E65567ABDB5135D0CFD9A70B3032C179A49EE7';
            CREATE ROLE IF NOT EXISTS mariadb_dump_import_role;
            GRANT mariadb_dump_import_role TO CURRENT_USER();
            SET ROLE mariadb_dump_import_role;
            GRANT SELECT, INSERT ON `shop`.* TO `app`@`localhost`;
            /*M!100005 SET DEFAULT ROLE NONE FOR 'app'@'localhost' */;
            /*!80001 ALTER USER 'app'@'localhost' DEFAULT ROLE NONE */;
            /*M!100203 EXECUTE IMMEDIATE CONCAT('SET ROLE ', @current_role) */;
            SET GLOBAL time_zone = '+00:00';
            /*!50606 SET GLOBAL INNODB_STATS_AUTO_RECALC=OFF */;
            FLUSH PRIVILEGES;
            SELECT COALESCE(CURRENT_ROLE(),'NONE') into @current_role;

            """
        let (output, rules) = rewrite(dump)
        #expect(output == "SELECT COALESCE(CURRENT_ROLE(),'NONE') into @current_role;\n")
        #expect(occurrences(rules, "CREATE USER") == 1)
        #expect(occurrences(rules, "GRANT") == 2)
        #expect(occurrences(rules, "SET ROLE") == 2)
        #expect(occurrences(rules, "SET DEFAULT ROLE") == 1)
        #expect(occurrences(rules, "ALTER USER") == 1)
        #expect(occurrences(rules, "SET GLOBAL (server-wide") == 2)
        #expect(occurrences(rules, "FLUSH") == 1)
    }

    @Test func statementsInsideRoutineBodiesAreNeverSkipped() {
        let dump = """
            DELIMITER ;;
            CREATE PROCEDURE `nightly`()
            BEGIN
            FLUSH TABLES;
            SET GLOBAL event_scheduler = ON;
            END ;;
            DELIMITER ;
            FLUSH PRIVILEGES;

            """
        let (output, rules) = rewrite(dump)
        #expect(output.contains("BEGIN\nFLUSH TABLES;\nSET GLOBAL event_scheduler = ON;\nEND ;;\nDELIMITER ;\n"))
        #expect(!output.contains("FLUSH PRIVILEGES"))
        #expect(occurrences(rules, "FLUSH") == 1)
    }

    @Test func anOverlongSkippedLineIsDroppedWhole() {
        // A system-schema INSERT longer than the rewriter's line window must not leak its tail into the restore.
        let long = "INSERT INTO `time_zone_transition` VALUES " + String(repeating: "(1,2,3),", count: 200_000) + "(1,2,3);\n"
        let dump = "USE `mysql`;\n" + long + "USE `shop`;\nCREATE TABLE `t` (`a` int);\n"
        let (output, _) = rewrite(dump, chunkSize: 65536)
        #expect(output == "USE `shop`;\nCREATE TABLE `t` (`a` int);\n")
    }

    @Test func worldXGeneratedNotNullColumnsAndNotEnforcedChecksAreTranslated() throws {
        let dump = try String(contentsOf: MySQLFixtures.url("mysql80-worldx-collections.sql"), encoding: .utf8)
        let (output, rules) = rewrite(dump, chunkSize: 100)
        #expect(!output.contains("STORED NOT NULL"))
        #expect(output.contains("GENERATED ALWAYS AS (json_unquote(json_extract(`doc`,_utf8mb4'$._id'))) STORED,"))
        #expect(!output.contains("NOT ENFORCED") && !output.contains("json_schema_valid"))
        // The file has CRLF line endings (made on Windows), which the regrouped statement keeps.
        #expect(output.contains("  UNIQUE KEY (`_id`)\r\n) ENGINE=InnoDB"), "the last element loses its comma when the CHECK after it goes")
        #expect(occurrences(rules, "generated column declared NOT NULL") == 2)
        #expect(occurrences(rules, "CHECK … NOT ENFORCED") == 2)
        #expect(occurrences(rules, "PRIMARY KEY on a generated column") == 2)
        #expect(rules.notes.contains { $0.hasPrefix("translated MySQL 8 syntax MariaDB lacks") })
    }

    @Test func otherMySQL8SyntaxIsTranslatedOrNotedWithItsLines() {
        let dump = """
            CREATE DATABASE `geo` /*!40100 DEFAULT CHARACTER SET utf8mb4 */ /*!80016 DEFAULT ENCRYPTION='N' */;
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
            ) ENGINE=InnoDB;
            CREATE TABLE `uniq` (
              `name` varchar(40) DEFAULT NULL,
              UNIQUE KEY `u` ((lower(`name`)))
            ) ENGINE=InnoDB;
            CREATE VIEW `v` AS SELECT `doc`->>'$.city' AS city, places.doc->'$.zip' AS zip, 'a->>b' AS s FROM places;

            """
        let findings = MySQL8Findings()
        let (output, rules) = rewrite(dump, findings: findings)
        #expect(!output.contains("ENCRYPTION"))
        #expect(output.contains("`pos` point REF_SYSTEM_ID=4326 NOT NULL,"))
        #expect(output.contains("KEY `by_id` (`id`) IGNORED,"))
        #expect(!output.contains("by_lower_name"))
        #expect(output.contains("JSON_UNQUOTE(JSON_EXTRACT(`doc`, '$.city')) AS city, JSON_EXTRACT(places.doc, '$.zip') AS zip, 'a->>b' AS s"))
        #expect(occurrences(rules, "functional index") == 1)
        #expect(occurrences(rules, "->>") == 1)
        #expect(occurrences(rules, "-> (MySQL") == 1)
        // The UNIQUE functional index has no faithful translation: noted with the lines of its statement.
        let unique = findings.all.first { $0.feature.contains("UNIQUE functional index `u`") }
        #expect(unique?.lines == 12...15)
        #expect(findings.feature(forClientError: "ERROR 1064 (42000) at line 15: You have an error in your SQL syntax") == unique?.feature)
        #expect(findings.feature(forClientError: "ERROR 1064 (42000) at line 2: You have an error") == nil)
    }
}

/// This repository's own MySQL fixtures (`Tests/Fixtures/mysql`, see SOURCES.md there).
enum MySQLFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/mysql", isDirectory: true)

    static func url(_ name: String) -> URL { root.appendingPathComponent(name) }
}
