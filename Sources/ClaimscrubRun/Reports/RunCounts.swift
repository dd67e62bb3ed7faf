import ClaimscrubCore
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Counts for summary.json, gathered per batch and merged in input order.
struct RunCounts {
    var claims = 0
    var lines = 0
    var rejects = 0
    var invalidDataLines = 0
    /// Counted in fixed slots rather than dictionaries: every line adds to them.
    var lineDecisions = DecisionTally()
    var claimDecisions = DecisionTally()
    /// Lines by primary reason, indexed by `ReasonCode.editOrder`.
    var primaryReasons = [Int](repeating: 0, count: ReasonCode.allCases.count)
    var linesByDecision: [Decision: Int] { lineDecisions.byDecision }
    var claimsByDecision: [Decision: Int] { claimDecisions.byDecision }
    /// The reasons that were some line's primary reason, by name.
    var linesByReason: [String: Int] {
        var byName: [String: Int] = [:]
        for (reason, count) in zip(ReasonCode.allCases, primaryReasons) where count > 0 { byName[reason.rawValue] = count }
        return byName
    }
    /// By decision, for summary.html's bars; summary.json keeps only the totals. Bounded
    /// in memory: a hostile batch can name millions of payers or codes (LineTallies).
    var linesByPayer = LineTallies()
    var linesByProcedureCode = LineTallies()
    /// Keys come from the loaded code sets (policy ids and versions), never from the
    /// input, so this map stays as small as the code sets.
    var linesByPolicyVersion: [PolicyVersionKey: Int] = [:]

    /// `policy@version` -> lines, as summary.json names them; spelt out only when written,
    /// since interpolating the key for every line was a measurable share of the count.
    var linesByPolicy: [String: Int] {
        var byName: [String: Int] = [:]
        for (key, count) in linesByPolicyVersion { byName["\(key.policyID)@\(key.version)", default: 0] += count }
        return byName
    }
    /// The folder the run's total spills into, removed when the summary is written.
    private var spillFolder: String?

    /// summary.json's maps of payers, codes and policies keep this many entries (outputs.md).
    static let summaryCap = 1000

    /// A batch's counts: never spilled.
    init() {}

    /// The run's total: the payer and code tallies spill into `spillFolder` past `limits`.
    init(spillFolder: String, limits: LineTallies.Limits = LineTallies.Limits()) {
        self.spillFolder = spillFolder
        linesByPayer = LineTallies(spillingInto: spillFolder, name: "payers", limits: limits)
        linesByProcedureCode = LineTallies(spillingInto: spillFolder, name: "procedure-codes", limits: limits)
    }

    mutating func add(claim: Claim, echo: ClaimEcho, decision: ClaimDecision) {
        claims += 1
        claimDecisions.add(decision.decision)
        // Every line of a claim has its payer: counted here and added to the payer's
        // tally once per claim rather than looked up once per line.
        var claimLines = DecisionTally()
        // The line decisions read in place through a buffer pointer: the array's subscript
        // copied each (five references retained and released).
        decision.lines.withUnsafeBufferPointer { decisions in
            for index in claim.lines.indices {
                let lineDecision = decisions[index].decision
                lines += 1
                lineDecisions.add(lineDecision)
                claimLines.add(lineDecision)
                primaryReasons[decisions[index].primary.reason.editOrder] += 1
                if decisions[index].fired(.invalidData) { invalidDataLines += 1 }
                linesByProcedureCode.add(claim.lines[index].procedureCode, lineDecision)
                if let citation = decisions[index].primary.citation, !citation.version.isEmpty {
                    linesByPolicyVersion[PolicyVersionKey(policyID: citation.policyID, version: citation.version), default: 0] += 1
                }
            }
        }
        if claimLines.total > 0 { linesByPayer.add(echo.payerID, claimLines) }
    }

    /// Adds a batch's counts; throws only when a spill file cannot be written.
    mutating func merge(_ other: RunCounts) throws(OutputError) {
        claims += other.claims
        lines += other.lines
        rejects += other.rejects
        invalidDataLines += other.invalidDataLines
        lineDecisions = lineDecisions + other.lineDecisions
        claimDecisions = claimDecisions + other.claimDecisions
        for index in primaryReasons.indices { primaryReasons[index] += other.primaryReasons[index] }
        try linesByPayer.merge(other.linesByPayer)
        try linesByProcedureCode.merge(other.linesByProcedureCode)
        linesByPolicyVersion.merge(other.linesByPolicyVersion, uniquingKeysWith: +)
    }

