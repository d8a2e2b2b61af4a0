import Foundation

/// A policy check's expectation (`> 0`, `>= 10`, `== 3`, `!= 0`, `< 5`, `<= 5`) parsed once.
public struct CheckExpectation: Sendable, Equatable, CustomStringConvertible {
    public enum Comparison: String, Sendable, CaseIterable {
        case greater = ">", greaterOrEqual = ">=", equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<="
    }

    public var comparison: Comparison
    public var value: Double

    public init(comparison: Comparison, value: Double) {
        self.comparison = comparison
        self.value = value
    }

    /// Parses `OP NUMBER` with optional spaces; `=` is accepted for `==` and `<>` for `!=`.
    public init(parsing text: String) throws(ExpectationSyntaxError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let operators: [(String, Comparison)] = [
            (">=", .greaterOrEqual), ("<=", .lessOrEqual), ("==", .equal), ("!=", .notEqual), ("<>", .notEqual),
            (">", .greater), ("<", .less), ("=", .equal),
        ]
        guard let (symbol, comparison) = operators.first(where: { trimmed.hasPrefix($0.0) }) else {
            throw ExpectationSyntaxError(text: text, problem: "must start with one of > >= == != < <=")
        }
        let number = trimmed.dropFirst(symbol.count).trimmingCharacters(in: .whitespaces)
        guard !number.isEmpty else { throw ExpectationSyntaxError(text: text, problem: "has no number after \(symbol)") }
        guard let value = Double(number), value.isFinite, number.allSatisfy({ $0.isNumber || "+-.eE".contains($0) }) else {
            throw ExpectationSyntaxError(text: text, problem: "\"\(number)\" is not a number")
        }
        self.comparison = comparison
        self.value = value
    }

    public func isSatisfied(by actual: Double) -> Bool {
        switch comparison {
        case .greater: actual > value
        case .greaterOrEqual: actual >= value
        case .equal: actual == value
        case .notEqual: actual != value
        case .less: actual < value
        case .lessOrEqual: actual <= value
        }
    }

    public var description: String { "\(comparison.rawValue) \(Self.format(value))" }

    /// Whole numbers without a trailing `.0`, so reasons read "expected > 0".
    static func format(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// Why an expectation could not be parsed.
public struct ExpectationSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var text: String
    public var problem: String
    public var description: String { "expectation \"\(text)\" \(problem)" }
}
