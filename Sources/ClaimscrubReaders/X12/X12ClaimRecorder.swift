public import ClaimscrubCore

/// The subscriber's and patient's values a claim is under, as they stood at its `CLM`.
struct X12ClaimParty: Sendable {
    var payerID = ""
    var lineOfBusinessCode = ""
    var memberID = ""
    /// The patient's when there is a patient loop, else the subscriber's (who is then the patient).
    var birthDateText = ""
    var sex = ""
}

/// Follows one 837 transaction set on the reading thread: the loops, the subscriber and
/// patient values, and each claim's segments, recorded for a deciding thread to build
/// the claim from (`X12RecordedClaims`).
///
/// Building claims here made the one reading thread do a quarter of an X12 run's work,
/// and handed the deciding threads claims whose every value another core had written.
/// A claim whose segments run past `recordingLimit` bytes is built here instead, as it
/// is read: a recording must not grow with a hostile claim's segments (the builder keeps
/// 999 lines and 999 diagnoses, and one value for each repeated date or reference).
struct X12ClaimRecorder {
    /// Values of the 2000B / 2000C loops that every claim under them shares (a patient
    /// loop's are only its birth date and sex).
    private struct Party {
        var values = X12ClaimParty()
        /// The qualifier of the last `NM1` in this hierarchical level.
        var lastName = NameQualifier.other
    }

    /// The `NM1` qualifiers (NM101) the subscriber and patient loops act on, told apart by
    /// their bytes (a String per name segment was most of reading it).
    private enum NameQualifier {
        /// `IL`: the insured (subscriber).
        case insured
        /// `PR`: the payer.
        case payer
        /// `QC`: the patient.
        case patient
        case other

        init(_ bytes: X12Bytes) {
            if x12Equals(bytes, "IL") {
                self = .insured
            } else if x12Equals(bytes, "PR") {
                self = .payer
            } else if x12Equals(bytes, "QC") {
                self = .patient
            } else {
                self = .other
            }
        }
    }

    /// A claim's recording is given up for building on the spot past this many bytes,
    /// unless the reader is told otherwise (tests build every claim on the spot with 0).
    static let defaultRecordingLimit = 256 * 1024

    private(set) var claimType: ClaimType
    let displayPath: String
    private let recordingLimit: Int
    private var loops = X12Loops()
    private var subscriber = Party()
    private var patient: Party?

    /// The open claim, while `loops.claimIsOpen`: what it is under, where its recording
    /// starts in the group being read, and its items' lines for the pipeline's batch sizes.
    private var start = X12RecordedClaims.Start(
        claimType: .professional, party: X12ClaimParty(), delimiters: X12Delimiters(element: 0, component: 0, segment: 0)
    )
    private var recordingStart = X12RecordedClaims.Position()
    private var openLines = 0
    /// The builder of an open claim that outgrew its recording.
    private var builder: X12ClaimBuilder?

    init(claimType: ClaimType, displayPath: String, recordingLimit: Int) {
        self.claimType = claimType
        self.displayPath = displayPath
        self.recordingLimit = recordingLimit
    }

    /// Starts over for a transaction set of `claimType`, dropping any claim in progress
    /// (and its recording from `output`).
    mutating func restart(claimType: ClaimType, dropping output: inout X12RecordedClaims) {
        if loops.claimIsOpen, builder == nil { output.truncate(to: recordingStart) }
        self.claimType = claimType
        loops = X12Loops()
        subscriber = Party()
        patient = nil
        builder = nil
    }

    /// Moves the open claim's recording, if any, from the group being handed over to the
    /// next one.
    mutating func moveOpenClaim(from handed: inout X12RecordedClaims, to next: inout X12RecordedClaims) {
        guard loops.claimIsOpen, builder == nil else { return }
        recordingStart = next.takeTail(of: &handed, from: recordingStart)
    }

    /// Takes one segment of the transaction set. Completed claims go to `output`; a segment
    /// that has no place where it stands returns the reason, for the reader to break off
    /// the transaction set.
    mutating func consume(_ segment: X12Segment, into output: inout X12RecordedClaims) -> String? {
        let wasOpen = loops.claimIsOpen
        switch loops.step(segment) {
        case .misplaced(let problem):
            return problem
        case .hierarchy(let level):
            if wasOpen { finishClaim(into: &output) }
            switch level {
            case .billingProvider, .subscriber:
                subscriber = Party()
                patient = nil
            case .patient:
                patient = Party()
            default:
                break
            }
        case .claim:
            if wasOpen { finishClaim(into: &output) }
            openClaim(segment, in: output)
            keep(segment, in: &output)
        case .line, .lineOverLimit:
            openLines += 1
            keep(segment, in: &output)
        case .segment:
            if loops.claimIsOpen {
                keepIfRead(segment, in: &output)
            } else {
                partySegment(segment)
            }
        }
        return nil
    }

