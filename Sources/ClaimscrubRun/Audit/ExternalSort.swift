/// How much an external sort holds at once: records per sorted run (and their bytes), and
/// how many runs one merge reads together. Tests make them tiny to exercise the merges.
struct SortLimits: Sendable {
    var recordsPerRun = 250_000
    var bytesPerRun = 48 << 20
    var fanIn = 64
}

/// Sorts more records than fit in memory: records are buffered up to the limits, sorted
/// and written as a run file into `folder`; `finish` merges runs `fanIn` at a time until
/// one merge can read them all, and returns that merge.
struct ExternalSort {
    private let folder: String
    private let name: String
    private let order: SortOrder
    private let limits: SortLimits
    /// Buffered records, each `[u32 length][body]`, and where each body starts.
    private var arena: [UInt8] = []
    private var starts: [Int] = []
    private var runs: [String] = []
    private var written = 0

    init(folder: String, name: String, order: SortOrder, limits: SortLimits) {
        self.folder = folder
        self.name = name
        self.order = order
        self.limits = limits
    }

    mutating func append(_ record: SortRecord) throws(AuditError) {
        SortRecord.appendInteger(UInt32(record.body.count), to: &arena)
        starts.append(arena.count)
        arena.append(contentsOf: record.body)
        if starts.count >= limits.recordsPerRun || arena.count >= limits.bytesPerRun { try spill() }
    }

    /// All records in order; the run files go with the merge's `removeFiles()`.
    mutating func finish() throws(AuditError) -> SortRunMerge {
        if !starts.isEmpty || runs.isEmpty { try spill() }
        arena = []
        starts = []
        while runs.count > max(limits.fanIn, 2) {
            var merge = try SortRunMerge(paths: Array(runs.prefix(limits.fanIn)), order: order)
            let file = try newRunFile()
            while let record = try merge.next() {
                try file.append { out in
                    SortRecord.appendInteger(UInt32(record.body.count), to: &out)
                    out.append(contentsOf: record.body)
                }
            }
            try file.close()
            merge.removeFiles()
            runs.removeFirst(limits.fanIn)
            runs.append(file.path)
        }
        return try SortRunMerge(paths: runs, order: order)
    }

    /// Sorts the buffered records and writes them as the next run.
    private mutating func spill() throws(AuditError) {
        let order = order
        arena.withUnsafeBytes { raw in
            func body(_ start: Int) -> UnsafeRawBufferPointer {
                let length = Int(raw.loadUnaligned(fromByteOffset: start - 4, as: UInt32.self).littleEndian)
                return UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)])
            }
            starts.sort { order.precedes(body($0), body($1)) }
        }
        let file = try newRunFile()
        for start in starts {
            try file.append { out in
                arena.withUnsafeBytes { raw in
                    let length = Int(raw.loadUnaligned(fromByteOffset: start - 4, as: UInt32.self).littleEndian)
                    out.append(contentsOf: raw[(start - 4)..<(start + length)])
                }
            }
        }
        try file.close()
        runs.append(file.path)
        arena.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
    }

    private mutating func newRunFile() throws(AuditError) -> OutputFile {
        written += 1
        return try OutputFile(path: "\(folder)/\(name)-\(written).run")
    }
}
