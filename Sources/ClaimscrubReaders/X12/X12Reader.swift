public import ClaimscrubCore

/// Reads raw X12 837 5010 (professional `005010X222A1`, institutional `005010X223A2`)
/// claims from a byte stream, in input order.
///
/// Streams segment by segment (see `X12SegmentScanner`); holds at most one claim in
/// progress. Broken envelopes do not stop it: claims completed before the break are
/// returned, the claim in progress and what follows up to the next readable `ISA`
/// (or `ST`) become one reject carrying the segment ordinal, and reading goes on.
public struct X12Reader: ClaimReader, BuildingClaimReader {
    /// Where to resume after a break; the skipped segments belong to its reject.
    private enum Skip {
        case none
        /// Up to the transaction set's `SE` (consumed) or the next envelope segment.
        case toTransactionEnd
        /// Up to the next `ISA`.
        case toInterchange
    }

    private var scanner: X12SegmentScanner
    private let displayPath: String
    /// Items read and not yet handed over.
    private var output: X12RecordedClaims
    /// An input error met after some items were complete: thrown once they are handed over.
    private var failure: InputError?
    var built = BuiltItems()
    private var finished = false

    private var inInterchange = false
    private var inGroup = false
    private var groupVersion = ""
    /// The open transaction set's claims; meaningful only while `inTransaction`. Not an
    /// optional: mutating a recorder inside one made and destroyed a copy of it per segment.
    private var transaction: X12ClaimRecorder
    private var inTransaction = false
    private var skip = Skip.none

    /// Reads `source`; `displayPath` is the path the reports name (inputs.md, *source*).
    public init(source: ByteSource, displayPath: String) {
        self.init(source: source, displayPath: displayPath, recordingLimit: X12ClaimRecorder.defaultRecordingLimit)
    }

    /// A reader that builds on the reading thread each claim whose recorded segments would
    /// pass `recordingLimit` bytes (`X12ClaimRecorder`); 0 builds them all there.
    init(source: ByteSource, displayPath: String, recordingLimit: Int) {
        scanner = X12SegmentScanner(source: source)
        self.displayPath = displayPath
        output = X12RecordedClaims(displayPath: displayPath)
        transaction = X12ClaimRecorder(claimType: .professional, displayPath: displayPath, recordingLimit: recordingLimit)
    }

    public mutating func next() throws(InputError) -> ReadItem? {
        try nextBuilt()
    }

    /// Claims are handed over in groups of about this many service lines
    /// (`DeferredRead.x12Claims`), or of this many recorded bytes.
    static let groupLines = 64
    static let groupBytes = 64 * 1024

    /// X12 claims come recorded, to be built on a deciding thread (`X12ClaimRecorder`).
    public mutating func nextDeferred() throws(InputError) -> DeferredRead? {
        if let failure {
            self.failure = nil
            throw failure
        }
        do {
            try readUntilOutput()
        } catch {
            // The items completed before the error are handed over first.
            guard !output.isEmpty else { throw error }
            failure = error
        }
        guard !output.isEmpty else { return nil }
        var group = X12RecordedClaims(displayPath: displayPath)
        swap(&group, &output)
        transaction.moveOpenClaim(from: &group, to: &output)
        return .x12Claims(group)
    }

    /// Reads segments until the items completed make a group (or the input ends).
    private mutating func readUntilOutput() throws(InputError) {
        // By bytes only once something is complete: the bytes may be an open claim's alone.
        while output.lines < X12Reader.groupLines, output.isEmpty || output.byteCount < X12Reader.groupBytes {
            if finished { return }
            guard let event = try scanner.next() else {
                finished = true
                endOfInput()
                continue
            }
            switch event {
            case .segment(let segment):
                take(segment)
            case .unreadableInterchangeHeader(let ordinal):
                breakOff(
                    .x12Envelope, at: ordinal,
                    "unreadable ISA segment: not 106 bytes with its delimiters in place",
                    then: .none
                )
                closeEverything()
            case .notAnInterchange(let ordinal):
                breakOff(.x12Envelope, at: ordinal, "no ISA segment where the interchange should start", then: .none)
                closeEverything()
            case .oversizedSegment(let ordinal):
                breakOffUnreadable(at: ordinal, "segment longer than 1 MiB")
            }
        }
    }

    // MARK: Segments

