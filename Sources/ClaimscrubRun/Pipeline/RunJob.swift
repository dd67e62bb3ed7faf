import ClaimscrubCore
import ClaimscrubReaders
import Crypto
import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// `claimscrub run`: reads the inputs on one thread, decides and formats batches of
/// claims in parallel, and writes the rows in input order into a temporary run folder
/// that is renamed into place only when complete.
public enum RunJob {
    static let toolVersion = "0.1.0"

    public static func run(_ options: RunOptions, codeSets loaded: LoadedCodeSets) -> RunOutcome {
        // The code sets are ready: a run never ends for want of them.
        run(options, codeSetsWhenReady: { loaded })!
    }

    /// A run that starts reading its inputs before its code sets are loaded: the reading
    /// threads fill their first batches while `codeSets` (called once, on this thread,
    /// after they start) waits for the loading. Nil when `codeSets` gives nil (it reports
    /// why): the run then ends before any output is made, as it would have before it began.
    ///
    /// Loading the built-in code sets takes about 12 ms, with one core to spare. An X12
    /// reading thread needed about 9 ms for the two batches it may read ahead when it built
    /// its claims (session 17); they were read after the loading, while the deciding threads
    /// waited (a CSV reading thread needs about 2 ms for its two).
    public static func run(_ options: RunOptions, codeSetsWhenReady codeSets: () -> LoadedCodeSets?) -> RunOutcome? {
        let started = DispatchTime.now()
        let addressSpace = addressSpaceLimit()
        if let limit = addressSpace, limit < minimumAddressSpace {
            // Below this a thread cannot get its stack or an allocation fails: the run would
            // hang or crash part-way, so it stops before it starts. The code sets' own
            // problems, found first until the loading overlapped the reading, still are.
            guard codeSets() != nil else { return nil }
            return failure(
                ExitStatus.software,
                "error: the address-space limit (ulimit -v, prlimit --as) is \(limit >> 20) MiB; a run needs at least \(minimumAddressSpace >> 20) MiB for its threads and libraries"
            )
        }
        prepareProcess()
        let (inputs, missing) = expand(options.inputs)
        let reading = ReadingThreads(inputs: inputs, format: options.format, mapping: options.csvMapping)
        // Whatever ends the run from here on, the reading threads stop (a thread blocked on
        // a pipe stops when the pipe gives more or ends).
        defer { reading.abandon() }
        guard let loaded = codeSets() else { return nil }

        // `runs/x/` names the folder `runs/x`: its temporary sibling is `runs/x.partial-PID`.
        var outDir = options.outDirectory
        while outDir.count > 1, outDir.hasSuffix("/") { outDir.removeLast() }
        let fm = FileManager.default

        // The output folder: refuse to replace a finished run unless asked to.
        var isDirectory: ObjCBool = false
        let outExists = fm.fileExists(atPath: outDir, isDirectory: &isDirectory)
        if outExists {
            if !isDirectory.boolValue {
                return failure(ExitStatus.ioError, "\(outDir): error: exists and is not a folder")
            }
            let finished = fm.fileExists(atPath: outDir + "/manifest.json")
            let empty = ((try? fm.contentsOfDirectory(atPath: outDir)) ?? []).isEmpty
            if !options.overwrite && finished {
                return failure(ExitStatus.cannotCreate, "\(outDir): error: holds a finished run; give --overwrite to replace it")
            }
            if !options.overwrite && !empty {
                return failure(ExitStatus.cannotCreate, "\(outDir): error: holds files that are not a finished run; give --overwrite to replace them")
            }
        }
        let temporary = outDir + ".partial-\(getpid())"
        do {
            let parent = parentFolder(of: outDir)
            if !parent.isEmpty { try fm.createDirectory(atPath: parent, withIntermediateDirectories: true) }
            try? fm.removeItem(atPath: temporary)
        } catch {
            return failure(ExitStatus.ioError, "\(outDir): error: cannot create the output folder")
        }
        // Created and tracked in one step: a signal never leaves it behind.
        guard SignalCleanup.shared.createFolder(temporary) else {
            return failure(ExitStatus.ioError, "\(outDir): error: cannot create the output folder")
        }
        defer { SignalCleanup.shared.track(nil) }

        let outcome: RunOutcome
        do {
            outcome = try scrub(options, loaded: loaded, inputs: inputs, missing: missing, reading: reading, into: temporary, started: started)
        } catch {
            try? fm.removeItem(atPath: temporary)
            return failure(ExitStatus.ioError, error.description)
        }
        if outcome.status == ExitStatus.software {
            return outcome
        }
        // Move the finished folder into place (an old run is moved aside first), signals held off.
        if let message = SignalCleanup.shared.place(temporary, at: outDir) {
            return failure(ExitStatus.ioError, message)
        }
        return outcome
    }

