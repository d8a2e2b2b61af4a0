import Foundation

/// Where the objects live: `s3://BUCKET[/PREFIX]?endpoint=URL&region=R&path-style=true`.
///
/// Without `endpoint` the bucket is on AWS (`https://s3.REGION.amazonaws.com`); S3-compatible servers
/// (MinIO, Ceph, R2, B2, moto) give theirs. `path-style=true` puts the bucket in the path
/// (`http://host/bucket/key`) instead of the host name (`http://bucket.host/key`), which most of them need.
public struct S3Configuration: Sendable, Equatable {
    public var bucket: String
    /// Prepended to every key the blob store writes, without leading or trailing slash; empty for none.
    public var prefix: String
    public var endpoint: URL
    public var region: String
    public var pathStyle: Bool

    public init(bucket: String, prefix: String = "", endpoint: URL, region: String = "us-east-1", pathStyle: Bool = true) {
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint = endpoint
        self.region = region
        self.pathStyle = pathStyle
    }

    public init(url text: String) throws {
        guard let components = URLComponents(string: text), components.scheme?.lowercased() == "s3" else {
            throw ObjectStorageError.configuration("expected s3://BUCKET[/PREFIX]?endpoint=URL&region=R, got \(text)")
        }
        guard let bucket = components.host, Self.isValidBucketName(bucket) else {
            throw ObjectStorageError.configuration(
                "the bucket name in \(text) must be 3-63 characters of a-z, 0-9, '.' and '-'"
            )
        }
        var region = "us-east-1"
        var endpoint: URL?
        var pathStyle: Bool?
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "region":
                guard !value.isEmpty else { throw ObjectStorageError.configuration("region= is empty in \(text)") }
                region = value
            case "endpoint":
                guard let url = URL(string: value), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
                      url.host?.isEmpty == false
                else {
                    throw ObjectStorageError.configuration("endpoint must be an http:// or https:// URL, got \(value)")
                }
                // Requests go to the endpoint's root: a path would be silently dropped, so it is refused.
                guard url.path.isEmpty || url.path == "/", url.query == nil else {
                    throw ObjectStorageError.configuration(
                        "endpoint must be a server's root URL without path or query (the bucket and prefix go in s3://BUCKET/PREFIX), got \(value)"
                    )
                }
                endpoint = url
            case "path-style":
                guard let flag = Bool(value) else {
                    throw ObjectStorageError.configuration("path-style must be true or false, got \(value)")
                }
                pathStyle = flag
            default:
                throw ObjectStorageError.configuration("unknown option \(item.name) in \(text) (known: endpoint, region, path-style)")
            }
        }
        let prefix = components.path.split(separator: "/").joined(separator: "/")
        self.init(
            bucket: bucket, prefix: prefix,
            endpoint: endpoint ?? URL(string: "https://s3.\(region).amazonaws.com")!,
            region: region,
            // A custom endpoint usually has no wildcard DNS for virtual-hosted buckets; AWS itself prefers them.
            pathStyle: pathStyle ?? (endpoint != nil)
        )
    }

    static func isValidBucketName(_ name: String) -> Bool {
        (3...63).contains(name.utf8.count)
            && name.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 46 || $0 == 45 }
    }
}
