import Testing
@testable import PackageFeed

@Suite struct PackageFilenameTests {
    @Test(arguments: [
        ("PetClinicDB.2022.06.20.zip", "PetClinicDB", "2022.06.20", ".zip"),
        ("App.1.2.3-rc.1+build.5.zip", "App", "1.2.3-rc.1+build.5", ".zip"),
        ("My.Package.1.0.0.tar.gz", "My.Package", "1.0.0", ".tar.gz"),
        ("PetClinicDB.v1.0.zip", "PetClinicDB.v1", "0", ".zip"),
        ("nightly_db.2024.1.2.3.sql", "nightly_db", "2024.1.2.3", ".sql"),
        ("Orders-Prod.7.dump", "Orders-Prod", "7", ".dump"),
        ("Plain.1.0", "Plain", "1.0", ""),
    ])
    func splitsIdAndVersion(filename: String, id: String, version: String, ext: String) throws {
        let parsed = try PackageFilename(filename)
        #expect(parsed.id.display == id)
        #expect(parsed.version.original == version)
        #expect(parsed.fileExtension == ext)
    }

    @Test(arguments: [
        ("", "empty"),
        ("PetClinicDB.zip", "expected <PackageId>.<Version>"),
        ("Pet Clinic.1.0.zip", "spaces"),
        ("a/b.1.0.zip", "'/'"),
        ("a\\b.1.0.zip", "'/'"),
        ("..1.0.zip", "'..'"),
        ("x\u{0}.1.0.zip", "NUL"),
        ("x\u{7}.1.0.zip", "control"),
        (String(repeating: "a", count: 101) + ".1.0.zip", "longer than 100"),
        ("PetClinicDB.1.2.3.4.5x.zip", "expected <PackageId>.<Version>"),
    ])
    func refusesBadNamesWithAReason(filename: String, reason: String) {
        #expect {
            try PackageFilename(filename)
        } throws: { error in
            String(describing: error).contains(reason)
        }
    }

    @Test func idsCompareCaseInsensitively() throws {
        let a = try PackageID("PetClinicDB")
        let b = try PackageID("petclinicdb")
        #expect(a == b)
        #expect(a.key == "petclinicdb")
        #expect(a.display == "PetClinicDB")
    }
}