    /// The least address space a run is started in (measured: a release build ran every
    /// format from 180 MiB; a debug build needs more).
    static let minimumAddressSpace = 192 << 20

    /// The process's address-space limit in bytes; nil when there is none.
    private static func addressSpaceLimit() -> Int? {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else {
            return nil
        }
        return Int(clamping: limit.rlim_cur)
    }

    /// Sets the process up for a run before any thread of it starts: `claimscrub run` calls
    /// this before it loads the code sets on a thread of their own, whose own malloc arena
    /// (64 MiB of address space) made the loading fail with "Memory error" under
    /// `prlimit --as=130MiB`, where the run should stop with the address-space message.
    /// `run` calls it too; calling it twice does no harm.
    public static func prepareProcess() {
        limitMallocArenas(underLimit: addressSpaceLimit().map { $0 < 1 << 30 } ?? false)
    }

    /// glibc gives every thread that allocates while others do an arena of its own, each
    /// reserving 64 MiB of address space; with the reading, deciding, writing and hashing
    /// threads that was enough to fail under `prlimit --as=512MiB` (MemoryBoundTests).
    /// Three arenas measured as fast as the default (tcache serves most small allocations).
    private static func limitMallocArenas(underLimit: Bool) {
        #if canImport(Glibc)
        // `mallopt` and `M_ARENA_MAX` (-8, malloc.h) are not in Swift's Glibc module.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(nil, "mallopt") else { return }
        // Under an address-space limit (`ulimit -v`, `prlimit --as`; below 1 GiB here) an
        // arena that cannot be reserved is retried on later allocations: below about 200 MiB
        // that made a run crawl and then fail. One arena reserves nothing beyond the heap.
        _ = unsafeBitCast(symbol, to: Mallopt.self)(-8, underLimit ? 1 : 3)
        #endif
    }

    private static func failure(_ status: Int32, _ message: String) -> RunOutcome {
        RunOutcome(status: status, message: message, claims: 0, lines: 0, rejects: 0)
    }

    // MARK: - The scrub

    private struct Input: Sendable {
        var path: String
        var displayPath: String
    }

    /// One batch of read items. A class, so that the reading thread can tell when the
    /// deciding threads are done with a batch (its reference is the last) and free it
    /// itself: the items' memory came from its malloc arena.
    private final class Batch: Sendable {
        let items: [DeferredRead]

        init(_ items: [DeferredRead]) {
            self.items = items
        }
    }

    private enum Work {
        case items(Batch)
        /// An input that could not be opened or read any further.
        case unreadable(Reject)
    }

    /// The run's reading: one bounded queue per input, and at most two inputs read at once,
    /// started in argument order. The run's thread drains the queues in that order, so
    /// several files overlap while the rows still come out in input order. Two batches
    /// ahead keep the deciding threads fed; each batch more in flight costs about 3 MiB
    /// resident, so a file read ahead of its turn keeps one batch queued until its queue is
    /// drained (the run's thread widens it).
    private final class ReadingThreads: Sendable {
        let queues: [BoundedQueue<Work>]
        /// Sizes and digests by path: set before the input's queue closes, except those of
        /// inputs hashed apart, which `hashing` waits for.
        let hashes = Mutex<[String: (bytes: Int64, sha256: String)]>([:])
        /// The inputs hashed apart, on threads of their own.
        let hashing = DispatchGroup()

