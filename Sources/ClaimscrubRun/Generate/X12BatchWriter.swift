import ClaimscrubCore

/// Streams generated claims to a file as raw X12 837 5010 interchanges.
///
/// One interchange per file; professional claims go to `005010X222A1` and institutional ones
/// to `005010X223A2` functional groups, a new group whenever the kind changes and a new
/// transaction set every 1000 claims, so the claims keep their generation order (the CSV
/// and XML batches of the same seed list them in the same order). Segments end with `~`
/// and a newline; SE01, GE01 and IEA01 count what was written.
public struct X12BatchWriter {
    private let output: BatchOutputFile
    private var encoder: X12ClaimEncoder<X12TextSink>

    /// Creates (or replaces) the file at `path` and writes the interchange header.
    public init(path: String) throws(BatchWriteError) {
        output = try BatchOutputFile(path: path)
        encoder = X12ClaimEncoder(sink: X12TextSink(output: output))
    }

    public mutating func write(_ claim: GeneratedClaim) throws(BatchWriteError) {
        encoder.encode(claim)
        try output.flushIfFull()
    }

    /// Closes the open transaction set, group and interchange, then the file.
    public mutating func finish() throws(BatchWriteError) {
        encoder.finish()
        try output.close()
    }
}

/// One X12 element as the encoder emits it: a simple value, or a composite's components.
enum X12Value {
    case simple(String)
    case composite([String])
}

/// What an 837 rendering receives: pyx12's loop nesting and the segments inside it.
protocol X12EventSink {
    mutating func openLoop(_ id: String)
    mutating func closeLoop()
    mutating func segment(_ id: String, _ elements: [X12Value])
}

/// Raw X12 text: loops are implicit, segments are written with `*`, `:` and `~` + newline.
struct X12TextSink: X12EventSink {
    let output: BatchOutputFile

    func openLoop(_ id: String) {}
    func closeLoop() {}

    func segment(_ id: String, _ elements: [X12Value]) {
        output.append(id)
        for element in elements {
            output.append(byte: UInt8(ascii: "*"))
            switch element {
            case .simple(let value):
                output.append(value)
            case .composite(let components):
                for (index, component) in components.enumerated() {
                    if index > 0 { output.append(byte: UInt8(ascii: ":")) }
                    output.append(component)
                }
            }
        }
        output.append(byte: UInt8(ascii: "~"))
        output.append(byte: 0x0A)
    }
}

/// Turns generated claims into the 837 envelope, loops and segments, for any sink.
///
/// The raw X12 and the XML writers share it, so the XML is the rendering of exactly the X12
/// the other writer produces.
struct X12ClaimEncoder<Sink: X12EventSink> {
    private static var claimsPerTransaction: Int { 1000 }
    private static var sender: String { "CLAIMSCRUBGEN" }
    private static var receiver: String { "CLAIMSCRUBRCV" }

    private(set) var sink: Sink
    private var openKind: GeneratedClaim.Kind?
    private var groupCount = 0
    private var transactionsInGroup = 0
    private var transactionCount = 0
    private var claimsInTransaction = 0
    private var segmentsInTransaction = 0
    private var hierarchicalID = 0

    init(sink: Sink) {
        self.sink = sink
        self.sink.openLoop("ISA_LOOP")
        // Fixed envelope dates: a batch must not depend on the day it was generated.
        self.sink.segment("ISA", [
            .simple("00"), .simple("          "), .simple("00"), .simple("          "),
            .simple("ZZ"), .simple(Self.fixed(Self.sender, 15)), .simple("ZZ"),
            .simple(Self.fixed(Self.receiver, 15)), .simple("260101"), .simple("0000"),
            .simple("^"), .simple("00501"), .simple("000000001"), .simple("0"), .simple("T"),
            .simple(":"),
        ])
    }

