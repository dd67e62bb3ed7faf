import Foundation

/// A k-way merge of sorted runs: a binary heap of the runs' next records, so each record
/// costs about log2(k) comparisons and memory is one buffer and one record per run.
struct SortRunMerge {
    let paths: [String]
    private let order: SortOrder
    private var readers: [SortRunReader] = []
    /// `heads[i]` is run `i`'s next record; `heap` orders the runs that have one.
    private var heads: [SortRecord?] = []
    private var heap: [Int] = []

    init(paths: [String], order: SortOrder) throws(AuditError) {
        self.paths = paths
        self.order = order
        for path in paths {
            let reader = try SortRunReader(path: path)
            readers.append(reader)
            heads.append(try reader.next())
        }
        heap = heads.indices.filter { heads[$0] != nil }
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    mutating func next() throws(AuditError) -> SortRecord? {
        guard let top = heap.first, let record = heads[top] else { return nil }
        heads[top] = try readers[top].next()
        if heads[top] == nil {
            heap[0] = heap[heap.count - 1]
            heap.removeLast()
        }
        if !heap.isEmpty { siftDown(0) }
        return record
    }

    /// Deletes the run files, once merged.
    func removeFiles() {
        for path in paths { try? FileManager.default.removeItem(atPath: path) }
    }

    private func precedes(_ left: Int, _ right: Int) -> Bool {
        guard let a = heads[left], let b = heads[right] else { return heads[left] != nil }
        return order.precedes(a, b)
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            var smallest = parent
            let left = 2 * parent + 1, right = left + 1
            if left < heap.count && precedes(heap[left], heap[smallest]) { smallest = left }
            if right < heap.count && precedes(heap[right], heap[smallest]) { smallest = right }
            if smallest == parent { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
