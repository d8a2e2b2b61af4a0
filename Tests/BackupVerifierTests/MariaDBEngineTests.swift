import Foundation
import Logging
import Testing

@testable import BackupVerifier

/// Restores through a real `mariadbd` started the way production starts it.
@Suite(.enabled(if: EngineTestSupport.runMariaDB, "MariaDB is not installed (apt-get install mariadb-server)"))
struct MariaDBEngineTests {
    let engine = MariaDBEngine(templateRoot: EngineTestSupport.templates)

    /// Restores `file` in a fresh sandbox, hands the sandbox to `inspect`, and always tears it down.
    @discardableResult
    func withRestored<T>(
        _ file: URL, database: String = "verify", deadlineSeconds: Int = 240,
        _ inspect: (any DatabaseSandbox, RestoreOutcome) async throws -> T
    ) async throws -> T {
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let sandbox = try await engine.makeSandbox(
            database: database, workDirectory: work, deadline: EngineTestSupport.deadline(seconds: deadlineSeconds),
            logger: Logger(label: "test"))
        do {
            let outcome = try await sandbox.restore(EngineTestFile(file, format: .mysqlDump), deadline: EngineTestSupport.deadline(seconds: deadlineSeconds))
            let value = try await inspect(sandbox, outcome)
            await sandbox.tearDown()
            EngineTestSupport.expectNothingLeft(in: work)
            return value
        } catch {
            await sandbox.tearDown()
            EngineTestSupport.expectNothingLeft(in: work)
            throw error
        }
    }

