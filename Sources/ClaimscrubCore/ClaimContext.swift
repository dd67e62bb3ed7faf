/// Buffers the engine reuses from claim to claim (the run keeps one per chunk it decides,
/// on whichever deciding thread takes the chunk). The lines'
/// facts, the diagnoses' shapes, a line's fired reasons and a claim's line decisions were
/// each an array made and freed per claim or per line: about a third of a run's
/// allocations.
public struct DecisionScratch {
    var facts: [LineFacts] = []
    var shapes: [DiagnosisShape] = []
    var fired: [FiredReason] = []
    var decisions: [LineDecision] = []
    var noEditMessages = NoEditMessages()

    public init() {}
}

/// The NO_EDIT messages made for a chunk's claims so far, by payer and code (kept in the
/// chunk's `DecisionScratch`, so the table starts empty with each chunk: about 680 lines of
/// a 4,096-line batch with two threads). About half of a generated batch's lines carry a
/// code outside the registry or name a payer outside the code sets, and each such line made
/// its message anew: an allocation, a copy and a free.
/// A fixed table, a new message taking over its slot, so that a batch of millions of
/// distinct codes or payers holds no more than `slotCount` messages.
struct NoEditMessages {
    private struct Entry {
        /// The payer's position in the code sets; nil for a payer outside them, which
        /// `payerText` then names.
        let payer: Int?
        let payerText: String
        let code: String
        let message: String
    }

    /// Room for the pairs of a generated batch (about a hundred: a payer outside the code
    /// sets has a message for every code) with few collisions: 64 slots missed a third of
    /// the time. At most about 80 KiB per chunk being decided.
    private static let slotCount = 512
    private var slots: [Entry?] = []

    /// The message for the payer and code, made by `make` when the table does not hold it.
    mutating func message(payer: Int?, payerText: String, code: String, make: () -> String) -> String {
        if slots.isEmpty { slots = Array(repeating: nil, count: Self.slotCount) }
        let slot = Self.slot(payer: payer, payerText: payerText, code: code)
        if let entry = slots[slot], entry.payer == payer, entry.code == code, entry.payerText == payerText {
            return entry.message
        }
        let message = make()
        slots[slot] = Entry(payer: payer, payerText: payerText, code: code, message: message)
        return message
    }

    /// FNV-1a over the code and the payer's text, from a start that the payer's position
    /// changes; its top bits (`slotCount` is 512).
    private static func slot(payer: Int?, payerText: String, code: String) -> Int {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(bitPattern: Int64(payer ?? -1))
        func mix(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        payerText.withUTF8Bytes { for byte in $0 { mix(byte) } }
        code.withUTF8Bytes { for byte in $0 { mix(byte) } }
        return Int(truncatingIfNeeded: hash >> 55)
    }
}

/// What the edits need of each line, computed once per claim.
struct LineFacts {
    /// Valid CPT/HCPCS shape, upper-cased; nil when invalid or blank.
    var procedureCode: String?
    var dateOfService: CalendarDate?
    var units: Units?
    /// Nil when the line's diagnoses or pointers are invalid: diagnosis checks skip.
    var diagnosisKeys: LineDiagnosisKeys?
    var description: String?
    var priorAuth: String?
    var isRevenueOnly: Bool
    /// Line number, then input order (decisions.md: ties keep input order).
    var orderKey: (Int, Int)
    /// The registry entry of `procedureCode`, looked up once per line: the edits compare
    /// every line of a claim with the others, and the policy lookup is keyed by it.
    var entry: RegistryCode?

    var family: String? { entry?.family }
    var isUnlisted: Bool { entry?.unlisted == true }
}

/// The diagnosis keys a line uses: those its pointers name, or all of the claim's. A view
/// over the claim's diagnoses whose keys are made when read: few lines reach a diagnosis
/// check, and an array of keys per line, then per claim, was an allocation (and a String
/// per diagnosis) that most never looked at. A check reads them once into an array.
struct LineDiagnosisKeys: RandomAccessCollection {
    let claimDiagnoses: [Diagnosis]
    /// Checked against `claimDiagnoses` before the view is made; nil means all of them.
    let pointers: DiagnosisPointers?