        init(inputs: [Input], format: InputFormat?, mapping: CSVColumnMapping) {
            let queues = inputs.indices.map { BoundedQueue<Work>(capacity: $0 == 0 ? 2 : 1) }
            let regularFiles = Set(inputs.map(\.path).filter(isRegularFile))
            self.queues = queues
            // Two reading threads for the whole run, each taking the next input in argument
            // order when it finishes one. A thread per input left each new thread's batches
            // in another malloc arena while the freed ones stayed resident in the last.
            let nextInput = Atomic<Int>(0)
            for _ in 0..<min(2, inputs.count) {
                let reading = Thread {
                    while true {
                        let index = nextInput.add(1, ordering: .relaxed).oldValue
                        guard index < inputs.count else { return }
                        let (input, queue) = (inputs[index], queues[index])
                        // A run that ended early reads nothing more.
                        if queue.isAbandoned { continue }
                        // An input is hashed from the bytes its reading thread reads: it is read
                        // once, and the digest is of the bytes scrubbed (a second read was 4% of
                        // a CSV run's `perf` samples, though no time saved was measured). Not
                        // a regular XML file: its reading thread is the run's bottleneck, so
                        // it is hashed apart on a thread of its own, as is a compressed
                        // file, whose bytes on disk are not the ones read. A compressed pipe
                        // is never seen as stored, so the manifest gives it no size or digest.
                        // Every input's hashing is decided here, so none is hashed twice.
                        let regular = regularFiles.contains(input.path)
                        let compressed = input.path.hasSuffix(".gz")
                        if regular && compressed { self.hashApart(input.path) }
                        let digest = compressed ? nil : InputDigest()
                        read(
                            input, format: format, mapping: mapping, observer: digest,
                            hashApartIfBusy: regular ? { self.hashApart(input.path) } : nil, into: queue
                        )
                        // A regular file's digest reads what its reader left unread (all of
                        // it when it could not be opened); a stopped one was hashed apart.
                        if let digest, digest.isObserving {
                            let result = digest.finish(path: input.path) ?? (0, "")
                            self.hashes.withLock { $0[input.path] = result }
                        }
                        queue.close()
                    }
                }
                reading.stackSize = 8 << 20
                reading.start()
            }
        }

        /// Hashes the regular file at `path` on a thread of its own (`hashing`).
        private func hashApart(_ path: String) {
            DispatchQueue.global().async(group: hashing) {
                // An input that cannot be read has no size or digest in the manifest.
                let result = InputDigest().finish(path: path) ?? (0, "")
                self.hashes.withLock { $0[path] = result }
            }
        }

        /// Ends the reading early: the queues drop what they hold and take nothing more, and
        /// each reading thread stops at its next hand-over.
        func abandon() {
            for queue in queues { queue.abandon() }
        }
    }

