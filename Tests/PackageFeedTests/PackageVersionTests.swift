import Testing
@testable import PackageFeed

@Suite struct PackageVersionTests {
    private func v(_ text: String) throws -> PackageVersion { try PackageVersion(text) }

    @Test func numericPartsCompareByValue() throws {
        #expect(try v("2022.06.9") < v("2022.06.20"))
        #expect(try v("2022.6.20") == v("2022.06.20"))
        #expect(try !(v("2022.06.20") < v("2022.6.20")))
    }

    @Test func releaseSortsAfterItsPrereleases() throws {
        #expect(try v("1.0.0-rc.1") < v("1.0.0"))
        #expect(try v("1.0.0-alpha") < v("1.0.0-alpha.1"))
        #expect(try v("1.0.0-alpha.1") < v("1.0.0-alpha.beta"))
        #expect(try v("1.0.0-beta.2") < v("1.0.0-beta.11"))
        #expect(try v("1.0.0-rc.1") < v("1.0.0-rc.1.1"))
    }

    @Test func missingPartsAreZeroAndBuildMetadataIsIgnored() throws {
        #expect(try v("1.0") == v("1.0.0"))
        #expect(try v("1.0").key == v("1.0.0.0").key)
        #expect(try v("1.0.0+build.5") == v("1.0.0"))
        #expect(try !(v("1.0.0+a") < v("1.0.0+b")))
        #expect(try v("1.0").original == "1.0")
    }

    @Test func sortsAListNewestFirst() throws {
        let sorted = try ["1.0.0", "2022.06.20", "1.0.0-rc.1", "2022.06.9", "10.0"].map(v).sorted(by: >).map(\.original)
        #expect(sorted == ["2022.06.20", "2022.06.9", "10.0", "1.0.0", "1.0.0-rc.1"])
    }

    @Test(arguments: ["", "1.2.3.4.5", "1..2", "a.b", "1.0-", "1.0+", "1.0-rc..1", "99999999999999999999999"])
    func refusesMalformedVersions(text: String) {
        #expect(throws: IdentityError.self) { try PackageVersion(text) }
    }
}
