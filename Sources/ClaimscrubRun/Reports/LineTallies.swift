import ClaimscrubCore
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// A payer id or procedure code as the reports spell it. Equal, hashed and ordered by its
/// UTF-8 bytes: a Swift `String` key would merge canonically equivalent spellings, which
/// spilled runs (compared by bytes) could not reproduce, and summary.json orders by bytes.
struct TallyKey: Hashable, Comparable, Sendable {
    var text: String

    // Every service line looks its procedure code up (hash, then ==): the bytes are read
    // in place (`withUTF8Bytes`). `withUTF8` needs a `var`, and copying the keys into one
    // retained and released each String, about 14 reference counts per line.
    static func == (a: TallyKey, b: TallyKey) -> Bool {
        a.text.withUTF8Bytes { x in b.text.withUTF8Bytes { y in compareBytes(x, y) == 0 } }
    }

    static func < (a: TallyKey, b: TallyKey) -> Bool {
        a.text.withUTF8Bytes { x in b.text.withUTF8Bytes { y in compareBytes(x, y) < 0 } }
    }

    func hash(into hasher: inout Hasher) {
        text.withUTF8Bytes { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    var byteCount: Int { text.utf8.count }
}

/// Byte order, the shorter first on a common prefix (as `lexicographicallyPrecedes`).
func compareBytes(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Int {
    let common = min(x.count, y.count)
    if common > 0 {
        let order = memcmp(x.baseAddress!, y.baseAddress!, common)
        if order != 0 { return Int(order) }
    }
    return x.count - y.count
}

/// The `cap` largest entries of a finished tally, for summary.html's bars: in rank order
/// (more lines first, ties by key bytes), the rest summed.
struct LeadingTallies: Sendable {
    var leading: [(key: String, tally: DecisionTally)] = []
    /// Lines of every key not in `leading`, by decision.
    var rest = DecisionTally()
    /// Distinct keys in the whole tally.
    var distinct = 0
}

/// The leading payers and procedure codes of a run, for summary.html.
struct SummaryLeaders: Sendable {
    var payers = LeadingTallies()
    var procedureCodes = LeadingTallies()
}

/// Service lines by a key (payer or procedure code) and decision, in bounded memory.
///
/// A hostile batch can carry millions of distinct payers or codes. The run's total keeps at
/// most `Limits.keys` keys (or `Limits.keyBytes` bytes of keys) in memory; past that, the
/// entries are written to a spill file sorted by key bytes (a "run"), and the runs are merged
/// at the end. The counts are sums, so the result is exact and the same however the batches
/// were cut, whatever `--jobs` is and whether anything spilled. The per-batch tallies built
/// on the deciding threads never spill: a batch holds its lines anyway.
struct LineTallies: Sendable {
    /// In-memory keys per tally before a spill: about 2-6 MiB each for two tallies, far
    /// above the payers and codes of a real batch (a few hundred), so real runs never spill.
    struct Limits: Sendable {
        var keys = 20_000
        var keyBytes = 4 << 20
    }

    /// Where a run's total spills: one file per run, `folder/name-N`.
    struct Spill: Sendable {
        var folder: String
        var name: String
        var limits: Limits
        /// Spill files, oldest first; `level` counts how many merges made it.
        var runs: [(path: String, level: Int)] = []
        var made = 0
    }

    private(set) var entries: [TallyKey: DecisionTally] = [:]
    private var keyBytes = 0
    private var spill: Spill?

    /// Runs of this many files at one level are merged into one, so that the files open at
    /// the end stay few (about `fanIn` per level, one level per `fanIn` times more keys).
    static let fanIn = 8

    init() {}

    init(spillingInto folder: String, name: String, limits: Limits) {
        spill = Spill(folder: folder, name: name, limits: limits)
    }

    /// The hot path, per service line on the deciding threads: one dictionary update.
    mutating func add(_ key: String, _ decision: Decision) {
        entries[TallyKey(text: key), default: DecisionTally()].add(decision)
    }

    /// Several lines of one key at once (a claim's lines, all of one payer).
    mutating func add(_ key: String, _ tally: DecisionTally) {
        entries[TallyKey(text: key), default: DecisionTally()] += tally
    }

    /// Adds a batch's tallies; spills when past the limits.
    mutating func merge(_ other: LineTallies) throws(OutputError) {
        for (key, tally) in other.entries {
            let before = entries.count
            entries[key, default: DecisionTally()] += tally
            if entries.count != before { keyBytes += key.byteCount }
        }
        if let otherRuns = other.spill?.runs, !otherRuns.isEmpty {
            // Not done by the pipeline (batch tallies never spill), but a sum stays a sum.
            spill?.runs.append(contentsOf: otherRuns)
        }
        if let limits = spill?.limits, entries.count > limits.keys || keyBytes > limits.keyBytes {
            try spillEntries()
        }
    }

    /// Whether any entries went to disk: for tests.
    var hasSpilled: Bool { !(spill?.runs.isEmpty ?? true) }

    /// Writes the in-memory entries as one sorted run and merges full levels.
    private mutating func spillEntries() throws(OutputError) {
        guard var plan = spill, !entries.isEmpty else { return }
        let sorted = entries.sorted { $0.key < $1.key }
        let path = try plan.newPath()
        let writer = try SpillWriter(path: path)
        for (key, tally) in sorted {
            try writer.append(key: key.text.utf8, tally: tally)
        }
        try writer.finish()
        plan.runs.append((path, 0))
        entries = [:]
        keyBytes = 0
        while plan.runs.count >= Self.fanIn {
            let last = plan.runs.suffix(Self.fanIn)
            let level = last.last!.level
            guard last.allSatisfy({ $0.level == level }) else { break }
            let merged = try plan.newPath()
            try mergeRuns(last.map(\.path), into: merged)
            plan.runs.removeLast(Self.fanIn)
            plan.runs.append((merged, level + 1))
        }
        spill = plan
    }

    /// Ends the tally: hands the `cap` largest entries (more lines first, ties by key bytes)
    /// to `entry` in key byte order, and returns the lines of the rest and the leading
    /// `leading` entries for summary.html. Spill files are removed.
    mutating func finish(
        cap: Int, leading: Int, entry: (String, Int) throws(OutputError) -> Void
    ) throws(OutputError) -> (other: Int, leaders: LeadingTallies) {
        let source: SortedSource
        if hasSpilled {
            try spillEntries()
            let runs = spill!.runs.map(\.path)
            if runs.count == 1 {
                source = .file(runs[0])
            } else {
                let merged = try spill!.newPath()
                try mergeRuns(runs, into: merged)
                source = .file(merged)
            }
        } else {
            source = .memory(entries.sorted { $0.key < $1.key })
        }
        defer {
            if case .file(let path) = source { unlink(path) }
            entries = [:]
            keyBytes = 0
            spill?.runs = []
        }

        // Pass 1: the ranks. An entry's position in key order stands for its key, so the
        // selection holds two integers per entry and never a key.
        var selection = RankSelection(capacity: cap)
        var distinct = 0
        var total = DecisionTally()
        try source.forEach { ordinal, _, tally throws(OutputError) in
            selection.offer(lines: tally.total, ordinal: ordinal)
            total = total + tally
            distinct += 1
        }
        let ranked = selection.ranked()
        let kept = Set(ranked.map(\.ordinal))
        let leadingRanks = Dictionary(uniqueKeysWithValues: ranked.prefix(leading).enumerated().map { ($1.ordinal, $0) })

        // Pass 2: the kept entries in key order, the leading ones with their keys.
        var other = 0
        var leaders = [(key: String, tally: DecisionTally)?](repeating: nil, count: leadingRanks.count)
        var leadingSum = DecisionTally()
        try source.forEach { ordinal, key, tally throws(OutputError) in
            guard kept.contains(ordinal) else {
                other += tally.total
                return
            }
            let text = key()
            try entry(text, tally.total)
            if let rank = leadingRanks[ordinal] {
                leaders[rank] = (text, tally)
                leadingSum = leadingSum + tally
            }
        }
        let rest = DecisionTally(
            accept: total.accept - leadingSum.accept, deny: total.deny - leadingSum.deny, pend: total.pend - leadingSum.pend
        )
        return (other, LeadingTallies(leading: leaders.compactMap { $0 }, rest: rest, distinct: distinct))
    }
}

extension LineTallies.Spill {
    mutating func newPath() throws(OutputError) -> String {
        if made == 0 {
            try SignalCleanup.shared.whileWriting { () throws(OutputError) in
                if mkdir(folder, 0o700) != 0 && errno != EEXIST {
                    throw OutputError(path: folder, message: "cannot create: \(String(cString: strerror(errno)))")
                }
            }
        }
        made += 1
        return "\(folder)/\(name)-\(made)"
    }
}

/// The `capacity` best (lines, ordinal) pairs: more lines first, then the smaller ordinal.
/// A min-heap on "worse", so the worst kept entry is at the root.
private struct RankSelection {
    let capacity: Int
    private var heap: [(lines: Int, ordinal: Int)] = []

    init(capacity: Int) { self.capacity = capacity }

    private static func worse(_ a: (lines: Int, ordinal: Int), _ b: (lines: Int, ordinal: Int)) -> Bool {
        a.lines != b.lines ? a.lines < b.lines : a.ordinal > b.ordinal
    }

    mutating func offer(lines: Int, ordinal: Int) {
        let item = (lines: lines, ordinal: ordinal)
        if heap.count < capacity {
            heap.append(item)
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard Self.worse(heap[child], heap[parent]) else { break }
                heap.swapAt(child, parent)
                child = parent
            }
        } else if capacity > 0, Self.worse(heap[0], item) {
            heap[0] = item
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var worst = parent
                if left < heap.count, Self.worse(heap[left], heap[worst]) { worst = left }
                if right < heap.count, Self.worse(heap[right], heap[worst]) { worst = right }
                if worst == parent { break }
                heap.swapAt(parent, worst)
                parent = worst
            }
        }
    }

    /// Best first.
    func ranked() -> [(lines: Int, ordinal: Int)] {
        heap.sorted { Self.worse($1, $0) }
    }
}

/// Unique keys in byte order with their tallies: in memory, or one merged spill file.
private enum SortedSource {
    case memory([(key: TallyKey, value: DecisionTally)])
    case file(String)