    mutating func encode(_ claim: GeneratedClaim) {
        if openKind != claim.kind {
            if openKind != nil {
                closeTransaction()
                closeGroup()
            }
            openGroup(claim.kind)
            openTransaction(claim.kind)
        } else if claimsInTransaction == Self.claimsPerTransaction {
            closeTransaction()
            openTransaction(claim.kind)
        }
        claimsInTransaction += 1
        hierarchicalID += 1
        let professional = claim.kind == .professional

        sink.openLoop("2000B")
        seg("HL", [.simple(String(hierarchicalID)), .simple("1"), .simple("22"), .simple("0")])
        seg("SBR", [.simple("P"), .simple("18"), .simple(""), .simple(""), .simple(""), .simple(""),
                    .simple(""), .simple(""), .simple(claim.claimFilingIndicator)])
        sink.openLoop("2010BA")
        seg("NM1", [.simple("IL"), .simple("1"), .simple("MEMBER"), .simple("SYNTHETIC"), .simple(""),
                    .simple(""), .simple(""), .simple("MI"), .simple(claim.memberID)])
        seg("DMG", [.simple("D8"), .simple(BatchText.compactDate(claim.birthDate)), .simple(claim.sex)])
        sink.closeLoop()
        sink.openLoop("2010BB")
        seg("NM1", [.simple("PR"), .simple("2"), .simple(claim.payerName), .simple(""), .simple(""),
                    .simple(""), .simple(""), .simple("PI"), .simple(claim.payerID)])
        sink.closeLoop()

        sink.openLoop("2300")
        let total = BatchText.amount(claim.totalChargeCents)
        if professional {
            seg("CLM", [.simple(claim.claimID), .simple(total), .simple(""), .simple(""),
                        .composite([claim.placeOfService ?? "11", "B", "1"]), .simple("Y"), .simple("A"),
                        .simple("Y"), .simple("Y")])
        } else {
            let bill = Array((claim.typeOfBill ?? "0131").utf8.dropFirst())
            let facility = String(decoding: bill.prefix(2), as: UTF8.self)
            let frequency = String(decoding: bill.dropFirst(2), as: UTF8.self)
            seg("CLM", [.simple(claim.claimID), .simple(total), .simple(""), .simple(""),
                        .composite([facility, "A", frequency]), .simple(""), .simple("A"),
                        .simple("Y"), .simple("Y")])
            let period = claim.statementPeriod
            seg("DTP", [.simple("434"), .simple("RD8"),
                        .simple(BatchText.compactDate(period.from) + "-" + BatchText.compactDate(period.to))])
            // CL1 is mandatory in 837I; admission type 1 and patient status 01 (home) as usual.
            seg("CL1", [.simple("1"), .simple(""), .simple("01")])
        }
        if let auth = claim.priorAuth {
            seg("REF", [.simple("G1"), .simple(auth)])
        }
        let codes = claim.diagnoses.map(BatchText.withoutDot)
        if professional {
            var elements: [X12Value] = []
            for (index, code) in codes.prefix(12).enumerated() {
                elements.append(.composite([index == 0 ? "ABK" : "ABF", code]))
            }
            seg("HI", elements)
        } else {
            // 837I: the principal diagnosis has its own HI; the others share the next one.
            seg("HI", [.composite(["ABK", codes.first ?? ""])])
            if codes.count > 1 {
                seg("HI", codes.dropFirst().prefix(12).map { .composite(["ABF", $0]) })
            }
        }

        for line in claim.lines {
            sink.openLoop("2400")
            seg("LX", [.simple(String(line.lineNumber))])
            let charge = BatchText.amount(line.chargeCents)
            let procedure = procedureComposite(line)
            if professional {
                seg("SV1", [procedure, .simple(charge), .simple("UN"), .simple(String(line.units)),
                            .simple(""), .simple(""),
                            .composite(line.diagnosisPointers.prefix(4).map(String.init))])
            } else {
                seg("SV2", [.simple(line.revenueCode ?? "0360"), procedure, .simple(charge),
                            .simple("UN"), .simple(String(line.units))])
            }
            if let through = line.serviceDateTo {
                seg("DTP", [.simple("472"), .simple("RD8"),
                            .simple(BatchText.compactDate(line.serviceDate) + "-" + BatchText.compactDate(through))])
            } else {
                seg("DTP", [.simple("472"), .simple("D8"), .simple(BatchText.compactDate(line.serviceDate))])
            }
            if professional, let auth = line.priorAuth {
                seg("REF", [.simple("G1"), .simple(auth)])
            }
            sink.closeLoop()
        }
        sink.closeLoop()  // 2300
        sink.closeLoop()  // 2000B
    }

