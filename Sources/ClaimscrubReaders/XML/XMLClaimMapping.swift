import ClaimscrubCore

/// Where the mapping puts what it reads: the stream on the reading thread, or a list
/// when a recorded claim is built on a deciding thread.
protocol XMLClaimSink: AnyObject {
    var displayPath: String { get }
    func emit(_ item: ReadItem)
}

/// Turns closed loops and segments of pyx12's XML into claims, by the raw X12
/// paths of inputs.md ("Raw X12 837 5010"): the claim-level context (version,
/// subscriber, payer, patient) is collected as its loops pass, a claim starts
/// with loop 2300 and is emitted when that loop closes.
struct XMLClaimMapping {
    /// Demographics and identifiers from a 2000B subscriber or a 2000C patient loop.
    private struct Party {
        var payerID = ""
        var lineOfBusinessText = ""
        var memberID: String?
        var birthDateText: String?
        var sex: String?
    }

    /// A claim being read, with what only its lines need.
    private struct ClaimDraft {
        var claim: Claim
        /// The line of the claim's loop: its source, made into text only for a reject.
        var line: Int
        var statementDates: (from: CalendarDate?, through: CalendarDate?, text: String)?
        var sawClaimSegment = false
    }

    private var groupVersion = ""
    private var claimType: ClaimType?
    private var transactionSeen = false
    /// Set while a transaction set of an unsupported version is skipped.
    private var skippingTransaction = false
    private var subscriber = Party()
    private var patient: Party?
    private var draft: ClaimDraft?
    private var line: ServiceLine?

    /// Whether a segment in `loop` changes what the mapping keeps between claims (the
    /// envelope, subscriber and patient), as opposed to the claim being read.
    static func changesContext(segment id: String, loop: String) -> Bool {
        switch (id, loop) {
        case ("ST", _), ("GS", _), ("SBR", "2000B"), ("NM1", "2010BA"), ("NM1", "2010BB"),
             ("DMG", "2010BA"), ("DMG", "2010CA"):
            return true
        default:
            return false
        }
    }

    /// Whether the mapping reads anything from a segment in `loop` while a claim is open:
    /// the others are passed over, so a recorded claim need not keep them.
    static func readsInClaim(segment id: String, loop: String) -> Bool {
        switch (id, loop) {
        case ("CLM", "2300"), ("HI", "2300"), ("REF", "2300"), ("DTP", "2300"),
             ("LX", "2400"), ("SV1", "2400"), ("SV2", "2400"), ("DTP", "2400"), ("REF", "2400"):
            return true
        default:
            return false
        }
    }

    /// Loops whose start or end changes what the mapping keeps between claims, and a
    /// 2300 nested in a claim (which replaces the claim in progress).
    static func changesContext(loop id: String) -> Bool {
        id == "ST_LOOP" || id == "2000B" || id == "2000C" || id == "2300"
    }

    /// Whether a transaction set of an unsupported version is being passed over.
    var isSkippingTransaction: Bool { skippingTransaction }

    mutating func abandonClaim() {
        draft = nil
        line = nil
    }

    // MARK: Loops

    mutating func loopStarted(_ id: String, line number: Int, in stream: some XMLClaimSink) {
        if id == "ST_LOOP" {
            transactionSeen = true
            claimType = nil
            skippingTransaction = false
            subscriber = Party()
            patient = nil
            return
        }
        guard !skippingTransaction else { return }
        switch id {
        case "2000B":
            subscriber = Party()
            patient = nil
        case "2000C":
            patient = Party()
        case "2300":
            draft = beginClaim(atLine: number)
        case "2400":
            guard let current = draft else { return }
            line = ServiceLine(
                source: stream.displayPath,
                sourcePosition: number,
                lineNumberText: "",
                lineNumber: nil,
                procedureCode: "",
                dateOfService: nil,
                dateOfServiceText: ""
            )
            if current.claim.lines.count >= maximumServiceLines {
                // Counted here so that a hostile claim cannot grow without bound.
                line = nil
                stream.emit(.reject(lineOverLimitReject(source: sourceText(stream.displayPath, number))))
            }
        default:
            break
        }
    }