    private static func scrub(
        _ options: RunOptions, loaded: LoadedCodeSets, inputs: [Input], missing: [Reject], reading: ReadingThreads,
        into folder: String, started: DispatchTime
    ) throws(OutputError) -> RunOutcome {
        let engine = DecisionEngine(codeSets: loaded.codeSets, asOf: options.asOf)
        let encoder = RowEncoder(format: options.reportFormat)
        let ext = options.reportFormat == .csv ? "csv" : "jsonl"
        let accept = try ReportFile(directory: folder, name: "accept.\(ext)")
        let deny = try ReportFile(directory: folder, name: "deny.\(ext)")
        let pend = try ReportFile(directory: folder, name: "pend.\(ext)")
        let claims = try ReportFile(directory: folder, name: "claims.\(ext)")
        let rejects = try ReportFile(directory: folder, name: "rejects.\(ext)")
        for file in [accept, deny, pend] {
            var header: [UInt8] = []
            encoder.header(ReportColumns.line, into: &header)
            try file.write(header)
        }
        var header: [UInt8] = []
        encoder.header(ReportColumns.claim, into: &header)
        try claims.write(header)
        header = []
        encoder.header(ReportColumns.reject, into: &header)
        try rejects.write(header)

        let writer = RunWriter(
            files: RunWriter.Files(accept: accept, deny: deny, pend: pend, claims: claims, rejects: rejects),
            encoder: encoder, counts: RunCounts(spillFolder: folder + "/.summary-spill")
        )
        for reject in missing { writer.write(.reject(reject)) }

        let queues = reading.queues

        var progress: ProgressLine?
        if options.showProgress {
            // A pipe's size is not known until it ends: with one among the inputs the line
            // shows what has been read, without a share or a time left.
            let sizes = inputs.map { regularFileSize($0.path) }
            progress = ProgressLine(totalBytes: sizes.contains(nil) ? nil : sizes.reduce(0) { $0 + ($1 ?? 0) }, started: started)
            progress?.start()
        }
        defer { progress?.stop() }
        writer.progress = progress

        // Writing (and hashing what is written) runs on its own thread, so that the
        // deciding threads go on with the next batch meanwhile.
        let jobs = max(1, options.jobs)
        // Three chunks per deciding thread keep both busy to a batch's end; eight cost about
        // 3% more CPU and 4-8% more wall time (each chunk's buffers, counts, hand-outs and
        // writes), two let the peak grow with the input.
        let chunksPerBatch = jobs == 1 ? 1 : jobs * 3
        // One batch's chunks: written while the next batch's are decided.
        let toWrite = BoundedQueue<RunWriter.Output>(capacity: chunksPerBatch)
        let written = DispatchSemaphore(value: 0)
        let writing = Thread {
            while let output = toWrite.pop() { writer.write(output) }
            written.signal()
        }
        writing.start()

        // Each batch is cut into chunks decided on a concurrent Dispatch queue, at most
        // `jobs` at once. The chunks are queued for the writer in input order as they are
        // handed out, so the next batch is started while the last chunks of this one finish:
        // no thread waits for a whole batch.
        let deciders = DispatchQueue(label: "claimscrub.decide", attributes: .concurrent)
        // Deciding yields to reading and writing (`DecidingPriority`).
        let runPriority = DecidingPriority.process()
        let deciding = DispatchGroup()
        let slots = DispatchSemaphore(value: jobs)
        reading: for queue in queues {
            queue.widen(to: 2)
            while let work = queue.pop() {
                // After a failed write the run ends with exit 74: deciding more is wasted.
                if writer.hasFailed { break reading }
                switch work {
                case .unreadable(let reject):
                    toWrite.push(.unreadable(reject))
                case .items(let batch):
                    let items = batch.items
                    let chunkCount = min(items.count, chunksPerBatch)
                    for chunk in 0..<chunkCount {
                        let lower = items.count * chunk / chunkCount
                        let upper = items.count * (chunk + 1) / chunkCount
                        let pending = DecidedChunk()
                        toWrite.push(.chunk(pending))
                        slots.wait()
                        // The batch is captured, not its items: the reading thread frees it
                        // once no chunk holds it.
                        deciders.async(group: deciding) {
                            if let runPriority { DecidingPriority.lowerCallingThread(below: runPriority) }
                            pending.finish(decide(batch.items[lower..<upper], engine: engine, encoder: encoder))
                            slots.signal()
                        }
                    }
                }
            }
        }
        deciding.wait()
        toWrite.close()
        written.wait()
        reading.hashing.wait()
        if let failure = writer.failure { throw failure }
        var counts = writer.counts
        let unreadable = !missing.isEmpty || writer.sawUnreadableInput
        let writtenLines = writer.writtenLines
        let writtenRejects = writer.writtenRejects

        var reportHashes = try finishSideBySide([accept, claims, deny, pend, rejects], fsync: options.fsync)
        let inputHashes = reading.hashes.withLock { $0 }
        let totalBytes = inputs.reduce(Int64(0)) { $0 + (inputHashes[$1.path]?.bytes ?? 0) }

        let summaryFile = try ReportFile(directory: folder, name: "summary.json")
        let leaders = try counts.writeSummary(asOf: options.asOf, inputs: inputs.count + missing.count, bytes: totalBytes, to: summaryFile)
        reportHashes.append(("summary.json", try summaryFile.finish(fsync: options.fsync)))
        if options.writeHTML {
            let html = SummaryHTML(
                counts: counts, leaders: leaders, codeSets: loaded.codeSets, asOf: options.asOf, inputs: inputs.count + missing.count,
                bytes: totalBytes, codeSetsFingerprint: loaded.fingerprint
            )
            let htmlFile = try ReportFile(directory: folder, name: "summary.html")
            try htmlFile.write(html.render())
            reportHashes.append(("summary.html", try htmlFile.finish(fsync: options.fsync)))
        }

        let wall = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        let usage = resourceUsage()
        let timing = try ReportFile(directory: folder, name: "timing.json")
        try timing.write("""
        {
          "wall_seconds": \(rounded(wall)),
          "cpu_seconds": \(rounded(usage.cpu)),
          "bytes_per_second": \(rounded(Double(totalBytes) / max(wall, 1e-9))),
          "lines_per_second": \(rounded(Double(counts.lines) / max(wall, 1e-9))),
          "peak_memory_bytes": \(usage.peakBytes)
        }

        """)
        _ = try timing.finish(fsync: options.fsync)

        // Conservation: every line read is reported once, every reject is a row.
        let decided = counts.linesByDecision.values.reduce(0, +)
        guard counts.lines == decided, writtenLines == counts.lines, writtenRejects == counts.rejects else {
            return RunOutcome(
                status: ExitStatus.software,
                message: "internal error: conservation check failed (lines read \(counts.lines), decided \(decided), written \(writtenLines); rejects \(counts.rejects), written \(writtenRejects)); no manifest was written, the partial reports are in \(folder)",
                claims: counts.claims, lines: counts.lines, rejects: counts.rejects
            )
        }

        let manifest = manifestJSON(
            options: options, loaded: loaded, inputs: inputs, missing: missing, inputHashes: inputHashes,
            reports: reportHashes.sorted { $0.0 < $1.0 }
        )
        let manifestFile = try ReportFile(directory: folder, name: "manifest.json")
        try manifestFile.write(manifest)
        _ = try manifestFile.finish(fsync: options.fsync)

        var status = ExitStatus.success
        if counts.rejects > 0 || counts.invalidDataLines > 0 { status = ExitStatus.dataError }
        if unreadable { status = ExitStatus.noInput }
        let accepted = counts.linesByDecision[.accept] ?? 0
        let denied = counts.linesByDecision[.deny] ?? 0
        let pended = counts.linesByDecision[.pend] ?? 0
        let message = "Scrubbed \(counts.claims) claims, \(counts.lines) service lines (\(accepted) accepted, \(denied) denied, \(pended) pended) from \(inputs.count) input file\(inputs.count == 1 ? "" : "s") as of \(options.asOf); \(counts.rejects) reject\(counts.rejects == 1 ? "" : "s"); \(Int(Double(counts.lines) / max(wall, 1e-9))) lines/s in \(rounded(wall)) s. Reports are in \(options.outDirectory)."
        return RunOutcome(status: status, message: message, claims: counts.claims, lines: counts.lines, rejects: counts.rejects)
    }

