import Testing
@testable import PackageFeed

/// Backup scripts name their files after what they did to them: `pg_dump | gzip | age` gives `.sql.gz.age`.
@Suite struct CompoundExtensionTests {
    @Test(arguments: [
        ("PetClinicDB.2022.06.20.sql.gz", "PetClinicDB", "2022.06.20", ".sql.gz"),
        ("PetClinicDB.2022.06.20.sql.zst", "PetClinicDB", "2022.06.20", ".sql.zst"),
        ("PetClinicDB.2022.06.20.dump.gz", "PetClinicDB", "2022.06.20", ".dump.gz"),
        ("PetClinicDB.2022.06.20.tar.zst", "PetClinicDB", "2022.06.20", ".tar.zst"),
        ("PetClinicDB.2022.06.20.tar.gz", "PetClinicDB", "2022.06.20", ".tar.gz"),
        ("PetClinicDB.2022.06.20.sql.gz.age", "PetClinicDB", "2022.06.20", ".sql.gz.age"),
        ("PetClinicDB.2022.06.20.dump.gpg", "PetClinicDB", "2022.06.20", ".dump.gpg"),
        ("PetClinicDB.2022.06.20.sql.xz", "PetClinicDB", "2022.06.20", ".sql.xz"),
        ("PetClinicDB.2022.06.20.sql.bz2", "PetClinicDB", "2022.06.20", ".sql.bz2"),
        ("PetClinicDB.2022.06.20.sql.lz4", "PetClinicDB", "2022.06.20", ".sql.lz4"),
        ("PetClinicDB.2022.06.20.db.gz", "PetClinicDB", "2022.06.20", ".db.gz"),
        ("Shop.1.0.0.tar.zst.gpg", "Shop", "1.0.0", ".tar.zst.gpg"),
        ("Shop.1.0.0.SQL.GZ", "Shop", "1.0.0", ".SQL.GZ"),
        ("Shop.1.0.0.gz", "Shop", "1.0.0", ".gz"),
        ("Shop.Orders.7.sqlite3.xz", "Shop.Orders", "7", ".sqlite3.xz"),
        ("Shop.1.2.3-rc.1.sql.gz", "Shop", "1.2.3-rc.1", ".sql.gz"),
    ])
    func versionEndsWhereTheCompoundExtensionBegins(filename: String, id: String, version: String, ext: String) throws {
        let parsed = try PackageFilename(filename)
        #expect(parsed.id.display == id)
        #expect(parsed.version.original == version)
        #expect(parsed.fileExtension == ext)
    }

    @Test(arguments: [
        ("PetClinicDB.2022.06.20.rar", "unknown extension .rar"),
        ("PetClinicDB.2022.06.20.sql.rar", "unknown extension .sql.rar"),
        ("PetClinicDB.2022.06.20.gz.7z", "unknown extension .gz.7z"),
    ])
    func unknownExtensionIsNamed(filename: String, reason: String) {
        #expect {
            try PackageFilename(filename)
        } throws: { error in
            let text = String(describing: error)
            return text.contains(reason) && text.contains("PetClinicDB.2022.06.20.sql.gz")
        }
    }

    @Test func rawPushExtensionsAcceptCompoundForms() {
        #expect(PackageFilename.isKnownExtension(".sql.gz"))
        #expect(PackageFilename.isKnownExtension(".tar.zst"))
        #expect(PackageFilename.isKnownExtension(".dump.gz.age"))
        #expect(PackageFilename.isKnownExtension(".zip"))
        #expect(!PackageFilename.isKnownExtension(".rar"))
        #expect(!PackageFilename.isKnownExtension(".sql.rar"))
        #expect(!PackageFilename.isKnownExtension("sql"))
    }
}
