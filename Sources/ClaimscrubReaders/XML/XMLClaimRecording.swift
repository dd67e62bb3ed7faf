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
        case segment(XMLSegment, loop: String)
    }

    /// A claim with more events than this is mapped on the reading thread: the recording
    /// must not grow with a hostile claim's lines (the mapping drops lines past the 999th).
    static let maximumEvents = 20_000

    let start: XMLClaimMapping
    let line: Int
    let displayPath: String
    var events: [Event] = []
    /// Service lines (2400 loops) seen so far, for the pipeline's batch sizes.
    public private(set) var lineCount = 0

    init(start: XMLClaimMapping, line: Int, displayPath: String) {
        self.start = start
        self.line = line
        self.displayPath = displayPath
        events.reserveCapacity(16)
    }

    var isFull: Bool { events.count >= XMLClaimRecording.maximumEvents }

    mutating func add(_ event: Event) {
        if case .loopStarted("2400", _) = event { lineCount += 1 }
        events.append(event)
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
            case .segment(let segment, let loop): mapping.segmentEnded(segment, loop: loop, in: sink)
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