    /// Finishes the reports on both cores: each hashes and writes what its buffer still holds
    /// (up to 1 MiB), which on the run's thread alone was the largest part of the time after
    /// the last row. Names and digests in the order given; the first failure in that order
    /// is the one thrown.
    static func finishSideBySide(_ files: [ReportFile], fsync: Bool) throws(OutputError) -> [(String, String)] {
        // Each file goes to one thread, after the writing thread is done with them all.
        struct OneEach: @unchecked Sendable { let files: [ReportFile] }
        let handed = OneEach(files: files)
        let results = Mutex<[Result<String, OutputError>?]>(Array(repeating: nil, count: files.count))
        DispatchQueue.concurrentPerform(iterations: files.count) { index in
            let result = Result { () throws(OutputError) in try handed.files[index].finish(fsync: fsync) }
            results.withLock { $0[index] = result }
        }
        var hashes: [(String, String)] = []
        for (file, result) in zip(files, results.withLock { $0 }) {
            hashes.append((file.name, try result!.get()))
        }
        return hashes
    }

    /// Reads one input into batches of whole claims, showing `observer` its bytes. Where
    /// `hashApartIfBusy` is given and the reader leaves no time to spare (`ClaimReader`),
    /// the observer is stopped once the reader is made and `hashApartIfBusy` called (not
    /// without an observer: a compressed file is hashed apart already).
    private static func read(
        _ input: Input, format: InputFormat?, mapping: CSVColumnMapping, observer: InputDigest?,
        hashApartIfBusy: (() -> Void)?, into queue: BoundedQueue<Work>
    ) {
        let batchLines = 4_096
        // A batch also ends after this many bytes read (by any reader: it can only end early),
        // so that rows near the 1 MiB limit do not put gigabytes in flight.
        let batchBytes: Int64 = 4 << 20
        var batchStart = ByteSource.totalBytesRead.load(ordering: .relaxed)
        do {
            var reader = try InputOpener.open(
                path: input.path, displayPath: input.displayPath, format: format, csvMapping: mapping, observer: observer
            )
            if let observer, let hashApartIfBusy, !reader.readingLeavesTimeToSpare {
                observer.stopObserving()
                hashApartIfBusy()
            }
            var items: [DeferredRead] = []
            var lines = 0
            // Batches handed over and not yet known to be done with, when this thread frees
            // them. Freed by the deciding threads, memory from this thread's malloc arena
            // cost them more than it costs here (alternated runs: X12 3.5-5% less CPU in
            // all, CSV 1.5-2.5%); an XML reading thread has no time to spare for it.
            let freesBatches = reader.readingLeavesTimeToSpare
            var handedOver: [Batch] = []
            // A batch of more input than this (rows near the limits) is left to the deciding
            // threads: held until the next hand-over, batches of 100,000-column rows (some
            // 30 MiB in memory each) raised that run's peak from 56 to 78 MiB.
            let heldBatchBytes: Int64 = 1 << 20
            // False once the run's thread has abandoned the queue (the run ended early).
            var wanted = true
            func handOver(_ items: [DeferredRead], bytes: Int64) {
                let batch = Batch(items)
                wanted = queue.push(.items(batch))
                guard freesBatches, wanted else { return }
                // Lets go of the batches the deciding threads are done with (this reference
                // is the last), which frees them here.
                var kept = 0
                for index in handedOver.indices where !isKnownUniquelyReferenced(&handedOver[index]) {
                    handedOver.swapAt(kept, index)
                    kept += 1
                }
                if kept < handedOver.count {
                    // A deciding thread's reads of a batch come before its last release of
                    // it; this orders them before the free here, as the runtime does before
                    // a deinit (nothing to do on x86-64, needed where loads may pass).
                    atomicMemoryFence(ordering: .acquiring)
                    handedOver.removeSubrange(kept...)
                }
                if bytes <= heldBatchBytes { handedOver.append(batch) }
            }
            // Consumed: appending a borrowed item copied it, retaining each value of its claim
            // (as did switching over it here before the append).
            func add(_ item: consuming DeferredRead) {
                lines += item.batchLines
                items.append(item)
                let bytes = ByteSource.totalBytesRead.load(ordering: .relaxed) - batchStart
                if lines >= batchLines || bytes >= batchBytes {
                    handOver(items, bytes: bytes)
                    items = []
                    lines = 0
                    batchStart = ByteSource.totalBytesRead.load(ordering: .relaxed)
                }
            }
            // Claims come unbuilt (rows, recorded segments, recorded XML): they are built on
            // the deciding threads, and this one is left with scanning and parsing.
            while wanted, let item = try reader.nextDeferred() { add(item) }
            if wanted, !items.isEmpty { handOver(items, bytes: ByteSource.totalBytesRead.load(ordering: .relaxed) - batchStart) }
        } catch {
            queue.push(.unreadable(Reject(
                source: input.displayPath, kind: .inputFile,
                message: "The input could not be read: \(error.message)."
            )))
        }
    }

