import ClaimscrubCore

/// Builds one claim from its segments (`CLM` on), each with the loop it stood in.
///
/// The reading thread follows the loops (`X12Loops`) and records the segments a claim is
/// built from; the builder reads them into the claim on a deciding thread, or on the
/// reading thread itself for a claim too large to record (`X12ClaimRecorder`).
struct X12ClaimBuilder {
    /// What the open claim's lines have had so far; the lines themselves are built in
    /// place in the claim, not copied into it at the end.
    private struct LineFlags {
        var hasServiceDate = false
        var hasService = false
    }

    let claimType: ClaimType
    let displayPath: String
    /// The subscriber's and patient's values the claim is under.
    private let party: X12ClaimParty
    private var claim: Claim?
    /// The `CLM` segment's ordinal.
    private var ordinal = 0
    /// `DTP*434`: the dates of lines that have no `DTP*472` of their own.
    private var statementDates: X12ServiceDates?
    private var lineFlags: [LineFlags] = []
    /// Rejects for service lines past the 999th, handed over before the claim.
    private var linesOverLimit: [Reject] = []
    /// Set by an `LX` past the claim's 999th line: the segments of its line are passed over.
    private var skippingLine = false

    init(claimType: ClaimType, displayPath: String, party: X12ClaimParty) {
        self.claimType = claimType
        self.displayPath = displayPath
        self.party = party
    }

    /// Starts over for another claim of the same file, keeping the room of the lines'
    /// flags: a group's claims are built one after another by one builder, and a new array
    /// per claim was an allocation and a free on the deciding thread.
    mutating func restart(claimType: ClaimType, party: X12ClaimParty) {
        var flags: [LineFlags] = []
        swap(&flags, &lineFlags)
        flags.removeAll(keepingCapacity: true)
        self = X12ClaimBuilder(claimType: claimType, displayPath: displayPath, party: party)
        lineFlags = flags
    }

    /// Reads one of the claim's segments, `loop` being the loop it stood in; the first is
    /// its `CLM`.
    mutating func read(_ segment: X12Segment, in loop: X12Loops.Loop) {
        switch segment.tag {
        case X12ID.clm:
            startClaim(segment)
        case X12ID.hi:
            if loop == .claim { readDiagnoses(segment) }
        case X12ID.dtp:
            if !(skippingLine && loop == .line) { datesSegment(segment, in: loop) }
        case X12ID.ref:
            // Compared as bytes, like the DTP qualifier: most REF segments are other references.
            guard x12Equals(segment.element(1), "G1"), !(skippingLine && loop == .line) else { break }
            let value = segment.text(2)
            if loop == .claim {
                claim?.priorAuth = value.isEmpty ? nil : value
            } else if loop == .line, let last = claim?.lines.indices.last {
                claim?.lines[last].priorAuth = value.isEmpty ? nil : value
            }
        case X12ID.lx:
            guard let lines = claim?.lines.count else { break }
            skippingLine = lines >= maximumServiceLines
            if skippingLine {
                linesOverLimit.append(lineOverLimitReject(source: sourceText(displayPath, segment.ordinal)))
            } else {
                startLine(segment)
            }
        case X12ID.sv1, X12ID.sv2:
            guard loop == .line, let last = claim?.lines.indices.last else { break }
            if !skippingLine, lineFlags[last].hasService == false {
                lineFlags[last].hasService = true
                if segment.tag == X12ID.sv1 {
                    claim?.lines[last].readProfessionalService(segment)
                } else {
                    claim?.lines[last].readInstitutionalService(segment)
                }
            }
        default:
            break
        }
    }

    /// Reads a claim's recorded segments (`X12RecordedClaims`), whose ends count from the
    /// start of `bytes`, splitting each into elements with `starts`.
    mutating func read(
        recorded segments: UnsafeBufferPointer<X12RecordedSegment>, bytes: UnsafeBufferPointer<UInt8>,
        delimiters: X12Delimiters, starts: X12StartsBuffer
    ) {
        guard let base = bytes.baseAddress else { return }
        var start = 0
        for index in segments.indices {
            let end = Int(segments[index].end)
            let segment = starts.segment(base + start, count: end - start, ordinal: segments[index].ordinal, delimiters: delimiters)
            read(segment, in: segments[index].loop)
            start = end
        }
    }

    private mutating func datesSegment(_ segment: X12Segment, in loop: X12Loops.Loop) {
        // The qualifier compared as bytes: every line has a DTP, and only two qualifiers matter.
        let qualifier = segment.element(1)
        if loop == .line, x12Equals(qualifier, "472") {
            guard let last = claim?.lines.indices.last else { return }
            lineFlags[last].hasServiceDate = true
            claim?.lines[last].setServiceDates(X12ServiceDates(format: segment.element(2), date: segment.element(3)))
        } else if loop == .claim, x12Equals(qualifier, "434") {
            statementDates = X12ServiceDates(format: segment.element(2), date: segment.element(3))
        }
    }

    // MARK: Claims