    /// `body(ordinal, key, tally)`; the key is decoded only when asked for.
    func forEach(_ body: (Int, () -> String, DecisionTally) throws(OutputError) -> Void) throws(OutputError) {
        switch self {
        case .memory(let entries):
            for (ordinal, entry) in entries.enumerated() {
                try body(ordinal, { entry.key.text }, entry.value)
            }
        case .file(let path):
            let reader = try SpillReader(path: path)
            var ordinal = 0
            while let record = try reader.next() {
                try body(ordinal, { String(decoding: record.key, as: UTF8.self) }, record.tally)
                ordinal += 1
            }
        }
    }
}

/// Merges sorted runs into one, summing the tallies of equal keys.
private func mergeRuns(_ paths: [String], into path: String) throws(OutputError) {
    var readers: [SpillReader] = []
    var heads: [(key: [UInt8], tally: DecisionTally)?] = []
    for input in paths {
        let reader = try SpillReader(path: input)
        readers.append(reader)
        heads.append(try reader.next())
    }
    let writer = try SpillWriter(path: path)
    while true {
        // Few runs are open at once (see LineTallies.fanIn): a linear scan for the least key.
        var least: Int?
        for index in heads.indices {
            guard let head = heads[index] else { continue }
            if let current = least {
                let order = head.key.withUnsafeBufferPointer { x in
                    heads[current]!.key.withUnsafeBufferPointer { y in compareBytes(x, y) }
                }
                if order < 0 { least = index }
            } else {
                least = index
            }
        }
        guard let first = least else { break }
        let key = heads[first]!.key
        var tally = DecisionTally()
        for index in heads.indices {
            guard let head = heads[index], head.key == key else { continue }
            tally = tally + head.tally
            heads[index] = try readers[index].next()
        }
        try writer.append(key: key, tally: tally)
    }
    try writer.finish()
    for input in paths { unlink(input) }
}

// MARK: - Spill files

/// Records of LEB128 numbers: key length, key bytes, accepted, denied, pended lines.
private final class SpillWriter {
    private let path: String
    private var fd: Int32
    private var buffer: [UInt8] = []

