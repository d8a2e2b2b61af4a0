import Dispatch
import Foundation

/// Deletes a file if the command is stopped by Ctrl-C or SIGTERM, then exits with 128 + the signal's number: an
/// interrupted pull of a many-GiB backup must not leave its partial temporary file behind.
final class InterruptCleanup {
    private static let signals = [SIGINT, SIGTERM]
    private var sources: [any DispatchSourceSignal] = []

    init(removing file: URL) {
        let path = file.path
        for number in Self.signals {
            // The default action would kill the process before the handler runs; dispatch delivers it instead.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                unlink(path)
                StandardError.write("\ninterrupted; removed the partial download\n")
                // 128 + signal, as a shell reports a process the signal killed (`raise` would only reach this
                // dispatch thread, which blocks signals).
                exit(128 + number)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Back to the default signal handling, once there is nothing left to clean up.
    func cancel() {
        for source in sources { source.cancel() }
        sources = []
        for number in Self.signals { signal(number, SIG_DFL) }
    }
}
