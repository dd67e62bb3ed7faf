import ClaimscrubCore

/// Builds claims from the segments of one 837 transaction set (ST to SE).
///
/// Loops are told apart by segment sequence, as the implementation guides nest them:
/// `HL*..*..*22` opens the subscriber (2000B), `HL*..*..*23` the patient (2000C), `CLM`
/// the claim (2300), an `SBR` after `CLM` the other subscriber (2320, with its 2330x
/// names), `LX` a service line (2400). That is what keeps a 2330B `NM1*PR` from
/// replacing the 2010BB payer.
struct X12ClaimBuilder {
    /// Where the last segment put us in the 837 hierarchy.
    private enum Loop {
        case header
        case billingProvider
        case subscriber
        case patient
        case otherHierarchy
        case claim
        /// 2310x provider and facility names under the claim.
        case claimName
        /// 2320 other subscriber and its 2330x names.
        case otherSubscriber
        case line
        /// 2410 drug and 2420x names under a line.
        case lineDetail
    }

    /// Values of the 2000B / 2000C loops that every claim under them shares.
    private struct Party {
        var lineOfBusinessCode = ""
        var payerID = ""
        var memberID = ""
        var birthDateText = ""
        var sex = ""
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

    /// What the claim's lines have had so far; the lines themselves are built in place
    /// in the claim, not copied into it at the end.
    private struct LineFlags {
        var hasServiceDate = false
        var hasService = false
    }

    /// What the open claim has had so far, beside the claim itself (kept apart so that the
    /// finished claim is moved out, not copied).
    private struct ClaimProgress {
        var ordinal = 0
        /// `DTP*434`: the dates of lines that have no `DTP*472` of their own.
        var statementDates: X12ServiceDates?
        var lineFlags: [LineFlags] = []

        /// Starts over for the claim whose `CLM` is segment `ordinal`. The flags' array is
        /// kept: it never leaves the builder, and a new one per claim was an allocation and
        /// a free on the reading thread.
        mutating func restart(at ordinal: Int) {
            self.ordinal = ordinal
            statementDates = nil
            lineFlags.removeAll(keepingCapacity: true)
        }
    }

    let claimType: ClaimType
    let displayPath: String
    private var loop = Loop.header
    private var subscriber = Party()
    private var patient: Party?
    private var claim: Claim?
    /// Meaningful only while `claim` is open.
    private var progress = ClaimProgress()
    /// Set by an `LX` past the claim's 999th line (a reject): the segments of its line are
    /// passed over.
    private var skippingLine = false

    init(claimType: ClaimType, displayPath: String) {
        self.claimType = claimType
        self.displayPath = displayPath
    }

    /// Takes one segment of the transaction set. Completed claims (and claims rejected
    /// for having no lines) go to `output`; a segment that has no place where it stands
    /// returns the reason, for the reader to break off the transaction set.
    mutating func consume(_ segment: X12Segment, into output: inout ReadItemGroup) -> String? {
        switch segment.tag {
        case X12ID.hl:
            finishClaim(into: &output)
            // HL03, the level code, compared as bytes.
            let level = segment.element(3)
            if x12Equals(level, "20") {
                loop = .billingProvider
                subscriber = Party()
                patient = nil
            } else if x12Equals(level, "22") {
                loop = .subscriber
                subscriber = Party()
                patient = nil
            } else if x12Equals(level, "23") {
                loop = .patient
                patient = Party()
            } else {
                loop = .otherHierarchy
            }
        case X12ID.sbr:
            if claim == nil {
                if loop == .subscriber { subscriber.lineOfBusinessCode = segment.text(9) }
            } else {
                loop = .otherSubscriber
            }
        case X12ID.nm1:
            nameSegment(segment)
        case X12ID.dmg:
            if loop == .subscriber, subscriber.lastName == .insured {
                subscriber.birthDateText = segment.text(2)
                subscriber.sex = segment.text(3)
            } else if loop == .patient, patient?.lastName == .patient {
                patient?.birthDateText = segment.text(2)
                patient?.sex = segment.text(3)
            }
        case X12ID.clm:
            finishClaim(into: &output)
            startClaim(segment)
            skippingLine = false
            loop = .claim
        case X12ID.hi:
            if loop == .claim { readDiagnoses(segment) }
        case X12ID.dtp:
            if !(skippingLine && loop == .line) { datesSegment(segment) }
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
            guard let lines = claim?.lines.count else { return "service line (LX) outside a claim" }
            skippingLine = lines >= maximumServiceLines
            if skippingLine {
                output.append(.reject(lineOverLimitReject(source: sourceText(displayPath, segment.ordinal))), lines: 1)
            } else {
                startLine(segment)
            }
            loop = .line
        case X12ID.sv1, X12ID.sv2:
            guard loop == .line, let last = claim?.lines.indices.last else {
                return "service (\(segment.id)) outside a service line"
            }
            if !skippingLine, progress.lineFlags[last].hasService == false {
                progress.lineFlags[last].hasService = true
                if segment.tag == X12ID.sv1 {
                    claim?.lines[last].readProfessionalService(segment)
                } else {
                    claim?.lines[last].readInstitutionalService(segment)
                }
            }
        case X12ID.lin:
            if loop == .line { loop = .lineDetail }
        default:
            break
        }
        return nil
    }