    func rowCounts(_ sandbox: any DatabaseSandbox) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in try await sandbox.tables() { counts[table] = try await sandbox.countRows(of: table) }
        return counts
    }

    @Test func petclinicRestoresWithExpectedRowCounts() async throws {
        let started = ContinuousClock.now
        let counts = try await withRestored(EngineTestSupport.petclinic("petclinic.mariadb.sql")) { sandbox, outcome async throws in
            #expect(sandbox.engine.name == "mariadb")
            #expect(sandbox.engine.version.hasPrefix("10."))
            #expect(outcome.rewrites.isEmpty)
            #expect(try await sandbox.scalar("SELECT COUNT(*) FROM owners WHERE last_name IS NOT NULL") == "10")
            // Counted one by one (not from the all-tables query): a table that cannot be read fails the check.
            await #expect {
                _ = try await sandbox.countRows(of: "no_such_table")
            } throws: { error in
                guard case EngineError.restoreFailed(let reason) = error else { return false }
                return reason.contains("no_such_table")
            }
            return try await rowCounts(sandbox)
        }
        for (table, rows) in ["owners": 10, "pets": 13, "visits": 4, "vets": 6, "specialties": 3, "types": 6] {
            #expect(counts[table] == rows, "\(table)")
        }
        Logger(label: "test").info("mariadb petclinic full run", metadata: ["seconds": "\(ContinuousClock.now - started)"])
    }

    @Test func mysql8CollationsAreMappedAndReported() async throws {
        let tables = try await withRestored(EngineTestSupport.realworld("mysql80-utf8mb4-0900-cyrillic-books.sql")) { sandbox, outcome async throws in
            let mapping = try #require(outcome.rewrites.first { $0.from == "utf8mb4_0900_ai_ci" })
            #expect(mapping.to.hasPrefix("utf8mb4_uca1400"))
            #expect(mapping.occurrences > 0)
            #expect(outcome.notes.contains { $0.contains("utf8mb4_0900_ai_ci") })
            return try await sandbox.tables()
        }
        #expect(tables.count == 1)
    }

    @Test func dumpThatCreatesAndUsesItsOwnDatabaseIsInspectedThere() async throws {
        try await withRestored(EngineTestSupport.realworld("mysql80-procedures-cyrillic-demo.sql")) { sandbox, outcome async throws in
            #expect(outcome.rewrites.contains { $0.from == "utf8mb4_0900_ai_ci" })
            let tables = try await sandbox.tables()
            #expect(tables.count == 11)
            #expect(try await sandbox.scalar("SELECT DATABASE()") == "new_tecnology2")
            #expect(try await sandbox.scalar("SELECT COUNT(*) FROM information_schema.routines WHERE routine_schema = 'new_tecnology2'") == "5")
            for table in tables { _ = try await sandbox.countRows(of: table) }
        }
    }

    @Test func macOSDumpRestoresWithCaseInsensitiveTableNamesAndSaysSo() async throws {
        try await withRestored(EngineTestSupport.realworld("mysql80-triggers-macos-mixedcase.sql")) { sandbox, outcome async throws in
            #expect(outcome.notes.contains { $0.contains("lower_case_table_names=1") && $0.contains("macos") })
            #expect(try await sandbox.tables().count == 15)
            #expect(try await sandbox.scalar("SELECT COUNT(*) FROM information_schema.triggers WHERE trigger_schema = DATABASE()") == "2")
        }
    }

    @Test func mixedCaseDumpWithoutItsHeaderFailsNamingTheCaseMismatch() async throws {
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let text = try String(contentsOf: EngineTestSupport.realworld("mysql80-triggers-macos-mixedcase.sql"), encoding: .utf8)
        let headless = try EngineTestSupport.dump(String(text.drop { $0 != "\n" }.dropFirst()), in: work)
        do {
            try await withRestored(headless) { _, _ in Issue.record("restored without lower_case_table_names=1") }
        } catch let EngineError.restoreFailed(reason) {
            #expect(reason.contains("ERROR 1146"))
            #expect(reason.contains("differ only in case"))
            #expect(reason.contains("All_Data"))
        }
    }

    @Test func definerViewsRestoreWithCollationMapping() async throws {
        try await withRestored(EngineTestSupport.realworld("mysql80-views-definer-spanish-identifiers.sql")) { sandbox, outcome async throws in
            #expect(outcome.rewrites.contains { $0.from.hasPrefix("utf8mb4_0900_") })
            #expect(try await sandbox.tables().count == 15)
            #expect(try await sandbox.scalar("SELECT COUNT(*) FROM information_schema.views WHERE table_schema = DATABASE()") == "10")
        }
    }

    @Test(arguments: [
        ("mysql57-utf8mb3-chinese-comments.sql", 1),
        ("mariadb-10.4-win-trigger.sql", 3),
        ("mariadb-10.11-sandbox-emoji.sql", 1),
    ])
    func otherRealWorldDumpsRestore(file: String, tableCount: Int) async throws {
        try await withRestored(EngineTestSupport.realworld(file)) { sandbox, outcome async throws in
            #expect(!outcome.rewrites.contains { $0.from.contains("_0900_") })
            let counts = try await rowCounts(sandbox)
            #expect(counts.count == tableCount)
            #expect(counts.values.allSatisfy { $0 > 0 })
        }
    }

    @Test func fourByteEmojiSurviveTheRestore() async throws {
        try await withRestored(EngineTestSupport.realworld("mariadb-10.11-sandbox-emoji.sql")) { sandbox, _ async throws in
            #expect(try await sandbox.scalar("SELECT emoji FROM videogames WHERE id = 2") == "🚔")
        }
    }

    @Test func winTriggerDumpHasItsRowsAndTrigger() async throws {
        try await withRestored(EngineTestSupport.realworld("mariadb-10.4-win-trigger.sql")) { sandbox, _ async throws in
            #expect(try await rowCounts(sandbox) == ["log_tab_a": 4, "table_a": 6, "table_b": 2])
            #expect(try await sandbox.scalar("SELECT COUNT(*) FROM information_schema.triggers") == "1")
        }
    }

    @Test func definerOfAnAbsentUserDoesNotFailTheRestore() async throws {
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let file = try EngineTestSupport.dump("""
            CREATE TABLE t (id INT PRIMARY KEY);
            CREATE TABLE log (id INT);
            DELIMITER ;;
            /*!50003 CREATE*/ /*!50017 DEFINER=`app`@`%`*/ /*!50003 TRIGGER t_ai AFTER INSERT ON t FOR EACH ROW INSERT INTO log VALUES (NEW.id) */;;
            DELIMITER ;
            CREATE ALGORITHM=UNDEFINED DEFINER=`report`@`10.0.0.%` SQL SECURITY DEFINER VIEW v AS SELECT id FROM t;
            INSERT INTO t VALUES (1),(2);

            """, in: work)
        try await withRestored(file) { sandbox, outcome async throws in
            #expect(outcome.rewrites.contains { $0.from == "DEFINER=app@%" && $0.occurrences == 1 })
            #expect(outcome.rewrites.contains { $0.from == "DEFINER=report@10.0.0.%" })
            #expect(try await sandbox.countRows(of: "log") == 2)
            #expect(try await sandbox.scalar("SELECT COUNT(*) FROM v") == "2")
        }
    }

    @Test func brokenDumpFailsWithTheServersReason() async throws {
        let work = try EngineTestSupport.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let file = try EngineTestSupport.dump("CREATE TABLE t (id INT);\nINSERT INTO missing VALUES (1);\n", in: work)
        await #expect(throws: EngineError.self) {
            try await withRestored(file) { _, _ in }
        }
        do {
            try await withRestored(file) { _, _ in }
        } catch let EngineError.restoreFailed(reason) {
            #expect(reason.contains("ERROR 1146"))
            #expect(reason.contains("at line 2"))
        }
    }

    @Test func missingProgramsAreReportedAsUnavailable() async throws {
        let engine = MariaDBEngine(templateRoot: EngineTestSupport.templates, searchPaths: ["/nonexistent"])
        await #expect(throws: EngineError.unavailable("MariaDB is not installed: apt-get install mariadb-server")) {
            let work = try EngineTestSupport.workDirectory()
            defer { try? FileManager.default.removeItem(at: work) }
            _ = try await engine.makeSandbox(database: "x", workDirectory: work, deadline: EngineTestSupport.deadline(), logger: Logger(label: "test"))
        }
    }
}
