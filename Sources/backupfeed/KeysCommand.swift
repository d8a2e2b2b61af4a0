import ArgumentParser
import Foundation
import Logging
import PackageFeed

/// `backupfeed keys create|list|revoke`: manage API keys in a data directory (the server may be running).
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke API keys.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct DataDirectory: ParsableArguments {
        @Option(help: "The server's data directory (BACKUPFEED_DATA_DIR).")
        var dataDir = EnvironmentDefaults.string("BACKUPFEED_DATA_DIR", "./feed-data")

        func openKeys() throws -> APIKeys {
            var logger = Logger(label: "backupfeed.keys")
            logger.logLevel = .warning
            return try PackageFeed(dataDirectory: URL(fileURLWithPath: dataDir), logger: logger).keys
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a key; prints the key and nothing else.")
        @OptionGroup var data: DataDirectory
        @Option(help: "A name to recognise the key by, like ci or nightly-backup.") var name: String
        @Option(help: "read, push or admin.") var scope: String = "push"

        func run() async throws {
            guard let scope = KeyScope(rawValue: scope.lowercased()) else {
                throw ValidationError("--scope must be read, push or admin")
            }
            do {
                let issued = try await data.openKeys().create(name: name, scope: scope)
                print(issued.secret)
            } catch let error as FeedError {
                throw ValidationError(error.description)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show names, scopes and dates; never the keys.")
        @OptionGroup var data: DataDirectory

        func run() async throws {
            let keys = try await data.openKeys().list()
            let formatter = ISO8601DateFormatter()
            print("NAME\tSCOPE\tCREATED\tLAST USED")
            for key in keys {
                print("\(key.name)\t\(key.scope)\t\(formatter.string(from: key.createdAt))\t\(key.lastUsedAt.map(formatter.string) ?? "never")")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a key by name; it stops working at once.")
        @OptionGroup var data: DataDirectory
        @Argument(help: "The key's name.") var name: String

        func run() async throws {
            guard try await data.openKeys().revoke(name: name) else {
                throw ValidationError("no key named '\(name)'")
            }
            print("revoked \(name)")
        }
    }
}
