import BackupVerifier
import Foundation
import Hummingbird
import Logging
import PackageFeed

/// `/api/decryption-keys`: the identities that open encrypted backups for verification. Admin only. The secret
/// goes in (the request body) and never comes out: answers and logs carry names, kinds, recipients and dates.
struct DecryptionKeysController {
    let store: DecryptionKeyStore
    /// An age identity file or an armored OpenPGP secret key (RSA 4096 with subkeys stays far below this).
    static let maxKeySize = 64 * 1024

    func addRoutes(to api: RouterGroup<AppRequestContext>) {
        api.get("decryption-keys", use: list)
        api.get("decryption-keys/:name", use: show)
        api.put("decryption-keys/:name", use: put)
        api.delete("decryption-keys/:name", use: delete)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.require(.admin)
        return try JSONResponse.make(DecryptionKeyListResponse(items: try store.all().map(DecryptionKeyResponse.init)))
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.require(.admin)
        let name = try context.parameters.require("name")
        guard let key = try store.get(name: name) else { throw notFound(name) }
        return try JSONResponse.make(DecryptionKeyResponse(key))
    }

    /// The body is the key itself (`curl -T identity.txt`): an age identity or an armored OpenPGP secret key.
    @Sendable func put(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.require(.admin)
        let name = try context.parameters.require("name")
        try DecryptionKeyStore.validate(name: name)
        let body = try await request.body.collect(upTo: Self.maxKeySize)
        let text = String(decoding: body.readableBytesView, as: UTF8.self)
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw APIError(status: .badRequest, message: "the body is empty: send the key itself (curl -T identity.txt …)")
        }
        let identity = try await DecryptionIdentity.inspect(name: name, text: text)
        let now = Date()
        let stored = StoredDecryptionKey(
            name: name, kind: identity.kind.rawValue, secret: identity.secret, recipients: identity.recipients, createdAt: now, updatedAt: now)
        // put fsyncs: off the cooperative pool.
        let store = self.store
        let created = try await BlockingWork.run { try store.put(stored) }
        context.logger.info("decryption key stored", metadata: ["name": "\(name)", "kind": "\(identity.kind.rawValue)", "replaced": "\(!created)"])
        return try JSONResponse.make(DecryptionKeyResponse(try store.get(name: name) ?? stored), status: created ? .created : .ok)
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.require(.admin)
        let name = try context.parameters.require("name")
        guard try store.remove(name: name) else { throw notFound(name) }
        context.logger.info("decryption key removed", metadata: ["name": "\(name)"])
        return Response(status: .noContent)
    }

    private func notFound(_ name: String) -> APIError {
        APIError(status: .notFound, message: "no decryption key named '\(name)'")
    }
}

/// A stored decryption key as the API shows it: never the secret.
struct DecryptionKeyResponse: Codable, Sendable {
    var name: String
    var kind: String
    var recipients: [String]
    var createdAt: Date
    var updatedAt: Date

    init(_ key: StoredDecryptionKey) {
        name = key.name
        kind = key.kind
        recipients = key.recipients
        createdAt = key.createdAt
        updatedAt = key.updatedAt
    }
}

struct DecryptionKeyListResponse: Codable, Sendable {
    var items: [DecryptionKeyResponse]
}
