import Foundation
import Testing

/// Signed restore receipts: made when a verification finishes, served unchanged, and checkable offline by a
/// tool not written here (OpenSSL's Ed25519 verify over the DSSE pre-authentication encoding) and by
/// `backupfeed receipt verify`, the real binary.
@Suite struct ReceiptTests {
    @Test func aFinishedVerificationHasAReceiptThatOpenSSLAndTheCLIAccept() async throws {
        try await Verification.withFeed { testFeed, feed in
            let zip = try Verification.zip(file: Verification.petclinic("petclinic.sqlite.sql"))
            defer { Verification.discard(zip) }
            try await feed.push(zip, id: "PetReceipt", version: "1.0.0")
            let verdict = try await feed.waitForVerdict("PetReceipt", "1.0.0")
            #expect(verdict.status == "passed", "\(verdict)")
            let id = try #require(verdict["id"] as? Int)

            let first = try await feed.get("/api/verifications/\(id)/receipt")
            #expect(first.status == 200, "\(first.body)")
            let again = try await feed.get("/api/verifications/\(id)/receipt")
            #expect(again.body == first.body, "a receipt must be served byte for byte as it was signed")

            let envelope = try #require(first.json as [String: Any]?)
            #expect(envelope["payloadType"] as? String == "application/vnd.in-toto+json")
            let payload = try #require(Data(base64Encoded: envelope["payload"] as? String ?? ""))
            let statement = try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
            #expect(statement["_type"] as? String == "https://in-toto.io/Statement/v1")
            let subject = try #require((statement["subject"] as? [[String: Any]])?.first)
            #expect(subject["name"] as? String == "PetReceipt.1.0.0.zip")
            #expect((subject["digest"] as? [String: String])?["sha256"] == (try ClientProcess.sha256sum(zip)))
            let predicate = try #require(statement["predicate"] as? [String: Any])
            #expect(predicate["verdict"] as? String == "passed")
            #expect(predicate["engine"] as? String == "sqlite")
            #expect((predicate["tables"] as? [[String: Any]])?.contains { $0["name"] as? String == "owners" && $0["rows"] as? Int == 10 } == true)
            #expect((predicate["checks"] as? [[String: Any]])?.contains { $0["name"] as? String == "restore" } == true)
            #expect(predicate["finishedAt"] is String && predicate["worker"] as? String == "in-process")

            let keys = try await feed.get("/api/receipts/keys").json["keys"] as? [[String: Any]] ?? []
            let key = try #require(keys.first { $0["current"] as? Bool == true })
            let signature = try #require(((envelope["signatures"] as? [[String: Any]])?.first?["sig"] as? String).flatMap { Data(base64Encoded: $0) })
            #expect(((envelope["signatures"] as? [[String: Any]])?.first?["keyid"] as? String) == key["keyid"] as? String)

            let work = FileManager.default.temporaryDirectory.appendingPathComponent("receipt-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: work) }
            let pem = work.appendingPathComponent("key.pem")
            try (key["publicKeyPem"] as? String ?? "").write(to: pem, atomically: true, encoding: .utf8)
            try signature.write(to: work.appendingPathComponent("sig.bin"))

            // OpenSSL on the pre-authentication encoding: "DSSEv1 <len> <type> <len> <payload>".
            func openSSLAccepts(_ body: Data) async throws -> Bool {
                let type = "application/vnd.in-toto+json"
                let pae = Data("DSSEv1 \(type.utf8.count) \(type) \(body.count) ".utf8) + body
                try pae.write(to: work.appendingPathComponent("pae.bin"))
                let result = try await ExternalTool.run("/usr/bin/openssl", [
                    "pkeyutl", "-verify", "-pubin", "-inkey", pem.path, "-rawin",
                    "-in", work.appendingPathComponent("pae.bin").path, "-sigfile", work.appendingPathComponent("sig.bin").path,
                ], timeout: 30)
                return result.status == 0 && result.output.contains("Signature Verified Successfully")
            }
            #expect(try await openSSLAccepts(payload))
            var tampered = payload
            let index = tampered.firstIndex(of: UInt8(ascii: "1")) ?? tampered.startIndex
            tampered[index] = tampered[index] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
            let tamperedAccepted = try await openSSLAccepts(tampered)
            #expect(!tamperedAccepted, "one changed byte in the payload must fail")

            // The real binary, offline: the receipt, the key, and the backup file itself.
            let receiptFile = work.appendingPathComponent("receipt.json")
            try Data(first.body.utf8).write(to: receiptFile)
            let ok = try await ClientProcess.run(["receipt", "verify", receiptFile.path, "--key", pem.path, "--artifact", zip.path])
            #expect(ok.status == 0, "\(ok)")
            #expect(ok.stdout.contains("PetReceipt 1.0.0: passed"), "\(ok)")
            var edited = envelope
            edited["payload"] = tampered.base64EncodedString()
            let editedFile = work.appendingPathComponent("edited.json")
            try JSONSerialization.data(withJSONObject: edited).write(to: editedFile)
            let bad = try await ClientProcess.run(["receipt", "verify", editedFile.path, "--key", pem.path])
            #expect(bad.status == 1 && bad.stderr.contains("signature does not match"), "\(bad)")
            let otherFile = work.appendingPathComponent("other.zip")
            try Data("not the backup".utf8).write(to: otherFile)
            let wrongArtifact = try await ClientProcess.run(["receipt", "verify", receiptFile.path, "--key", pem.path, "--artifact", otherFile.path])
            #expect(wrongArtifact.status == 1 && wrongArtifact.stderr.contains("SHA-256"), "\(wrongArtifact)")

            // The private key stays in the data directory, readable by the server's account only.
            let keyFiles = try FileManager.default.contentsOfDirectory(atPath: testFeed.dataDirectory.appendingPathComponent("receipt-keys").path)
            let privateName = try #require(keyFiles.first { $0.hasSuffix(".key") })
            let mode = try FileManager.default.attributesOfItem(
                atPath: testFeed.dataDirectory.appendingPathComponent("receipt-keys/\(privateName)").path)[.posixPermissions] as? Int
            #expect(mode == 0o600)

            // Rotation: a new current key, the old one still listed, and the old receipt still checks with it.
            let rotated = try await ClientProcess.run(["receipt", "rotate-key", "--data-dir", testFeed.dataDirectory.path])
            #expect(rotated.status == 0, "\(rotated)")
            let after = try await feed.get("/api/receipts/keys").json["keys"] as? [[String: Any]] ?? []
            #expect(after.count == 2)
            #expect(after.first { $0["current"] as? Bool == true }?["keyid"] as? String != key["keyid"] as? String)
            #expect(after.contains { $0["keyid"] as? String == key["keyid"] as? String && $0["current"] as? Bool == false })
            let still = try await ClientProcess.run(["receipt", "verify", receiptFile.path, "--key", pem.path])
            #expect(still.status == 0, "\(still)")
            let unchanged = try await feed.get("/api/verifications/\(id)/receipt")
            #expect(unchanged.body == first.body)
        }
    }

    @Test func unknownAndUnfinishedVerificationsHaveNoReceipt() async throws {
        try await Verification.withFeed { _, feed in
            let missing = try await feed.get("/api/verifications/999999/receipt")
            #expect(missing.status == 404)
            let malformed = try await feed.get("/api/verifications/abc/receipt")
            #expect(malformed.status == 404)
        }
    }
}
