import ClaimscrubCore
import Dispatch
import Synchronization

/// The run's writing stage: puts decided chunks into the report files in input order and
/// adds up the counts for summary.json.
///
/// @unchecked: `write` is called by one thread at a time (the writing thread, or the run's
/// thread before that thread starts), and the run's thread reads the counts only after the
/// writing thread has finished; `failure` alone is shared while both run, under its mutex.
final class RunWriter: @unchecked Sendable {
    struct Files {
        var accept: ReportFile
        var deny: ReportFile
        var pend: ReportFile
        var claims: ReportFile
        var rejects: ReportFile
    }

    /// What the deciding stage hands over, in input order.
    enum Output: Sendable {
        /// A chunk being decided; the writer waits for it.
        case chunk(DecidedChunk)
        /// An input that could not be opened or read any further.
        case unreadable(Reject)
        /// An argument that names no file or folder.
        case reject(Reject)
    }

    private let files: Files
    private let encoder: RowEncoder
    private(set) var counts: RunCounts
    private(set) var writtenLines = 0
    private(set) var writtenRejects = 0
    private(set) var sawUnreadableInput = false
    var progress: ProgressLine?
    private let firstFailure = Mutex<OutputError?>(nil)

    init(files: Files, encoder: RowEncoder, counts: RunCounts) {
        self.files = files
        self.encoder = encoder
        self.counts = counts
    }

    /// The first write that failed; later outputs are dropped, as the run ends with exit 74.
    var failure: OutputError? { firstFailure.withLock { $0 } }
    var hasFailed: Bool { failure != nil }

    func write(_ output: Output) {
        guard !hasFailed else { return }
        do throws(OutputError) {
            switch output {
            case .unreadable(let reject):
                sawUnreadableInput = true
                try writeReject(reject)
            case .reject(let reject):
                try writeReject(reject)
            case .chunk(let pending):
                let chunk = pending.wait()
                try files.accept.write(chunk.accept)
                try files.deny.write(chunk.deny)
                try files.pend.write(chunk.pend)
                try files.claims.write(chunk.claims)
                try files.rejects.write(chunk.rejects)
                writtenLines += chunk.lineRows
                writtenRejects += chunk.rejectRows
                try counts.merge(chunk.counts)
                progress?.claimsDone.store(counts.claims, ordering: .relaxed)
            }
        } catch {
            firstFailure.withLock { $0 = $0 ?? error }
        }
    }

    private func writeReject(_ reject: Reject) throws(OutputError) {
        var row: [UInt8] = []
        encoder.rejectRow(reject, into: &row)
        try files.rejects.write(row)
        counts.rejects += 1
        writtenRejects += 1
    }
}

/// One chunk's report rows, filled in by the thread that decides it and taken by the writer.
///
/// @unchecked: `output` is written once, before `done` is signalled, and read only after
/// waiting for it.
final class DecidedChunk: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var output: RunJob.ChunkOutput?

    func finish(_ output: RunJob.ChunkOutput) {
        self.output = output
        done.signal()
    }

    /// The chunk's rows, once decided; they are released from here as they are taken.
    func wait() -> RunJob.ChunkOutput {
        done.wait()
        defer { output = nil }
        return output ?? RunJob.ChunkOutput()
    }
}
