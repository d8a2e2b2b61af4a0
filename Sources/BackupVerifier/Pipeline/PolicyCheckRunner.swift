import Foundation

/// Runs one policy SQL check against the restored database and words the outcome.
enum PolicyCheckRunner {
    static func run(_ check: PolicyCheck, in sandbox: any DatabaseSandbox) async -> (CheckStatus, String) {
        let expectation: CheckExpectation
        do {
            expectation = try CheckExpectation(parsing: check.expect)
        } catch {
            return (.error, "policy check \(check.name): \(error.description)")
        }
        let subject = countedTable(in: check.sql)
        let value: String?
        do {
            value = try await sandbox.scalar(check.sql)
        } catch EngineError.timedOut(let message) {
            return (.error, "\(check.name): \(message)")
        } catch EngineError.internalFailure(let message) {
            return (.error, "\(check.name): \(message)")
        } catch let error as EngineError {
            // The SQL is the package owner's; a missing table or column means the backup lacks it.
            return (.failed, "\(check.name): query failed: \(message(of: error))")
        } catch {
            return (.error, "\(check.name): \(error)")
        }
        guard let value else { return (.failed, "\(check.name) returned NULL, expected \(expectation)") }
        guard let number = Double(value.trimmingCharacters(in: .whitespaces)) else {
            return (.failed, "\(check.name) returned \"\(value.prefix(40))\", not a number; expected \(expectation)")
        }
        let shown = CheckExpectation.format(number)
        let said = subject.map { "\($0) has \(shown) rows" } ?? "\(check.name) returned \(shown)"
        if expectation.isSatisfied(by: number) { return (.passed, "\(said) (expected \(expectation))") }
        return (.failed, "\(said), expected \(expectation)")
    }

    /// The table of a plain `SELECT count(*) FROM t` check, so the reason can say "owners has 0 rows".
    static func countedTable(in sql: String) -> String? {
        let pattern = #"^\s*select\s+count\(\s*(\*|1)\s*\)\s+from\s+([`"\[]?[\w.]+[`"\]]?)\s*;?\s*$"#
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]),
              let match = regex.firstMatch(in: sql, range: NSRange(sql.startIndex..., in: sql)),
              let range = Range(match.range(at: 2), in: sql) else { return nil }
        return sql[range].trimmingCharacters(in: CharacterSet(charactersIn: "`\"[]"))
    }

    static func message(of error: EngineError) -> String {
        switch error {
        case .unavailable(let m), .restoreFailed(let m), .timedOut(let m), .internalFailure(let m): m
        }
    }
}
