import Foundation

/// A headless Chromium driven over the DevTools protocol on `--remote-debugging-pipe` (JSON messages
/// ended by NUL on fds 3 and 4), for the tests that act on a page: typing a key, pressing a button,
/// waiting for a live update. No WebSocket client needed.
final class BrowserSession: @unchecked Sendable {
    private let process = Process()
    private let toBrowser = Pipe()
    private let fromBrowser = Pipe()
    private let profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
    private let lock = NSLock()
    private var nextId = 0
    private var waiting: [Int: CheckedContinuation<Data, any Error>] = [:]
    private var buffer = Data()
    private var sessionId: String?

    init() throws {
        let chromium = try Chromium.executable()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // The shell hands our pipes to chromium as fds 3 (commands in) and 4 (answers out).
        process.arguments = [
            "-c", "exec \"$0\" \"$@\" 3<&0 4>&1 0</dev/null 1>/dev/null", chromium,
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions", "--hide-scrollbars",
            "--user-data-dir=\(profile.path)", "--remote-debugging-pipe", "--window-size=1280,900", "about:blank",
        ]
        process.standardInput = toBrowser
        process.standardOutput = fromBrowser
        process.standardError = FileHandle.nullDevice
        try process.run()
        fromBrowser.fileHandleForReading.readabilityHandler = { [weak self] handle in
            self?.received(handle.availableData)
        }
    }

    deinit { close() }

    func close() {
        fromBrowser.fileHandleForReading.readabilityHandler = nil
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(at: profile)
    }

    private func received(_ data: Data) {
        lock.lock()
        if data.isEmpty { // the browser went away: fail everyone waiting
            let all = waiting
            waiting = [:]
            lock.unlock()
            for continuation in all.values { continuation.resume(throwing: Chromium.Failure(description: "chromium exited")) }
            return
        }
        buffer.append(data)
        var answers: [(CheckedContinuation<Data, any Error>, Data)] = []
        while let end = buffer.firstIndex(of: 0) {
            let message = buffer[buffer.startIndex..<end]
            buffer = Data(buffer[(end + 1)...])
            if let json = try? JSONSerialization.jsonObject(with: message) as? [String: Any], let id = json["id"] as? Int,
               let continuation = waiting.removeValue(forKey: id) {
                answers.append((continuation, Data(message)))
            }
        }
        lock.unlock()
        for (continuation, message) in answers { continuation.resume(returning: message) }
    }

    /// Sends one command and returns its `result` (events are ignored).
    @discardableResult
    func send(_ method: String, _ params: [String: Any] = [:], toPage: Bool = true) async throws -> [String: Any] {
        let (id, session) = lock.withLock {
            nextId += 1
            return (nextId, sessionId)
        }
        var command: [String: Any] = ["id": id, "method": method, "params": params]
        if toPage, let session { command["sessionId"] = session }
        var bytes = try JSONSerialization.data(withJSONObject: command)
        bytes.append(0)
        let answer = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Data, any Error>) in
            lock.withLock { waiting[id] = continuation }
            toBrowser.fileHandleForWriting.write(bytes)
        }
        let json = try JSONSerialization.jsonObject(with: answer) as? [String: Any] ?? [:]
        if let error = json["error"] as? [String: Any] {
            throw Chromium.Failure(description: "\(method): \(error["message"] ?? error)")
        }
        return json["result"] as? [String: Any] ?? [:]
    }

    /// Opens `url` in a new tab and attaches to it; later commands go to that tab.
    func open(_ url: String) async throws {
        let target = try await send("Target.createTarget", ["url": url], toPage: false)
        let attached = try await send("Target.attachToTarget", ["targetId": target["targetId"] as? String ?? "", "flatten": true], toPage: false)
        lock.withLock { sessionId = attached["sessionId"] as? String }
    }

    /// Loads `url` in the open tab; returns once the new document replaced the old one (not when it finished).
    func navigate(_ url: String) async throws {
        try await send("Page.navigate", ["url": url])
    }

    /// Runs JavaScript in the page and returns its value as text ("" for undefined or null).
    func evaluate(_ expression: String) async throws -> String {
        let result = try await send("Runtime.evaluate", ["expression": "(async () => String(await (\(expression)) ?? ''))()", "awaitPromise": true, "returnByValue": true])
        if let exception = result["exceptionDetails"] as? [String: Any] {
            throw Chromium.Failure(description: "script failed: \(exception["text"] ?? exception)")
        }
        return (result["result"] as? [String: Any])?["value"] as? String ?? ""
    }

    /// Waits until `condition` (JavaScript) is true, checking a few times a second.
    func waitFor(_ condition: String, timeout: TimeInterval = 90) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? await evaluate("Boolean(\(condition))")) == "true" { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        let text = (try? await evaluate("document.querySelector('main')?.innerText")) ?? ""
        throw Chromium.Failure(description: "timed out waiting for \(condition); page shows: \(text)")
    }

    /// The text of <main> as rendered.
    func mainText() async throws -> String {
        try await evaluate("document.querySelector('main').innerText")
    }

    /// Types into a field the way a person's input ends up (value set, input event fired).
    func type(_ selector: String, _ text: String) async throws {
        let literal = String(decoding: try JSONSerialization.data(withJSONObject: [selector, text]), as: UTF8.self)
        _ = try await evaluate("(([s, t]) => { const el = document.querySelector(s); el.focus(); el.value = t; el.dispatchEvent(new Event('input', {bubbles: true})); return true })(\(literal))")
    }

    /// Clicks an element (a real click event, so forms submit and handlers run).
    func click(_ selector: String) async throws {
        let literal = String(decoding: try JSONSerialization.data(withJSONObject: [selector]), as: UTF8.self)
        _ = try await evaluate("(([s]) => { document.querySelector(s).click(); return true })(\(literal))")
    }
}
