import Foundation

/// A policy field that is wrong, and why; the API answers 400 with this text.
public struct PolicyValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The JSON path of the field, for example `checks[1].expect`.
    public var field: String
    public var message: String
    public var description: String { "\(field): \(message)" }

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

extension VerificationPolicy {
    /// Longest accepted run time: a week. Longer is a typo, and it would pin a worker.
    public static let maxTimeoutSeconds = 7 * 24 * 3600

    /// Checks every field, throwing for the first wrong one.
    public func validate() throws(PolicyValidationError) {
        if let dump {
            if dump.isEmpty || dump.count > 1024 { throw .init(field: "dump", message: "must be an entry name of 1 to 1024 characters") }
            if dump.hasPrefix("/") || dump.contains("\\") || dump.contains("\0") {
                throw .init(field: "dump", message: "must be a relative entry name inside the archive")
            }
            if dump.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == ".." }) {
                throw .init(field: "dump", message: "must not contain \"..\"")
            }
        }
        if let database {
            let allowed = database.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
            if database.isEmpty || database.count > 63 || !allowed || database.first!.isNumber {
                throw .init(field: "database", message: "must be 1 to 63 letters, digits or _, not starting with a digit")
            }
        }
        var names: Set<String> = []
        for (index, check) in checks.enumerated() {
            let field = "checks[\(index)]"
            let name = check.name.trimmingCharacters(in: .whitespaces)
            if name.isEmpty { throw .init(field: "\(field).name", message: "must not be empty") }
            if !names.insert(name.lowercased()).inserted {
                throw .init(field: "\(field).name", message: "\"\(name)\" is used by another check")
            }
            let sql = check.sql.trimmingCharacters(in: .whitespacesAndNewlines)
            if sql.isEmpty {
                throw .init(field: "\(field).sql", message: "must not be empty")
            }
            // psql runs a -c string that starts with a backslash as a meta-command (`\! cmd` is a shell).
            if sql.hasPrefix("\\") {
                throw .init(field: "\(field).sql", message: "must be SQL, not a client command starting with \\")
            }
            do {
                _ = try CheckExpectation(parsing: check.expect)
            } catch {
                throw .init(field: "\(field).expect", message: error.description)
            }
        }
        if !maxRowDropPercent.isFinite || !(0...100).contains(maxRowDropPercent) {
            throw .init(field: "maxRowDropPercent", message: "must be between 0 and 100, got \(maxRowDropPercent)")
        }
        if timeoutSeconds <= 0 || timeoutSeconds > Self.maxTimeoutSeconds {
            throw .init(field: "timeoutSeconds", message: "must be between 1 and \(Self.maxTimeoutSeconds), got \(timeoutSeconds)")
        }
        if let maxSandboxBytes, maxSandboxBytes < 1 << 20 {
            throw .init(field: "maxSandboxBytes", message: "must be at least 1048576 (1 MiB), got \(maxSandboxBytes)")
        }
    }
}
