/// The rewriter names `PostgresTemplate.targetDatabase` (PostgresTemplateNames.swift); the template's build itself
/// needs the process machinery, which the fuzz package leaves out.
enum PostgresTemplate {}

/// DumpLocator extends the zip entry, whose reader needs libzip, which the fuzz package leaves out.
struct ZipEntry: Sendable, Equatable {
    var name: String
    var isDirectory: Bool { name.hasSuffix("/") }
}
