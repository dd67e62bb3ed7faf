import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Removes the temporary run folder when SIGINT or SIGTERM stops a run, then exits
/// 130 or 143, so that an interrupted run leaves nothing that looks finished; and
/// ignores SIGXFSZ, so that exceeding a file-size limit is a write error (exit 74).
public final class SignalCleanup: Sendable {
    public static let shared = SignalCleanup()
    private let folder = Mutex<String?>(nil)
    // Kept alive for the process: a released signal source stops delivering.
    nonisolated(unsafe) private var sources: [any DispatchSourceSignal] = []

    /// Starts listening; the handlers run on a global queue while the run works.
    /// Call once, from the main thread, before the run starts.
    public func install() {
        // A file-size limit (or some full-disk setups) sends SIGXFSZ, whose default kills the
        // run and leaves the temporary folder; ignored, the write fails with EFBIG -> exit 74.
        signal(SIGXFSZ, SIG_IGN)
        for (signalNumber, status) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [self] in
                if let path = folder.withLock({ $0 }) {
                    try? FileManager.default.removeItem(atPath: path)
                }
                exit(status)
            }
            source.resume()
            sources.append(source)
        }
    }

    func track(_ path: String?) {
        folder.withLock { $0 = path }
    }
}
