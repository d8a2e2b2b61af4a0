import ArgumentParser

/// `backupfeed`: the server and its tools.
@main
struct BackupFeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backupfeed",
        abstract: "A versioned feed for database backups that proves every version restores.",
        subcommands: [
            ServeCommand.self, KeysCommand.self, DecryptionKeysCommand.self, VerifyCommand.self, PushCommand.self, PullCommand.self, ReceiptCommand.self,
            SQLiteChildCommand.self,
        ]
    )
}
