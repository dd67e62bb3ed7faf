/// What the edits need of each line, computed once per claim.
struct LineFacts {
    /// Valid CPT/HCPCS shape, upper-cased; nil when invalid or blank.
    var procedureCode: String?
    var dateOfService: CalendarDate?
    var units: Units?
    /// Nil when the line's diagnoses or pointers are invalid: diagnosis checks skip.
    var diagnosisKeys: [String]?
    var description: String?
    var priorAuth: String?
    var isRevenueOnly: Bool
    /// Line number, then input order (decisions.md: ties keep input order).
    var orderKey: (Int, Int)
}

/// A claim with its per-line facts, for the claim-wide sums and presence checks.
struct ClaimContext {
    let claim: Claim
    let lines: [LineFacts]
    let levelCodes: Set<String>
    /// Looked up once per claim: the id is trimmed and upper-cased for the match.
    let payer: Payer?

    init(claim: Claim, codeSets: CodeSets) {
        self.claim = claim
        levelCodes = codeSets.levelCodes
        payer = codeSets.payer(named: claim.payerID)
        let diagnosesValid = !claim.diagnoses.isEmpty
            && !claim.problems.contains { $0.field == .diagnosisCodes && $0.issue != .conflictsWithClaim }
        let claimPriorAuth = nonBlank(claim.priorAuth)
        var lines: [LineFacts] = []
        lines.reserveCapacity(claim.lines.count)
        for (offset, line) in claim.lines.enumerated() {
            let code = CodeShapes.isProcedureCode(line.procedureCode) ? line.procedureCode : nil
            var keys: [String]?
            if diagnosesValid,
               !line.problems.contains(where: { $0.field == .diagnosisPointers && $0.issue != .conflictsWithClaim }) {
                let used: [Diagnosis]?
                if let pointers = line.diagnosisPointers {
                    used = pointers.allSatisfy({ $0 >= 1 && $0 <= claim.diagnoses.count })
                        ? pointers.map { claim.diagnoses[$0 - 1] } : nil
                } else {
                    used = claim.diagnoses
                }
                if let used, let dos = line.dateOfService {
                    if dos >= CodeShapes.icd10ComplianceDate {
                        if used.allSatisfy({ CodeShapes.isICD10($0.code) && $0.declaredCodeSet != .icd9 }) {
                            keys = used.map(\.key)
                        }
                    } else if used.allSatisfy({ CodeShapes.isICD9($0.code) && $0.declaredCodeSet != .icd10 }) {
                        // ICD-9-CM codes match no diagnosis list: every loaded list is ICD-10-CM.
                        keys = []
                    }
                }
            }
            let revenueOnly = line.procedureCode.isEmpty && claim.claimType == .institutional
                && line.revenueCode.map(CodeShapes.isRevenueCode) == true
            lines.append(LineFacts(
                procedureCode: code,
                dateOfService: line.dateOfService,
                units: line.units,
                diagnosisKeys: keys,
                description: nonBlank(line.procedureDescription),
                priorAuth: nonBlank(line.priorAuth) ?? claimPriorAuth,
                isRevenueOnly: revenueOnly,
                orderKey: (line.lineNumber ?? Int.max, offset)
            ))
        }
        self.lines = lines
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
            guard let code = line.procedureCode, levelCodes.contains(code), line.dateOfService == dos,
                  let units = line.units else { return total }
            return total + units
        }
    }

}

private func nonBlank(_ text: String?) -> String? {
    guard let text else { return nil }
    return text.utf8.contains(where: { $0 != 0x20 && $0 != 0x09 }) ? text : nil
}
