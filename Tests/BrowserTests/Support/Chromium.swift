import Foundation

/// Headless Chromium (Debian's `chromium`) run once per page: the DOM after the page's scripts ran, or a screenshot.
enum Chromium {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The browser binary; installed with apt when missing and we may (CI runs as root in a Debian image).
    static func executable() throws -> String {
        if let found = lookup() { return found }
        if getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/apt-get") {
            _ = try? run("/usr/bin/apt-get", ["install", "-y", "--no-install-recommends", "chromium"], timeout: 900)
        }
        guard let found = lookup() else { throw Failure(description: "chromium is not installed: apt-get install -y chromium") }
        return found
    }

    private static func lookup() -> String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Virtual time lets the page's fetches and timers settle before the dump, without sleeping in real time.
    static func baseArguments(profile: URL) -> [String] {
        ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--disable-extensions",
         "--user-data-dir=\(profile.path)", "--virtual-time-budget=5000"]
    }

    /// The serialized DOM of `url` after its scripts ran.
    static func dumpDOM(_ url: String) async throws -> String {
        try await withProfile { profile in
            try run(try executable(), baseArguments(profile: profile) + ["--dump-dom", url], timeout: 120)
        }
    }

    /// A PNG of `url` at the given window size.
    static func screenshot(_ url: String, to file: URL, width: Int = 1280, height: Int = 900, dark: Bool = false) async throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        // On a loaded CI machine chromium has once exited 0 without writing the file: try again before failing.
        for _ in 1...3 {
            _ = try await withProfile { profile in
                try run(try executable(), baseArguments(profile: profile) + ["--window-size=\(width),\(height)", "--screenshot=\(file.path)"]
                    + (dark ? ["--force-dark-mode", "--blink-settings=preferredColorScheme=0"] : []) + [url], timeout: 120)
            }
            if FileManager.default.fileExists(atPath: file.path) { return }
        }
        throw Failure(description: "chromium exited three times without writing a screenshot of \(url)")
    }

    /// `url` printed to a PDF file, as a person's "Print → Save as PDF" would (print stylesheet applied).
    static func printToPDF(_ url: String, to file: URL) async throws {
        for _ in 1...3 {
            _ = try await withProfile { profile in
                try run(try executable(), baseArguments(profile: profile) + ["--no-pdf-header-footer", "--print-to-pdf=\(file.path)", url], timeout: 120)
            }
            if FileManager.default.fileExists(atPath: file.path) { return }
        }
        throw Failure(description: "chromium exited three times without printing \(url)")
    }

    /// Each run gets its own profile so tests can run browsers side by side.
    private static func withProfile(_ body: @escaping @Sendable (URL) throws -> String) async throws -> String {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        // Off the cooperative pool: the server under test runs on it, and the browser waits for that server.
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body(profile) }) }
        }
    }

    /// Runs a process to its end (killed after `timeout` seconds) and returns its standard output.
    static func run(_ executable: String, _ arguments: [String], timeout: TimeInterval) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice // chromium logs dbus noise there
        try process.run()
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw Failure(description: "\(executable) \(arguments.last ?? "") ended with status \(process.terminationStatus)")
        }
        return String(decoding: output, as: UTF8.self)
    }
}
