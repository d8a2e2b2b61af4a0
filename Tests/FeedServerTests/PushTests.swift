import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct PushTests {
    @Test(arguments: ["file", "data", "fileData", "fileToUpload"])
    func octopusRawPushAcceptsAnyPartNameAndStoresTheBytes(partName: String) async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        let bytes = randomBytes(10_000)
        let body = MultipartBody(filename: "PetClinicDB.2022.06.20.zip", bytes: bytes, partName: partName, extraFieldFirst: true)
        try await feed.app().test(.router) { client in
            var headers = HTTPFields.key(feed.pushKey)
            headers[.contentType] = body.contentType
            let response = try await client.execute(uri: "/api/packages/raw", method: .post, headers: headers, body: body.data)
            #expect(response.status == .created)
            let json = try response.json()
            #expect(json["PackageId"] as? String == "PetClinicDB")
            #expect(json["Version"] as? String == "2022.06.20")
            #expect(json["Hash"] as? String == Insecure.SHA1.hash(data: bytes).map { String(format: "%02x", $0) }.joined())
        }
        let blobs = try feed.blobFiles()
        #expect(blobs.count == 1)
        #expect(try Data(contentsOf: blobs[0]) == Data(bytes))
        #expect(blobs[0].lastPathComponent == SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined())
        #expect(try feed.temporaryFiles().isEmpty)
    }

    @Test func overwriteModesBehaveAsOctopusDoes() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        let first = randomBytes(2000), second = randomBytes(2000), third = randomBytes(2000)
        try await feed.app().test(.router) { client in
            func push(_ bytes: [UInt8], query: String = "") async throws -> TestResponse {
                let body = MultipartBody(filename: "Orders.1.0.0.zip", bytes: bytes)
                var headers = HTTPFields.key(feed.pushKey)
                headers[.contentType] = body.contentType
                return try await client.execute(uri: "/api/Spaces-1/packages/raw\(query)", method: .post, headers: headers, body: body.data)
            }
            func download() async throws -> [UInt8] {
                let response = try await client.execute(
                    uri: "/api/packages/Orders/1.0.0/download", method: .get, headers: .key(feed.readKey))
                return Array(buffer: response.body)
            }
            #expect(try await push(first).status == .created)
            #expect(try await push(first).status == .ok, "the same bytes pushed twice is never a conflict")
            let conflict = try await push(second)
            #expect(conflict.status == .conflict)
            #expect(try conflict.json()["ErrorMessage"] as? String != nil, "Octopus routes answer in Octopus's error shape")
            #expect(try await download() == first)
            #expect(try await push(second, query: "?overwriteMode=IgnoreIfExists").status == .ok)
            #expect(try await download() == first, "IgnoreIfExists keeps the first bytes")
            #expect(try await push(second, query: "?overwriteMode=OverwriteExisting").status == .ok)
            #expect(try await download() == second)
            #expect(try await push(third, query: "?replace=true").status == .ok)
            #expect(try await download() == third)
            #expect(try await push(third, query: "?overwriteMode=Sometimes").status == .badRequest)
        }
        #expect(try feed.blobFiles().count == 1, "replaced blobs no version uses are removed")
    }

    @Test func rawPutStoresAndChecksTheChecksum() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        let bytes = randomBytes(5000)
        let sha = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        try await feed.app().test(.router) { client in
            var headers = HTTPFields.key(feed.pushKey)
            headers[.init("X-Checksum-Sha256")!] = String(repeating: "0", count: 64)
            let bad = try await client.execute(uri: "/api/packages/Nightly/2024.1.1", method: .put, headers: headers, body: ByteBuffer(bytes: bytes))
            #expect(bad.status == .unprocessableContent)
            #expect((try bad.json()["error"] as? String)?.contains("X-Checksum-Sha256") == true)
            #expect(try feed.blobFiles().isEmpty)
            #expect(try feed.temporaryFiles().isEmpty)

            headers[.init("X-Checksum-Sha256")!] = sha.uppercased()
            let good = try await client.execute(uri: "/api/packages/Nightly/2024.1.1", method: .put, headers: headers, body: ByteBuffer(bytes: bytes))
            #expect(good.status == .created)
            let json = try good.json()
            #expect(json["sha256"] as? String == sha)
            #expect(json["filename"] as? String == "Nightly.2024.1.1.sql")
        }
        #expect(try feed.blobFiles().count == 1)
    }

    @Test func uploadsOverTheLimitAre413AndLeaveNothing() async throws {
        let feed = try await TestFeed(maxUploadSize: 4096)
        defer { feed.remove() }
        try await feed.app().test(.router) { client in
            let raw = try await client.execute(
                uri: "/api/packages/Big/1.0", method: .put, headers: .key(feed.pushKey), body: ByteBuffer(bytes: randomBytes(10_000)))
            #expect(raw.status == .contentTooLarge)
            let body = MultipartBody(filename: "Big.1.0.zip", bytes: randomBytes(10_000))
            var headers = HTTPFields.key(feed.pushKey)
            headers[.contentType] = body.contentType
            let multipart = try await client.execute(uri: "/api/packages/raw", method: .post, headers: headers, body: body.data)
            #expect(multipart.status == .contentTooLarge)
            let missing = try await client.execute(uri: "/api/packages/Big/1.0", method: .get)
            #expect(missing.status == .notFound)
        }
        #expect(try feed.blobFiles().isEmpty)
        #expect(try feed.temporaryFiles().isEmpty)
    }

    @Test(arguments: [
        ("PetClinicDB.zip", "expected <PackageId>.<Version>"),
        ("Pet%20Clinic.1.0.zip", "spaces"),
        ("..%2F..%2Fetc.1.0.zip", "'/'"),
    ])
    func badFilenamesAre400WithAReason(filename: String, reason: String) async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        let body = MultipartBody(filename: filename.removingPercentEncoding!, bytes: randomBytes(100))
        try await feed.app().test(.router) { client in
            var headers = HTTPFields.key(feed.pushKey)
            headers[.contentType] = body.contentType
            let response = try await client.execute(uri: "/api/packages/raw", method: .post, headers: headers, body: body.data)
            #expect(response.status == .badRequest)
            #expect(response.text.contains(reason))
        }
        #expect(try feed.blobFiles().isEmpty)
    }

    @Test func badBodiesAre400NotServerErrors() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        try await feed.app().test(.router) { client in
            var headers = HTTPFields.key(feed.pushKey)
            headers[.contentType] = "application/json"
            let notMultipart = try await client.execute(uri: "/api/packages/raw", method: .post, headers: headers, body: ByteBuffer(string: "{}"))
            #expect(notMultipart.status == .badRequest)
            headers[.contentType] = "multipart/form-data; boundary=xyz"
            let noFile = try await client.execute(
                uri: "/api/packages/raw", method: .post, headers: headers,
                body: ByteBuffer(string: "--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--xyz--\r\n"))
            #expect(noFile.status == .badRequest)
            #expect(noFile.text.contains("no file part"))
            let badVersion = try await client.execute(uri: "/api/packages/Good/not-a-version", method: .put, headers: .key(feed.pushKey), body: ByteBuffer(string: "x"))
            #expect(badVersion.status == .badRequest)
        }
    }
}
