import Foundation
import Hummingbird
import PackageFeed

/// Typed reading of query parameters, with 400s that name the parameter.
extension Request {
    /// A `take` above the page cap is clamped to it rather than refused: Octopus SDKs send `take=2147483647` to mean
    /// "all" and then follow `Page.Next`, and native clients learn the page size from `take` in the answer.
    func pagingParameters(defaultTake: Int = 30, maxTake: Int = 1000) throws -> (skip: Int, take: Int) {
        let skip = try intParameter("skip") ?? 0
        let take = try intParameter("take") ?? defaultTake
        guard skip >= 0 else { throw APIError(status: .badRequest, message: "skip must be 0 or more") }
        guard take >= 1 else { throw APIError(status: .badRequest, message: "take must be 1 or more (pages hold at most \(maxTake))") }
        return (skip, min(take, maxTake))
    }

    func intParameter(_ name: String) throws -> Int? {
        let lowered = name.lowercased()
        guard let text = uri.queryParameters.first(where: { $0.key.lowercased() == lowered })?.value, !text.isEmpty else { return nil }
        guard let value = Int(text) else { throw APIError(status: .badRequest, message: "\(name) must be a whole number") }
        return value
    }

    func boolParameter(_ name: String) throws -> Bool? {
        let lowered = uri.queryParameters.first { $0.key.lowercased() == name.lowercased() }?.value.lowercased()
        guard let lowered, !lowered.isEmpty else { return nil }
        switch lowered {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw APIError(status: .badRequest, message: "\(name) must be true or false")
        }
    }

    /// `overwriteMode=FailIfExists|OverwriteExisting|IgnoreIfExists`, or the legacy `replace=true`.
    func overwriteMode() throws -> OverwriteMode {
        if let text = uri.queryParameters.first(where: { $0.key.lowercased() == "overwritemode" })?.value, !text.isEmpty {
            guard let mode = OverwriteMode.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
                throw APIError(
                    status: .badRequest,
                    message: "overwriteMode must be one of \(OverwriteMode.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            return mode
        }
        return try boolParameter("replace") == true ? .overwriteExisting : .failIfExists
    }
}

extension Parameters {
    func packageID(_ name: String = "id") throws -> PackageID {
        try PackageID(decoded(name))
    }

    func packageVersion(_ name: String = "version") throws -> PackageVersion {
        try PackageVersion(decoded(name))
    }

    /// The router hands path segments over as sent; clients that encode them (`1.0.0%2Bbuild.5` for `+build.5`)
    /// mean the decoded text. What decoding yields is validated like anything else: `%2F` becomes `/` and is refused.
    private func decoded(_ name: String) throws -> String {
        let raw = try require(name)
        return raw.removingPercentEncoding ?? raw
    }
}
