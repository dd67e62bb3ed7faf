@testable import ClaimscrubRun
import ClaimscrubCore
import ClaimscrubReaders
import Dispatch
import Testing

/// A decided batch goes back to the thread that read it, to be freed there, and only
/// while that thread is still reading.
@Suite struct SpentBatchesTests {
    private static func batch(_ count: Int) -> [DeferredRead] {
        (0..<count).map { .item(.reject(Reject(source: "in.x12:\($0)", kind: .claim, message: "m"))) }
    }

    @Test func aBatchIsRetiredWhenItsLastChunkIsDoneAndHeldUntilReleased() {
        let spent = SpentBatches()
        let batch = DecidingBatch(Self.batch(5), chunks: 3, spent: spent)
        batch.chunkDone()
        batch.chunkDone()
        #expect(spent.heldCount == 0)
        batch.chunkDone()
        #expect(spent.heldCount == 1)
        DecidingBatch(Self.batch(1), chunks: 1, spent: spent).chunkDone()
        #expect(spent.heldCount == 2)
        spent.release()
        #expect(spent.heldCount == 0)
    }

    @Test func onceTheInputIsReadNothingIsHeld() {
        let spent = SpentBatches()
        DecidingBatch(Self.batch(2), chunks: 1, spent: spent).chunkDone()
        #expect(spent.heldCount == 1)
        spent.close()
        #expect(spent.heldCount == 0)
        DecidingBatch(Self.batch(2), chunks: 1, spent: spent).chunkDone()
        #expect(spent.heldCount == 0)
    }

    @Test func chunksDoneOnManyThreadsRetireTheBatchOnce() {
        let spent = SpentBatches()
        for _ in 0..<50 {
            let batch = DecidingBatch(Self.batch(64), chunks: 64, spent: spent)
            DispatchQueue.concurrentPerform(iterations: 64) { _ in batch.chunkDone() }
        }
        #expect(spent.heldCount == 50)
    }
}
