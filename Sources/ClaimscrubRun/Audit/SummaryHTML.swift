import ClaimscrubCore

/// summary.html: the run's summary for people (cli.md). Built from the counts and the
/// loaded code sets only, so it holds no member data, no diagnosis and nothing from the
/// clock, and `verify` can compare it byte for byte.
struct SummaryHTML {
    /// Payers and codes beyond this many (by lines) are folded into `(other)`.
    static let barLimit = 25

    var counts: RunCounts
    /// The leading payers and codes, from `RunCounts.writeSummary` (the tallies end there).
    var leaders: SummaryLeaders
    var codeSets: CodeSets
    var asOf: CalendarDate
    var inputs: Int
    var bytes: Int64
    var codeSetsFingerprint: String

    func render() -> String {
        var page = HTMLPage()
        page.heading("claimscrub run summary", level: 1)
        page.paragraph("As of \(asOf): decisions use the policy versions published on or before this date. \(inputs) input file\(inputs == 1 ? "" : "s"), \(bytes) bytes.")

        page.heading("Totals")
        let lines = counts.linesByDecision, claims = counts.claimsByDecision
        page.table(
            ["", "total", "ACCEPT", "PEND", "DENY"],
            [
                ["service lines", "\(counts.lines)", "\(lines[.accept] ?? 0)", "\(lines[.pend] ?? 0)", "\(lines[.deny] ?? 0)"],
                ["claims", "\(counts.claims)", "\(claims[.accept] ?? 0)", "\(claims[.pend] ?? 0)", "\(claims[.deny] ?? 0)"],
            ],
            numeric: [1, 2, 3, 4]
        )
        page.paragraph("Rejects (input that could not be attributed to a claim line, listed in the rejects report): \(counts.rejects). Lines with INVALID_DATA: \(counts.invalidDataLines).")

        page.heading("Decisions by payer")
        page.barChart(title: "Service lines by payer and decision", series: HTMLPage.decisionColours, bars: Self.bars(leaders.payers))
        page.heading("Decisions by procedure code")
        page.barChart(title: "Service lines by procedure code and decision", series: HTMLPage.decisionColours, bars: Self.bars(leaders.procedureCodes))

        page.heading("Top reasons")
        let reasons = counts.linesByReason.sorted { Self.precedes(($0.key, $0.value), ($1.key, $1.value)) }
        page.table(
            ["primary reason", "decision", "CARC", "usual RARC", "lines"],
            reasons.map { name, count in
                let reason = ReasonCode(rawValue: name)
                return [name, reason?.decision.rawValue ?? "", reason?.claimAdjustmentReason ?? "", reason?.defaultRemark ?? "", "\(count)"]
            },
            numeric: [4]
        )

        page.heading("Policy versions used")
        let used = counts.linesByPolicy.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
        if used.isEmpty {
            page.paragraph("No line was decided by a policy version.")
        } else {
            page.table(
                ["policy", "version", "effective (end exclusive)", "published", "source document", "lines"],
                used.map { key, count in
                    let (id, version) = Self.split(key)
                    let policy = codeSets.policies[id]
                    let found = policy?.versions.first { $0.id == version }
                    let from = found?.effective.from?.description ?? "(open)"
                    let to = found?.effective.to?.description ?? "(open)"
                    return [
                        policy.map { "\($0.name): \($0.title) (\(id))" } ?? id, version,
                        found == nil ? "" : "\(from) to \(to)", found?.published?.description ?? "not stated",
                        policy?.source ?? "", "\(count)",
                    ]
                },
                numeric: [5], unbroken: [1, 2, 3]
            )
        }
        page.paragraph("Code sets fingerprint \(codeSetsFingerprint). A replay shows what these code sets knew on the as-of date, not the whole history of a payer's policy.")
        return page.document(title: "claimscrub run summary as of \(asOf)")
    }

    /// The largest entries by lines (ties by name), the rest folded into `(other)`.
    static func bars(_ tallies: LeadingTallies) -> [(label: String, values: [Int])] {
        var bars = tallies.leading.prefix(barLimit).map { (label: $0.key.isEmpty ? "(blank)" : $0.key, values: [$0.tally.accept, $0.tally.pend, $0.tally.deny]) }
        if tallies.distinct > barLimit {
            bars.append((label: "(other)", values: [tallies.rest.accept, tallies.rest.pend, tallies.rest.deny]))
        }
        return bars
    }

    /// Larger counts first, then names in byte order: the same page whatever the hashing.
    static func precedes(_ a: (String, Int), _ b: (String, Int)) -> Bool {
        a.1 != b.1 ? a.1 > b.1 : Array(a.0.utf8).lexicographicallyPrecedes(Array(b.0.utf8))
    }

    private static func split(_ key: String) -> (String, String) {
        guard let at = key.lastIndex(of: "@") else { return (key, "") }
        return (String(key[..<at]), String(key[key.index(after: at)...]))
    }
}