    private mutating func startClaim(_ segment: X12Segment) {
        var problems: [DataProblem] = []
        let id = segment.text(1)
        if id.isEmpty { problems.append(DataProblem(.claimID, .missing)) }
        if party.payerID.isEmpty { problems.append(DataProblem(.payerID, .missing)) }

        let lineOfBusiness = LineOfBusiness(code: party.lineOfBusinessCode)
        if lineOfBusiness == nil { problems.append(DataProblem(.lineOfBusiness, .invalid)) }

        let birthDateText = party.birthDateText
        var birthDate: CalendarDate?
        if !birthDateText.isEmpty {
            birthDate = birthDateText.utf8.count == 8 ? CalendarDate(birthDateText) : nil
            if birthDate == nil { problems.append(DataProblem(.patientBirthDate, .invalid)) }
        }
        let sex = party.sex.uppercasedIfNeeded()
        if !sex.isEmpty, sex != "F", sex != "M", sex != "U" {
            problems.append(DataProblem(.patientSex, .invalid))
        }

        let facility = segment.componentText(5, 1)
        var placeOfService: String?
        var typeOfBill: String?
        switch claimType {
        case .professional:
            placeOfService = facility.isEmpty ? nil : facility
        case .institutional:
            let frequency = segment.componentText(5, 3)
            if facility.isEmpty || frequency.isEmpty {
                problems.append(DataProblem(.typeOfBill, .missing))
            } else {
                let text = "0" + facility + frequency
                typeOfBill = text
                if text.utf8.count != 4 || !text.utf8.allSatisfy(isDigit) {
                    problems.append(DataProblem(.typeOfBill, .invalid))
                }
            }
        }

        var opened = Claim(
            id: id,
            claimType: claimType,
            claimTypeText: claimType.rawValue,
            payerID: party.payerID,
            lineOfBusiness: lineOfBusiness,
            lineOfBusinessText: lineOfBusiness?.rawValue ?? party.lineOfBusinessCode,
            memberID: party.memberID.isEmpty ? nil : party.memberID,
            patientBirthDate: birthDate,
            patientSex: sex.isEmpty ? nil : sex,
            placeOfService: placeOfService,
            typeOfBill: typeOfBill,
            diagnoses: [],
            problems: problems
        )
        // Room for a few lines from the start: growing one line at a time reallocated twice.
        opened.lines.reserveCapacity(4)
        ordinal = segment.ordinal
        claim = opened
    }

    private mutating func readDiagnoses(_ segment: X12Segment) {
        guard claim != nil else { return }
        var malformed = false
        let room = min((claim?.diagnoses.count ?? 0) + segment.elementCount - 1, maximumDiagnoses)
        claim?.diagnoses.reserveCapacity(room)
        for index in 1..<max(1, segment.elementCount) {
            let parts = segment.components(index)
            guard parts.contains(where: hasText) else { continue }
            guard parts.count >= 2 else {
                malformed = true
                continue
            }
            let qualifier = blankTrimmed(parts[0])
            let code = x12Text(parts[1]).uppercasedIfNeeded()
            guard !qualifier.isEmpty, !code.isEmpty else {
                malformed = true
                continue
            }
            guard let codeSet = X12ClaimBuilder.declaredCodeSet(qualifier) else { continue }
            claim?.addDiagnosis(Diagnosis(code: code, declaredCodeSet: codeSet))
        }
        let problem = DataProblem(.diagnosisCodes, .invalid)
        if malformed, claim?.problems.contains(problem) == false {
            claim?.problems.append(problem)
        }
    }

    /// `diagnosisCodeSet(hiQualifier:)` of a qualifier in any case, read from the bytes: a
    /// claim has several diagnoses. Text that is not ASCII goes through the String version:
    /// Swift's string equality takes U+212A KELVIN SIGN for `K`, and the XML reader with it.
    private static func declaredCodeSet(_ bytes: X12Bytes) -> DiagnosisCodeSet? {
        guard bytes.allSatisfy({ $0 < 0x80 }) else {
            return diagnosisCodeSet(hiQualifier: x12Text(bytes).uppercasedIfNeeded())
        }
        if x12Equals(bytes, "ABK", ignoringCase: true) || x12Equals(bytes, "ABF", ignoringCase: true) { return .icd10 }
        if x12Equals(bytes, "BK", ignoringCase: true) || x12Equals(bytes, "BF", ignoringCase: true) { return .icd9 }
        return nil
    }

    /// The claim's items, in input order: rejects for its lines past the 999th, then the
    /// claim (or its reject when it has no service lines). The builder is done with.
    mutating func finish(_ body: (consuming ReadItem) -> Void) {
        for reject in linesOverLimit { body(.reject(reject)) }
        // Moved out, not copied: the claim's arrays stay uniquely referenced.
        guard var finished = claim.take() else { return }
        guard !finished.lines.isEmpty else {
            body(.reject(Reject(
                source: sourceText(displayPath, ordinal),
                kind: .claim,
                message: "claim has no service lines"
            )))
            return
        }
        if finished.diagnoses.isEmpty,
           !finished.problems.contains(where: { $0.field == .diagnosisCodes }) {
            finished.problems.append(DataProblem(.diagnosisCodes, .missing))
        }
        for index in finished.lines.indices where !lineFlags[index].hasServiceDate {
            // Statement dates are an institutional claim's (inputs.md), as the XML reader reads them.
            if claimType == .institutional, let dates = statementDates {
                finished.lines[index].setServiceDates(dates)
            } else {
                finished.lines[index].problems.append(DataProblem(.serviceDate, .missing))
            }
        }
        // `consume`: the last use of `finished` was otherwise compiled as a copy of the claim.
        body(.claim(consume finished))
    }

