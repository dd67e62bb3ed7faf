#if os(Linux)
@testable import ClaimscrubRun
import Foundation
import Synchronization
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
