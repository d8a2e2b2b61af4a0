import AsyncHTTPClient
import Foundation
import NIOHTTP1
import NIOCore

/// What HEAD tells about an object.
public struct S3ObjectInfo: Sendable, Equatable {
    public var size: Int64
    public var etag: String?
    /// Base64 of the SHA-256 the server keeps for the object, when it keeps one (asked with `x-amz-checksum-mode`).
    public var checksumSHA256: String?
}

/// A GET in progress: the body streams as it is read, so memory stays flat whatever the object's size.
public struct S3ObjectStream: Sendable {
    /// The bytes of the body (the whole object, or the range asked for).
    public var contentLength: Int64
    public var body: HTTPClientResponse.Body
}

extension S3Client {
    /// Stores an object from a streamed body of known length (a single PUT: at most 5 GiB, S3's limit).
    /// `checksumSHA256` (base64) makes the server refuse bytes that do not match it.
    @discardableResult
    public func putObject(
        key: String, body: HTTPClientRequest.Body, checksumSHA256: String? = nil, payload: PayloadHash = .unsigned
    ) async throws -> String? {
        try await putObject(key: key, body: body, checksumSHA256: checksumSHA256, payload: payload, replayable: false)
    }

    func putObject(
        key: String, body: HTTPClientRequest.Body, checksumSHA256: String?, payload: PayloadHash, replayable: Bool
    ) async throws -> String? {
        var headers: [(name: String, value: String)] = [("Content-Type", "application/octet-stream")]
        if let checksumSHA256 { headers.append(("x-amz-checksum-sha256", checksumSHA256)) }
        let response = try await send(.PUT, key: key, headers: headers, body: body, payload: payload, replayable: replayable)
        return response.headers.first(name: "etag")
    }

    /// Stores bytes held in memory, signed with their SHA-256 and checked by the server against it.
    @discardableResult
    public func putObject(key: String, bytes: ByteBuffer) async throws -> String? {
        let digest = SHA256Digest(bytes.readableBytesView)
        return try await putObject(
            key: key, body: .bytes(bytes), checksumSHA256: digest.base64, payload: .sha256(hex: digest.hex), replayable: true
        )
    }

    /// Streams an object, or the inclusive byte range `range` of it (`Range: bytes=a-b`).
    public func getObject(key: String, range: ClosedRange<Int64>? = nil) async throws -> S3ObjectStream {
        var headers: [(name: String, value: String)] = []
        if let range { headers.append(("Range", "bytes=\(range.lowerBound)-\(range.upperBound)")) }
        let response = try await send(.GET, key: key, headers: headers, timeout: downloadTimeout)
        if range != nil, response.status != .partialContent {
            throw ObjectStorageError.unexpectedResponse("GET \(key) with Range answered \(response.status.code), not 206")
        }
        guard let length = response.headers.first(name: "content-length").flatMap(Int64.init) else {
            throw ObjectStorageError.unexpectedResponse("GET \(key) answered without Content-Length")
        }
        return S3ObjectStream(contentLength: length, body: response.body)
    }

    /// Reads a whole object into memory (for small objects and tests).
    public func getObjectBytes(key: String, range: ClosedRange<Int64>? = nil, limit: Int = 64 << 20) async throws -> [UInt8] {
        let object = try await getObject(key: key, range: range)
        var buffer = try await object.body.collect(upTo: limit)
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    /// The object's size and checksum, or nil when there is no such object.
    public func headObject(key: String) async throws -> S3ObjectInfo? {
        do {
            let response = try await send(.HEAD, key: key, headers: [("x-amz-checksum-mode", "ENABLED")])
            guard let size = response.headers.first(name: "content-length").flatMap(Int64.init) else {
                throw ObjectStorageError.unexpectedResponse("HEAD \(key) answered without Content-Length")
            }
            return S3ObjectInfo(
                size: size, etag: response.headers.first(name: "etag"),
                checksumSHA256: response.headers.first(name: "x-amz-checksum-sha256")
            )
        } catch let error as ObjectStorageError where error.code == "NotFound" || error.code == "NoSuchKey" {
            return nil
        }
    }

    /// Deletes an object; deleting one that is not there is not an error (S3 answers 204 either way).
    public func deleteObject(key: String) async throws {
        _ = try await send(.DELETE, key: key)
    }

    /// Server-side copy within the bucket (at most 5 GiB). With `checksumSHA256`, the server computes the
    /// copy's full SHA-256 and returns it (base64) when it supports checksums.
    public func copyObject(from source: String, to destination: String, checksumSHA256: Bool = true) async throws -> S3CopyResult {
        var headers: [(name: String, value: String)] = [("x-amz-copy-source", copySource(source))]
        if checksumSHA256 { headers.append(("x-amz-checksum-algorithm", "SHA256")) }
        let response = try await send(.PUT, key: destination, headers: headers)
        let root = try await Self.document(response, resource: "\(configuration.bucket)/\(destination)")
        return S3CopyResult(etag: root.value("ETag"), checksumSHA256: root.value("ChecksumSHA256"))
    }

    /// `x-amz-copy-source`: `/bucket/key`, URL-encoded.
    func copySource(_ key: String) -> String {
        URIEncoding.encode("/\(configuration.bucket)/\(key)", keepSlash: true)
    }
}

extension SHA256Digest {
    /// Hashes the readable bytes in place, without copying them.
    public init(_ buffer: ByteBuffer) {
        self = buffer.withUnsafeReadableBytes { SHA256Digest(rawBuffer: $0) }
    }
}

public struct S3CopyResult: Sendable, Equatable {
    public var etag: String?
    public var checksumSHA256: String?
}
