import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle

/// A real HTTP receiver for webhook deliveries: a small Hummingbird server on its own port that records every
/// request. It can answer 500 to the first N requests, and hold the first M requests without answering until stopped.
final class WebhookListener: Sendable {
    struct Received: Sendable {
        let path: String
        /// Lower-cased names.
        let headers: [String: String]
        let body: String
        let at: ContinuousClock.Instant

        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
        var event: String? { headers["x-backupfeed-event"] }
        var deliveryId: Int? { headers["x-backupfeed-delivery"].flatMap { Int($0) } }
    }

    actor Recorder {
        private(set) var requests: [Received] = []
        private var failuresLeft: Int
        private var hangsLeft: Int
        private var hung: [CheckedContinuation<Void, Never>] = []
        private var released = false

        init(failFirst: Int, hangFirst: Int) {
            failuresLeft = failFirst
            hangsLeft = hangFirst
        }

        /// Records a request and decides the answer.
        func receive(_ request: Received) async -> HTTPResponse.Status {
            requests.append(request)
            if hangsLeft > 0, !released {
                hangsLeft -= 1
                await withCheckedContinuation { hung.append($0) }
                return .ok
            }
            if failuresLeft > 0 {
                failuresLeft -= 1
                return .internalServerError
            }
            return .ok
        }

        func releaseHung() {
            released = true
            hung.forEach { $0.resume() }
            hung.removeAll()
        }
    }

    let port: Int
    let recorder: Recorder
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    var url: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, recorder: Recorder, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.recorder = recorder
        self.group = group
        self.task = task
    }

    /// Starts listening on `port` and returns once the socket accepts connections.
    static func start(port: Int = ServerProcess.freePort(), failFirst: Int = 0, hangFirst: Int = 0) async throws -> WebhookListener {
        let recorder = Recorder(failFirst: failFirst, hangFirst: hangFirst)
        let router = Router()
        router.post("**") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1024 * 1024)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            let status = await recorder.receive(
                Received(path: request.uri.path, headers: headers, body: String(buffer: body), at: .now))
            return Response(status: status)
        }
        var logger = Logger(label: "webhook-listener")
        logger.logLevel = .warning
        let (running, runningContinuation) = AsyncStream<Void>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "WebhookListener"),
            onServerRunning: { _ in runningContinuation.yield() }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task {
            defer { runningContinuation.finish() }
            try await group.run()
        }
        let listener = WebhookListener(port: port, recorder: recorder, group: group, task: task)
        // The stream yields once the socket accepts connections and ends if the server stops first (port taken).
        for await _ in running { return listener }
        _ = try await task.value
        throw ListenerError.stoppedBeforeListening
    }

    enum ListenerError: Error { case stoppedBeforeListening, timedOut(String) }

    func stop() async {
        await recorder.releaseHung()
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    var requests: [Received] { get async { await recorder.requests } }

    /// Polls until at least `count` requests arrived; returns all of them.
    @discardableResult
    func waitForRequests(_ count: Int, timeout: Duration = .seconds(90)) async throws -> [Received] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let received = await requests
            if received.count >= count { return received }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ListenerError.timedOut("\(await requests.count) of \(count) webhook requests arrived within \(timeout)")
    }
}
