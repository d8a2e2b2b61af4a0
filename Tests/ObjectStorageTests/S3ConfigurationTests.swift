import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
@testable import ObjectStorage

@Suite struct S3ConfigurationTests {
    @Test func readsBucketPrefixEndpointRegionAndStyle() throws {
        let configuration = try S3Configuration(
            url: "s3://backups/feed/prod/?endpoint=http://127.0.0.1:9000&region=eu-central-1&path-style=true"
        )
        #expect(configuration.bucket == "backups")
        #expect(configuration.prefix == "feed/prod")
        #expect(configuration.endpoint.absoluteString == "http://127.0.0.1:9000")
        #expect(configuration.region == "eu-central-1")
        #expect(configuration.pathStyle)
    }

    @Test func awsIsTheDefaultEndpointWithVirtualHostedBuckets() throws {
        let configuration = try S3Configuration(url: "s3://backups?region=eu-west-1")
        #expect(configuration.endpoint.absoluteString == "https://s3.eu-west-1.amazonaws.com")
        #expect(!configuration.pathStyle)
        #expect(configuration.prefix == "")
        let client = S3Client(configuration: configuration, credentials: .init(accessKeyID: "a", secretAccessKey: "b"))
        #expect(client.address(key: "sha256/ab/x").host == "backups.s3.eu-west-1.amazonaws.com")
        #expect(client.address(key: "sha256/ab/x").path == "/sha256/ab/x")
    }

    @Test func pathStyleHasTheBucketInThePath() throws {
        let configuration = try S3Configuration(url: "s3://backups?endpoint=http://localhost:4566")
        #expect(configuration.pathStyle)
        let client = S3Client(configuration: configuration, credentials: .init(accessKeyID: "a", secretAccessKey: "b"))
        #expect(client.address(key: "k").host == "localhost:4566")
        #expect(client.address(key: "k").path == "/backups/k")
        #expect(client.address(key: nil).path == "/backups")
    }

    @Test(arguments: [
        "http://backups", "s3://", "s3://Bad_Bucket", "s3://ab", "s3://backups?endpoint=ftp://x",
        "s3://backups?path-style=yes", "s3://backups?colour=blue", "s3://backups?region=",
        "s3://backups?endpoint=http://minio:9000/backups",
    ])
    func refusesBadURLsClearly(_ url: String) {
        #expect {
            try S3Configuration(url: url)
        } throws: { error in
            guard case .configuration(let message) = error as? ObjectStorageError else { return false }
            return !message.isEmpty
        }
    }

    @Test func credentialsComeFromTheEnvironment() throws {
        let credentials = try SigV4Credentials.fromEnvironment([
            "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token",
        ])
        #expect(credentials == SigV4Credentials(accessKeyID: "AKID", secretAccessKey: "secret", sessionToken: "token"))
        #expect(throws: ObjectStorageError.configuration("AWS_SECRET_ACCESS_KEY is not set")) {
            try SigV4Credentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "AKID"])
        }
    }

    @Test func parsesS3ErrorDocuments() throws {
        let xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>a</Key><RequestId>R1</RequestId></Error>
        """
        let root = try S3XMLElement.parse(Array(xml.utf8))
        let error = S3Client.serviceError(root, status: 404, resource: "bucket/a")
        #expect(error.code == "NoSuchKey")
        #expect(error.description == "S3 error NoSuchKey (HTTP 404): The specified key does not exist. [bucket/a] request R1")
        #expect(throws: ObjectStorageError.self) { try S3XMLElement.parse(Array("<Error><Code>".utf8)) }
    }

    @Test func anErrorInsideA200AnswerIsAnError() async throws {
        // CompleteMultipartUpload and CopyObject may answer 200 and fail in the body.
        let body = "<?xml version=\"1.0\"?><Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>"
        let response = HTTPClientResponse(status: .ok, body: .bytes(ByteBuffer(string: body)))
        await #expect(throws: ObjectStorageError.service(S3ServiceError(
            status: 200, code: "InternalError", message: "We encountered an internal error.", resource: "b/k", requestID: nil
        ))) {
            _ = try await S3Client.document(response, resource: "b/k")
        }
    }
}
