import Foundation

/// `claimscrub diff`: matches the service lines of two finished runs by claim id, line
/// number and occurrence (repeats of the pair counted in input order), whatever the input
/// format or as-of date, and writes `changes.csv`, `changes.json` and `changes.html`.
///
/// Run A's lines are held in memory (a dictionary and one entry per line); a 5M-line diff
/// under 256 MiB needs an external sort by key instead.
public enum RunDiff {
    /// What a diff found, for the command's closing line.
    public struct Summary: Sendable {
        public var linesA: Int
        public var linesB: Int
        public var changed: Int
        public var onlyInA: Int
        public var onlyInB: Int
        /// `"ACCEPT/NO_EDIT -> PEND/POLICY_NOT_IN_FORCE"` -> lines.
        public var transitions: [String: Int]
    }

    /// One side of a matched line.
    struct Side: Equatable {
        var source: String
        var decision: String
        var primary: String
        var policyID: String
        var policyVersion: String

        init(_ row: LineReportRow) {
            source = row.source
            decision = row.decision
            primary = row.primary
            policyID = row.policyID
            policyVersion = row.policyVersion
        }

        /// Equal for the diff: the source is where the line was read, not what was decided.
        func sameDecision(as other: Side) -> Bool {
            decision == other.decision && primary == other.primary && policyID == other.policyID
                && policyVersion == other.policyVersion
        }

        var outcome: String { "\(decision)/\(primary)" }
        var policy: String { policyID.isEmpty ? "no policy" : policyVersion.isEmpty ? policyID : "\(policyID)@\(policyVersion)" }
    }

    struct Change {
        var claimID: String
        var lineNumber: String
        var occurrence: Int
        var a: Side?
        var b: Side?

        /// The decision and primary reason on each side; the policy too when only it changed.
        var transition: String {
            let left = a.map(\.outcome) ?? "(absent)", right = b.map(\.outcome) ?? "(absent)"
            if let a, let b, left == right { return "\(left) (\(a.policy)) -> \(right) (\(b.policy))" }
            return "\(left) -> \(right)"
        }
    }

    public static let changeColumns = [
        "claim_id", "line_number", "occurrence", "source_a", "source_b", "decision_a", "decision_b",
        "primary_a", "primary_b", "policy_a", "policy_b", "version_a", "version_b",
    ]

    /// Compares the runs in `folderA` and `folderB` (both finished) and writes the three
    /// files into `outFolder`.
    public static func run(_ folderA: String, _ folderB: String, outFolder: String) throws(AuditError) -> Summary {
        let a = try RunManifest.load(runFolder: folderA)
        let b = try RunManifest.load(runFolder: folderB)

        // Run A in input order, indexed by key.
        var entries: [(claimID: String, lineNumber: String, occurrence: Int, side: Side)] = []
        var index: [String: Int] = [:]
        var occurrences: [String: Int] = [:]
        var reader = try LineReportReader(a)
        while let row = try reader.next() {
            let pair = row.claimID + "\u{0}" + row.lineNumber
            let occurrence = (occurrences[pair] ?? 0) + 1
            occurrences[pair] = occurrence
            index[pair + "\u{0}\(occurrence)"] = entries.count
            entries.append((row.claimID, row.lineNumber, occurrence, Side(row)))
        }
        occurrences = [:]

        // Run B streamed against it.
        var matchedB: [Side?] = Array(repeating: nil, count: entries.count)
        var matched = Array(repeating: false, count: entries.count)
        var onlyB: [Change] = []
        var linesB = 0
        var readerB = try LineReportReader(b)
        while let row = try readerB.next() {
            linesB += 1
            let pair = row.claimID + "\u{0}" + row.lineNumber
            let occurrence = (occurrences[pair] ?? 0) + 1
            occurrences[pair] = occurrence
            let side = Side(row)
            if let found = index[pair + "\u{0}\(occurrence)"] {
                matched[found] = true
                if !entries[found].side.sameDecision(as: side) { matchedB[found] = side }
            } else {
                onlyB.append(Change(claimID: row.claimID, lineNumber: row.lineNumber, occurrence: occurrence, a: nil, b: side))
            }
        }
        index = [:]

        // Changes in run A's input order, then the lines only run B has.
        var changes: [Change] = []
        var onlyInA = 0
        for (offset, entry) in entries.enumerated() {
            if !matched[offset] {
                onlyInA += 1
                changes.append(Change(claimID: entry.claimID, lineNumber: entry.lineNumber, occurrence: entry.occurrence, a: entry.side, b: nil))
            } else if let other = matchedB[offset] {
                changes.append(Change(claimID: entry.claimID, lineNumber: entry.lineNumber, occurrence: entry.occurrence, a: entry.side, b: other))
            }
        }
        changes += onlyB
        var transitions: [String: Int] = [:]
        for change in changes { transitions[change.transition, default: 0] += 1 }
        let summary = Summary(
            linesA: entries.count, linesB: linesB, changed: changes.count - onlyInA - onlyB.count,
            onlyInA: onlyInA, onlyInB: onlyB.count, transitions: transitions
        )
        try write(changes: changes, summary: summary, a: a, b: b, to: outFolder)
        return summary
    }

