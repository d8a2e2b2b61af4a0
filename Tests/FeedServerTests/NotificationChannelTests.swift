import FeedServer
import Foundation
import Testing

/// Slack, Teams, healthchecks and email targets, delivered through the webhook outbox to real listeners: an HTTP
/// server that checks the documented shapes, and a real SMTP server (aiosmtpd) with STARTTLS and AUTH.
@Suite struct NotificationChannelTests {
    static let runEmail = SMTPSink.installed || PythonTool.isCI

    @Test func slackTeamsAndHealthchecksGetTheirOwnShapesForARealFailedVerification() async throws {
        let full = try VerificationFailureHTTPTests.sqliteDump()
        let cut = try #require(full.range(of: "INSERT INTO owners VALUES(3,"))
        let good = try Verification.zip(Data(full.utf8)), bad = try Verification.zip(Data(full[..<cut.upperBound].utf8))
        defer { Verification.discard(good); Verification.discard(bad) }
        let listener = try await WebhookListener.start()
        defer { Task { await listener.stop() } }
        let feed = try await TestFeed()
        defer { feed.remove() }

        try await WebhookFeed.run(feed, WebhookFeed.configuration(feed, verifications: true)) { client in
            // No events named: each kind's defaults (problems for chat, every verdict and push for healthchecks).
            let slack = try await client.createTarget(["kind": "slack", "url": listener.url + "/slack"])
            let teams = try await client.createTarget(["kind": "teams", "url": listener.url + "/teams"])
            let ping = try await client.createTarget(["kind": "healthchecks", "url": listener.url + "/ping/0f3c"])
            #expect(slack["events"] as? [String] == ["verification.failed", "verification.error", "package.stale", "package.overdue"])
            #expect(ping["kind"] as? String == "healthchecks")

            try await client.push(good, id: "Clinic", version: "1.0.0")
            #expect(try await client.waitForVerdict("Clinic", "1.0.0").status == "passed")
            try await client.push(bad, id: "Clinic", version: "1.1.0")
            #expect(try await client.waitForVerdict("Clinic", "1.1.0").status == "failed")

            // healthchecks: start, success, start, fail; slack and teams: the failure only.
            let requests = try await listener.waitForRequests(6)
            let pings = requests.filter { $0.path.hasPrefix("/ping/") }.map(\.path)
            #expect(pings == ["/ping/0f3c/start", "/ping/0f3c", "/ping/0f3c/start", "/ping/0f3c/fail"], "\(pings)")
            let failPing = try #require(requests.first { $0.path == "/ping/0f3c/fail" })
            #expect(failPing.body.contains("FAILED: Clinic 1.1.0") && failPing.body.contains("truncated"), "\(failPing.body)")

            let slackRequests = requests.filter { $0.path == "/slack" }
            #expect(slackRequests.count == 1)
            let message = try #require(slackRequests.first).json
            let text = try #require(message["text"] as? String)
            #expect(text.contains("FAILED: Clinic 1.1.0") && text.contains("<https://feed.example.com/packages/Clinic/1.1.0|Open the report>"), "\(text)")
            let blocks = try #require(message["blocks"] as? [[String: Any]])
            // Block Kit: every block has a known type; the header is plain text of at most 150 characters.
            #expect(blocks.allSatisfy { ["header", "section", "actions"].contains($0["type"] as? String ?? "") }, "\(blocks)")
            let header = try #require((blocks.first?["text"] as? [String: Any]))
            #expect(header["type"] as? String == "plain_text" && (header["text"] as? String ?? "").count <= 150)
            let button = ((blocks.last?["elements"] as? [[String: Any]])?.first)
            #expect(button?["type"] as? String == "button" && button?["url"] as? String == "https://feed.example.com/packages/Clinic/1.1.0")
            let texts = blocks.compactMap { ($0["text"] as? [String: Any])?["text"] as? String }
            #expect(texts.count == blocks.count - 1 && texts.allSatisfy { !$0.isEmpty }, "every block but the actions has text: \(blocks)")

            let teamsRequests = requests.filter { $0.path == "/teams" }
            #expect(teamsRequests.count == 1)
            let card = try #require(teamsRequests.first).json
            #expect(card["type"] as? String == "message")
            let attachment = try #require((card["attachments"] as? [[String: Any]])?.first)
            #expect(attachment["contentType"] as? String == "application/vnd.microsoft.card.adaptive")
            let content = try #require(attachment["content"] as? [String: Any])
            #expect(content["type"] as? String == "AdaptiveCard" && content["version"] as? String == "1.4")
            let body = try #require(content["body"] as? [[String: Any]])
            #expect(body.allSatisfy { ["TextBlock", "FactSet"].contains($0["type"] as? String ?? "") }, "\(body)")
            #expect((body.first?["text"] as? String)?.hasPrefix("FAILED: Clinic 1.1.0") == true)
            let facts = try #require(body.first { $0["type"] as? String == "FactSet" }?["facts"] as? [[String: String]])
            #expect(facts.contains { $0["title"] == "Verdict" && $0["value"] == "failed" }, "\(facts)")
            let action = try #require((content["actions"] as? [[String: Any]])?.first)
            #expect(action["type"] as? String == "Action.OpenUrl" && action["url"] as? String == "https://feed.example.com/packages/Clinic/1.1.0")
            // No signature header: only webhook targets are signed.
            #expect(teamsRequests.first?.headers["x-backupfeed-signature"] == nil)
        }
    }