    init(path: String) throws(OutputError) {
        self.path = path
        fd = try SignalCleanup.shared.whileWriting { () throws(OutputError) -> Int32 in
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw OutputError(path: path, message: "cannot create: \(String(cString: strerror(errno)))") }
            return fd
        }
        buffer.reserveCapacity(1 << 16)
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    func append(key: some Collection<UInt8>, tally: DecisionTally) throws(OutputError) {
        appendNumber(key.count)
        buffer.append(contentsOf: key)
        appendNumber(tally.accept)
        appendNumber(tally.deny)
        appendNumber(tally.pend)
        if buffer.count >= 1 << 16 { try flush() }
    }

    private func appendNumber(_ value: Int) {
        var rest = UInt64(value)
        while rest >= 0x80 {
            buffer.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        buffer.append(UInt8(rest))
    }

    private func flush() throws(OutputError) {
        guard !buffer.isEmpty else { return }
        try SignalCleanup.shared.whileWriting { () throws(OutputError) in
            var offset = 0
            while offset < buffer.count {
                let written = buffer.withUnsafeBytes { raw in write(fd, raw.baseAddress! + offset, raw.count - offset) }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw OutputError(path: path, message: "cannot write: \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func finish() throws(OutputError) {
        try flush()
        let status = close(fd)
        fd = -1
        if status != 0 { throw OutputError(path: path, message: "cannot close: \(String(cString: strerror(errno)))") }
    }
}

/// Reads a spill file's records in order.
private final class SpillReader {
    private let path: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false

    init(path: String) throws(OutputError) {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw OutputError(path: path, message: "cannot open: \(String(cString: strerror(errno)))") }
    }

    deinit { close(fd) }

    func next() throws(OutputError) -> (key: [UInt8], tally: DecisionTally)? {
        guard try available(1) else { return nil }
        let length = try number()
        guard try available(length) else { throw damaged() }
        let key = Array(buffer[start..<start + length])
        start += length
        let accept = try number(), deny = try number(), pend = try number()
        return (key, DecisionTally(accept: accept, deny: deny, pend: pend))
    }

    private func number() throws(OutputError) -> Int {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard try available(1), shift < 64 else { throw damaged() }
            let byte = buffer[start]
            start += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return Int(truncatingIfNeeded: value) }
            shift += 7
        }
    }

    /// Whether `count` bytes are buffered from `start`, reading more as needed.
    private func available(_ count: Int) throws(OutputError) -> Bool {
        while buffer.count - start < count {
            if atEnd { return false }
            if start > 0 {
                buffer.removeFirst(start)
                start = 0
            }
            let want = max(1 << 16, count - buffer.count)
            let old = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: want))
            let got = buffer.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress! + old, want) }
            if got < 0 {
                buffer.removeSubrange(old...)
                if errno == EINTR { continue }
                throw OutputError(path: path, message: "cannot read: \(String(cString: strerror(errno)))")
            }
            buffer.removeSubrange((old + got)...)
            if got == 0 { atEnd = true }
        }
        return true
    }

    private func damaged() -> OutputError {
        OutputError(path: path, message: "a spill file of the summary counts ends early")
    }
}