    var startIndex: Int { 0 }
    var endIndex: Int { pointers?.count ?? claimDiagnoses.count }

    subscript(position: Int) -> String {
        claimDiagnoses[pointers.map { $0[position] - 1 } ?? position].key
    }
}

/// A diagnosis code's shapes, found once per claim.
struct DiagnosisShape {
    let isICD10: Bool
    let isICD9: Bool
}

/// A claim's per-line facts, for the claim-wide sums and presence checks.
struct ClaimContext {
    /// A var only so that the engine can hand the array back to its scratch when done.
    var lines: [LineFacts]
    /// The position in `CodeSets.payers` of the payer the claim names, looked up once per
    /// claim (the id trimmed and upper-cased): a position, not a copy of the payer, whose
    /// fields every deciding thread would retain and release.
    let payerPosition: Int?

    /// The payer id is blank (only spaces and tabs, or empty).
    let payerIDIsBlank: Bool
    /// The claim's diagnoses' shape problem for a date of service on or after the ICD-10-CM
    /// compliance date, before it, and without a date: the same for every line, so found once.
    let diagnosisIssueICD10Era: String?
    let diagnosisIssueICD9Era: String?
    let diagnosisIssueUndated: String?

    /// `codeSets` borrowed: an initializer owns its arguments, and passing the code sets
    /// whole copied them, retaining (and then releasing) each of their tables per claim.
    /// `facts` and `shapes`: buffers the arrays are made in (emptied first). `facts` is
    /// taken, and is this context's `lines`; `shapes` is handed back.
    init(
        claim: borrowing Claim, codeSets: borrowing CodeSets, facts: inout [LineFacts], shapes shapeBuffer: inout [DiagnosisShape]
    ) {
        payerPosition = codeSets.payerPosition(named: claim.payerID)
        payerIDIsBlank = claim.payerID.trimmingSpaces().isEmpty
        let diagnoses = claim.diagnoses
        // One array of both shapes, not one per shape.
        var shapes: [DiagnosisShape] = []
        swap(&shapes, &shapeBuffer)
        defer { swap(&shapes, &shapeBuffer) }
        shapes.removeAll(keepingCapacity: true)
        for diagnosis in diagnoses {
            shapes.append(DiagnosisShape(isICD10: CodeShapes.isICD10(diagnosis.code), isICD9: CodeShapes.isICD9(diagnosis.code)))
        }
        (diagnosisIssueICD10Era, diagnosisIssueICD9Era, diagnosisIssueUndated) =
            ClaimContext.diagnosisIssues(diagnoses, shapes: shapes)

        let diagnosesValid = !diagnoses.isEmpty
            && !claim.problems.contains { $0.field == .diagnosisCodes && $0.issue != .conflictsWithClaim }
        let claimPriorAuth = nonBlank(claim.priorAuth)
        var lines: [LineFacts] = []
        swap(&lines, &facts)
        lines.removeAll(keepingCapacity: true)
        lines.reserveCapacity(claim.lines.count)
        // By index, reading fields in place: a copy of each line would retain all its strings.
        for offset in claim.lines.indices {
            let code = CodeShapes.isProcedureCode(claim.lines[offset].procedureCode) ? claim.lines[offset].procedureCode : nil
            var diagnosisKeys: LineDiagnosisKeys?
            if diagnosesValid,
               !claim.lines[offset].problems.contains(where: { $0.field == .diagnosisPointers && $0.issue != .conflictsWithClaim }),
               let dos = claim.lines[offset].dateOfService {
                // Diagnoses the line uses: those its pointers name (nil: all of the claim's),
                // read through the pointers in place rather than as a new array per line.
                let pointers = claim.lines[offset].diagnosisPointers
                let icd10Era = dos >= CodeShapes.icd10ComplianceDate
                // A local function, not a closure value: that was an allocation per line.
                func fits(_ index: Int) -> Bool {
                    icd10Era
                        ? shapes[index].isICD10 && diagnoses[index].declaredCodeSet != .icd9
                        : shapes[index].isICD9 && diagnoses[index].declaredCodeSet != .icd10
                }
                let usable = pointers?.allSatisfy { $0 >= 1 && $0 <= diagnoses.count && fits($0 - 1) }
                    ?? diagnoses.indices.allSatisfy(fits)
                if usable {
                    // ICD-9-CM codes match no diagnosis list: every loaded list is ICD-10-CM.
                    diagnosisKeys = LineDiagnosisKeys(claimDiagnoses: icd10Era ? diagnoses : [], pointers: icd10Era ? pointers : nil)
                }
            }
            let revenueOnly = claim.lines[offset].procedureCode.isEmpty && claim.claimType == .institutional
                && claim.lines[offset].revenueCode.map(CodeShapes.isRevenueCode) == true
            let entry = code.flatMap { codeSets.registryEntry(procedureCode: $0) }
            lines.append(LineFacts(
                procedureCode: code,
                dateOfService: claim.lines[offset].dateOfService,
                units: claim.lines[offset].units,
                diagnosisKeys: diagnosisKeys,
                description: nonBlank(claim.lines[offset].procedureDescription),
                priorAuth: nonBlank(claim.lines[offset].priorAuth) ?? claimPriorAuth,
                isRevenueOnly: revenueOnly,
                orderKey: (claim.lines[offset].lineNumber ?? Int.max, offset),
                entry: entry
            ))
        }
        self.lines = lines
    }