    struct ChunkOutput: Sendable {
        var accept: [UInt8] = []
        var deny: [UInt8] = []
        var pend: [UInt8] = []
        var claims: [UInt8] = []
        var rejects: [UInt8] = []
        var lineRows = 0
        var rejectRows = 0
        var counts = RunCounts()
    }

    /// Decides and formats a run of consecutive items into one chunk of report rows.
    ///
    /// The items stay in the batch until its last chunk is done, and are read where they lie
    /// (`build` lends them). Moving each chunk's items out to its deciding thread, which let
    /// each go as soon as its claim was built, made the run slower on a million lines (freed
    /// one by one while the reading thread allocates, they contended for its malloc arena).
    private static func decide(_ items: ArraySlice<DeferredRead>, engine: DecisionEngine, encoder: RowEncoder) -> ChunkOutput {
        var output = ChunkOutput()
        var cells = ClaimCells()
        var scratch = DecisionScratch()
        for index in items.indices {
            items[index].build { item in
                add(item, to: &output, cells: &cells, scratch: &scratch, engine: engine, encoder: encoder)
            }
        }
        return output
    }

    /// Decides one item and appends its rows to the chunk; `cells` is a buffer for the
    /// cells a claim's rows repeat, `scratch` the engine's buffers.
    private static func add(
        _ item: borrowing ReadItem, to output: inout ChunkOutput, cells: inout ClaimCells, scratch: inout DecisionScratch,
        engine: DecisionEngine, encoder: RowEncoder
    ) {
        switch item {
        case .reject(let reject):
            encoder.rejectRow(reject, into: &output.rejects)
            output.rejectRows += 1
            output.counts.rejects += 1
        case .claim(let claim):
            let decision = engine.decide(claim, scratch: &scratch)
            let echo = ClaimEcho(claim, decision: decision)
            encoder.claimCells(claim: claim, echo: echo, into: &cells)
            // By index: iterating the lines would copy each one (and retain its strings). The
            // decisions through a buffer pointer, handed to the row writer whole: the array's
            // subscript copied each (five references retained and released), and so did
            // passing one element of the buffer.
            decision.lines.withUnsafeBufferPointer { decisions in
                for index in claim.lines.indices {
                    switch decisions[index].decision {
                    case .accept:
                        encoder.lineRow(claim: claim, echo: echo, cells: cells, line: index, decisions: decisions, into: &output.accept)
                    case .deny:
                        encoder.lineRow(claim: claim, echo: echo, cells: cells, line: index, decisions: decisions, into: &output.deny)
                    case .pend:
                        encoder.lineRow(claim: claim, echo: echo, cells: cells, line: index, decisions: decisions, into: &output.pend)
                    }
                    output.lineRows += 1
                }
            }
            encoder.claimRow(claim: claim, echo: echo, cells: cells, decision: decision, into: &output.claims)
            output.counts.add(claim: claim, echo: echo, decision: decision)
            engine.recycle(decision, into: &scratch)
        }
    }