    // MARK: Lines

    private mutating func startLine(_ segment: X12Segment) {
        let text = segment.text(1)
        var problems: [DataProblem] = []
        let number = x12PositiveNumber(segment.element(1), maximumDigits: 9)
        if text.isEmpty {
            problems.append(DataProblem(.lineNumber, .missing))
        } else if number == nil {
            problems.append(DataProblem(.lineNumber, .invalid))
        }
        let line = ServiceLine(
            source: displayPath,
            sourcePosition: segment.ordinal,
            lineNumberText: text,
            lineNumber: number,
            procedureCode: "",
            dateOfService: nil,
            dateOfServiceText: "",
            problems: problems
        )
        claim?.lines.append(line)
        lineFlags.append(LineFlags())
    }
}

/// The service line's segments, read into the line as it stands in its claim.
extension ServiceLine {
    fileprivate mutating func readProfessionalService(_ segment: X12Segment) {
        readProcedure(segment.components(1))
        readUnits(segment.text(4))
        let place = segment.text(5)
        placeOfService = place.isEmpty ? nil : place
        var pointers = DiagnosisPointers()
        var pointersValid = true
        for part in segment.components(7) where hasText(part) {
            if let value = x12PositiveNumber(part, maximumDigits: 4) {
                pointers.append(value)
            } else {
                pointersValid = false
            }
        }
        if !pointersValid {
            problems.append(DataProblem(.diagnosisPointers, .invalid))
        } else if !pointers.isEmpty {
            diagnosisPointers = pointers
        }
    }

    fileprivate mutating func readInstitutionalService(_ segment: X12Segment) {
        let revenue = segment.text(1)
        revenueCode = revenue.isEmpty ? nil : revenue
        let procedure = segment.components(2)
        if procedure.contains(where: hasText) {
            readProcedure(procedure)
        }
        readUnits(segment.text(5))
    }

    /// SV101 / SV202: `HC:code:mod1:mod2:mod3:mod4:description`.
    private mutating func readProcedure(_ parts: X12Components) {
        let text = { (index: Int) -> String in index < parts.count ? x12Text(parts[index]) : "" }
        if parts.isEmpty || !x12Equals(parts[0], "HC", ignoringCase: true) {
            problems.append(DataProblem(.procedureCode, .unsupportedQualifier))
        }
        procedureCode = text(1).uppercasedIfNeeded()
        var modifiers: [String] = []
        for index in 2...5 where index < parts.count {
            let modifier = text(index).uppercasedIfNeeded()
            if !modifier.isEmpty { modifiers.append(modifier) }
        }
        self.modifiers = modifiers
        let description = text(6)
        procedureDescription = description.isEmpty ? nil : description
    }

    private mutating func readUnits(_ text: String) {
        if text.isEmpty {
            units = .one
            unitsText = "1"
            return
        }
        unitsText = text
        if let units = Units(text), units.millionths > 0 {
            self.units = units
        } else {
            units = nil
            problems.append(DataProblem(.units, .invalid))
        }
    }

    fileprivate mutating func setServiceDates(_ dates: X12ServiceDates) {
        dateOfServiceText = dates.text
        guard let from = dates.from else {
            dateOfService = nil
            dateOfServiceThrough = nil
            problems.append(DataProblem(.serviceDate, .invalid))
            return
        }
        dateOfService = from
        dateOfServiceThrough = dates.through
    }
}

/// A `DTP` date as read: `D8` CCYYMMDD or `RD8` CCYYMMDD-CCYYMMDD, parsed from the
/// segment's bytes (every line has one); `from` is nil when it cannot be read.
struct X12ServiceDates {
    var text: String
    var from: CalendarDate?
    var through: CalendarDate?

    init(format: X12Bytes, date: X12Bytes) {
        let bytes = UnsafeBufferPointer(rebasing: blankTrimmed(date))
        text = String(readBytes: bytes)
        if x12Equals(format, "D8") {
            if bytes.count == 8 { from = CalendarDate(utf8: bytes) }
        } else if x12Equals(format, "RD8"), bytes.count == 17, bytes[8] == UInt8(ascii: "-"),
                  let first = CalendarDate(utf8: UnsafeBufferPointer(rebasing: bytes[0..<8])),
                  let last = CalendarDate(utf8: UnsafeBufferPointer(rebasing: bytes[9..<17])) {
            // Two eight-byte dates around the one dash: a second dash fails the date it is in.
            from = first
            through = last
        }
    }
}
