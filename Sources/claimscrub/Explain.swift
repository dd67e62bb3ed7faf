internal import ArgumentParser
import ClaimscrubCore
import ClaimscrubRun
import Foundation

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decide one hypothetical service line and show how.",
        discussion: """
        Applies the same engine as `run` to a one-line claim and prints the policy, version \
        and source section consulted, every fired reason with its CARC/RARC, and the decision.

        Examples:
          claimscrub explain --payer CIGNA --code 0200T --dos 2024-07-01
          claimscrub explain --payer KPWA --code 22513 --dos 2025-12-01 --lob medicare --dx M80.08XA --json
        """
    )

    @Option(help: "Payer id.") var payer: String
    @Option(help: "Procedure code (CPT or HCPCS).") var code: String
    @Option(help: "Date of service YYYY-MM-DD.") var dos: String
    @Option(help: "Line of business: commercial, medicare, medicare_advantage, medicaid (or an SBR09 code).") var lob: String = "commercial"
    @Option(name: .customLong("claim-type"), help: "professional or institutional.") var claimType: String = "professional"
    @Option(help: "Place of service (professional).") var pos: String?
    @Option(help: "Type of bill (institutional).") var tob: String?
    @Option(help: "Diagnosis code; repeat for more, principal first.") var dx: [String] = []
    @Option(help: "Units.") var units: String = "1"
    @Option(help: "Modifier; repeat for more.") var modifier: [String] = []
    @Option(help: "Procedure description (unlisted codes).") var description: String?
    @Option(name: .customLong("prior-auth"), help: "Prior authorization number.") var priorAuth: String?
    @Option(name: .customLong("as-of"), help: "Knowledge date YYYY-MM-DD (default: today).") var asOf: String?
    @Option(help: "Code-set folder replacing the built-in code sets.") var codesets: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let loaded = try loadCodeSets(codesets)
        let date = try parseDate(dos, option: "--dos")
        let asOfDate = try asOf.map { try parseDate($0, option: "--as-of") } ?? today()
        guard let type = ClaimType(code: claimType) else { throw ValidationError("--claim-type must be professional or institutional") }
        guard let lineOfBusiness = LineOfBusiness(code: lob) else {
            throw ValidationError("--lob must be commercial, medicare, medicare_advantage, medicaid or an SBR09 code")
        }
        guard let quantity = Units(units), quantity.millionths > 0 else { throw ValidationError("--units must be a positive number") }
        let line = ServiceLine(
            source: "explain:1", lineNumberText: "1", lineNumber: 1, procedureCode: code.uppercased(),
            modifiers: modifier.map { $0.uppercased() }, units: quantity, unitsText: units,
            dateOfService: date, dateOfServiceText: dos, procedureDescription: description, priorAuth: priorAuth
        )
        let claim = Claim(
            id: "explain", claimType: type, claimTypeText: type.rawValue, payerID: payer,
            lineOfBusiness: lineOfBusiness, lineOfBusinessText: lineOfBusiness.rawValue,
            placeOfService: pos, typeOfBill: tob.map { $0.count == 3 ? "0" + $0 : $0 },
            diagnoses: dx.map { Diagnosis(code: $0.uppercased()) }, lines: [line]
        )
        let decision = DecisionEngine(codeSets: loaded.codeSets, asOf: asOfDate).decide(claim).lines[0]
        print(json ? jsonText(decision, asOf: asOfDate, lob: lineOfBusiness, type: type) : plainText(decision, asOf: asOfDate, lob: lineOfBusiness, type: type))
    }

    private func plainText(_ decision: LineDecision, asOf: CalendarDate, lob: LineOfBusiness, type: ClaimType) -> String {
        var lines = ["Line: \(code.uppercased()) for payer \(payer), \(lob.rawValue), \(type.rawValue), date of service \(dos), as of \(asOf)"]
        if let consulted = decision.consulted {
            lines.append("Policy: \(consulted.policyID) (\(consulted.policyName))"
                + (consulted.version.isEmpty ? ", no version in force" : ", version \(consulted.version)"))
            if !consulted.section.isEmpty { lines.append("Section: \(consulted.section)") }
            lines.append("Source: \(consulted.source)")
        } else {
            lines.append("Policy: none consulted")
        }
        lines.append("Decision: \(decision.decision.rawValue)")
        lines.append("Reasons:")
        for (index, fired) in decision.reasons.enumerated() {
            let carc = fired.reason.claimAdjustmentReason
            var codes = carc.isEmpty ? "" : " CARC \(carc)"
            if !fired.remark.isEmpty { codes += " RARC \(fired.remark)" }
            lines.append("  \(index == 0 ? "*" : "-") \(fired.reason.rawValue)\(codes): \(fired.message)")
        }
        return lines.joined(separator: "\n")
    }

    private func jsonText(_ decision: LineDecision, asOf: CalendarDate, lob: LineOfBusiness, type: ClaimType) -> String {
        func str(_ text: String) -> String { jsonString(text) }
        let reasons = decision.reasons.map { fired in
            "{\"reason\": \(str(fired.reason.rawValue)), \"decision\": \(str(fired.reason.decision.rawValue)), \"carc\": \(str(fired.reason.claimAdjustmentReason)), \"rarc\": \(str(fired.remark)), \"policy_id\": \(str(fired.citation?.policyID ?? "")), \"policy_version\": \(str(fired.citation?.version ?? "")), \"policy_section\": \(str(fired.citation?.section ?? "")), \"message\": \(str(fired.message))}"
        }
        let consulted = decision.consulted.map {
            "{\"policy_id\": \(str($0.policyID)), \"policy_version\": \(str($0.version)), \"policy_section\": \(str($0.section)), \"source\": \(str($0.source))}"
        } ?? "null"
        return """
        {"payer_id": \(str(payer)), "procedure_code": \(str(code.uppercased())), "service_date": \(str(dos)), "line_of_business": \(str(lob.rawValue)), "claim_type": \(str(type.rawValue)), "as_of": \(str(asOf.description)), "decision": \(str(decision.decision.rawValue)), "consulted": \(consulted), "reasons": [\(reasons.joined(separator: ", "))]}
        """
    }
}
