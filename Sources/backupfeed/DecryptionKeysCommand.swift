import ArgumentParser
import BackupVerifier
import Foundation
import PackageFeed

/// `backupfeed decryption-keys add|list|remove`: the identities that open encrypted backups, managed in the data
/// directory (the server may be running: each verification reads them afresh).
struct DecryptionKeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decryption-keys",
        abstract: "Add, list and remove the identities that open encrypted (age, OpenPGP) backups for verification.",
        subcommands: [Add.self, List.self, Remove.self]
    )

    struct DataDirectory: ParsableArguments {
        @Option(help: "The server's data directory (BACKUPFEED_DATA_DIR).")
        var dataDir = EnvironmentDefaults.string("BACKUPFEED_DATA_DIR", "./feed-data")

        var store: DecryptionKeyStore { DecryptionKeyStore(dataDirectory: URL(fileURLWithPath: dataDir)) }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store an identity: an age identity file (age-keygen) or an armored OpenPGP secret key; prints its recipients.")
        @OptionGroup var data: DataDirectory
        @Argument(help: "A name for the key, like ops-2026.") var name: String
        @Argument(help: "The key file; - or nothing reads standard input.") var file: String?

        func run() async throws {
            let text: String
            do {
                if let file, file != "-" {
                    text = try String(contentsOf: URL(fileURLWithPath: file), encoding: .utf8)
                } else {
                    text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
                }
            } catch {
                throw ValidationError("cannot read \(file ?? "standard input"): \(error.localizedDescription)")
            }
            do {
                try DecryptionKeyStore.validate(name: name)
                let identity = try await DecryptionIdentity.inspect(name: name, text: text)
                let now = Date()
                let created = try data.store.put(StoredDecryptionKey(
                    name: name, kind: identity.kind.rawValue, secret: identity.secret, recipients: identity.recipients, createdAt: now, updatedAt: now))
                print("\(created ? "added" : "replaced") \(name) (\(identity.kind.rawValue)): \(identity.recipients.joined(separator: " "))")
            } catch let error as DecryptionKeyError {
                throw ValidationError(error.description)
            } catch let error as FeedError {
                throw ValidationError(error.description)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show names, kinds, recipients and dates; never the secrets.")
        @OptionGroup var data: DataDirectory

        func run() async throws {
            let formatter = ISO8601DateFormatter()
            print("NAME\tKIND\tRECIPIENTS\tCREATED\tUPDATED")
            for key in try data.store.all() {
                print("\(key.name)\t\(key.kind)\t\(key.recipients.joined(separator: ","))\t\(formatter.string(from: key.createdAt))\t\(formatter.string(from: key.updatedAt))")
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an identity by name; backups encrypted to it can no longer be verified.")
        @OptionGroup var data: DataDirectory
        @Argument(help: "The key's name.") var name: String

        func run() async throws {
            do {
                guard try data.store.remove(name: name) else { throw ValidationError("no decryption key named '\(name)'") }
            } catch let error as FeedError {
                throw ValidationError(error.description)
            }
            print("removed \(name)")
        }
    }
}
