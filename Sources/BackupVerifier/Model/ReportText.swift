import Foundation

extension VerificationReport {
    /// A readable multi-line rendering for terminals and logs of people (the CLI's default output).
    public func text() -> String {
        var lines: [String] = []
        lines.append("verdict: \(verdict.rawValue.uppercased()): \(summary)")
        var about: [String] = []
        if let dumpEntry { about.append("dump \(dumpEntry)") }
        if let format { about.append("format \(format)") }
        if let engine { about.append("engine \(engine.name) \(engine.version)") }
        if let decryptedBy { about.append("decrypted with \(decryptedBy)") }
        if !about.isEmpty { lines.append(about.joined(separator: ", ")) }
        lines.append("")
        lines.append("checks:")
        let width = min(28, checks.map(\.name.count).max() ?? 0)
        for check in checks {
            let seconds = check.seconds.map { String(format: " (%.3f s)", $0) } ?? ""
            let name = check.name.padding(toLength: max(width, check.name.count), withPad: " ", startingAt: 0)
            lines.append("  \(Self.mark(check.status)) \(name)  \(check.status.rawValue): \(check.detail)\(seconds)")
        }
        if !tables.isEmpty {
            lines.append("")
            lines.append("tables:")
            let nameWidth = min(40, tables.map(\.name.count).max() ?? 0)
            for table in tables {
                lines.append("  \(table.name.padding(toLength: max(nameWidth, table.name.count), withPad: " ", startingAt: 0))  \(table.rows) rows")
            }
        }
        if !mappings.isEmpty {
            lines.append("")
            lines.append("mappings:")
            for mapping in mappings { lines.append("  \(mapping.from) → \(mapping.to) (\(mapping.occurrences)×)") }
        }
        if !timings.isEmpty {
            lines.append("")
            let stages = timings.map { String(format: "%@ %.3f s", $0.stage, $0.seconds) }.joined(separator: ", ")
            lines.append("timings: \(stages); total \(String(format: "%.3f", totalSeconds)) s")
        }
        return lines.joined(separator: "\n")
    }

    private static func mark(_ status: CheckStatus) -> String {
        switch status {
        case .passed: "✓"
        case .warning: "!"
        case .failed: "✗"
        case .error: "?"
        case .skipped: "-"
        }
    }
}
