import ClaimscrubCore

/// Counts for summary.json, gathered per batch and merged in input order.
struct RunCounts {
    var claims = 0
    var lines = 0
    var rejects = 0
    var invalidDataLines = 0
    var linesByDecision: [Decision: Int] = [:]
    var claimsByDecision: [Decision: Int] = [:]
    var linesByReason: [String: Int] = [:]
    /// By decision, for summary.html's bars; summary.json keeps only the totals.
    var linesByPayer: [String: DecisionTally] = [:]
    var linesByProcedureCode: [String: DecisionTally] = [:]
    var linesByPolicy: [String: Int] = [:]

    mutating func add(claim: Claim, echo: ClaimEcho, decision: ClaimDecision) {
        claims += 1
        claimsByDecision[decision.decision, default: 0] += 1
        for (line, lineDecision) in zip(claim.lines, decision.lines) {
            lines += 1
            linesByDecision[lineDecision.decision, default: 0] += 1
            linesByReason[lineDecision.primary.reason.rawValue, default: 0] += 1
            if lineDecision.reasons.contains(where: { $0.reason == .invalidData }) { invalidDataLines += 1 }
            linesByPayer[echo.payerID, default: DecisionTally()].add(lineDecision.decision)
            linesByProcedureCode[line.procedureCode, default: DecisionTally()].add(lineDecision.decision)
            if let citation = lineDecision.citation, !citation.version.isEmpty {
                linesByPolicy["\(citation.policyID)@\(citation.version)", default: 0] += 1
            }
        }
    }

    mutating func merge(_ other: RunCounts) {
        claims += other.claims
        lines += other.lines
        rejects += other.rejects
        invalidDataLines += other.invalidDataLines
        linesByDecision.merge(other.linesByDecision, uniquingKeysWith: +)
        claimsByDecision.merge(other.claimsByDecision, uniquingKeysWith: +)
        linesByReason.merge(other.linesByReason, uniquingKeysWith: +)
        linesByPayer.merge(other.linesByPayer, uniquingKeysWith: +)
        linesByProcedureCode.merge(other.linesByProcedureCode, uniquingKeysWith: +)
        linesByPolicy.merge(other.linesByPolicy, uniquingKeysWith: +)
    }

    /// summary.json, keys in the order outputs.md gives; nothing from the clock or machine.
    func summaryJSON(asOf: CalendarDate, inputs: Int, bytes: Int64) -> String {
        func decisions(_ counts: [Decision: Int]) -> String {
            "{\"ACCEPT\": \(counts[.accept] ?? 0), \"DENY\": \(counts[.deny] ?? 0), \"PEND\": \(counts[.pend] ?? 0)}"
        }
        func map(_ counts: [String: Int], cap: Int?) -> String {
            var entries = counts.map { ($0.key, $0.value) }
            var other = 0
            if let cap, entries.count > cap {
                entries.sort { $0.1 != $1.1 ? $0.1 > $1.1 : Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
                other = entries[cap...].reduce(0) { $0 + $1.1 }
                entries = Array(entries[..<cap])
            }
            entries.sort { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
            var parts = entries.map { "\(jsonString($0.0)): \($0.1)" }
            if other > 0 { parts.append("\"(other)\": \(other)") }
            return parts.isEmpty ? "{}" : "{\n    " + parts.joined(separator: ",\n    ") + "\n  }"
        }
        return """
        {
          "as_of": "\(asOf)",
          "inputs": \(inputs),
          "bytes": \(bytes),
          "claims": \(claims),
          "lines": \(lines),
          "rejects": \(rejects),
          "lines_by_decision": \(decisions(linesByDecision)),
          "claims_by_decision": \(decisions(claimsByDecision)),
          "lines_by_reason": \(map(linesByReason, cap: nil)),
          "lines_by_payer": \(map(linesByPayer.mapValues(\.total), cap: 1000)),
          "lines_by_procedure_code": \(map(linesByProcedureCode.mapValues(\.total), cap: 1000)),
          "lines_by_policy": \(map(linesByPolicy, cap: 1000))
        }

        """
    }
}
