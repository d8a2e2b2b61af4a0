import Testing

@testable import BackupVerifier

/// The scanners' view of where a client would run a command, without starting a server: every way of writing
/// a command outside strings is caught, and nothing inside strings, comments or COPY data is.
struct ClientCommandScannerTests {
    func psql(_ dump: String, chunk: Int = 7) -> String? {
        scan(PsqlMetaCommandScanner(), dump, chunk: chunk)
    }

    func mysql(_ dump: String, chunk: Int = 7) -> String? {
        scan(MySQLClientCommandScanner(), dump, chunk: chunk)
    }

    /// Feeds the dump in small chunks, so that every state must survive a chunk boundary.
    func scan(_ scanner: some ClientCommandScanner, _ dump: String, chunk: Int) -> String? {
        var scanner = scanner
        let bytes = Array(dump.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + chunk)
            if let refusal = bytes[start..<end].withUnsafeBytes({ scanner.scan($0) }) { return refusal }
            start = end
        }
        return scanner.finish()
    }

    @Test(arguments: [
        ("\\! id\n", 1), ("SELECT 1; \\! id\n", 1), ("  \\unrestrict `id`\n", 1), ("\\unrestrict\t`id`\n", 1),
        ("CREATE TABLE t (a int);\nSELECT 1 \\g /tmp/x\n", 2), ("SELECT 1\n\\connect other\n;", 2),
        ("COPY t FROM stdin;\n1\n\\.\n\\copy t to '/tmp/x'\n", 4), ("SELECT 'a''b' \\o /tmp/x\n", 1),
        ("SELECT $$ x $$ \\! id\n", 1), ("SELECT E'\\'' \\! id\n", 1), ("SELECT 1; /* c */ \\e\n", 1),
        ("SET standard_conforming_strings = off;\nSELECT 'a\\' \\! id ';\nSELECT 'x' \\! id\n", 3),
    ])
    func psqlMetaCommandsAreFound(dump: String, line: Int) {
        let refusal = psql(dump)
        #expect(refusal?.hasPrefix("line \(line): ") == true, "\(String(describing: refusal))")
    }

    @Test(arguments: [
        "SET standard_conforming_strings = on;\nCREATE TABLE t (a text);\nINSERT INTO t VALUES ('C:\\path\\');\n",
        "INSERT INTO t VALUES (E'it\\'s \\! fine'), ($$ \\! $$), ($q$ $$ \\e $q$), ('a''\\!');\n",
        "-- \\! comment\n/* \\! /* nested */ \\e */ SELECT 1;\n",
        "COPY t (a) FROM stdin;\n$2a$10$abc \\! \\e\n\\N\n\\.\nSELECT 1;\n",
        "\\restrict abc123\nSELECT 1;\n\\unrestrict abc123\n", "\\connect mydb\nSELECT 1;\n", "\\c mydb\n",
        "SELECT $1, a$b$c FROM t;\n", "CREATE TABLE \"we\\ird\" (a int);\n",
    ])
    func psqlTextWithoutMetaCommandsPasses(dump: String) {
        #expect(psql(dump) == nil)
        #expect(psql(dump, chunk: 1) == nil)
        #expect(psql(dump, chunk: 4096) == nil)
    }

    @Test func psqlStandardStringsChangedOutOfSightIsRefused() {
        let refusal = psql("SELECT set_config('standard_conforming_strings', 'off', false);\n")
        #expect(refusal?.contains("standard_conforming_strings") == true)
    }

    @Test(arguments: [
        ("\\! id\n", 1), ("SELECT 1; \\e\n", 1), ("CREATE TABLE t (a int);\n  \\r host\n", 2), ("connect x\n", 1),
        ("SELECT 1;\n  Pager less\n", 2), ("SELECT 1;\ntee /tmp/x\n", 2), ("/*!40101 \\! id */;\n", 1),
        ("/*M!100100 \\T /tmp/x */;\n", 1), ("DELIMITER ;;\nSELECT 1;;\nsystem id;;\n", 3), ("edit;\n", 1),
        ("SET sql_mode='NO_BACKSLASH_ESCAPES';\nSELECT 'a\\' \\! id ';\n", 2),
    ])
    func mysqlClientCommandsAreFound(dump: String, line: Int) {
        let refusal = mysql(dump)
        #expect(refusal?.hasPrefix("line \(line): ") == true, "\(String(describing: refusal))")
    }

    @Test(arguments: [
        "INSERT INTO t VALUES ('C:\\\\edit\\r\\n', \"\\! x\", '\\'\\e');\n", "-- \\! comment\n# \\e comment\n/* \\! */ SELECT 1;\n",
        "CREATE TABLE `we\\ird` (a INT);\n", "USE `shop`;\nSELECT 1;\n",
        "DELIMITER ;;\nCREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET @a = 'edit'; END;;\nDELIMITER ;\n",
        "CREATE TABLE t (\n  edit INT,\n  connect INT\n);\n", "SELECT 1 -- \\! not a comment without the space? it is one\n;\n",
    ])
    func mysqlTextWithoutClientCommandsPasses(dump: String) {
        #expect(mysql(dump) == nil)
        #expect(mysql(dump, chunk: 1) == nil)
    }
}