    // MARK: - Inputs

    /// Files of the arguments in order: a folder gives its regular files, sorted by
    /// byte order, skipping dot names. Arguments that do not exist are rejects.
    private static func expand(_ arguments: [String]) -> ([Input], [Reject]) {
        let fm = FileManager.default
        var inputs: [Input] = []
        var missing: [Reject] = []
        for argument in arguments {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                missing.append(Reject(source: argument, kind: .inputFile, message: "The input could not be opened: no such file or folder."))
                continue
            }
            if isDirectory.boolValue {
                let names = ((try? fm.contentsOfDirectory(atPath: argument)) ?? [])
                    .filter { !$0.hasPrefix(".") }
                    .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
                // Regular files only (cli.md): a named pipe left in the folder would hold the
                // run waiting for a writer.
                for name in names {
                    let display = argument.hasSuffix("/") ? argument + name : argument + "/" + name
                    if isRegularFile(display) {
                        inputs.append(Input(path: display, displayPath: display))
                    }
                }
            } else {
                inputs.append(Input(path: argument, displayPath: argument))
            }
        }
        return (inputs, missing)
    }

    // MARK: - Manifest

    private static func manifestJSON(
        options: RunOptions, loaded: LoadedCodeSets, inputs: [Input], missing: [Reject],
        inputHashes: [String: (bytes: Int64, sha256: String)], reports: [(String, String)]
    ) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        func absolute(_ path: String) -> String {
            let full = path.hasPrefix("/") ? path : cwd + "/" + path
            return URL(fileURLWithPath: full).standardizedFileURL.path
        }
        let inputEntries = inputs.map { input -> String in
            let hash = inputHashes[input.path] ?? (0, "")
            return "{\"path\": \(jsonString(input.displayPath)), \"absolute_path\": \(jsonString(absolute(input.path))), \"bytes\": \(hash.bytes), \"sha256\": \"\(hash.sha256)\"}"
        }
        let policies = loaded.codeSets.policies.keys.sorted().map { id -> String in
            let versions = loaded.codeSets.policies[id]!.versions.map { jsonString($0.id) }.joined(separator: ", ")
            return "\(jsonString(id)): [\(versions)]"
        }
        let reportEntries = reports.map { "{\"file\": \(jsonString($0.0)), \"sha256\": \"\($0.1)\"}" }
        return """
        {
          "tool_version": "\(toolVersion)",
          "arguments": [\(options.arguments.map(jsonString).joined(separator: ", "))],
          "working_directory": \(jsonString(cwd)),
          "as_of": "\(options.asOf)",
          "inputs": [
            \(inputEntries.joined(separator: ",\n    "))
          ],
          "codesets": {
            "fingerprint": "\(loaded.fingerprint)",
            "source": \(jsonString(loaded.source == "built-in" ? "built-in" : absolute(loaded.source))),
            "policies": {\(policies.joined(separator: ", "))}
          },
          "reports": [
            \(reportEntries.joined(separator: ",\n    "))
          ]
        }

        """
    }

    private static func resourceUsage() -> (cpu: Double, peakBytes: Int) {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return (cpu, peakResidentBytes() ?? usage.ru_maxrss * 1024)
    }

    /// The run's own peak resident memory, `VmHWM` of /proc/self/status, which starts afresh
    /// at exec. `ru_maxrss` does not: a run spawned with vfork (posix_spawn, Python's
    /// subprocess) by a large process reported that process's peak in timing.json.
    private static func peakResidentBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            // `VmHWM:     45312 kB`
            guard let kilobytes = Int(line.dropFirst("VmHWM:".count).filter { $0.isASCII && $0.isNumber }) else { return nil }
            return kilobytes * 1024
        }
        return nil
    }

    private static func rounded(_ value: Double) -> String {
        String(format: "%.3f", value)
    }
}

/// The folder holding `path` ("" for a bare name, "/" for a top-level one). Not
/// NSString.deletingLastPathComponent: this Foundation traps on a one-character name.
func parentFolder(of path: String) -> String {
    var trimmed = Substring(path)
    while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
    guard let slash = trimmed.lastIndex(of: "/") else { return "" }
    if slash == trimmed.startIndex { return "/" }
    var parent = trimmed[..<slash]
    while parent.count > 1, parent.hasSuffix("/") { parent.removeLast() }
    return String(parent)
}
