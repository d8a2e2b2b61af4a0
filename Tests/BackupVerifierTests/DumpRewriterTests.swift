import Foundation
import Testing

@testable import BackupVerifier

/// The streaming rewrites, without a database: chunking, data left alone, and what gets reported.
struct DumpRewriterTests {
    /// Feeds `text` in chunks of `chunkSize` bytes and returns the output and the rules.
    func rewrite<Rules: DumpLineRules>(_ text: String, rules: Rules, chunkSize: Int = 7) -> (String, Rules) {
        var rewriter = DumpRewriter(rules: rules)
        var output: [UInt8] = []
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(start + chunkSize, bytes.count)
            bytes[start..<end].withUnsafeBytes { rewriter.feed($0, into: &output) }
            start = end
        }
        rewriter.finish(into: &output)
        return (String(decoding: output, as: UTF8.self), rewriter.rules)
    }

    static let mariaDB1011: Set<String> = [
        "utf8mb4_general_ci", "utf8mb4_bin", "utf8mb4_nopad_bin", "utf8mb4_unicode_520_ci", "utf8mb4_uca1400_ai_ci",
        "utf8mb4_uca1400_nopad_ai_ci", "utf8mb4_uca1400_as_cs", "utf8mb4_uca1400_nopad_as_cs", "utf8mb4_uca1400_swedish_nopad_ai_ci",
    ]

    @Test func mysql8CollationsMapToTheClosestKnownOneAndAreCounted() {
        let dump = """
            CREATE TABLE `a` (`n` varchar(9) COLLATE utf8mb4_0900_as_cs) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci;\r
            CREATE TABLE `b` (`n` varchar(9)) COLLATE=utf8mb4_0900_ai_ci;
            CREATE TABLE `c` (`n` varchar(9)) COLLATE=utf8mb4_sv_0900_ai_ci;
            CREATE TABLE `d` (`n` varchar(9)) COLLATE=utf8mb4_ja_0900_as_cs;
            CREATE TABLE `e` (`n` varchar(9)) COLLATE=utf8mb4_0900_bin;
            INSERT INTO `a` VALUES ('utf8mb4_0900_ai_ci');

            """
        let (output, rules) = rewrite(dump, rules: MySQLDumpRules(knownCollations: Self.mariaDB1011))
        #expect(!output.contains("_0900_ai_ci;") && !output.contains("COLLATE utf8mb4_0900"))
        #expect(output.contains("COLLATE utf8mb4_uca1400_nopad_as_cs) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_uca1400_nopad_ai_ci;\r\n"))
        #expect(output.contains("COLLATE=utf8mb4_uca1400_swedish_nopad_ai_ci;"))
        #expect(output.contains("COLLATE=utf8mb4_nopad_bin;"))
        // Data is data: a collation name inside an INSERT value is not touched.
        #expect(output.contains("INSERT INTO `a` VALUES ('utf8mb4_0900_ai_ci');"))
        #expect(rules.rewrites.contains(DumpRewrite(from: "utf8mb4_0900_ai_ci", to: "utf8mb4_uca1400_nopad_ai_ci", occurrences: 2)))
        #expect(rules.rewrites.contains(DumpRewrite(from: "utf8mb4_ja_0900_as_cs", to: "utf8mb4_uca1400_nopad_as_cs", occurrences: 1)))
        #expect(rules.notes.count == 1)
    }

    @Test func olderMariaDBWithoutUCA1400FallsBackToUnicode520() {
        let rules = MySQLDumpRules(knownCollations: ["utf8mb4_general_ci", "utf8mb4_unicode_520_ci"])
        #expect(rules.closestCollation(language: "", suffix: "ai_ci") == "utf8mb4_unicode_520_ci")
        #expect(MySQLDumpRules(knownCollations: []).closestCollation(language: "", suffix: "ai_ci") == "utf8mb4_general_ci")
    }

    @Test func everyDefinerIsStrippedAndReported() {
        let dump = """
            /*!50003 CREATE*/ /*!50017 DEFINER=`app`@`%`*/ /*!50003 TRIGGER t AFTER INSERT ON x FOR EACH ROW SET @a = 1 */;;
            /*!50013 DEFINER=`report`@`10.0.%` SQL SECURITY DEFINER */
            CREATE DEFINER=`root`@`localhost` PROCEDURE p() SELECT 1;
            CREATE DEFINER='o''brien'@'localhost' FUNCTION f() RETURNS INT RETURN 1;

            """
        let (output, rules) = rewrite(dump, rules: MySQLDumpRules(knownCollations: []))
        #expect(output.contains("/*!50017 */ /*!50003 TRIGGER t"))
        #expect(output.contains("/*!50013 SQL SECURITY DEFINER */"))
        #expect(output.contains("CREATE PROCEDURE p()"))
        #expect(output.contains("CREATE FUNCTION f()"))
        #expect(rules.rewrites.map(\.from) == ["DEFINER=app@%", "DEFINER=report@10.0.%", "DEFINER=root@localhost", "DEFINER=o'brien@localhost"])
        #expect(rules.notes == ["removed 4 DEFINER clause(s): their accounts do not exist in the sandbox, so those views, triggers and routines run as the restoring account"])
    }

    @Test func overlongLinesPassThroughUntouchedWithBoundedBuffering() {
        let long = "INSERT INTO t VALUES ('" + String(repeating: "x", count: 3 << 20) + "');\n"
        let dump = "CREATE TABLE t (n text) COLLATE=utf8mb4_0900_ai_ci;\n" + long + "SELECT 'tail' COLLATE utf8mb4_0900_ai_ci;\n"
        let (output, rules) = rewrite(dump, rules: MySQLDumpRules(knownCollations: Self.mariaDB1011), chunkSize: 64 * 1024)
        #expect(output.utf8.count == dump.utf8.count - 2 * "utf8mb4_0900_ai_ci".count + 2 * "utf8mb4_uca1400_nopad_ai_ci".count)
        #expect(output.contains(long))
        #expect(rules.rewrites.first?.occurrences == 2)
    }

    func postgres(_ settings: Set<String> = ["statement_timeout", "client_encoding", "search_path"]) -> PostgresDumpRules {
        PostgresDumpRules(knownSettings: settings, serverVersion: "15.18", restrictKey: "OURKEY")
    }

    @Test func postgresRestrictLinesOwnershipAndUnknownSettingsAreHandled() {
        let dump = #"""
            \restrict DUMPKEY
            SET statement_timeout = 0;
            SET transaction_timeout = 0;
            SET myext.option = 'x';
            CREATE TABLE public.t (n text);
            ALTER TABLE public.t OWNER TO "Weird ""Role""";
            ALTER TABLE public.t OWNER TO ruser;
            GRANT ALL ON TABLE public.t TO ruser;
            REVOKE ALL ON SCHEMA public FROM PUBLIC;
            \connect other
            \unrestrict DUMPKEY

            """#
        let rules = postgres()
        let (output, result) = rewrite(dump, rules: rules)
        #expect(output == "SET statement_timeout = 0;\nSET myext.option = 'x';\nCREATE TABLE public.t (n text);\n")
        #expect(String(decoding: rules.preamble, as: UTF8.self) == "\\restrict OURKEY\n")
        #expect(result.rewrites.contains(DumpRewrite(from: "SET transaction_timeout = 0", to: "(skipped: unknown to PostgreSQL 15.18)", occurrences: 1)))
        #expect(result.rewrites.contains { $0.from == "OWNER TO \"Weird \"\"Role\"\"\"" })
        #expect(result.rewrites.contains { $0.from == "\\connect other" })
        #expect(result.notes.contains { $0.contains("transaction_timeout") })
        #expect(result.notes.contains { $0.contains("4 OWNER TO/GRANT/REVOKE") })
    }

    @Test func copyDataIsNeverRewritten() {
        // Inside COPY data a leading backslash is an escape (\r = carriage return), not a psql command.
        let dump = #"""
            COPY public.t (n) FROM stdin;
            \restrict looks-like-a-command
            GRANT is data here
            SET transaction_timeout = 0;
            \.
            SET transaction_timeout = 0;

            """#
        let (output, result) = rewrite(dump, rules: postgres(), chunkSize: 3)
        #expect(output == dump.replacingOccurrences(of: "\\.\nSET transaction_timeout = 0;\n", with: "\\.\n"))
        #expect(result.rewrites.map(\.occurrences) == [1])
    }
}