    private static func write(changes: [Change], summary: Summary, a: RunManifest, b: RunManifest, to folder: String) throws(AuditError) {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw AuditError(status: 74, "\(folder): error: cannot create the output folder")
        }
        let encoder = RowEncoder(format: .csv)
        var csv: [UInt8] = []
        encoder.header(changeColumns, into: &csv)
        for change in changes {
            encoder.row(changeColumns, [
                .text(change.claimID), .text(change.lineNumber), .text(String(change.occurrence)),
                .text(change.a?.source ?? ""), .text(change.b?.source ?? ""),
                .text(change.a?.decision ?? ""), .text(change.b?.decision ?? ""),
                .text(change.a?.primary ?? ""), .text(change.b?.primary ?? ""),
                .text(change.a?.policyID ?? ""), .text(change.b?.policyID ?? ""),
                .text(change.a?.policyVersion ?? ""), .text(change.b?.policyVersion ?? ""),
            ], into: &csv)
        }
        try save(csv, folder + "/changes.csv")

        let sorted = summary.transitions.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
        let transitionsJSON = sorted.isEmpty ? "{}" : "{\n    " + sorted.map { "\(jsonString($0.key)): \($0.value)" }.joined(separator: ",\n    ") + "\n  }"
        let json = """
        {
          "run_a": \(jsonString(a.folder)),
          "run_b": \(jsonString(b.folder)),
          "as_of_a": \(jsonString(a.asOf)),
          "as_of_b": \(jsonString(b.asOf)),
          "lines_a": \(summary.linesA),
          "lines_b": \(summary.linesB),
          "changed": \(summary.changed),
          "only_in_a": \(summary.onlyInA),
          "only_in_b": \(summary.onlyInB),
          "unchanged": \(summary.linesA - summary.changed - summary.onlyInA),
          "transitions": \(transitionsJSON)
        }

        """
        try save(Array(json.utf8), folder + "/changes.json")
        try save(Array(html(changes: changes, summary: summary, a: a, b: b).utf8), folder + "/changes.html")
    }

    /// changes.html: the totals, the transitions as a bar chart and a table, and the first changed lines.
    static func html(changes: [Change], summary: Summary, a: RunManifest, b: RunManifest) -> String {
        let shown = 500
        var page = HTMLPage()
        page.heading("claimscrub diff", level: 1)
        page.paragraph("Run A: \(a.folder), as of \(a.asOf). Run B: \(b.folder), as of \(b.asOf). Lines match by claim id, line number and occurrence; a line changes when its decision, primary reason, policy or policy version does.")
        page.heading("Totals")
        page.table(
            ["lines in A", "lines in B", "changed", "only in A", "only in B", "unchanged"],
            [[summary.linesA, summary.linesB, summary.changed, summary.onlyInA, summary.onlyInB,
              summary.linesA - summary.changed - summary.onlyInA].map(String.init)],
            numeric: [0, 1, 2, 3, 4, 5]
        )
        page.heading("Transitions")
        let byCount = summary.transitions.sorted { SummaryHTML.precedes(($0.key, $0.value), ($1.key, $1.value)) }
        if byCount.isEmpty {
            page.paragraph("No line changed.")
        } else {
            page.barChart(title: "Changed lines by transition (A -> B)", series: [("lines", "#1565c0")],
                          bars: byCount.prefix(SummaryHTML.barLimit).map { (label: $0.key, values: [$0.value]) })
            page.table(["transition (A -> B)", "lines"], byCount.map { [$0.key, "\($0.value)"] }, numeric: [1])
        }
        if !changes.isEmpty {
            page.heading(changes.count > shown ? "The first \(shown) of \(changes.count) changed lines (all are in changes.csv)" : "Changed lines")
            page.table(
                ["claim id", "line", "occurrence", "A", "B", "policy A", "policy B"],
                changes.prefix(shown).map {
                    [$0.claimID, $0.lineNumber, "\($0.occurrence)", $0.a.map(\.outcome) ?? "(absent)",
                     $0.b.map(\.outcome) ?? "(absent)", $0.a.map(\.policy) ?? "", $0.b.map(\.policy) ?? ""]
                },
                numeric: [1, 2], unbroken: [0, 3, 4]
            )
        }
        return page.document(title: "claimscrub diff: \(a.folder) -> \(b.folder)")
    }

    private static func save(_ bytes: [UInt8], _ path: String) throws(AuditError) {
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw AuditError(status: 74, "\(path): error: cannot write")
        }
    }
}
