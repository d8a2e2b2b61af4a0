import Foundation
import Synchronization

/// How far a transfer is, on stderr. On a terminal: one line redrawn with `\r` at most ten times a second (percent,
/// bytes, rate, time left). Elsewhere (CI logs, cron mail): one line when it starts and one when it ends, no `\r` noise.
final class TransferProgress: Sendable {
    private struct State {
        var done: Int64 = 0
        var lastDraw: ContinuousClock.Instant?
        var finished = false
    }

    let title: String
    /// Nil when the size is not known in advance (a download without Content-Length).
    let total: Int64?
    let interactive: Bool
    private let started = ContinuousClock.now
    private let state = Mutex(State())
    private static let redrawInterval = Duration.milliseconds(100)

    init(_ title: String, total: Int64?, interactive: Bool = StandardError.isTerminal) {
        self.title = title
        self.total = total
        self.interactive = interactive
    }

    func start() {
        if interactive {
            state.withLock { state in draw(&state, now: .now) }
        } else {
            StandardError.write("\(title): \(total.map(ByteCount.text) ?? "size unknown")\n")
        }
    }

    func advance(by count: Int) {
        state.withLock { state in
            state.done += Int64(count)
            guard interactive else { return }
            let now = ContinuousClock.now
            if let last = state.lastDraw, now - last < Self.redrawInterval { return }
            draw(&state, now: now)
        }
    }

    /// Draws the final figures and ends the line; after a failure only ends the line, so the error starts on its own.
    func finish(succeeded: Bool = true) {
        state.withLock { state in
            guard !state.finished else { return }
            state.finished = true
            let elapsed = ContinuousClock.now - started
            if interactive {
                if succeeded { draw(&state, now: .now) }
                StandardError.write("\n")
            } else if succeeded {
                let seconds = Self.seconds(elapsed)
                StandardError.write("\(title): done, \(ByteCount.text(state.done)) in \(String(format: "%.1f", seconds)) s"
                    + " (\(ByteCount.text(Int64(Double(state.done) / max(seconds, 0.001))))/s)\n")
            }
        }
    }

    private func draw(_ state: inout State, now: ContinuousClock.Instant) {
        state.lastDraw = now
        let seconds = Self.seconds(now - started)
        let rate = seconds > 0.05 ? Double(state.done) / seconds : 0
        var line = "\r\(title) "
        if let total, total > 0 {
            let percent = Int(Double(state.done) * 100 / Double(total))
            line += String(format: "%3d%% ", min(percent, 100)) + "\(ByteCount.text(state.done)) / \(ByteCount.text(total))"
        } else {
            line += ByteCount.text(state.done)
        }
        line += "  \(ByteCount.text(Int64(rate)))/s"
        if let total, rate > 0, state.done < total {
            line += "  ETA \(Self.clock(Double(total - state.done) / rate))"
        }
        // Clear what a longer previous line left to the right.
        StandardError.write(line + "\u{1B}[K")
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// `m:ss` or `h:mm:ss`.
    static func clock(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded(.up))
        let (hours, minutes, secs) = (whole / 3600, whole % 3600 / 60, whole % 60)
        return hours > 0 ? String(format: "%d:%02d:%02d", hours, minutes, secs) : String(format: "%d:%02d", minutes, secs)
    }
}

/// Byte counts as people read them: 512 B, 1.5 KiB, 20.0 GiB.
enum ByteCount {
    static func text(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