    mutating func loopEnded(_ id: String, in stream: some XMLClaimSink) {
        switch id {
        case "ST_LOOP":
            if draft != nil { finishClaim(in: stream) }
            skippingTransaction = false
        case "2000C":
            patient = nil
        case "2300":
            finishClaim(in: stream)
        case "2400":
            // A line without DTP*472 gets its date when the claim closes (DTP*434 may stand in).
            if let finished = line { draft?.claim.lines.append(finished) }
            line = nil
        default:
            break
        }
    }

    private func beginClaim(atLine loopLine: Int) -> ClaimDraft {
        let party = patient ?? subscriber
        let lineOfBusiness = LineOfBusiness(code: subscriber.lineOfBusinessText)
        var claim = Claim(
            id: "",
            claimType: claimType,
            claimTypeText: claimType?.rawValue ?? "",
            payerID: subscriber.payerID,
            lineOfBusiness: lineOfBusiness,
            lineOfBusinessText: subscriber.lineOfBusinessText,
            memberID: subscriber.memberID,
            patientSex: party.sex,
            diagnoses: []
        )
        if claimType == nil { claim.problems.append(DataProblem(.claimType, .missing)) }
        if subscriber.payerID.isEmpty { claim.problems.append(DataProblem(.payerID, .missing)) }
        if lineOfBusiness == nil { claim.problems.append(DataProblem(.lineOfBusiness, .invalid)) }
        if let text = party.birthDateText, !text.isEmpty {
            claim.patientBirthDate = CalendarDate(text)
            if claim.patientBirthDate == nil { claim.problems.append(DataProblem(.patientBirthDate, .invalid)) }
        }
        return ClaimDraft(claim: claim, line: loopLine)
    }

    private mutating func finishClaim(in stream: some XMLClaimSink) {
        guard var current = draft else { return }
        draft = nil
        line = nil
        guard !current.claim.lines.isEmpty else {
            stream.emit(.reject(Reject(
                source: sourceText(stream.displayPath, current.line), kind: .claim, message: "claim has no service lines"
            )))
            return
        }
        if current.claim.id.isEmpty { current.claim.problems.append(DataProblem(.claimID, .missing)) }
        if current.claim.diagnoses.isEmpty, !current.claim.problems.contains(DataProblem(.diagnosisCodes, .invalid)) {
            current.claim.problems.append(DataProblem(.diagnosisCodes, .missing))
        }
        for index in current.claim.lines.indices where current.claim.lines[index].dateOfService == nil
            && current.claim.lines[index].dateOfServiceText.isEmpty
            && !current.claim.lines[index].problems.contains(where: { $0.field == .serviceDate }) {
            if current.claim.claimType == .institutional, let statement = current.statementDates {
                current.claim.lines[index].dateOfService = statement.from
                current.claim.lines[index].dateOfServiceThrough = statement.through
                current.claim.lines[index].dateOfServiceText = statement.text
                if statement.from == nil {
                    current.claim.lines[index].problems.append(DataProblem(.serviceDate, .invalid))
                }
            } else {
                current.claim.lines[index].problems.append(DataProblem(.serviceDate, .missing))
            }
        }
        stream.emit(.claim(current.claim))
    }

    // MARK: Segments