    /// The end of the transaction set: the claim in progress is complete.
    mutating func finish(into output: inout X12RecordedClaims) {
        if loops.claimIsOpen { finishClaim(into: &output) }
        loops.closeClaim()
    }

    // MARK: Subscriber and patient

    private mutating func partySegment(_ segment: X12Segment) {
        switch segment.tag {
        case X12ID.sbr:
            if loops.loop == .subscriber { subscriber.values.lineOfBusinessCode = segment.text(9) }
        case X12ID.nm1:
            if loops.loop == .subscriber {
                let qualifier = NameQualifier(segment.element(1))
                subscriber.lastName = qualifier
                if qualifier == .insured { subscriber.values.memberID = segment.text(9) }
                if qualifier == .payer { subscriber.values.payerID = segment.text(9) }
            } else if loops.loop == .patient {
                patient?.lastName = NameQualifier(segment.element(1))
            }
        case X12ID.dmg:
            if loops.loop == .subscriber, subscriber.lastName == .insured {
                subscriber.values.birthDateText = segment.text(2)
                subscriber.values.sex = segment.text(3)
            } else if loops.loop == .patient, patient?.lastName == .patient {
                patient?.values.birthDateText = segment.text(2)
                patient?.values.sex = segment.text(3)
            }
        default:
            break
        }
    }

    // MARK: Claims

    private mutating func openClaim(_ segment: X12Segment, in output: borrowing X12RecordedClaims) {
        // The patient loop, when there is one, describes the patient; else the subscriber is
        // the patient.
        start.claimType = claimType
        start.party = subscriber.values
        if patient != nil {
            start.party.birthDateText = patient?.values.birthDateText ?? ""
            start.party.sex = patient?.values.sex ?? ""
        }
        start.delimiters = segment.delimiters
        recordingStart = output.end
        openLines = 0
    }

    /// Keeps a segment of the open claim if the builder reads it where it stands: diagnoses
    /// and dates and references of the claim or of a line being read, and a line's service.
    private mutating func keepIfRead(_ segment: X12Segment, in output: inout X12RecordedClaims) {
        let loop = loops.loop
        switch segment.tag {
        case X12ID.hi:
            if loop == .claim { keep(segment, in: &output) }
        case X12ID.dtp, X12ID.ref:
            if loop == .claim || (loop == .line && !loops.skippingLine) { keep(segment, in: &output) }
        case X12ID.sv1, X12ID.sv2:
            if !loops.skippingLine { keep(segment, in: &output) }
        default:
            break
        }
    }

    private mutating func keep(_ segment: X12Segment, in output: inout X12RecordedClaims) {
        if builder == nil, output.end.byte - recordingStart.byte + segment.bytes.count > recordingLimit {
            var onTheSpot = X12ClaimBuilder(claimType: claimType, displayPath: displayPath, party: start.party)
            output.replay(from: recordingStart, delimiters: start.delimiters, into: &onTheSpot)
            output.truncate(to: recordingStart)
            builder = onTheSpot
        }
        if builder != nil {
            builder?.read(segment, in: loops.loop)
        } else {
            output.record(segment, loop: loops.loop, claimStart: recordingStart.byte)
        }
    }

    private mutating func finishClaim(into output: inout X12RecordedClaims) {
        if var builder = builder.take() {
            builder.finish { output.append($0) }
        } else {
            output.appendClaim(start, from: recordingStart, lines: max(1, openLines))
        }
    }
}

/// A recorded segment: where its bytes end, counted from its claim's first byte, its
/// ordinal in the file and the loop it stood in.
struct X12RecordedSegment: BitwiseCopyable {
    var end: Int32
    var loop: X12Loops.Loop
    var ordinal: Int
}

/// X12 items read together, in input order: envelope rejects, claims built on the reading
/// thread, and claims recorded for the deciding thread to build (`build`).
///
/// Its buffers are classes that a copy shares: a group is filled, handed over whole and
/// then only read, never copied and filled on. What changes them is `mutating`, to say so.
public struct X12RecordedClaims: Sendable {
    /// What a recorded claim is under.
    struct Start: Sendable {
        var claimType: ClaimType
        var party: X12ClaimParty
        var delimiters: X12Delimiters
    }

    /// Where the recording stands: its bytes and segments so far.
    struct Position {
        var byte = 0
        var segment = 0
    }

    private struct Recorded: Sendable {
        var start: Start
        var first: Position
        var segmentEnd: Int
    }

    private enum Entry: Sendable {
        /// Boxed, since a claim is large (the rare claim built on the reading thread).
        indirect case item(ReadItem)
        case recorded(Recorded)
    }

