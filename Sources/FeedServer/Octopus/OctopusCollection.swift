import Foundation
import Hummingbird

/// Octopus's paged collection (`ResourceCollection<T>`): clients read `Items` and follow `Links["Page.Next"]`
/// until it is missing, so a page cap never hides items from them.
struct OctopusCollection<Item: Encodable & Sendable>: Encodable, Sendable {
    var ItemType: String
    var TotalResults: Int
    var ItemsPerPage: Int
    var NumberOfPages: Int
    var LastPageNumber: Int
    var Items: [Item]
    var Links: [String: String]

    /// One page of `all`; `path` and `query` (without skip and take) rebuild the links.
    init(itemType: String, all: [Item], skip: Int, take: Int, path: String, query: [(String, String)]) {
        ItemType = itemType
        TotalResults = all.count
        ItemsPerPage = take
        NumberOfPages = max(1, (all.count + take - 1) / take)
        LastPageNumber = NumberOfPages - 1
        Items = Array(all.dropFirst(skip).prefix(take))
        func link(skip: Int) -> String { OctopusQuery.url(path, query + [("skip", String(skip)), ("take", String(take))]) }
        Links = [
            "Self": link(skip: skip),
            "Template": path + "{?skip,take}",
            "Page.All": OctopusQuery.url(path, query + [("skip", "0"), ("take", String(Int32.max))]),
            "Page.Current": link(skip: skip),
            "Page.Last": link(skip: LastPageNumber * take),
        ]
        // `skip` comes from the client and may be as large as Int.max: compare without adding to it.
        if skip < all.count - take {
            Links["Page.Next"] = link(skip: skip + take)
        }
    }
}

/// Building and reading Octopus query strings.
enum OctopusQuery {
    private static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    static func url(_ path: String, _ query: [(String, String)]) -> String {
        query.isEmpty ? path : path + "?" + query.map { "\($0.0)=\(escape($0.1))" }.joined(separator: "&")
    }
}

extension Request {
    /// A query parameter by name, case-insensitively (Octopus clients write `packageId`, `PackageId`, `packageid`);
    /// nil when missing or empty.
    func octopusParameter(_ name: String) -> String? {
        let lowered = name.lowercased()
        guard let value = uri.queryParameters.first(where: { $0.key.lowercased() == lowered })?.value, !value.isEmpty else { return nil }
        return String(value)
    }
}
