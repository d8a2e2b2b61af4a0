/// What kind of dump an archive entry (or a bare pushed file) holds.
public enum DumpFormat: String, Codable, Sendable {
    case mysqlDump = "mysql-dump"
    case pgPlain = "pg-dump-plain"
    case pgCustom = "pg-dump-custom"
    /// `pg_dump -Ft`: a tar whose first member is toc.dat, streamed to pg_restore as it is.
    case pgTar = "pg-dump-tar"
    /// `pg_dump -Fd` (or -Ft members unpacked into a folder): toc.dat and data files, restored from a directory.
    case pgDirectory = "pg-dump-directory"
    case sqliteDump = "sqlite-dump"
    case sqliteFile = "sqlite-file"
}