    /// The end of the transaction set: the claim in progress is complete.
    mutating func finish(into output: inout ReadItemGroup) {
        finishClaim(into: &output)
    }

    // MARK: Loops

    private mutating func nameSegment(_ segment: X12Segment) {
        switch loop {
        case .subscriber:
            let qualifier = NameQualifier(segment.element(1))
            subscriber.lastName = qualifier
            if qualifier == .insured { subscriber.memberID = segment.text(9) }
            if qualifier == .payer { subscriber.payerID = segment.text(9) }
        case .patient:
            patient?.lastName = NameQualifier(segment.element(1))
        case .claim, .claimName:
            loop = .claimName
        case .line, .lineDetail:
            loop = .lineDetail
        case .header, .billingProvider, .otherHierarchy, .otherSubscriber:
            break
        }
    }

    private mutating func datesSegment(_ segment: X12Segment) {
        // The qualifier compared as bytes: every line has a DTP, and only two qualifiers matter.
        let qualifier = segment.element(1)
        if loop == .line, x12Equals(qualifier, "472") {
            guard let last = claim?.lines.indices.last else { return }
            progress.lineFlags[last].hasServiceDate = true
            claim?.lines[last].setServiceDates(X12ServiceDates(format: segment.element(2), date: segment.element(3)))
        } else if loop == .claim, x12Equals(qualifier, "434") {
            progress.statementDates = X12ServiceDates(format: segment.element(2), date: segment.element(3))
        }
    }

    // MARK: Claims

    private mutating func startClaim(_ segment: X12Segment) {
        var problems: [DataProblem] = []
        let id = segment.text(1)
        if id.isEmpty { problems.append(DataProblem(.claimID, .missing)) }
        if subscriber.payerID.isEmpty { problems.append(DataProblem(.payerID, .missing)) }

        let lineOfBusiness = LineOfBusiness(code: subscriber.lineOfBusinessCode)
        if lineOfBusiness == nil { problems.append(DataProblem(.lineOfBusiness, .invalid)) }

        // The patient loop, when there is one, describes the patient; else the subscriber is
        // the patient. Field by field: a copy of the party retained each of its values.
        let birthDateText = patient?.birthDateText ?? subscriber.birthDateText
        var birthDate: CalendarDate?
        if !birthDateText.isEmpty {
            birthDate = birthDateText.utf8.count == 8 ? CalendarDate(birthDateText) : nil
            if birthDate == nil { problems.append(DataProblem(.patientBirthDate, .invalid)) }
        }
        let sex = (patient?.sex ?? subscriber.sex).uppercasedIfNeeded()
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
            payerID: subscriber.payerID,
            lineOfBusiness: lineOfBusiness,
            lineOfBusinessText: lineOfBusiness?.rawValue ?? subscriber.lineOfBusinessCode,
            memberID: subscriber.memberID.isEmpty ? nil : subscriber.memberID,
            patientBirthDate: birthDate,
            patientSex: sex.isEmpty ? nil : sex,
            placeOfService: placeOfService,
            typeOfBill: typeOfBill,
            diagnoses: [],
            problems: problems
        )
        // Room for a few lines from the start: growing one line at a time reallocated twice.
        opened.lines.reserveCapacity(4)
        progress.restart(at: segment.ordinal)
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

    private mutating func finishClaim(into output: inout ReadItemGroup) {
        // Moved out, not copied: the claim's arrays stay uniquely referenced.
        guard var finished = claim.take() else { return }
        guard !finished.lines.isEmpty else {
            output.append(.reject(Reject(
                source: sourceText(displayPath, progress.ordinal),
                kind: .claim,
                message: "claim has no service lines"
            )), lines: 1)
            return
        }
        if finished.diagnoses.isEmpty,
           !finished.problems.contains(where: { $0.field == .diagnosisCodes }) {
            finished.problems.append(DataProblem(.diagnosisCodes, .missing))
        }
        for index in finished.lines.indices where !progress.lineFlags[index].hasServiceDate {
            // Statement dates are an institutional claim's (inputs.md), as the XML reader reads them.
            if claimType == .institutional, let dates = progress.statementDates {
                finished.lines[index].setServiceDates(dates)
            } else {
                finished.lines[index].problems.append(DataProblem(.serviceDate, .missing))
            }
        }
        // `consume`: the last use of `finished` was otherwise compiled as a copy of the claim.
        let lines = finished.lines.count
        output.append(.claim(consume finished), lines: lines)
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
        progress.lineFlags.append(LineFlags())
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