    /// What is wrong with the shape of the claim's diagnoses for each era of dates of service.
    private static func diagnosisIssues(
        _ diagnoses: [Diagnosis], shapes: [DiagnosisShape]
    ) -> (icd10Era: String?, icd9Era: String?, undated: String?) {
        // Without a date of service the code set in force is unknown: either shape will do.
        let undated = shapes.allSatisfy { $0.isICD10 || $0.isICD9 }
            ? nil : "holds a code that is neither ICD-10-CM nor ICD-9-CM"
        // An era's issue: a qualifier of the other code set, else a code not of its shape.
        func issue(
            declaring other: DiagnosisCodeSet, fits: KeyPath<DiagnosisShape, Bool>, qualifier: String, shape: String
        ) -> String? {
            if diagnoses.contains(where: { $0.declaredCodeSet == other }) { return qualifier }
            return shapes.allSatisfy { $0[keyPath: fits] } ? nil : shape
        }
        let icd10Era = issue(
            declaring: .icd9, fits: \.isICD10,
            qualifier: "uses ICD-9-CM qualifiers, which are not valid for dates of service on or after 2015-10-01",
            shape: "holds a code that is not ICD-10-CM, required for dates of service on or after 2015-10-01"
        )
        let icd9Era = issue(
            declaring: .icd10, fits: \.isICD9,
            qualifier: "uses ICD-10-CM qualifiers, which are not valid for dates of service before 2015-10-01",
            shape: "holds a code that is not ICD-9-CM, required for dates of service before 2015-10-01"
        )
        return (icd10Era, icd9Era, undated)
    }

    /// The diagnoses' shape problem for a line on `dos`; nil when their shape is right.
    func diagnosisShapeIssue(dos: CalendarDate?) -> String? {
        guard let dos else { return diagnosisIssueUndated }
        return dos >= CodeShapes.icd10ComplianceDate ? diagnosisIssueICD10Era : diagnosisIssueICD9Era
    }

    /// Units of `code` over the claim's lines on `dos` with valid code, date and units.
    func units(of code: String, on dos: CalendarDate) -> Units {
        lines.reduce(Units(millionths: 0)) { total, line in
            guard line.procedureCode == code, line.dateOfService == dos, let units = line.units else { return total }
            return total + units
        }
    }

    /// Vertebral levels on `dos`: units summed over the registry codes that count levels (22510-22515).
    func levels(on dos: CalendarDate) -> Units {
        lines.reduce(Units(millionths: 0)) { total, line in
            guard line.entry?.countsLevels == true, line.dateOfService == dos,
                  let units = line.units else { return total }
            return total + units
        }
    }

}

private func nonBlank(_ text: String?) -> String? {
    guard let text else { return nil }
    return text.utf8.contains(where: { $0 != 0x20 && $0 != 0x09 }) ? text : nil
}
