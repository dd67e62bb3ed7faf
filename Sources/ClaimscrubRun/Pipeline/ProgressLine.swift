import ClaimscrubReaders
import Dispatch
import Foundation
import Synchronization

/// A one-line progress bar on stderr, redrawn in place four times a second: bytes read
/// of the total, claims per second and the time left (bytes read and claims per second
/// when an input is a pipe, whose size is unknown). Never written to stdout.
///
/// @unchecked: the timer is created in `init` and only started and cancelled by the run's
/// thread; its handler reads nothing but immutable values and atomics.
final class ProgressLine: @unchecked Sendable {
    /// The inputs' sizes on disk; nil when one is a pipe.
    private let totalBytes: Int64?
    private let started: DispatchTime
    private let startBytes: Int64
    let claimsDone = Atomic<Int>(0)
    private let timer: any DispatchSourceTimer

    init(totalBytes: Int64?, started: DispatchTime) {
        self.totalBytes = totalBytes.map { max($0, 1) }
        self.started = started
        startBytes = ByteSource.storedBytesRead.load(ordering: .relaxed)
        timer = DispatchSource.makeTimerSource(queue: .global())
    }

    func start() {
        timer.schedule(deadline: .now() + .milliseconds(250), repeating: .milliseconds(250))
        timer.setEventHandler { [self] in draw() }
        timer.resume()
    }

    /// Stops redrawing and clears the line, so the closing summary starts clean.
    func stop() {
        timer.cancel()
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    private func draw() {
        let read = ByteSource.storedBytesRead.load(ordering: .relaxed) - startBytes
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        let rate = Double(claimsDone.load(ordering: .relaxed)) / max(seconds, 0.001)
        guard let totalBytes else {
            let text = String(format: "\r[size unknown] %@ read  %.0f claims/s\u{1B}[K", megabytes(read), rate)
            FileHandle.standardError.write(Data(text.utf8))
            return
        }
        let fraction = min(1, Double(read) / Double(totalBytes))
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let left = fraction > 0.01 ? seconds * (1 - fraction) / fraction : 0
        let text = String(
            format: "\r[%@] %3.0f%%  %@ of %@  %.0f claims/s  ETA %@\u{1B}[K",
            bar, fraction * 100, megabytes(read), megabytes(totalBytes), rate, clock(left)
        )
        FileHandle.standardError.write(Data(text.utf8))
    }

    private func megabytes(_ bytes: Int64) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_000_000)
    }

    private func clock(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return String(format: "%d:%02d", whole / 60, whole % 60)
    }
}
