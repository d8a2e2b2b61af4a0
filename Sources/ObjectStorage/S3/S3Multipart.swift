import AsyncHTTPClient
import Foundation
import NIOHTTP1
import NIOCore

/// A finished part: what CompleteMultipartUpload must repeat.
public struct S3CompletedPart: Sendable, Equatable {
    public var partNumber: Int
    public var etag: String
    /// Base64 SHA-256 of the part, when the upload was created with SHA-256 checksums.
    public var checksumSHA256: String?

    public init(partNumber: Int, etag: String, checksumSHA256: String? = nil) {
        self.partNumber = partNumber
        self.etag = etag
        self.checksumSHA256 = checksumSHA256
    }
}

/// A multipart upload not yet completed nor aborted.
public struct S3PendingUpload: Sendable, Equatable {
    public var key: String
    public var uploadID: String
    /// As the server reports it: some S3 implementations get it wrong, so never judge an upload's age by it alone.
    public var initiated: String?
}

extension S3Client {
    /// S3's limits: parts of 5 MiB to 5 GiB (the last may be smaller), at most 10,000 of them.
    public static let minimumPartSize = 5 << 20
    public static let maximumPartCount = 10_000
    /// The largest object a single PUT or CopyObject may make.
    public static let maximumSingleObjectSize: Int64 = 5 << 30

    /// Starts a multipart upload whose parts carry SHA-256 checksums; returns its upload ID.
    public func createMultipartUpload(key: String) async throws -> String {
        let response = try await send(
            .POST, key: key, query: [("uploads", "")],
            headers: [("Content-Type", "application/octet-stream"), ("x-amz-checksum-algorithm", "SHA256")]
        )
        let root = try await Self.document(response, resource: "\(configuration.bucket)/\(key)")
        guard let uploadID = root.value("UploadId"), !uploadID.isEmpty else {
            throw ObjectStorageError.unexpectedResponse("CreateMultipartUpload gave no UploadId")
        }
        return uploadID
    }

    /// Uploads one part from memory, signed with its SHA-256 and checked by the server against it.
    public func uploadPart(key: String, uploadID: String, partNumber: Int, bytes: ByteBuffer) async throws -> S3CompletedPart {
        let digest = SHA256Digest(bytes)
        let response = try await send(
            .PUT, key: key, query: [("partNumber", "\(partNumber)"), ("uploadId", uploadID)],
            headers: [("x-amz-checksum-sha256", digest.base64)], body: .bytes(bytes), payload: .sha256(hex: digest.hex)
        )
        guard let etag = response.headers.first(name: "etag") else {
            throw ObjectStorageError.unexpectedResponse("UploadPart \(partNumber) of \(key) gave no ETag")
        }
        return S3CompletedPart(partNumber: partNumber, etag: etag, checksumSHA256: digest.base64)
    }

    /// Makes one part from the inclusive byte range `range` of another object, on the server (for copies over 5 GiB).
    public func uploadPartCopy(
        key: String, uploadID: String, partNumber: Int, source: String, range: ClosedRange<Int64>
    ) async throws -> S3CompletedPart {
        let response = try await send(
            .PUT, key: key, query: [("partNumber", "\(partNumber)"), ("uploadId", uploadID)],
            headers: [
                ("x-amz-copy-source", copySource(source)),
                ("x-amz-copy-source-range", "bytes=\(range.lowerBound)-\(range.upperBound)"),
            ]
        )
        let root = try await Self.document(response, resource: "\(configuration.bucket)/\(key)")
        guard let etag = root.value("ETag") else {
            throw ObjectStorageError.unexpectedResponse("UploadPartCopy \(partNumber) of \(key) gave no ETag")
        }
        return S3CompletedPart(partNumber: partNumber, etag: etag, checksumSHA256: root.value("ChecksumSHA256"))
    }

    /// Joins the parts into the object. S3 may answer 200 and still fail: the body says which.
    @discardableResult
    public func completeMultipartUpload(key: String, uploadID: String, parts: [S3CompletedPart]) async throws -> String? {
        var xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for part in parts.sorted(by: { $0.partNumber < $1.partNumber }) {
            xml += "<Part><PartNumber>\(part.partNumber)</PartNumber><ETag>\(S3XMLElement.escape(part.etag))</ETag>"
            if let checksum = part.checksumSHA256 { xml += "<ChecksumSHA256>\(checksum)</ChecksumSHA256>" }
            xml += "</Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let body = Array(xml.utf8)
        let response = try await send(
            .POST, key: key, query: [("uploadId", uploadID)], headers: [("Content-Type", "application/xml")],
            body: .bytes(ByteBuffer(bytes: body)), payload: .of(body)
        )
        let root = try await Self.document(response, resource: "\(configuration.bucket)/\(key)")
        return root.value("ETag")
    }

    /// Throws the parts away. Aborting an upload that is already gone is not an error.
    public func abortMultipartUpload(key: String, uploadID: String) async throws {
        do {
            _ = try await send(.DELETE, key: key, query: [("uploadId", uploadID)])
        } catch let error as ObjectStorageError where error.code == "NoSuchUpload" {
            return
        }
    }

    /// The multipart uploads in progress under `prefix` (every page).
    public func listMultipartUploads(prefix: String) async throws -> [S3PendingUpload] {
        var result: [S3PendingUpload] = []
        var markers: (key: String, uploadID: String)?
        repeat {
            var query: [(name: String, value: String)] = [("uploads", "")]
            if !prefix.isEmpty { query.append(("prefix", prefix)) }
            if let markers { query += [("key-marker", markers.key), ("upload-id-marker", markers.uploadID)] }
            let response = try await send(.GET, key: nil, query: query)
            let root = try await Self.document(response, resource: configuration.bucket)
            result += root.all("Upload").compactMap { upload in
                guard let key = upload.value("Key"), let id = upload.value("UploadId") else { return nil }
                return S3PendingUpload(key: key, uploadID: id, initiated: upload.value("Initiated"))
            }
            markers = nil
            if root.value("IsTruncated") == "true", let key = root.value("NextKeyMarker"), let id = root.value("NextUploadIdMarker") {
                markers = (key, id)
            }
        } while markers != nil
        return result
    }
}
