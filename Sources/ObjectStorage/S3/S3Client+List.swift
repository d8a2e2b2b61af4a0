import Foundation
import NIOHTTP1

/// One object in a listing.
public struct S3ListedObject: Sendable, Equatable {
    public var key: String
    public var size: Int64
}

/// One page of ListObjectsV2; `continuationToken` asks for the next one.
public struct S3ObjectPage: Sendable {
    public var objects: [S3ListedObject]
    public var continuationToken: String?
}

extension S3Client {
    /// One page (at most `maxKeys`, S3 caps it at 1000) of the objects whose keys start with `prefix`.
    public func listObjects(prefix: String, continuationToken: String? = nil, maxKeys: Int = 1000) async throws -> S3ObjectPage {
        var query: [(name: String, value: String)] = [("list-type", "2"), ("max-keys", "\(maxKeys)")]
        if !prefix.isEmpty { query.append(("prefix", prefix)) }
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        let response = try await send(.GET, key: nil, query: query)
        let root = try await Self.document(response, resource: configuration.bucket)
        guard root.name == "ListBucketResult" else {
            throw ObjectStorageError.unexpectedResponse("ListObjectsV2 answered <\(root.name)>")
        }
        let objects = try root.all("Contents").map { entry in
            guard let key = entry.value("Key"), let size = entry.value("Size").flatMap(Int64.init) else {
                throw ObjectStorageError.unexpectedResponse("a ListObjectsV2 entry without Key or Size")
            }
            return S3ListedObject(key: key, size: size)
        }
        let truncated = root.value("IsTruncated") == "true"
        let next = root.value("NextContinuationToken")
        if truncated && next == nil {
            throw ObjectStorageError.unexpectedResponse("ListObjectsV2 is truncated but gives no NextContinuationToken")
        }
        return S3ObjectPage(objects: objects, continuationToken: truncated ? next : nil)
    }

    /// Every object under `prefix`, page after page.
    public func listAllObjects(prefix: String, pageSize: Int = 1000) async throws -> [S3ListedObject] {
        var result: [S3ListedObject] = []
        var token: String?
        repeat {
            let page = try await listObjects(prefix: prefix, continuationToken: token, maxKeys: pageSize)
            result += page.objects
            token = page.continuationToken
        } while token != nil
        return result
    }
}