    /// Writes summary.json to `file`; see `writeSummary(asOf:inputs:bytes:write:)`.
    mutating func writeSummary(asOf: CalendarDate, inputs: Int, bytes: Int64, to file: ReportFile) throws(OutputError) -> SummaryLeaders {
        try writeSummary(asOf: asOf, inputs: inputs, bytes: bytes) { (chunk: [UInt8]) throws(OutputError) in try file.write(chunk) }
    }

    /// summary.json, keys in the order outputs.md gives; nothing from the clock or machine.
    /// Streamed through `write` in pieces, as the payer and code maps are merged from their
    /// spill files; ends the tallies (the spill folder is removed) and returns the leading
    /// payers and codes for summary.html.
    mutating func writeSummary(
        asOf: CalendarDate, inputs: Int, bytes: Int64, write: ([UInt8]) throws(OutputError) -> Void
    ) throws(OutputError) -> SummaryLeaders {
        var out: [UInt8] = []
        func text(_ piece: String) throws(OutputError) {
            out.append(contentsOf: piece.utf8)
            if out.count >= 1 << 16 {
                try write(out)
                out.removeAll(keepingCapacity: true)
            }
        }
        func decisions(_ counts: [Decision: Int]) -> String {
            "{\"ACCEPT\": \(counts[.accept] ?? 0), \"DENY\": \(counts[.deny] ?? 0), \"PEND\": \(counts[.pend] ?? 0)}"
        }
        /// One map's entries as they come, `(other)` last: "{}" when there are none.
        var first = true
        func openMap() throws(OutputError) {
            first = true
            try text("{")
        }
        func entry(_ key: String, _ count: Int) throws(OutputError) {
            try text(first ? "\n    " : ",\n    ")
            first = false
            try text(jsonString(key) + ": \(count)")
        }
        func closeMap(other: Int) throws(OutputError) {
            if other > 0 { try entry("(other)", other) }
            try text(first ? "}" : "\n  }")
        }
        func map(_ counts: [String: Int], cap: Int?) throws(OutputError) {
            var entries = counts.map { ($0.key, $0.value) }
            var other = 0
            if let cap, entries.count > cap {
                entries.sort { $0.1 != $1.1 ? $0.1 > $1.1 : Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
                other = entries[cap...].reduce(0) { $0 + $1.1 }
                entries = Array(entries[..<cap])
            }
            entries.sort { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
            try openMap()
            for (key, count) in entries { try entry(key, count) }
            try closeMap(other: other)
        }
        func tallies(_ tallies: inout LineTallies) throws(OutputError) -> LeadingTallies {
            try openMap()
            let (other, leaders) = try tallies.finish(cap: Self.summaryCap, leading: SummaryHTML.barLimit) { key, count throws(OutputError) in
                try entry(key, count)
            }
            try closeMap(other: other)
            return leaders
        }

        var leaders = SummaryLeaders()
        try text("""
        {
          "as_of": "\(asOf)",
          "inputs": \(inputs),
          "bytes": \(bytes),
          "claims": \(claims),
          "lines": \(lines),
          "rejects": \(rejects),
          "lines_by_decision": \(decisions(linesByDecision)),
          "claims_by_decision": \(decisions(claimsByDecision)),
          "lines_by_reason":
        """)
        try text(" ")
        try map(linesByReason, cap: nil)
        try text(",\n  \"lines_by_payer\": ")
        leaders.payers = try tallies(&linesByPayer)
        try text(",\n  \"lines_by_procedure_code\": ")
        leaders.procedureCodes = try tallies(&linesByProcedureCode)
        try text(",\n  \"lines_by_policy\": ")
        try map(linesByPolicy, cap: Self.summaryCap)
        try text("\n}\n")
        if !out.isEmpty { try write(out) }
        if let spillFolder {
            try SignalCleanup.shared.whileWriting { () throws(OutputError) in
                if rmdir(spillFolder) != 0 && errno != ENOENT {
                    throw OutputError(path: spillFolder, message: "cannot remove: \(String(cString: strerror(errno)))")
                }
            }
        }
        return leaders
    }
}

/// A policy version as summary counts key it.
struct PolicyVersionKey: Hashable {
    var policyID: String
    var version: String
}
