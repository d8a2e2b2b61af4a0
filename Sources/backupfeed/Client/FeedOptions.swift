import ArgumentParser
import Foundation

/// `--server` and `--api-key`, shared by `push` and `pull`; each falls back to its environment variable so that the
/// key need not appear in a process list or shell history.
struct FeedOptions: ParsableArguments {
    @Option(help: "The feed's base URL, like http://127.0.0.1:8080 (BACKUPFEED_SERVER).")
    var server: String?

    @Option(help: "An API key (BACKUPFEED_API_KEY): push scope for push, read scope for pull.")
    var apiKey: String?

    /// The server and key from flags or the environment, or a usage error naming both ways to give them.
    func endpoint() throws -> FeedEndpoint {
        let environment = ProcessInfo.processInfo.environment
        guard let server = server ?? environment["BACKUPFEED_SERVER"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw ValidationError("no server: pass --server URL or set BACKUPFEED_SERVER")
        }
        guard let key = apiKey ?? environment["BACKUPFEED_API_KEY"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw ValidationError("no API key: pass --api-key KEY or set BACKUPFEED_API_KEY")
        }
        return try FeedEndpoint(server: server, apiKey: key)
    }
}

/// Where the feed is and the key to show it: builds the URLs of the API's routes.
struct FeedEndpoint: Sendable {
    /// Without a trailing slash, so that a feed behind a path prefix (https://host/feed) works too.
    let baseURL: String
    let apiKey: String

    init(server: String, apiKey: String) throws {
        let trimmed = server.trimmingCharacters(in: .whitespaces)
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              url.host?.isEmpty == false
        else {
            throw ValidationError("--server must be an http:// or https:// URL like http://127.0.0.1:8080, not '\(server)'")
        }
        baseURL = trimmed.hasSuffix("/") ? String(trimmed.dropLast()) : trimmed
        self.apiKey = apiKey.trimmingCharacters(in: .whitespaces)
    }

    /// `/api/packages/{id}/{version}/…` from unescaped segments, each percent-encoded on its own.
    func url(_ segments: [String], query: [(String, String)] = []) -> String {
        let path = segments.map { $0.addingPercentEncoding(withAllowedCharacters: Self.segmentCharacters) ?? $0 }.joined(separator: "/")
        var url = baseURL + "/" + path
        if !query.isEmpty {
            url += "?" + query.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: Self.queryValueCharacters) ?? $0.1)" }
                .joined(separator: "&")
        }
        return url
    }

    /// What a path segment may hold as is. The server matches segments without decoding them, so a version's `+build`
    /// must stay `+`; `/`, `?`, `#` and `%` are encoded so that no ID or version can change the route.
    private static let segmentCharacters = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#%"))
    private static let queryValueCharacters = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+#%"))
}
