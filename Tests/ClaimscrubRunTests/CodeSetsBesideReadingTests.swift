import ClaimscrubCore
import ClaimscrubReaders
import Foundation
import Synchronization
import TestSupport
import Testing
@testable import ClaimscrubRun

/// `run` reads its first batches while the code sets load. A run whose code sets cannot be
/// loaded still ends as it did when they were loaded first: exit 78 with every problem,
/// before any output, whatever its inputs are doing.
@Suite struct CodeSetsBesideReadingTests {
    /// A copy of the built-in code sets with a YAML error in payers.yaml.
    private func brokenCodeSets() throws -> URL {
        let folder = temporaryFolder().appendingPathComponent("codesets")
        try FileManager.default.copyItem(at: packageRoot().appendingPathComponent("codesets"), to: folder)
        let payers = folder.appendingPathComponent("payers.yaml")
        try (try String(contentsOf: payers, encoding: .utf8) + "  - id: [unclosed\n").write(to: payers, atomically: true, encoding: .utf8)
        return folder
    }

    @Test func brokenCodeSetsEndTheRunWhileItsInputPipeStaysOpen() throws {
        let codeSets = try brokenCodeSets()
        let folder = temporaryFolder()
        let pipe = folder.appendingPathComponent("claims.csv").path
        #expect(mkfifo(pipe, 0o600) == 0)
        // Held open for writing and never written: the reading thread waits on it for good.
        let writeEnd = open(pipe, O_RDWR)
        #expect(writeEnd >= 0)
        defer { close(writeEnd) }
        let out = folder.appendingPathComponent("run")
        let started = Date()
        let result = try runClaimscrub(["run", pipe, "--codesets", codeSets.path, "--out", out.path])
        #expect(result.status == 78)
        #expect(result.stderr.contains("payers.yaml:"))
        #expect(result.stderr.contains("error: YAML syntax:"))
        #expect(result.stderr.contains("the code sets are invalid"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).allSatisfy { !$0.hasPrefix("run") })
        // Ended by its code sets, not by a timeout of any kind: a debug build takes well under a second.
        #expect(Date().timeIntervalSince(started) < 30)
    }

    @Test func codeSetProblemsComeBeforeABadAsOfDate() throws {
        let codeSets = try brokenCodeSets()
        let out = temporaryFolder().appendingPathComponent("run").path
        let both = try runClaimscrub(["run", "Fixtures/sample-batch.csv", "--codesets", codeSets.path, "--as-of", "2026-13-01", "--out", out])
        #expect(both.status == 78)
        #expect(both.stderr.contains("the code sets are invalid"))
        #expect(!both.stderr.contains("--as-of"))
        let dateOnly = try runClaimscrub(["run", "Fixtures/sample-batch.csv", "--as-of", "2026-13-01", "--out", out])
        #expect(dateOnly.status == 64)
        #expect(dateOnly.stderr.contains("--as-of must be a date YYYY-MM-DD, not '2026-13-01'"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func aRunWithoutItsCodeSetsMakesNoOutput() throws {
        let out = temporaryFolder().appendingPathComponent("run").path
        let options = RunOptions(
            inputs: [packageRoot().appendingPathComponent("Fixtures/sample-batch.csv").path], format: nil,
            asOf: CalendarDate(year: 2026, month: 11, day: 23)!, jobs: 2, reportFormat: .csv, csvMapping: CSVColumnMapping(),
            overwrite: false, fsync: false, outDirectory: out, arguments: []
        )
        let asked = Atomic<Int>(0)
        let outcome = RunJob.run(options, codeSetsWhenReady: {
            asked.add(1, ordering: .relaxed)
            return nil
        })
        #expect(outcome == nil)
        #expect(asked.load(ordering: .relaxed) == 1)
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(!FileManager.default.fileExists(atPath: out + ".partial-\(getpid())"))
    }

    @Test func anAbandonedQueueFreesAWaitingProducerAndTakesNothingMore() {
        let queue = BoundedQueue<Int>(capacity: 1)
        #expect(queue.push(1))
        let waiting = DispatchSemaphore(value: 0)
        let result = Mutex<Bool?>(nil)
        let producer = Thread {
            waiting.signal()
            // Full: waits until the queue is abandoned.
            let taken = queue.push(2)
            result.withLock { $0 = taken }
            waiting.signal()
        }
        producer.start()
        waiting.wait()
        queue.abandon()
        #expect(waiting.wait(timeout: .now() + 30) == .success)
        #expect(result.withLock { $0 } == false)
        #expect(queue.push(3) == false)
        #expect(queue.isAbandoned)
        // What it held is dropped.
        #expect(queue.pop() == nil)
    }
}