    let displayPath: String
    private var entries: [Entry] = []
    /// The recorded claims' segments, one after another, and the open claim's so far.
    private let bytes = GrowingBuffer<UInt8>(capacity: 16 * 1024)
    private let segments = GrowingBuffer<X12RecordedSegment>(capacity: 512)
    /// The service lines the items count for in a batch (a reject counts 1, as in
    /// `DeferredRead.batchLines`).
    public private(set) var lines = 0

    init(displayPath: String) {
        self.displayPath = displayPath
    }

    var isEmpty: Bool { entries.isEmpty }
    var byteCount: Int { bytes.count }
    var end: Position { Position(byte: bytes.count, segment: segments.count) }

    mutating func append(_ item: consuming ReadItem) {
        switch item {
        case .claim(let claim): lines += claim.lines.count
        case .reject: lines += 1
        }
        entries.append(.item(item))
    }

    /// Records a segment of the claim whose bytes start at `claimStart`.
    mutating func record(_ segment: X12Segment, loop: X12Loops.Loop, claimStart: Int) {
        bytes.append(segment.bytes)
        segments.append(X12RecordedSegment(end: Int32(bytes.count - claimStart), loop: loop, ordinal: segment.ordinal))
    }

    /// The claim recorded from `first` to here is complete.
    mutating func appendClaim(_ start: Start, from first: Position, lines: Int) {
        entries.append(.recorded(Recorded(start: start, first: first, segmentEnd: segments.count)))
        self.lines += lines
    }

    /// Drops what was recorded from `position` on.
    mutating func truncate(to position: Position) {
        bytes.removeLast(bytes.count - position.byte)
        segments.removeLast(segments.count - position.segment)
    }

    /// Takes over what `other` recorded from `position` on (dropping it there); returns
    /// where it starts here.
    mutating func takeTail(of other: inout X12RecordedClaims, from position: Position) -> Position {
        let here = end
        bytes.append(other.bytes.elements(from: position.byte))
        segments.append(other.segments.elements(from: position.segment))
        other.truncate(to: position)
        return here
    }

    /// `builder` having read the segments recorded from `first` to here.
    func replay(from first: Position, delimiters: X12Delimiters, into builder: inout X12ClaimBuilder) {
        builder.read(
            recorded: segments.elements(from: first.segment), bytes: bytes.elements(from: first.byte),
            delimiters: delimiters, starts: X12StartsBuffer()
        )
    }

    /// The items, in input order, recorded claims built on the calling thread, each lent
    /// to `body`.
    public func build(_ body: (borrowing ReadItem) -> Void) {
        let starts = X12StartsBuffer()
        var builder = X12ClaimBuilder(claimType: .professional, displayPath: displayPath, party: X12ClaimParty())
        for entry in entries {
            switch entry {
            case .item(let item):
                body(item)
            case .recorded(let recorded):
                builder.restart(claimType: recorded.start.claimType, party: recorded.start.party)
                builder.read(
                    recorded: segments.elements(recorded.first.segment..<recorded.segmentEnd),
                    bytes: bytes.elements(from: recorded.first.byte),
                    delimiters: recorded.start.delimiters, starts: starts
                )
                builder.finish { body($0) }
            }
        }
    }
}

/// Elements appended by `memcpy`: the X12 recording's bytes and segments. An array's
/// `append(contentsOf:)` took about 300 instructions for a segment's few dozen bytes.
/// Written on the reading thread, read on a deciding thread once handed over, never both
/// at once (a group is handed over whole).
final class GrowingBuffer<Element: BitwiseCopyable>: @unchecked Sendable {
    private var pointer: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 256) {
        self.capacity = capacity
        pointer = .allocate(capacity: capacity)
    }

    deinit {
        pointer.deallocate()
    }

    func append(_ elements: UnsafeBufferPointer<Element>) {
        reserve(elements.count)
        if let source = elements.baseAddress {
            (pointer + count).update(from: source, count: elements.count)
        }
        count += elements.count
    }

    func append(_ element: Element) {
        reserve(1)
        (pointer + count).initialize(to: element)
        count += 1
    }

    func removeLast(_ removed: Int) {
        count -= removed
    }

    /// The elements from `start` on; valid until the next append.
    func elements(from start: Int) -> UnsafeBufferPointer<Element> {
        elements(start..<count)
    }

    func elements(_ range: Range<Int>) -> UnsafeBufferPointer<Element> {
        precondition(range.lowerBound >= 0 && range.upperBound <= count)
        return UnsafeBufferPointer(start: pointer + range.lowerBound, count: range.count)
    }

    private func reserve(_ more: Int) {
        guard count + more > capacity else { return }
        let grown = max(capacity * 2, count + more)
        let moved = UnsafeMutablePointer<Element>.allocate(capacity: grown)
        moved.moveInitialize(from: pointer, count: count)
        pointer.deallocate()
        pointer = moved
        capacity = grown
    }
}
