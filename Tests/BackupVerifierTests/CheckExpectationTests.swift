import Testing
@testable import BackupVerifier

@Suite struct ExpectationTests {
    @Test(arguments: [
        ("> 0", CheckExpectation.Comparison.greater, 0.0), (">= 10", .greaterOrEqual, 10), ("== 3", .equal, 3),
        ("!= 0", .notEqual, 0), ("<5", .less, 5), ("  <= 2.5 ", .lessOrEqual, 2.5), ("= 7", .equal, 7), ("<> 1", .notEqual, 1),
    ])
    func parses(text: String, comparison: CheckExpectation.Comparison, value: Double) throws {
        let expectation = try CheckExpectation(parsing: text)
        #expect(expectation.comparison == comparison)
        #expect(expectation.value == value)
    }

    @Test(arguments: ["", "0", "> ", "=> 3", "> ten", "> 1; drop table x", "~ 3", "> nan", "> inf"])
    func rejects(text: String) {
        #expect(throws: ExpectationSyntaxError.self) { try CheckExpectation(parsing: text) }
    }

    @Test func compares() throws {
        #expect(try CheckExpectation(parsing: "> 0").isSatisfied(by: 1))
        #expect(try !CheckExpectation(parsing: "> 0").isSatisfied(by: 0))
        #expect(try CheckExpectation(parsing: ">= 10").isSatisfied(by: 10))
        #expect(try !CheckExpectation(parsing: ">= 10").isSatisfied(by: 9))
        #expect(try CheckExpectation(parsing: "== 3").isSatisfied(by: 3))
        #expect(try !CheckExpectation(parsing: "!= 0").isSatisfied(by: 0))
        #expect(try CheckExpectation(parsing: "< 5").isSatisfied(by: 4))
        #expect(try !CheckExpectation(parsing: "<= 5").isSatisfied(by: 6))
        #expect(try CheckExpectation(parsing: "> 0").description == "> 0")
    }
}
