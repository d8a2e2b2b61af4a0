/// What kind of dump an archive entry (or a bare pushed file) holds.
public enum DumpFormat: String, Codable, Sendable {
    case mysqlDump = "mysql-dump"
    case pgPlain = "pg-dump-plain"
    case pgCustom = "pg-dump-custom"
    case sqliteDump = "sqlite-dump"
    case sqliteFile = "sqlite-file"
}
