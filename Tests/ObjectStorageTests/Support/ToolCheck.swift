import Foundation

/// Whether the tools a test drives are installed. Evaluated once while the test plan is built (a blocking
/// wait there is before any test runs, never on the cooperative pool during a test).
enum ToolCheck {
    static func hasPythonModules(_ modules: [String]) -> Bool {
        let names = modules.map { "'\($0)'" }.joined(separator: ", ")
        return runs("/usr/bin/env", ["python3", "-c",
            "import importlib.util, sys; sys.exit(0 if all(importlib.util.find_spec(m) for m in [\(names)]) else 1)"])
    }

    static func hasProgram(_ name: String) -> Bool { runs("/usr/bin/env", ["sh", "-c", "command -v \(name)"]) }

    private static func runs(_ executable: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
