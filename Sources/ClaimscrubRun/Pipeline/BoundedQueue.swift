import Foundation

/// A first-in first-out hand-over between the reading thread and the deciding one,
/// holding at most `capacity` batches so memory does not grow with the input.
final class BoundedQueue<Element>: @unchecked Sendable {
    // @unchecked: every access to `items` and `closed` happens under `condition`'s lock.
    private let condition = NSCondition()
    private var items: [Element] = []
    private var closed = false
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Lets the queue hold more from now on, waking a `push` waiting for room.
    func widen(to capacity: Int) {
        condition.lock()
        self.capacity = max(self.capacity, capacity)
        condition.broadcast()
        condition.unlock()
    }

    private var abandoned = false

    /// Adds `item`, waiting for room. False when the queue was abandoned: the item is
    /// dropped, and the producer should stop.
    @discardableResult
    func push(_ item: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !abandoned { condition.wait() }
        guard !abandoned else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// Nothing more will be taken: what is queued is dropped, a `push` waiting for room
    /// returns, and later ones drop their items; `pop` gives nil.
    func abandon() {
        condition.lock()
        abandoned = true
        closed = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    var isAbandoned: Bool {
        condition.lock()
        defer { condition.unlock() }
        return abandoned
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next element, or nil once the queue is closed and empty.
    func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        guard !items.isEmpty else { return nil }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }
}
