import HTTPTypes
import BackupVerifier
import Foundation
import PackageFeed

/// Reads and writes package policies as validated JSON in the catalog.
struct PolicyStore: Sendable {
    let catalog: Catalog

    func policy(for packageKey: String) async throws -> VerificationPolicy {
        try await packagePolicy(for: packageKey).verification
    }

    func packagePolicy(for packageKey: String) async throws -> PackagePolicy {
        guard let json = try await catalog.policyJSON(packageKey: packageKey) else { return PackagePolicy() }
        return try JSONDecoder().decode(PackagePolicy.self, from: Data(json.utf8))
    }

    /// The operations part of every stored policy that sets one of its fields, by package key.
    func operationsPolicies() async throws -> [String: OperationsPolicy] {
        var result: [String: OperationsPolicy] = [:]
        for (packageKey, json) in try await catalog.allPolicyJSON() {
            guard let policy = try? JSONDecoder().decode(OperationsPolicy.self, from: Data(json.utf8)),
                  policy != OperationsPolicy() else { continue }
            result[packageKey] = policy
        }
        return result
    }

    /// Decodes and validates a policy body; every refusal names the field that is wrong.
    static func decode(_ data: Data) throws -> PackagePolicy {
        try refuseUnknownFields(data)
        let policy: PackagePolicy
        do {
            policy = try JSONDecoder().decode(PackagePolicy.self, from: data)
        } catch let error as DecodingError {
            throw APIError(status: .badRequest, message: "invalid policy: \(Self.describe(error))")
        }
        do {
            try policy.verification.validate()
            try policy.operations.validate()
        } catch {
            throw APIError(status: .badRequest, message: "invalid policy: \(error)")
        }
        return policy
    }

    static let policyFields: Set<String> = [
        "engine", "dump", "database", "checks", "maxRowDropPercent", "timeoutSeconds", "enabled",
        "maxAgeHours", "reverifyDays", "retention", "expectEvery", "maxSandboxBytes",
    ]
    static let checkFields: Set<String> = ["name", "sql", "expect"]
    static let retentionFields: Set<String> = ["keepLast", "keepDays"]

    /// A misspelt field (`maxRowDrop`) would otherwise be ignored silently and the policy not do what its author meant.
    static func refuseUnknownFields(_ data: Data) throws {
        guard let object = try? JSONSerialization.jsonObject(with: data) else { return }  // the decoder reports bad JSON
        guard let policy = object as? [String: Any] else {
            throw APIError(status: .badRequest, message: "invalid policy: the body must be a JSON object")
        }
        if let unknown = policy.keys.sorted().first(where: { !policyFields.contains($0) }) {
            throw APIError(
                status: .badRequest,
                message: "invalid policy: \(unknown): unknown field; known fields are \(policyFields.sorted().joined(separator: ", "))")
        }
        if let retention = policy["retention"] as? [String: Any],
           let unknown = retention.keys.sorted().first(where: { !retentionFields.contains($0) }) {
            throw APIError(status: .badRequest, message: "invalid policy: retention.\(unknown): unknown field; retention has keepLast and keepDays")
        }
        for (index, check) in ((policy["checks"] as? [Any]) ?? []).enumerated() {
            guard let check = check as? [String: Any] else { continue }
            if let unknown = check.keys.sorted().first(where: { !checkFields.contains($0) }) {
                throw APIError(
                    status: .badRequest, message: "invalid policy: checks[\(index)].\(unknown): unknown field; a check has name, sql and expect")
            }
        }
    }

    func save(_ policy: PackagePolicy, for packageKey: String) async throws {
        let json = String(decoding: try JSONResponse.encoder.encode(policy), as: UTF8.self)
        try await catalog.setPolicyJSON(json, packageKey: packageKey)
    }

    /// "checks[0].expect: expected a string" rather than Foundation's debug text.
    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.reduce("") { text, key in
                if let index = key.intValue { return text + "[\(index)]" }
                return text.isEmpty ? key.stringValue : text + "." + key.stringValue
            }
        }
        switch error {
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(type)"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): expected \(type), found null"
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): is required"
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            return field.isEmpty ? "the body is not valid JSON" : "\(field): \(context.debugDescription)"
        @unknown default:
            return "the body does not match the policy format"
        }
    }
}