    /// Keep `changesContext(segment:loop:)` and `readsInClaim(segment:loop:)` in step with
    /// the cases here: a recorded claim keeps only what they let through.
    mutating func segmentEnded(_ segment: XMLSegment, loop: String, in stream: some XMLClaimSink) {
        if segment.id == "ST" {
            transactionStarted(segment, in: stream)
            return
        }
        guard !skippingTransaction else { return }
        switch (segment.id, loop) {
        case ("GS", _):
            groupVersion = segment.element(8) ?? ""
        case ("SBR", "2000B"):
            subscriber.lineOfBusinessText = segment.element(9) ?? ""
        case ("NM1", "2010BA"):
            if segment.element(1)?.uppercasedIfNeeded() == "IL" { subscriber.memberID = nonEmpty(segment.element(9)) }
        case ("NM1", "2010BB"):
            if segment.element(1)?.uppercasedIfNeeded() == "PR" { subscriber.payerID = segment.element(9) ?? "" }
        case ("DMG", "2010BA"):
            subscriber.birthDateText = segment.element(2)
            subscriber.sex = nonEmpty(segment.element(3))
        case ("DMG", "2010CA"):
            patient?.birthDateText = segment.element(2)
            patient?.sex = nonEmpty(segment.element(3))
        case ("CLM", "2300"):
            readClaimSegment(segment)
        case ("HI", "2300"):
            readDiagnoses(segment)
        case ("REF", "2300"):
            if segment.element(1)?.uppercasedIfNeeded() == "G1" { draft?.claim.priorAuth = nonEmpty(segment.element(2)) }
        case ("DTP", "2300"):
            if segment.element(1) == "434", draft != nil {
                let dates = XMLClaimMapping.dates(qualifier: segment.element(2), text: segment.element(3) ?? "")
                draft?.statementDates = (dates.from, dates.through, dates.text)
            }
        case ("LX", "2400"):
            let text = segment.element(1) ?? ""
            line?.lineNumberText = text
            line?.lineNumber = Int(text).flatMap { $0 > 0 ? $0 : nil }
        case ("SV1", "2400"):
            readProcedure(segment, composite: 1, charge: 2, units: 4)
            line?.placeOfService = nonEmpty(segment.element(5))
            readPointers(segment)
        case ("SV2", "2400"):
            line?.revenueCode = nonEmpty(segment.element(1))
            readProcedure(segment, composite: 2, charge: 3, units: 5)
        case ("DTP", "2400"):
            if segment.element(1) == "472" { readServiceDate(segment) }
        case ("REF", "2400"):
            if segment.element(1)?.uppercasedIfNeeded() == "G1" { line?.priorAuth = nonEmpty(segment.element(2)) }
        default:
            break
        }
    }

    private mutating func transactionStarted(_ segment: XMLSegment, in stream: some XMLClaimSink) {
        let version = nonEmpty(segment.element(3)) ?? groupVersion
        if version.hasPrefix("005010X222") {
            claimType = .professional
        } else if version.hasPrefix("005010X223") {
            claimType = .institutional
        } else {
            claimType = nil
            skippingTransaction = true
            stream.emit(.reject(Reject(
                source: "\(stream.displayPath):\(segment.line)", kind: .x12Transaction,
                message: "version not supported: the transaction set is not read"
            )))
        }
    }

    private mutating func readClaimSegment(_ segment: XMLSegment) {
        guard draft != nil else { return }
        draft?.sawClaimSegment = true
        draft?.claim.id = segment.element(1) ?? ""
        let facility = segment.component(5, 1) ?? ""
        switch claimType {
        case .institutional:
            let frequency = segment.component(5, 3) ?? ""
            if !facility.isEmpty, !frequency.isEmpty {
                draft?.claim.typeOfBill = "0" + facility + frequency
            } else if !facility.isEmpty || !frequency.isEmpty {
                draft?.claim.problems.append(DataProblem(.typeOfBill, .invalid))
            }
        case .professional, nil:
            draft?.claim.placeOfService = nonEmpty(facility)
        }
    }

    /// Every HI element must be a qualifier:code composite; only the diagnosis
    /// qualifiers count, the others (occurrence, value, condition codes) are skipped.
    private mutating func readDiagnoses(_ segment: XMLSegment) {
        guard draft != nil else { return }
        var invalid = false
        for position in segment.elementPositions {
            let parts = segment.components(position)
            guard !segment.isSimple(position), parts.count >= 2,
                  let qualifier = parts[0], !qualifier.isEmpty,
                  let code = parts[1], !code.isEmpty else {
                invalid = true
                continue
            }
            guard let codeSet = diagnosisCodeSet(hiQualifier: qualifier.uppercasedIfNeeded()) else { continue }
            draft?.claim.addDiagnosis(Diagnosis(code: code.uppercasedIfNeeded(), declaredCodeSet: codeSet))
        }
        let problem = DataProblem(.diagnosisCodes, .invalid)
        if invalid, draft?.claim.problems.contains(problem) == false {
            draft?.claim.problems.append(problem)
        }
    }

