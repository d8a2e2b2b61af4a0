/// Compares this run's tables with the last passed version's: vanished tables and large row drops fail.
enum TableComparison {
    static func compare(_ tables: [TableCount], with previous: PreviousRun?, maxDropPercent: Double) -> (CheckStatus, String) {
        guard let previous, !previous.report.tables.isEmpty else {
            return (.skipped, "no earlier passed version to compare with")
        }
        let now = Dictionary(tables.map { ($0.name, $0.rows) }, uniquingKeysWith: { first, _ in first })
        let folded = Dictionary(tables.map { ($0.name.lowercased(), $0.rows) }, uniquingKeysWith: { first, _ in first })
        var problems: [String] = []
        for old in previous.report.tables {
            // Case-insensitive fallback: the same dump restored on another server may fold table-name case.
            guard let rows = now[old.name] ?? folded[old.name.lowercased()] else {
                problems.append("table \(old.name) is missing; \(previous.version) had it with \(old.rows) rows")
                continue
            }
            guard old.rows > 0, rows < old.rows else { continue }
            let drop = Double(old.rows - rows) / Double(old.rows) * 100
            if drop > maxDropPercent {
                problems.append(
                    "table \(old.name) has \(rows) rows; \(previous.version) had \(old.rows) "
                        + "(-\(CheckExpectation.format(drop.rounded()))%, more than the \(CheckExpectation.format(maxDropPercent))% allowed)")
            }
        }
        if !problems.isEmpty {
            let shown = problems.prefix(3).joined(separator: "; ")
            return (.failed, problems.count > 3 ? "\(shown); and \(problems.count - 3) more" : shown)
        }
        let added = tables.count - previous.report.tables.count
        var detail = "all \(previous.report.tables.count) tables of \(previous.version) present, no row drop above \(CheckExpectation.format(maxDropPercent))%"
        if added > 0 { detail += "; \(added) new" }
        return (.passed, detail)
    }
}
