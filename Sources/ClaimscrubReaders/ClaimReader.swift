public import ClaimscrubCore

/// A streaming reader of one input file: claims and rejects in input order.
///
/// Readers hold bounded buffers only; a reader is used by one thread at a time.
public protocol ClaimReader {
    /// The next claim or reject; nil at the end of the input. Throws only when the
    /// input itself can no longer be read (an I/O error), never for bad content.
    mutating func next() throws(InputError) -> ReadItem?

    /// Like `next`, but a claim may come unbuilt (`DeferredRead`), so that building it, the
    /// costly part, can run on another thread (`DeferredRead.build`) while this one reads on.
    mutating func nextDeferred() throws(InputError) -> DeferredRead?

    /// Reading takes less time than deciding what is read, so the reading thread has time
    /// to spare (the run has it free the batches it read). False for XML: libxml2's parse
    /// makes its one reading thread the run's bottleneck.
    var readingLeavesTimeToSpare: Bool { get }
}

extension ClaimReader {
    public var readingLeavesTimeToSpare: Bool { true }
}

/// What a reader hands over: a finished item, or a claim still to be built.
///
/// Every case is small: the run's batches hold these by the thousand and move each a few
/// times. With a claim inline (about 200 bytes) every item of every format was that size,
/// and a batch of one-line CSV claims ran 4% slower for the copying.
public enum DeferredRead: Sendable {
    /// A finished item; boxed, since a claim is large (rejects, and the rare XML claim
    /// mapped as it is read).
    indirect case item(ReadItem)
    /// X12 items read together, in input order, most of them claims still to be built:
    /// one group for several is cheaper than a box each.
    case x12Claims(X12RecordedClaims)
    case claimRows(CSVClaimRows)
    /// An XML claim still to be mapped: its items are rejects, then the claim. Boxed: the
    /// recording carries the mapping's state (over 700 bytes), and inline it made every
    /// item of every format that size, copied on each move through the batch.
    indirect case xmlClaim(XMLClaimRecording)

    /// What this counts for in a batch's size: its service lines, and 1 for a reject or a
    /// recorded claim with no lines.
    public var batchLines: Int {
        switch self {
        case .item(.claim(let claim)): claim.lines.count
        case .item(.reject): 1
        case .x12Claims(let group): group.lines
        case .claimRows(let rows): rows.lineCount
        case .xmlClaim(let recording): max(1, recording.lineCount)
        }
    }

    /// The items this stands for, in input order, built on the calling thread and lent to
    /// `body`. Borrowed, not consumed: an item that came finished (a reject) is read where
    /// it lies in its batch, not copied out; the batch lets its items go together.
    public borrowing func build(_ body: (borrowing ReadItem) -> Void) {
        switch self {
        case .item(let item): body(item)
        case .x12Claims(let group): group.build(body)
        case .claimRows(let rows): body(.claim(rows.build()))
        case .xmlClaim(let recording): for item in recording.build() { body(item) }
        }
    }
}

/// A reader whose `next` is its `nextDeferred`, built on the spot.
protocol BuildingClaimReader: ClaimReader {
    /// Items built by `nextBuilt` and not yet handed out.
    var built: BuiltItems { get set }
}

extension BuildingClaimReader {
    /// The next item of `nextDeferred`, built here (what `next` gives).
    mutating func nextBuilt() throws(InputError) -> ReadItem? {
        while built.isEmpty {
            guard let deferred = try nextDeferred() else { return nil }
            built.add(deferred)
        }
        return built.removeFirst()
    }
}

/// Items built from a reader's deferred reads and not yet handed out, in input order.
struct BuiltItems {
    private var items: [ReadItem] = []
    private var head = 0

    var isEmpty: Bool { head == items.count }

    mutating func add(_ deferred: borrowing DeferredRead) {
        if isEmpty {
            items.removeAll(keepingCapacity: true)
            head = 0
        }
        deferred.build { items.append(copy $0) }
    }

    mutating func removeFirst() -> ReadItem {
        defer { head += 1 }
        return items[head]
    }
}

/// An input that cannot be opened or read any further: what stops one file.
public struct InputError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): error: \(message)" }
}

/// The three claim formats.
public enum InputFormat: String, Sendable, CaseIterable {
    case csv
    case xml
    case x12

    /// From the first non-blank bytes (after a UTF-8 byte-order mark): `ISA` is raw
    /// X12, `<` is XML, anything else is CSV (inputs.md).
    public static func detect(prefix: some Collection<UInt8>) -> InputFormat {
        var bytes = Array(prefix.prefix(4096))
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        guard let first = bytes.firstIndex(where: { !isBlank($0) }) else { return .csv }
        let rest = bytes[first...]
        if rest.starts(with: Array("ISA".utf8)) { return .x12 }
        if rest.first == UInt8(ascii: "<") { return .xml }
        return .csv
    }
}

@inline(__always)
func isBlank(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
}

/// The bytes without surrounding blanks (`isBlank`): X12 elements and XML values.
func blankTrimmed<Bytes: BidirectionalCollection<UInt8>>(_ bytes: Bytes) -> Bytes.SubSequence {
    var lower = bytes.startIndex
    var upper = bytes.endIndex
    while lower < upper, isBlank(bytes[lower]) { bytes.formIndex(after: &lower) }
    while upper > lower, isBlank(bytes[bytes.index(before: upper)]) { bytes.formIndex(before: &upper) }
    return bytes[lower..<upper]
}

/// A claim has at most 999 service lines (inputs.md, the 837I limit), in every format.
let maximumServiceLines = 999

/// A claim keeps at most this many diagnoses, in every format: far more than an 837 carries
/// (12 on a professional claim, 25 on an institutional one), and a bound on what a hostile
/// claim of endless `HI` segments (or a 1 MiB CSV cell of codes) holds in memory.
let maximumDiagnoses = 999

extension Claim {
    /// Adds `diagnosis`, unless the claim has `maximumDiagnoses` already: then its diagnoses
    /// are invalid data, and every line says so.
    mutating func addDiagnosis(_ diagnosis: Diagnosis) {
        guard diagnoses.count < maximumDiagnoses else {
            let tooMany = DataProblem(.diagnosisCodes, .described("holds more than \(maximumDiagnoses) codes"))
            if !problems.contains(tooMany) { problems.append(tooMany) }
            return
        }
        diagnoses.append(diagnosis)
    }
}

/// The code set an `HI` qualifier declares (upper-cased text): `ABK`/`ABF` ICD-10-CM,
/// `BK`/`BF` ICD-9-CM; nil for the qualifiers of codes that are not diagnoses the edits look
/// at (admitting, reason for visit, external cause, value, occurrence). Both X12 readers.
func diagnosisCodeSet(hiQualifier: String) -> DiagnosisCodeSet? {
    switch hiQualifier {
    case "ABK", "ABF": return .icd10
    case "BK", "BF": return .icd9
    default: return nil
    }
}

/// The reject for an X12 or XML service line past a claim's 999th (`source`: where it starts).
func lineOverLimitReject(source: String) -> Reject {
    Reject(
        source: source, kind: .claim,
        message: "claim has more than \(maximumServiceLines) service lines; this line is not read"
    )
}
