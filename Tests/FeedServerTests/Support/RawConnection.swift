import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A bare TCP connection to the server under test, for clients no HTTP library would be: ones that send half a
/// head, drip bytes, or stop in the middle of a body. Non-blocking, polled with `Task.sleep`, so that waiting never
/// holds one of the cooperative pool's threads the in-process server needs.
/// @unchecked: a dripping writer task may `send` while the test `poll`s; `send` touches only the descriptor, which
/// the kernel lets two threads use at once, and only `poll` touches what was received.
final class RawConnection: @unchecked Sendable {
    private var descriptor: Int32
    private(set) var received: [UInt8] = []
    private(set) var closedByPeer = false
    /// How the connection ended: "EOF" or the errno text of a reset.
    private(set) var ending: String?

    /// `receiveBuffer` pins the kernel's receive buffer (no autotuning), so that a client that does not read stops
    /// the server's writes after that many bytes.
    init(port: Int, receiveBuffer: Int32? = nil) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw RawConnectionError.failed("socket", errno) }
        if var size = receiveBuffer {
            setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else {
            let code = errno
            Glibc.close(descriptor)
            throw RawConnectionError.failed("connect", code)
        }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
    }

    deinit { close() }

    var text: String { String(decoding: received, as: UTF8.self) }

    /// Sends all of `text`; false when the server has closed the connection (EPIPE, ECONNRESET).
    @discardableResult
    func send(_ text: String) -> Bool {
        send(Array(text.utf8))
    }

    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                if errno == EAGAIN || errno == EINTR { usleep(1000); continue }
                return false
            }
            offset += sent
        }
        return true
    }

    /// Reads what has arrived without waiting (at most `limit` bytes); notes an end of stream or a reset.
    func poll(limit: Int = .max) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var taken = 0
        while !closedByPeer, taken < limit {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, min($0.count, limit - taken), 0) }
            if count > 0 { taken += count }
            if count > 0 {
                received += buffer[0..<count]
            } else if count == 0 {
                closedByPeer = true
                ending = "EOF"
            } else if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
                return
            } else {
                closedByPeer = true
                ending = String(cString: strerror(errno))
            }
        }
    }

    /// Waits until the server closes the connection; returns how long that took, or nil when it stayed open.
    func waitForClose(timeout: Duration) async throws -> Duration? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout {
            poll()
            if closedByPeer { return ContinuousClock.now - start }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// Waits until what was received satisfies `done`, or the connection closes, or `timeout` passes.
    func waitFor(timeout: Duration, _ done: (String) -> Bool) async throws -> String {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout {
            poll()
            if done(text) || closedByPeer { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        return text
    }

    func close() {
        if descriptor >= 0 { Glibc.close(descriptor) }
        descriptor = -1
    }
}

enum RawConnectionError: Error {
    case failed(String, Int32)
}