    @Test func targetsAreValidatedPerKind() async throws {
        let feed = try await TestFeed()
        defer { feed.remove() }
        try await WebhookFeed.run(feed, WebhookFeed.configuration(feed)) { client in
            let cases: [([String: Any], String)] = [
                (["kind": "pager", "url": "https://x.example.com"], "kind: must be one of"),
                (["kind": "email", "url": "mailto:ops@example.com"], "serve --smtp-url"),
                (["kind": "slack", "url": "https://hooks.example.com/x", "secret": "s"], "takes no secret"),
                (["kind": "slack", "url": "mailto:ops@example.com"], "url:"),
                (["url": "https://hooks.example.com/x"], "events: is required"),
            ]
            for (body, message) in cases {
                let reply = try await client.request("POST", "/api/webhooks", key: client.adminKey, body: Self.json(body))
                #expect(reply.status == 400 && reply.body.contains(message), "\(body): \(reply.status) \(reply.body)")
            }
        }
    }

    @Test(.enabled(if: runEmail)) func emailGoesThroughSTARTTLSAndAuthAndReadsWellAsTextAndHTML() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        let feed = try await TestFeed()
        defer { feed.remove() }
        var configuration = WebhookFeed.configuration(feed)
        configuration.smtp = try SMTPConfiguration(
            url: "smtp://\(SMTPSink.user):\(SMTPSink.password)@localhost:\(sink.port)", from: "feed@example.com",
            caFile: sink.certificate.path)
        try await WebhookFeed.run(feed, configuration) { client in
            let target = try await client.createTarget(
                ["kind": "email", "url": "mailto:ops@example.com, dba@example.com", "events": ["version.pushed"]])
            #expect(target["url"] as? String == "mailto:ops@example.com,dba@example.com")
            let id = try #require(target["id"] as? Int)
            try await client.pushBytes(randomBytes(2000), id: "MailDB", version: "2022.06.20")
            let log = try await client.waitForDeliveries(webhookId: id) { $0.first?["status"] as? String != "pending" }
            #expect(log.first?["status"] as? String == "delivered", "\(log)")

            let mail = try #require(sink.messages().first)
            #expect(mail["tls"] as? Bool == true, "STARTTLS before anything else")
            #expect(mail["authenticated"] as? Bool == true)
            #expect(mail["mailFrom"] as? String == "feed@example.com")
            #expect(mail["rcptTos"] as? [String] == ["ops@example.com", "dba@example.com"])
            #expect(mail["contentType"] as? String == "multipart/alternative")
            let headers = try #require(mail["headers"] as? [String: String])
            #expect(headers["Subject"] == "[BackupFeed] New backup: MailDB 2022.06.20", "\(headers)")
            #expect(headers["X-BackupFeed-Event"] == "version.pushed")
            #expect(headers["Message-ID"]?.hasPrefix("<backupfeed.delivery.") == true)
            let text = try #require(mail["text"] as? String)
            #expect(text.contains("MailDB 2022.06.20 pushed") && text.contains("Report: https://feed.example.com/packages/MailDB/2022.06.20"), "\(text)")
            let html = try #require(mail["html"] as? String)
            #expect(html.contains("<a href=\"https://feed.example.com/packages/MailDB/2022.06.20\">Open the report</a>"), "\(html)")
        }
    }

    @Test(.enabled(if: runEmail)) func aRelayWithoutSTARTTLSOrWithAWrongPasswordIsNeverSentTo() async throws {
        let plain = try await SMTPSink.start(startTLS: false)
        defer { plain.stop() }
        let secure = try await SMTPSink.start()
        defer { secure.stop() }
        for (sink, password, expected) in [(plain, SMTPSink.password, "does not offer STARTTLS"), (secure, "wrong", "SMTP 535 after AUTH PLAIN")] {
            let feed = try await TestFeed()
            defer { feed.remove() }
            var configuration = WebhookFeed.configuration(feed, retry: WebhookRetry(maxAttempts: 1))
            configuration.smtp = try SMTPConfiguration(
                url: "smtp://\(SMTPSink.user):\(password)@localhost:\(sink.port)", from: "feed@example.com", caFile: sink.certificate.path)
            try await WebhookFeed.run(feed, configuration) { client in
                let target = try await client.createTarget(["kind": "email", "url": "mailto:ops@example.com", "events": ["version.pushed"]])
                let id = try #require(target["id"] as? Int)
                try await client.pushBytes(randomBytes(100), id: "MailDB", version: "1.0.0")
                let log = try await client.waitForDeliveries(webhookId: id) { $0.first?["status"] as? String == "failed" }
                let error = log.first?["lastError"] as? String ?? ""
                #expect(error.contains(expected) && !error.contains(password == "wrong" ? "wrong" : SMTPSink.password), "\(error)")
            }
            #expect(sink.messages().isEmpty)
        }
    }

    @Test func configurationRefusesPasswordsInClearAndUnknownSchemes() throws {
        #expect(throws: SMTPConfigurationError.self) { try SMTPConfiguration(url: "smtp+insecure://u:p@relay:25", from: nil) }
        #expect(throws: SMTPConfigurationError.self) { try SMTPConfiguration(url: "http://relay", from: nil) }
        #expect(throws: SMTPConfigurationError.self) { try SMTPConfiguration(url: "smtp://relay", from: "not an address") }
        let starttls = try SMTPConfiguration(url: "smtp://alerts%40example.com:p%3Ass@relay.example.com", from: nil)
        #expect(starttls.port == 587 && starttls.security == .startTLS && starttls.password == "p:ss" && starttls.from == "alerts@example.com")
        #expect(starttls.redacted == "smtp://alerts@example.com@relay.example.com:587")
        let tls = try SMTPConfiguration(url: "smtps://relay.example.com", from: "a@b.example")
        #expect(tls.port == 465 && tls.security == .implicitTLS && tls.username == nil)
    }

    static func json(_ object: [String: Any]) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: object)) ?? Data(), as: UTF8.self)
    }
}

extension FeedClient {
    /// `POST /api/webhooks` with any body as admin; returns the created target.
    func createTarget(_ body: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: Any] {
        let reply = try await request("POST", "/api/webhooks", key: adminKey, body: NotificationChannelTests.json(body))
        #expect(reply.status == 201, "\(reply.body)", sourceLocation: sourceLocation)
        return reply.json
    }
}