    /// Closes whatever is open and ends the interchange.
    mutating func finish() {
        if openKind != nil {
            closeTransaction()
            closeGroup()
        }
        sink.segment("IEA", [.simple(String(groupCount)), .simple("000000001")])
        sink.closeLoop()
    }

    /// `HC:code:mod1...:mod4:description`; an empty composite for a revenue-code-only line.
    private func procedureComposite(_ line: GeneratedClaim.Line) -> X12Value {
        guard !line.procedureCode.isEmpty else { return .simple("") }
        var components = ["HC", line.procedureCode]
        components.append(contentsOf: line.modifiers.prefix(4))
        if let description = line.procedureDescription, !description.isEmpty {
            while components.count < 6 { components.append("") }
            components.append(description)
        }
        return .composite(components)
    }

    private mutating func seg(_ id: String, _ elements: [X12Value]) {
        var elements = elements
        // X12 drops trailing empty elements.
        while let last = elements.last, case .simple("") = last { elements.removeLast() }
        sink.segment(id, elements)
        segmentsInTransaction += 1
    }

    private mutating func openGroup(_ kind: GeneratedClaim.Kind) {
        groupCount += 1
        transactionsInGroup = 0
        openKind = kind
        sink.openLoop("GS_LOOP")
        sink.segment("GS", [.simple("HC"), .simple(Self.sender), .simple(Self.receiver),
                            .simple("20260101"), .simple("0000"), .simple(String(groupCount)),
                            .simple("X"), .simple(Self.version(kind))])
    }

    private mutating func closeGroup() {
        sink.segment("GE", [.simple(String(transactionsInGroup)), .simple(String(groupCount))])
        sink.closeLoop()
    }

    private mutating func openTransaction(_ kind: GeneratedClaim.Kind) {
        transactionCount += 1
        transactionsInGroup += 1
        claimsInTransaction = 0
        segmentsInTransaction = 0
        hierarchicalID = 1
        let control = BatchText.pad(transactionCount, 4)
        sink.openLoop("ST_LOOP")
        seg("ST", [.simple("837"), .simple(control), .simple(Self.version(kind))])
        sink.openLoop("HEADER")
        seg("BHT", [.simple("0019"), .simple("00"), .simple("SYN" + control), .simple("20260101"),
                    .simple("0000"), .simple("CH")])
        sink.openLoop("1000A")
        seg("NM1", [.simple("41"), .simple("2"), .simple("SYNTHETIC BILLING SERVICE"), .simple(""),
                    .simple(""), .simple(""), .simple(""), .simple("46"), .simple("SYNSUBMIT01")])
        seg("PER", [.simple("IC"), .simple("CLAIMS DESK"), .simple("TE"), .simple("5555550100")])
        sink.closeLoop()
        sink.openLoop("1000B")
        seg("NM1", [.simple("40"), .simple("2"), .simple("CLAIMSCRUB RECEIVER"), .simple(""), .simple(""),
                    .simple(""), .simple(""), .simple("46"), .simple("SYNRECV01")])
        sink.closeLoop()
        sink.closeLoop()  // HEADER
        sink.openLoop("DETAIL")
        sink.openLoop("2000A")
        seg("HL", [.simple("1"), .simple(""), .simple("20"), .simple("1")])
        sink.openLoop("2010AA")
        seg("NM1", [.simple("85"), .simple("2"), .simple("SYNTHETIC SPINE CLINIC"), .simple(""), .simple(""),
                    .simple(""), .simple(""), .simple("XX"), .simple("1234567893")])
        seg("N3", [.simple("100 EXAMPLE WAY")])
        seg("N4", [.simple("SPRINGFIELD"), .simple("MN"), .simple("554011234")])
        seg("REF", [.simple("EI"), .simple("990000001")])
        sink.closeLoop()  // 2010AA
    }

    private mutating func closeTransaction() {
        sink.closeLoop()  // 2000A
        sink.closeLoop()  // DETAIL
        seg("SE", [.simple(String(segmentsInTransaction + 1)), .simple(BatchText.pad(transactionCount, 4))])
        sink.closeLoop()  // ST_LOOP
    }

    private static func version(_ kind: GeneratedClaim.Kind) -> String {
        kind == .professional ? "005010X222A1" : "005010X223A2"
    }

    private static func fixed(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
