#if os(Linux)
import ClaimscrubCore
import ClaimscrubReaders
@testable import ClaimscrubRun
import Foundation
import Synchronization
import TestSupport
import Testing

/// Deciding threads run below the process's reading and writing threads, and lowering one
/// touches no other thread.
@Suite struct DecidingPriorityTests {
    /// Runs `body` on a thread of its own, as a deciding thread would be, and returns what
    /// it gives.
    private func onNewThread<Value: Sendable>(_ body: @escaping @Sendable () -> Value) -> Value {
        let result = Mutex<Value?>(nil)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            let value = body()
            result.withLock { $0 = value }
            done.signal()
        }
        thread.start()
        done.wait()
        return result.withLock { $0! }
    }

    @Test func aDecidingThreadIsLoweredAndNoOtherThreadIs() throws {
        let process = try #require(DecidingPriority.process())
        let caller = try #require(DecidingPriority.callingThread())
        let lowered = onNewThread { () -> (before: Int32?, after: Int32?) in
            let before = DecidingPriority.callingThread()
            DecidingPriority.lowerCallingThread(below: process)
            return (before, DecidingPriority.callingThread())
        }
        // A new thread starts at its creator's value; this one was lowered from there.
        #expect(lowered.before == caller)
        #expect(lowered.after == min(process + DecidingPriority.steps, 19))
        #expect(DecidingPriority.callingThread() == caller)
        #expect(DecidingPriority.process() == process)
    }

    /// The nice values of this process's threads, from `/proc/self/task/*/stat` (field 19;
    /// the name before it, in parentheses, may hold spaces).
    private func threadNiceValues() throws -> [Int32] {
        let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")
        return tasks.compactMap { task in
            guard let stat = try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 16 ? Int32(fields[16]) : nil
        }
    }

    /// The run itself lowers the threads it decides on: nothing else in the test process
    /// lowers a thread that outlives its test, and Dispatch keeps its worker threads for a
    /// while after their work.
    @Test func aRunDecidesOnLoweredThreads() throws {
        let process = try #require(DecidingPriority.process())
        let options = RunOptions(
            inputs: [packageRoot().appendingPathComponent("Fixtures/sample-batch.csv").path], format: nil,
            asOf: CalendarDate(year: 2026, month: 11, day: 23)!, jobs: 2, reportFormat: .csv, csvMapping: CSVColumnMapping(),
            overwrite: false, fsync: false, outDirectory: temporaryFolder().appendingPathComponent("run").path, arguments: []
        )
        let outcome = RunJob.run(options, codeSets: try LoadedCodeSets.load(folder: nil))
        #expect(outcome.lines == 24)
        #expect(try threadNiceValues().contains(min(process + DecidingPriority.steps, 19)))
        #expect(DecidingPriority.process() == process)
    }

    @Test func aThreadAlreadyLowerIsLeftAlone() throws {
        let process = try #require(DecidingPriority.process())
        let lower = min(process + DecidingPriority.steps + 2, 19)
        let after = onNewThread { () -> Int32? in
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, lower)
            DecidingPriority.lowerCallingThread(below: process)
            return DecidingPriority.callingThread()
        }
        // Lowering is one way for an unprivileged process: setting the run's value here
        // would have raised the thread, refused or (as root) wrongly done.
        #expect(after == lower)
    }
}
#endif