    private mutating func take(_ segment: X12Segment) {
        guard segment.hasReadableID else {
            breakOffUnreadable(at: segment.ordinal, "unreadable segment")
            return
        }
        let id = segment.tag
        switch skip {
        case .none:
            break
        case .toInterchange:
            guard id == X12ID.isa else { return }
            skip = .none
            closeEverything()
        case .toTransactionEnd:
            switch id {
            case X12ID.se:
                skip = .none
                return
            case X12ID.isa:
                skip = .none
                closeEverything()
            case X12ID.st, X12ID.gs, X12ID.ge, X12ID.iea:
                skip = .none
            default:
                return
            }
        }

        switch id {
        case X12ID.isa:
            closeOpen(before: "ISA", at: segment.ordinal, levels: 3)
            inInterchange = true
        case X12ID.gs:
            guard inInterchange else {
                breakOff(.x12Envelope, at: segment.ordinal, "GS outside an interchange", then: .toInterchange)
                return
            }
            closeOpen(before: "GS", at: segment.ordinal, levels: 2)
            inGroup = true
            groupVersion = segment.text(8)
        case X12ID.st:
            guard inGroup else {
                breakOff(.x12Envelope, at: segment.ordinal, "ST outside a functional group", then: .toInterchange)
                return
            }
            closeOpen(before: "ST", at: segment.ordinal, levels: 1)
            startTransaction(segment)
        case X12ID.se:
            guard inTransaction else {
                breakOff(.x12Envelope, at: segment.ordinal, "SE without its ST", then: .none)
                return
            }
            transaction.finish(into: &output)
            endTransaction()
        case X12ID.ge:
            guard inGroup else {
                breakOff(.x12Envelope, at: segment.ordinal, "GE without its GS", then: .none)
                return
            }
            closeOpen(before: "GE", at: segment.ordinal, levels: 1)
            inGroup = false
        case X12ID.iea:
            guard inInterchange else {
                breakOff(.x12Envelope, at: segment.ordinal, "IEA without its ISA", then: .toInterchange)
                return
            }
            closeOpen(before: "IEA", at: segment.ordinal, levels: 2)
            inInterchange = false
        default:
            guard inTransaction else {
                breakOff(
                    .x12Envelope, at: segment.ordinal, "\(segment.id) segment outside a transaction set",
                    then: inInterchange ? .toTransactionEnd : .toInterchange
                )
                return
            }
            if let problem = transaction.consume(segment, into: &output) {
                endTransaction()
                breakOff(.x12Transaction, at: segment.ordinal, problem, then: .toTransactionEnd)
            }
        }
    }

    private mutating func startTransaction(_ segment: X12Segment) {
        let version = segment.text(3).isEmpty ? groupVersion : segment.text(3)
        guard segment.text(1) == "837" else {
            breakOff(.x12Transaction, at: segment.ordinal, "transaction set not supported: only 837 is read",
                     then: .toTransactionEnd)
            return
        }
        guard let claimType = X12Reader.claimType(ofVersion: version) else {
            breakOff(.x12Transaction, at: segment.ordinal,
                     "version not supported: \(version.isEmpty ? "none given" : version) (005010X222A1 and 005010X223A2 are read)",
                     then: .toTransactionEnd)
            return
        }
        transaction.restart(claimType: claimType, dropping: &output)
        inTransaction = true
    }

    /// Closes the transaction set, dropping any claim in progress.
    private mutating func endTransaction() {
        inTransaction = false
        transaction.restart(claimType: transaction.claimType, dropping: &output)
    }

    /// The 5010 837 implementation guides and their addenda that read alike for our fields.
    static func claimType(ofVersion version: String) -> ClaimType? {
        switch version.uppercased() {
        case "005010X222", "005010X222A1", "005010X222A2": return .professional
        case "005010X223", "005010X223A1", "005010X223A2", "005010X223A3": return .institutional
        default: return nil
        }
    }

    // MARK: Breaks

    /// Closes the envelopes still open inside the level that `segment` opens or closes
    /// (`levels`: 1 = the transaction set, 2 = also the group, 3 = also the interchange);
    /// any that were open make one reject.
    private mutating func closeOpen(before segment: String, at ordinal: Int, levels: Int) {
        var missing: [String] = []
        if inTransaction { missing.append("SE") }
        if levels >= 2, inGroup { missing.append("GE") }
        if levels >= 3, inInterchange { missing.append("IEA") }
        guard !missing.isEmpty else { return }
        breakOff(
            .x12Envelope, at: ordinal,
            "envelope not closed: \(missing.joined(separator: ", ")) missing before \(segment)",
            then: .none
        )
        if levels >= 2 { inGroup = false }
        if levels >= 3 { inInterchange = false }
    }

    /// An unreadable or oversized segment: the transaction set (or interchange) it
    /// stands in cannot be trusted past it.
    private mutating func breakOffUnreadable(at ordinal: Int, _ message: String) {
        if inTransaction || skip == .toTransactionEnd {
            breakOff(.x12Envelope, at: ordinal, message, then: .toTransactionEnd)
        } else {
            breakOff(.x12Envelope, at: ordinal, message, then: .toInterchange)
        }
    }

    /// Drops the claim in progress and reports the break, unless the break falls inside
    /// what an earlier reject already covers.
    private mutating func breakOff(_ kind: Reject.Kind, at ordinal: Int, _ message: String, then next: Skip) {
        endTransaction()
        let covered = skip != .none
        if !covered {
            output.append(.reject(Reject(source: "\(displayPath):\(ordinal)", kind: kind, message: message)))
        }
        switch (skip, next) {
        case (.toInterchange, _), (_, .toInterchange): skip = .toInterchange
        case (.toTransactionEnd, _), (_, .toTransactionEnd): skip = .toTransactionEnd
        default: skip = .none
        }
    }

    private mutating func closeEverything() {
        endTransaction()
        inGroup = false
        inInterchange = false
        groupVersion = ""
    }

    private mutating func endOfInput() {
        defer { closeEverything() }
        guard skip == .none else { return }
        var missing: [String] = []
        if inTransaction { missing.append("SE") }
        if inGroup { missing.append("GE") }
        if inInterchange { missing.append("IEA") }
        guard !missing.isEmpty else { return }
        breakOff(
            .x12Envelope, at: scanner.ordinal + 1,
            "end of input inside an envelope: \(missing.joined(separator: ", ")) missing",
            then: .none
        )
    }
}
