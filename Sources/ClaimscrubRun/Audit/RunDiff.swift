import Foundation

/// `claimscrub diff`: matches the service lines of two finished runs by claim id, line
/// number and occurrence (repeats of the pair counted in input order), whatever the input
/// format or as-of date, and writes `changes.csv`, `changes.json` and `changes.html`.
///
/// Memory stays bounded whatever the runs' size (a 5M-line diff must fit in 256 MiB,
/// quality.md), so nothing is indexed in memory: each run's lines are sorted externally by
/// (claim id, line number, input order), where a line's occurrence is its rank among equal
/// pairs; the two sorted streams are merged to find changed lines and lines in one run only;
/// those are sorted again externally by input order (A's, then B's for lines only in B) and
/// streamed into `changes.csv`. Only the transition counts and the first lines shown in
/// `changes.html` are held.
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

        /// Fields `first...first + 4` of a record: source, decision, primary, policy, version.
        init(_ record: SortRecord, from first: Int) {
            source = record.string(first)
            decision = record.string(first + 1)
            primary = record.string(first + 2)
            policyID = record.string(first + 3)
            policyVersion = record.string(first + 4)
        }

        var outcome: String { "\(decision)/\(primary)" }
        var policy: String { policyID.isEmpty ? "no policy" : policyVersion.isEmpty ? policyID : "\(policyID)@\(policyVersion)" }

        func append(to record: inout SortRecord) {
            for field in [source, decision, primary, policyID, policyVersion] { record.append(field) }
        }
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

        private static let hasA: UInt32 = 1, hasB: UInt32 = 2

        /// A change as a record sorted by `sequence`: claim id, line number, then both sides'
        /// five fields (empty for an absent side, which the flags tell apart from empty text).
        func record(sequence: UInt64) -> SortRecord {
            var record = SortRecord(sequence: sequence, occurrence: occurrence, flags: (a == nil ? 0 : Self.hasA) | (b == nil ? 0 : Self.hasB))
            record.append(claimID)
            record.append(lineNumber)
            for side in [a, b] {
                if let side { side.append(to: &record) } else { for _ in 0..<5 { record.append("") } }
            }
            return record
        }

        init(_ record: SortRecord) {
            claimID = record.string(0)
            lineNumber = record.string(1)
            occurrence = record.occurrence
            a = record.flags & Self.hasA != 0 ? Side(record, from: 2) : nil
            b = record.flags & Self.hasB != 0 ? Side(record, from: 7) : nil
        }

        /// A line of one run or both, from their key records (`LineKeys`).
        init(a: SortRecord?, b: SortRecord?, occurrence: Int) {
            let either = a ?? b
            claimID = either?.string(0) ?? ""
            lineNumber = either?.string(1) ?? ""
            self.occurrence = occurrence
            self.a = a.map { Side($0, from: 2) }
            self.b = b.map { Side($0, from: 2) }
        }
    }

    /// Changed lines shown in changes.html; all are in changes.csv.
    static let linesShown = 500

    /// Lines only in run B sort after every line of run A.
    private static let onlyInBOffset: UInt64 = 1 << 63

    public static let changeColumns = [
        "claim_id", "line_number", "occurrence", "source_a", "source_b", "decision_a", "decision_b",
        "primary_a", "primary_b", "policy_a", "policy_b", "version_a", "version_b",
    ]

    /// Compares the runs in `folderA` and `folderB` (both finished) and writes the three
    /// files into `outFolder`.
    public static func run(_ folderA: String, _ folderB: String, outFolder: String) throws(AuditError) -> Summary {
        try run(folderA, folderB, outFolder: outFolder, limits: SortLimits())
    }

    static func run(_ folderA: String, _ folderB: String, outFolder: String, limits: SortLimits) throws(AuditError) -> Summary {
        let a = try RunManifest.load(runFolder: folderA)
        let b = try RunManifest.load(runFolder: folderB)
        do {
            try FileManager.default.createDirectory(atPath: outFolder, withIntermediateDirectories: true)
        } catch {
            throw AuditError(status: 74, "\(outFolder): error: cannot create the output folder")
        }
        let scratch = try SortFolder(near: outFolder)
        defer { scratch.remove() }

        let (linesA, sortedA) = try sortedKeys(a, name: "a", in: scratch, limits: limits)
        let (linesB, sortedB) = try sortedKeys(b, name: "b", in: scratch, limits: limits)
        var keysA = sortedA, keysB = sortedB

        // Both runs in (claim id, line number, occurrence) order: a merge join.
        var changes = ExternalSort(folder: scratch.path, name: "changes", order: .sequence, limits: limits)
        var summary = Summary(linesA: linesA, linesB: linesB, changed: 0, onlyInA: 0, onlyInB: 0, transitions: [:])
        var lineA = try keysA.next(), lineB = try keysB.next()
        while lineA != nil || lineB != nil {
            let order = if let lineA, let lineB { lineA.compareKey(with: lineB) } else { lineA == nil ? 1 : -1 }
            let change: Change
            let sequence: UInt64
            if order < 0, let line = lineA {
                summary.onlyInA += 1
                change = Change(a: line.record, b: nil, occurrence: line.occurrence)
                sequence = line.record.sequence
                lineA = try keysA.next()
            } else if order > 0, let line = lineB {
                summary.onlyInB += 1
                change = Change(a: nil, b: line.record, occurrence: line.occurrence)
                sequence = onlyInBOffset | line.record.sequence
                lineB = try keysB.next()
            } else if let left = lineA, let right = lineB {
                lineA = try keysA.next()
                lineB = try keysB.next()
                // The source is where the line was read, not what was decided.
                if left.record.sameFields(3...6, as: right.record) { continue }
                summary.changed += 1
                change = Change(a: left.record, b: right.record, occurrence: left.occurrence)
                sequence = left.record.sequence
            } else {
                break
            }
            summary.transitions[change.transition, default: 0] += 1
            try changes.append(change.record(sequence: sequence))
        }
        keysA.removeFiles()
        keysB.removeFiles()

        try write(changes: changes.finish(), summary: summary, a: a, b: b, to: outFolder)
        return summary
    }

    /// A run's lines as records (claim id, line number, source, decision, primary reason,
    /// policy, version; the sequence is input order), sorted by claim id, line number and
    /// input order.
    private static func sortedKeys(_ run: RunManifest, name: String, in scratch: SortFolder, limits: SortLimits) throws(AuditError) -> (Int, LineKeys) {
        var sort = ExternalSort(folder: scratch.path, name: name, order: .claimLineSequence, limits: limits)
        var reader = try LineReportReader(run)
        var sequence: UInt64 = 0
        while let row = try reader.next() {
            var record = SortRecord(sequence: sequence)
            for field in [row.claimID, row.lineNumber, row.source, row.decision, row.primary, row.policyID, row.policyVersion] {
                record.append(field)
            }
            try sort.append(record)
            sequence += 1
        }
        return (Int(sequence), LineKeys(merge: try sort.finish()))
    }

    /// Streams the changes into changes.csv, keeping the first ones for changes.html.
    private static func write(changes: SortRunMerge, summary: Summary, a: RunManifest, b: RunManifest, to folder: String) throws(AuditError) {
        var changes = changes
        let encoder = RowEncoder(format: .csv)
        let csv = try OutputFile(path: folder + "/changes.csv")
        try csv.append { encoder.header(changeColumns, into: &$0) }
        var shown: [Change] = []
        while let record = try changes.next() {
            let change = Change(record)
            try csv.append { out in
                encoder.row(changeColumns, [
                    .text(change.claimID), .text(change.lineNumber), .text(String(change.occurrence)),
                    .text(change.a?.source ?? ""), .text(change.b?.source ?? ""),
                    .text(change.a?.decision ?? ""), .text(change.b?.decision ?? ""),
                    .text(change.a?.primary ?? ""), .text(change.b?.primary ?? ""),
                    .text(change.a?.policyID ?? ""), .text(change.b?.policyID ?? ""),
                    .text(change.a?.policyVersion ?? ""), .text(change.b?.policyVersion ?? ""),
                ], into: &out)
            }
            if shown.count < linesShown { shown.append(change) }
        }
        try csv.close()
        changes.removeFiles()

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
        try save(Array(html(shown: shown, summary: summary, a: a, b: b).utf8), folder + "/changes.html")
    }

    /// changes.html: the totals, the transitions as a bar chart and a table, and the first
    /// changed lines (`shown`, at most `linesShown`).
    static func html(shown: [Change], summary: Summary, a: RunManifest, b: RunManifest) -> String {
        let total = summary.changed + summary.onlyInA + summary.onlyInB
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
        if !shown.isEmpty {
            page.heading(total > shown.count ? "The first \(shown.count) of \(total) changed lines (all are in changes.csv)" : "Changed lines")
            page.table(
                ["claim id", "line", "occurrence", "A", "B", "policy A", "policy B"],
                shown.map {
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
