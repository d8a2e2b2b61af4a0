import Testing

@testable import PackageFeed

@Suite struct NuGetVersionRangeTests {
    private func v(_ text: String) throws -> PackageVersion { try PackageVersion(text) }
    private func range(_ text: String) throws -> NuGetVersionRange { try NuGetVersionRange(text) }

    @Test func aBareVersionIsThatVersionOrHigher() throws {
        let r = try range("1.0")
        #expect(try r.contains(v("1.0")))
        #expect(try r.contains(v("1.0.0.0")))
        #expect(try r.contains(v("2022.06.20")))
        #expect(try !r.contains(v("0.9.9")))
    }

    @Test func exactVersionInBracketsMatchesOnlyIt() throws {
        let r = try range("[2022.06.20]")
        #expect(try r.contains(v("2022.06.20")))
        #expect(try r.contains(v("2022.6.20")), "the feed's own order: 06 == 6")
        #expect(try !r.contains(v("2022.06.21")))
        #expect(try !r.contains(v("2022.06.19")))
        // The form the OctopusDeploy-Api GetSpecificPackageVersion.ps1 script sends.
        let pinned = try range("[2022.06.20,2022.06.20]")
        #expect(try pinned.contains(v("2022.06.20")))
        #expect(try !pinned.contains(v("2022.06.21")))
    }

    @Test func intervalsRespectTheirBounds() throws {
        let halfOpen = try range("[1.0,2.0)")
        #expect(try halfOpen.contains(v("1.0")))
        #expect(try halfOpen.contains(v("1.9.9")))
        #expect(try !halfOpen.contains(v("2.0")))
        #expect(try halfOpen.contains(v("2.0-rc.1")), "a prerelease of 2.0 sorts below 2.0")
        let upTo = try range("(,1.0]")
        #expect(try upTo.contains(v("0.1")))
        #expect(try upTo.contains(v("1.0")))
        #expect(try !upTo.contains(v("1.0.1")))
        let above = try range("(1.0,)")
        #expect(try !above.contains(v("1.0")))
        #expect(try above.contains(v("1.0.1")))
        let atLeast = try range(" [1.0, ) ")
        #expect(try atLeast.contains(v("1.0")))
        #expect(try !atLeast.contains(v("0.9")))
        let open = try range("(1.0,2.0)")
        #expect(try !open.contains(v("1.0")) && !open.contains(v("2.0")) && open.contains(v("1.5")))
    }

    @Test(arguments: [
        ("", "empty"),
        ("[", "ends with"),
        ("(1.0)", "inclusive on both sides"),
        ("[1.0)", "inclusive on both sides"),
        ("[]", "inclusive on both sides"),
        ("(,)", "at least one bound"),
        ("[,1.0]", "open lower bound"),
        ("[1.0,]", "open upper bound"),
        ("[2.0,1.0]", "above the upper bound"),
        ("(1.0,1.0]", "no version is both"),
        ("[1.0,2.0,3.0]", "at most two bounds"),
        ("[1.x,2.0]", "bound '1.x'"),
        ("1.*", "floating"),
        ("1.0]", "starts with ["),
    ])
    func malformedRangesSayWhatIsWrong(text: String, expected: String) throws {
        #expect {
            try NuGetVersionRange(text)
        } throws: { error in
            guard let error = error as? IdentityError, case .invalidVersionRange = error else { return false }
            return error.description.contains(expected)
        }
    }

    @Test func prereleaseBoundsAreNoticed() throws {
        #expect(try range("[1.0.0-rc.1,)").mentionsPrerelease)
        #expect(try !range("[1.0.0,2.0)").mentionsPrerelease)
    }

    /// The property a restore runbook relies on: whatever the range, nothing outside it is ever answered. The
    /// oracle compares zero-padded numeric parts itself, independently of `PackageVersion`'s `<`.
    @Test func noVersionOutsideTheRangeIsEverContained() throws {
        var generator = SplitMix64(seed: 0x5EED_0F0C_7095)
        func randomVersionText() -> String {
            let parts = Int(generator.next() % 4) + 1
            return (0..<parts).map { _ in String(generator.next() % 4) }.joined(separator: ".")
        }
        func padded(_ text: String) -> [UInt64] {
            let numbers = text.split(separator: ".").map { UInt64($0)! }
            return numbers + Array(repeating: 0, count: 4 - numbers.count)
        }
        func less(_ a: [UInt64], _ b: [UInt64]) -> Bool { a.lexicographicallyPrecedes(b) }
        var checked = 0
        for _ in 0..<400 {
            let low = generator.next() % 3 == 0 ? nil : randomVersionText()
            let high = generator.next() % 3 == 0 ? nil : randomVersionText()
            let lowInclusive = generator.next() % 2 == 0, highInclusive = generator.next() % 2 == 0
            let text = "\(lowInclusive && low != nil ? "[" : "(")\(low ?? ""),\(high ?? "")\(highInclusive && high != nil ? "]" : ")")"
            guard let parsed = try? NuGetVersionRange(text) else { continue }
            for _ in 0..<40 {
                let candidate = randomVersionText()
                let value = padded(candidate)
                var inside = true
                if let low {
                    let bound = padded(low)
                    inside = inside && (lowInclusive ? !less(value, bound) : less(bound, value))
                }
                if let high {
                    let bound = padded(high)
                    inside = inside && (highInclusive ? !less(bound, value) : less(value, bound))
                }
                #expect(try parsed.contains(PackageVersion(candidate)) == inside, "\(candidate) in \(text)")
                checked += 1
            }
        }
        #expect(checked > 5000, "most generated ranges must be valid for the property to mean anything")
    }
}

/// A small deterministic generator, so that a failure can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49EB_133C_E111
        return z ^ (z >> 31)
    }
}