    /// SV101 / SV202: `HC:code:mod1:mod2:mod3:mod4:description`, then charge and units.
    private mutating func readProcedure(_ segment: XMLSegment, composite: Int, charge: Int, units: Int) {
        guard line != nil else { return }
        let parts = segment.isSimple(composite) ? [segment.element(composite)] : segment.components(composite)
        if !parts.isEmpty {
            if (parts[0] ?? "").uppercasedIfNeeded() != "HC" {
                line?.problems.append(DataProblem(.procedureCode, .unsupportedQualifier))
            }
            line?.procedureCode = (parts.count > 1 ? parts[1] ?? "" : "").uppercasedIfNeeded()
            line?.modifiers = parts.dropFirst(2).prefix(4).compactMap { nonEmpty($0)?.uppercasedIfNeeded() }
            line?.procedureDescription = parts.count > 6 ? nonEmpty(parts[6]) : nil
        }
        if let text = segment.element(charge), !text.isEmpty, parseDecimalMillionths(text) == nil {
            line?.problems.append(DataProblem(.charge, .invalid))
        }
        if let text = nonEmpty(segment.element(units)) {
            line?.unitsText = text
            line?.units = Units(text)
            if line?.units == nil { line?.problems.append(DataProblem(.units, .invalid)) }
        }
    }

    /// SV107: one to four 1-based pointers into the claim's diagnoses.
    private mutating func readPointers(_ segment: XMLSegment) {
        let parts = segment.isSimple(7) ? [segment.element(7)] : segment.components(7)
        let texts = parts.compactMap { nonEmpty($0) }
        guard !texts.isEmpty else { return }
        var pointers = DiagnosisPointers()
        for text in texts {
            guard let pointer = Int(text), pointer > 0 else {
                line?.problems.append(DataProblem(.diagnosisPointers, .invalid))
                return
            }
            pointers.append(pointer)
        }
        line?.diagnosisPointers = pointers
    }

    private mutating func readServiceDate(_ segment: XMLSegment) {
        guard line != nil else { return }
        let dates = XMLClaimMapping.dates(qualifier: segment.element(2), text: segment.element(3) ?? "")
        line?.dateOfService = dates.from
        line?.dateOfServiceThrough = dates.through
        line?.dateOfServiceText = dates.text
        if dates.from == nil {
            line?.problems.append(DataProblem(.serviceDate, dates.text.isEmpty ? .missing : .invalid))
        } else if dates.throughInvalid {
            line?.problems.append(DataProblem(.serviceDateTo, .invalid))
        }
    }

    /// DTP02 `D8` (CCYYMMDD) or `RD8` (CCYYMMDD-CCYYMMDD); the text kept is the "from" date's.
    static func dates(
        qualifier: String?, text: String
    ) -> (from: CalendarDate?, through: CalendarDate?, text: String, throughInvalid: Bool) {
        switch qualifier?.uppercasedIfNeeded() {
        case "RD8":
            let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            let fromText = String(parts[0])
            guard parts.count == 2 else { return (nil, nil, text, false) }
            let through = CalendarDate(String(parts[1]))
            return (CalendarDate(fromText), through, fromText, through == nil)
        case "D8":
            return (CalendarDate(text), nil, text, false)
        default:
            // A date whose format qualifier is not D8/RD8 cannot be read.
            return (nil, nil, text.isEmpty ? "?" : text, false)
        }
    }
}

private func nonEmpty(_ text: String?) -> String? {
    guard let text, !text.isEmpty else { return nil }
    return text
}
