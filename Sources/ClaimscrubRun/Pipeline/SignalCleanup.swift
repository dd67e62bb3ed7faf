import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Removes the temporary run folder when SIGINT or SIGTERM stops a run, then exits
/// 130 or 143, so that an interrupted run leaves nothing that looks finished; and
/// ignores SIGXFSZ, so that exceeding a file-size limit is a write error (exit 74).
///
/// Every create or write into the run folder, and the final move into place, runs under
/// one lock that the signal handler takes too: the handler removes the folder only between
/// writes, and exits still holding the lock, so no write starts after the removal. A signal
/// that arrives once the run is in place at `--out` changes nothing: the finished run
/// stands and `run` exits with its own status.
public final class SignalCleanup: Sendable {
    public static let shared = SignalCleanup()

    private struct State {
        /// The temporary run folder, while there is one to remove.
        var folder: String?
        /// The run folder is in place at `--out`: a signal no longer stops the run.
        var placed = false
    }

    private let state = Mutex(State())
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
                state.withLock { state in
                    if state.placed { return }
                    if let path = state.folder {
                        try? FileManager.default.removeItem(atPath: path)
                    }
                    // Still holding the lock: a writer waiting for it never runs again.
                    exit(status)
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Runs one create or write into the run folder; a signal's clean-up waits for it.
    func whileWriting<T: Sendable, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        try state.withLock { _ throws(E) -> T in try body() }
    }

    /// Creates the temporary run folder and tracks it, as one step, so that a signal either
    /// comes before the folder exists or removes it.
    func createFolder(_ path: String) -> Bool {
        state.withLock { state in
            state.folder = path
            state.placed = false
            return mkdir(path, 0o755) == 0
        }
    }

    func track(_ path: String?) {
        state.withLock { $0.folder = path }
    }

    /// Moves the finished run `temporary` to `outDir` (an old run there is moved aside and
    /// removed after) while signals wait; nil when done, else the message of exit 74.
    /// From the moment the rename succeeds the run counts as finished, whatever signal follows.
    func place(_ temporary: String, at outDir: String) -> String? {
        let aside = outDir + ".old-\(getpid())"
        let failure: String? = state.withLock { state in
            let movedAside = access(outDir, F_OK) == 0
            if movedAside {
                guard rename(outDir, aside) == 0 else {
                    try? FileManager.default.removeItem(atPath: temporary)
                    state.folder = nil
                    return "\(outDir): error: cannot move the old run aside"
                }
            }
            guard rename(temporary, outDir) == 0 else {
                try? FileManager.default.removeItem(atPath: temporary)
                if movedAside { _ = rename(aside, outDir) }
                state.folder = nil
                return "\(outDir): error: cannot rename the finished run into place"
            }
            state.folder = nil
            state.placed = true
            return nil
        }
        if failure == nil {
            try? FileManager.default.removeItem(atPath: aside)
        }
        return failure
    }
}
