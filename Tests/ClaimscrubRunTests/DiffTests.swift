import Foundation
import Testing
@testable import ClaimscrubRun

/// `diff` in bounded memory: the external sort's merges, occurrences across input files,
/// claim ids that need CSV quoting, and the scratch folder's clean-up.
@Suite struct DiffTests {
    private func finishedRun(_ arguments: [String], in directory: URL = packageRoot()) throws -> URL {
        let out = temporaryFolder().appendingPathComponent("run")
        let result = try runClaimscrub(["run"] + arguments + ["--out", out.path], in: directory)
        #expect(result.status == 0 || result.status == 65, "run failed: \(result.stderr)")
        return out
    }

    private func changeFiles(_ folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in ["changes.csv", "changes.json", "changes.html"] {
            files[name] = try Data(contentsOf: folder.appendingPathComponent(name))
        }
        return files
    }

    /// Sorted runs of a few records (and a fan-in of 2 or 3, so runs are merged in several
    /// passes) must give the bytes of the default, where each run's lines fit in one sorted run.
    @Test(arguments: [
        SortLimits(recordsPerRun: 7, bytesPerRun: 48 << 20, fanIn: 3),
        SortLimits(recordsPerRun: 250_000, bytesPerRun: 2_000, fanIn: 2),
    ])
    func tinySortedRunsGiveTheSameChangesAsOneRun(limits: SortLimits) throws {
        let folder = temporaryFolder()
        let batch = folder.appendingPathComponent("batch.csv").path
        #expect(try runClaimscrub(["generate", "--lines", "3000", "--seed", "12", "--out", batch]).status == 0)
        let then = try finishedRun([batch, "--as-of", "2022-06-01"])
        // The batch twice: every line of run A has a second occurrence only in run B.
        let now = try finishedRun([batch, batch, "--as-of", "2026-01-01", "--report-format", "jsonl"])

        let single = folder.appendingPathComponent("single")
        let summary = try RunDiff.run(then.path, now.path, outFolder: single.path)
        #expect(summary.linesB == 2 * summary.linesA)
        #expect(summary.changed > 0 && summary.changed < summary.linesA)
        #expect(summary.onlyInB == summary.linesA)
        let merged = folder.appendingPathComponent("merged")
        let mergedSummary = try RunDiff.run(then.path, now.path, outFolder: merged.path, limits: limits)
        #expect(mergedSummary.changed == summary.changed)
        #expect(try changeFiles(merged) == changeFiles(single))
        // And the command's own output is the same bytes.
        let command = folder.appendingPathComponent("command")
        #expect(try runClaimscrub(["diff", then.path, now.path, "--out", command.path]).status == 0)
        #expect(try changeFiles(command) == changeFiles(single))
    }

    /// A pair repeated across two input files is told apart by occurrence (its rank in input
    /// order), whichever file it is in; a claim id with a comma, quote, tab and newline
    /// survives CSV (run A) and JSON Lines (run B) reports and the sort files.
    @Test func repeatedPairsAcrossInputFilesMatchByOccurrenceAndOddClaimIDsSurvive() throws {
        let folder = temporaryFolder()
        let audit = try String(contentsOf: packageRoot().appendingPathComponent("Fixtures/audit-batch.csv"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        // decisions.md, as of 2026-01-01: Molina's Aprevo line of 2022-11-01 denies
        // EXPERIMENTAL (version 2022-10-12), the one of 2022-03-01 pends UNLISTED_REVIEW.
        let header = audit[0]
        let denied = String(audit[1].drop { $0 != "," })
        let pended = String(audit[2].drop { $0 != "," })
        let odd = "\"R,E\"\"P\t1\n2\""
        let files = [
            "f1.csv": [header, odd + denied, "ONLY-A" + pended],
            "f2.csv": [header, odd + pended],
            "f3.csv": [header, odd + denied, "ONLY-B" + pended],
        ]
        for (name, rows) in files {
            try Data((rows.joined(separator: "\n") + "\n").utf8).write(to: folder.appendingPathComponent(name))
        }
        let a = try finishedRun(["f1.csv", "f2.csv", "--as-of", "2026-01-01"], in: folder)
        let b = try finishedRun(["f2.csv", "f3.csv", "--as-of", "2026-01-01", "--report-format", "jsonl"], in: folder)
        let out = folder.appendingPathComponent("changes")
        let result = try runClaimscrub(["diff", a.path, b.path, "--out", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("compared 3 lines with 3: 2 changed, 1 only in "))
        let csv = try String(contentsOf: out.appendingPathComponent("changes.csv"), encoding: .utf8)
        let policy = "molina-intervertebral-stabilization"
        // Run A's input order (the claim's first occurrence, ONLY-A, its second), then run B's
        // only line. The claim id spans two physical lines, so its rows start on line 2 and
        // the next row on line 4.
        #expect(csv == """
        claim_id,line_number,occurrence,source_a,source_b,decision_a,decision_b,primary_a,primary_b,policy_a,policy_b,version_a,version_b
        \(odd),1,1,f1.csv:2,f2.csv:2,DENY,PEND,EXPERIMENTAL,UNLISTED_REVIEW,\(policy),\(policy),2022-10-12,2019-09-18
        ONLY-A,1,1,f1.csv:4,,PEND,,UNLISTED_REVIEW,,\(policy),,2019-09-18,
        \(odd),1,2,f2.csv:2,f3.csv:2,PEND,DENY,UNLISTED_REVIEW,EXPERIMENTAL,\(policy),\(policy),2019-09-18,2022-10-12
        ONLY-B,1,1,,f3.csv:4,,PEND,,UNLISTED_REVIEW,,\(policy),,2019-09-18

        """)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("changes.json"))) as? [String: Any])
        #expect(json["transitions"] as? [String: Int] == [
            "DENY/EXPERIMENTAL -> PEND/UNLISTED_REVIEW": 1,
            "PEND/UNLISTED_REVIEW -> DENY/EXPERIMENTAL": 1,
            "PEND/UNLISTED_REVIEW -> (absent)": 1,
            "(absent) -> PEND/UNLISTED_REVIEW": 1,
        ])
        #expect(json["unchanged"] as? Int == 0)
    }

    /// The sorted runs go into a folder beside the output folder, removed when the diff
    /// ends, and also when it fails after run A was sorted (run B's report is damaged).
    @Test func theSortFolderIsRemovedAfterTheDiffAndAfterAFailure() throws {
        let then = try finishedRun(["Fixtures/audit-batch.csv", "--as-of", "2022-06-01"])
        let now = try finishedRun(["Fixtures/audit-batch.csv", "--as-of", "2026-01-01"])
        let parent = temporaryFolder()
        let out = parent.appendingPathComponent("changes")
        #expect(try runClaimscrub(["diff", then.path, now.path, "--out", out.path]).status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path) == ["changes"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() == ["changes.csv", "changes.html", "changes.json"])

        try Data("claim,line\n".utf8).write(to: now.appendingPathComponent("pend.csv"))
        let failedParent = temporaryFolder()
        let failed = try runClaimscrub(["diff", then.path, now.path, "--out", failedParent.appendingPathComponent("changes").path])
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("pend.csv: error: the report has no claim_id column"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: failedParent.path).filter { $0.hasPrefix(".") } == [])
    }
}
