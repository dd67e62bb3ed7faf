import ClaimscrubReaders
import Synchronization

/// Batches whose chunks have all been decided, handed back to the thread that read them so
/// that their items are freed there.
///
/// An X12 claim, and a CSV claim's row bytes, are allocated by the reading thread, in its
/// malloc arena. Freed on the deciding threads, each free took that arena's lock while the
/// reading thread was allocating from it: deciding threads waited for the lock, and the
/// reading thread spent about 5% of its time waking them (`perf`, 200k X12 lines).
final class SpentBatches: Sendable {
    private struct State {
        var batches: [[DeferredRead]] = []
        /// False once the input is read: nobody would come back for the batches.
        var reading = true
    }

    private let state = Mutex(State())

    /// Called by the deciding thread that finished a batch's last chunk. Once the input is
    /// read the batch is not kept (it goes with the deciding thread's last reference), so
    /// that a run of many small files does not hold their last batches to its end.
    func retire(_ items: [DeferredRead]) {
        state.withLock { state in
            if state.reading { state.batches.append(items) }
        }
    }

    /// Lets go of the retired batches on the calling thread, the reading one (outside the
    /// lock: the batches are returned and dropped here).
    func release() {
        _ = state.withLock { state in
            let batches = state.batches
            state.batches = []
            return batches
        }
    }

    /// The input is read: lets go of the retired batches, and of later ones as they retire.
    func close() {
        _ = state.withLock { state in
            state.reading = false
            let batches = state.batches
            state.batches = []
            return batches
        }
    }

    /// Batches retired and not yet let go.
    var heldCount: Int { state.withLock { $0.batches.count } }
}

/// A batch being decided in chunks on several threads: the chunk that finishes last
/// retires it.
final class DecidingBatch: Sendable {
    let items: [DeferredRead]
    private let remaining: Atomic<Int>
    private let spent: SpentBatches

    init(_ items: [DeferredRead], chunks: Int, spent: SpentBatches) {
        self.items = items
        remaining = Atomic(chunks)
        self.spent = spent
    }

    func chunkDone() {
        if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
            spent.retire(items)
        }
    }
}
