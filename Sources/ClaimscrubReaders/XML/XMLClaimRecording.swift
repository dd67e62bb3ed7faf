public import ClaimscrubCore

/// One claim of pyx12's XML (a 2300 loop) as the reading thread saw it: the mapping's
/// state when the loop opened and the loops and segments inside it that the mapping acts
/// on. Mapping them into a `Claim` is most of the XML path's own work, so the pipeline
/// does it on its deciding threads while the reading thread goes on with libxml2.
///
/// Only claim-local events are kept: a loop or segment that changes what the mapping
/// carries from claim to claim (an ST, a subscriber or patient loop, a nested 2300) makes
/// the stream map the claim on the spot instead, so `build` gives what mapping it there
/// would have given.
public struct XMLClaimRecording: Sendable {
    enum Event: Sendable {
        case loopStarted(String, line: Int)
        case loopEnded(String)
        /// The segment's values and bytes are those ranges of the recording's own.
        case segment(id: String, line: Int, loop: String, values: Range<Int>, bytes: Range<Int>)
    }

    /// A claim with more events than this is mapped on the reading thread: the recording
    /// must not grow with a hostile claim's lines (the mapping drops lines past the 999th).
    static let maximumEvents = 20_000

    let start: XMLClaimMapping
    let line: Int
    let displayPath: String
    var events: [Event] = []
    /// The recorded segments' values and text, one array each for the whole claim.
    private var values: [XMLSegment.Value] = []
    private var bytes: [UInt8] = []
    /// Service lines (2400 loops) seen so far, for the pipeline's batch sizes.
    public private(set) var lineCount = 0

    init(start: XMLClaimMapping, line: Int, displayPath: String) {
        self.start = start
        self.line = line
        self.displayPath = displayPath
        events.reserveCapacity(16)
        values.reserveCapacity(64)
        bytes.reserveCapacity(512)
    }

    private var isFull: Bool { events.count >= XMLClaimRecording.maximumEvents }

    mutating func add(_ event: Event) {
        if case .loopStarted("2400", _) = event { lineCount += 1 }
        events.append(event)
    }

    /// Adds `event` (nil: nothing to keep) unless the recording is full; false when full,
    /// and the claim is to be mapped on the spot.
    mutating func record(_ event: Event?) -> Bool {
        guard !isFull else { return false }
        if let event { add(event) }
        return true
    }

    /// Copies `segment` (nil: nothing to keep) out of the reading thread's buffer unless
    /// the recording is full; false when full.
    mutating func record(_ segment: XMLSegmentBuffer?, loop: String) -> Bool {
        guard !isFull else { return false }
        if let segment { add(segment, loop: loop) }
        return true
    }

    /// Copies the segment out of the reading thread's buffer.
    private mutating func add(_ segment: XMLSegmentBuffer, loop: String) {
        let valueStart = values.count
        let byteStart = bytes.count
        values.append(contentsOf: segment.values)
        bytes.append(contentsOf: segment.bytes)
        events.append(.segment(
            id: segment.id, line: segment.line, loop: loop,
            values: valueStart..<values.count, bytes: byteStart..<bytes.count
        ))
    }

    /// What mapping the claim gives: the claim, or a reject, after any rejects for lines
    /// past the 999th, in the order the stream would have emitted them.
    public func build() -> [ReadItem] {
        let sink = XMLItemList(displayPath: displayPath)
        var mapping = start
        replay(into: &mapping, sink: sink)
        return sink.items
    }

    /// Feeds the recorded loop start and everything after it to `mapping`.
    func replay(into mapping: inout XMLClaimMapping, sink: some XMLClaimSink) {
        mapping.loopStarted("2300", line: line, in: sink)
        for event in events {
            switch event {
            case .loopStarted(let id, let line): mapping.loopStarted(id, line: line, in: sink)
            case .loopEnded(let id): mapping.loopEnded(id, in: sink)
            case .segment(let id, let line, let loop, let valueRange, let byteRange):
                let segment = XMLSegment(id: id, line: line, values: values[valueRange], bytes: bytes[byteRange])
                mapping.segmentEnded(segment, loop: loop, in: sink)
            }
        }
    }
}

/// Collects what a replayed mapping emits.
private final class XMLItemList: XMLClaimSink {
    let displayPath: String
    var items: [ReadItem] = []

    init(displayPath: String) {
        self.displayPath = displayPath
    }

    func emit(_ item: ReadItem) {
        items.append(item)
    }
}
