import Foundation
import Testing

/// xmllint (libxml2-utils), for parsing summary.html with libxml2's HTML parser.
let xmllint = ["/usr/bin/xmllint", "/usr/local/bin/xmllint"].first { FileManager.default.isExecutableFile(atPath: $0) }

@Suite struct AuditTests {
    private func finishedRun(_ arguments: [String] = ["Fixtures/sample-batch.csv", "--as-of", "2026-11-23"]) throws -> URL {
        let out = temporaryFolder().appendingPathComponent("run")
        let result = try runClaimscrub(["run"] + arguments + ["--out", out.path])
        #expect(result.status == 0 || result.status == 65, "run failed: \(result.stderr)")
        return out
    }

    // MARK: verify

    @Test func verifySucceedsOnAnUntouchedRun() throws {
        let run = try finishedRun()
        let result = try runClaimscrub(["verify", run.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "verified: 7 reports identical\n")
    }

    @Test func oneChangedByteOfDenyCSVFailsNamingTheFileAndTheRow() throws {
        let run = try finishedRun()
        let deny = run.appendingPathComponent("deny.csv")
        var bytes = try Data(contentsOf: deny)
        let row = "CLM-002,1,Fixtures/sample-batch.csv:4,CIGNA,commercial,professional,2024-08-01,22511,,1,DENY,EXPERIMENTAL,55,N623"
        // N623 -> N673: one byte.
        let offset = try #require(bytes.range(of: Data((row).utf8))).upperBound - 2
        bytes[offset] = UInt8(ascii: "7")
        try bytes.write(to: deny)
        let result = try runClaimscrub(["verify", run.path])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("verify: deny.csv differs from the replay at line 2:\n  run:    CLM-002,1,Fixtures/sample-batch.csv:4,CIGNA,commercial,professional,2024-08-01,22511,,1,DENY,EXPERIMENTAL,55,N673,"))
        #expect(result.stderr.contains("\n  replay: " + row + ","))
        #expect(result.stderr.contains("deny.csv no longer matches its SHA-256 in the manifest"))
    }

    @Test func verifyRefusesAFolderWithoutManifest() throws {
        let folder = temporaryFolder()
        let result = try runClaimscrub(["verify", folder.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("not a finished run: it has no manifest.json"))
        let missing = try runClaimscrub(["verify", folder.appendingPathComponent("nothing").path])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("not a finished run: no such folder"))
    }

    @Test func verifyRefusesAChangedInputNamingIt() throws {
        let folder = temporaryFolder()
        let input = folder.appendingPathComponent("batch.csv")
        try FileManager.default.copyItem(at: packageRoot().appendingPathComponent("Fixtures/audit-batch.csv"), to: input)
        let run = try finishedRun([input.path, "--as-of", "2026-01-01"])
        try (try String(contentsOf: input, encoding: .utf8)).replacingOccurrences(of: "9800.00", with: "9900.00")
            .write(to: input, atomically: true, encoding: .utf8)
        let result = try runClaimscrub(["verify", run.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("verify: error: the input \(input.path) (\(input.path)) changed since the run: sha256 was "))
    }

    /// A run read from a named pipe can be checked only by refusing it: opening the pipe
    /// again would wait for a writer. `timeout` turns such a hang into a failure.
    @Test func verifyRefusesAnInputThatWasAPipeWithoutWaitingForIt() throws {
        let folder = temporaryFolder()
        let pipe = folder.appendingPathComponent("batch.csv").path
        let run = try feedingPipe(pipe, from: packageRoot().appendingPathComponent("Fixtures/audit-batch.csv").path) {
            try finishedRun([pipe, "--as-of", "2026-01-01"])
        }
        let result = try runClaimscrub(["-k", "5", "60", claimscrubBinary(), "verify", run.path], binary: "/usr/bin/timeout")
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("verify: error: the input \(pipe) (\(pipe)) is not a regular file (a pipe, say): it cannot be read again to replay the run"), "\(result.stderr)")
    }

    @Test func verifyRefusesCodeSetsWithAnotherFingerprint() throws {
        let codesets = temporaryFolder().appendingPathComponent("codesets")
        try FileManager.default.copyItem(at: packageRoot().appendingPathComponent("codesets"), to: codesets)
        let run = try finishedRun(["Fixtures/audit-batch.csv", "--as-of", "2026-01-01", "--codesets", codesets.path])
        let before = try #require(try manifestFingerprint(run))
        let payers = codesets.appendingPathComponent("payers.yaml")
        try (try String(contentsOf: payers, encoding: .utf8) + "\n# edited\n").write(to: payers, atomically: true, encoding: .utf8)
        let result = try runClaimscrub(["verify", run.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("verify: error: the code sets differ from the run's: fingerprint \(before), now "))
    }

    @Test func verifyReplaysJSONLinesRunsWithoutHTML() throws {
        let run = try finishedRun(["Fixtures/audit-batch.csv", "--as-of", "2022-06-01", "--report-format", "jsonl", "--no-html"])
        #expect(!FileManager.default.fileExists(atPath: run.appendingPathComponent("summary.html").path))
        let manifest = try String(contentsOf: run.appendingPathComponent("manifest.json"), encoding: .utf8)
        #expect(!manifest.contains("summary.html"))
        let result = try runClaimscrub(["verify", run.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "verified: 6 reports identical\n")
    }

    // MARK: diff

    @Test func diffBetweenTwoAsOfDatesReportsTheExpectedTransitions() throws {
        let then = try finishedRun(["Fixtures/audit-batch.csv", "--as-of", "2022-06-01"])
        let now = try finishedRun(["Fixtures/audit-batch.csv", "--as-of", "2026-01-01"])
        let out = temporaryFolder().appendingPathComponent("changes")
        let result = try runClaimscrub(["diff", then.path, now.path, "--out", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("compared 9 lines with 9: 6 changed, 0 only in "))
        // decisions.md: as of 2022-06-01, lines after that date pend DOS_AFTER_AS_OF and
        // Cigna 0040 (published 2024-06-15) is unknown, so a 2021 Cigna line is NO_EDIT; as of
        // 2026-01-01 Molina's 2022-10-12 version names Aprevo, KPWA, Cigna and Cohere decide by
        // criteria, and Cigna 0040 is known but not in force in 2021. Molina's 2022-03-01 line
        // (version 2019-09-18, no Aprevo), BCBS MN and Noridian lines do not change.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("changes.json"))) as? [String: Any])
        #expect(json["transitions"] as? [String: Int] == [
            "PEND/DOS_AFTER_AS_OF -> DENY/EXPERIMENTAL": 1,
            "PEND/DOS_AFTER_AS_OF -> ACCEPT/CRITERIA_MET": 3,
            "ACCEPT/NO_EDIT -> PEND/POLICY_NOT_IN_FORCE": 2,
        ])
        #expect(json["changed"] as? Int == 6)
        #expect(json["unchanged"] as? Int == 3)
        #expect(json["only_in_a"] as? Int == 0)
        #expect(json["as_of_a"] as? String == "2022-06-01")
        let csv = try String(contentsOf: out.appendingPathComponent("changes.csv"), encoding: .utf8)
        #expect(csv == """
        claim_id,line_number,occurrence,source_a,source_b,decision_a,decision_b,primary_a,primary_b,policy_a,policy_b,version_a,version_b
        AUD-001,1,1,Fixtures/audit-batch.csv:2,Fixtures/audit-batch.csv:2,PEND,DENY,DOS_AFTER_AS_OF,EXPERIMENTAL,,molina-intervertebral-stabilization,,2022-10-12
        AUD-003,1,1,Fixtures/audit-batch.csv:4,Fixtures/audit-batch.csv:4,PEND,ACCEPT,DOS_AFTER_AS_OF,CRITERIA_MET,,kpwa-vertebroplasty-kyphoplasty,,2025-11-25
        AUD-004,1,1,Fixtures/audit-batch.csv:5,Fixtures/audit-batch.csv:5,PEND,ACCEPT,DOS_AFTER_AS_OF,CRITERIA_MET,,cigna-0040,,2024-06-15
        AUD-005,1,1,Fixtures/audit-batch.csv:6,Fixtures/audit-batch.csv:6,ACCEPT,PEND,NO_EDIT,POLICY_NOT_IN_FORCE,,cigna-0040,,
        AUD-006,1,1,Fixtures/audit-batch.csv:7,Fixtures/audit-batch.csv:7,ACCEPT,PEND,NO_EDIT,POLICY_NOT_IN_FORCE,,cigna-0040,,
        AUD-009,1,1,Fixtures/audit-batch.csv:10,Fixtures/audit-batch.csv:10,PEND,ACCEPT,DOS_AFTER_AS_OF,CRITERIA_MET,,cohere-kyphoplasty-vertebroplasty,,1.0

        """)
        let html = try String(contentsOf: out.appendingPathComponent("changes.html"), encoding: .utf8)
        #expect(html.contains("PEND/DOS_AFTER_AS_OF -&gt; DENY/EXPERIMENTAL"))
        #expect(!html.contains("<script"))
    }

    @Test func diffMatchesTheSameClaimsAcrossInputAndReportFormats() throws {
        let folder = temporaryFolder()
        var runs: [String] = []
        for (format, report) in [("csv", "csv"), ("x12", "jsonl")] {
            let batch = folder.appendingPathComponent("batch.\(format)").path
            #expect(try runClaimscrub(["generate", "--lines", "400", "--seed", "5", "--format", format, "--out", batch]).status == 0)
            runs.append(try finishedRun([batch, "--as-of", "2026-11-23", "--report-format", report]).path)
        }
        let out = folder.appendingPathComponent("changes")
        let result = try runClaimscrub(["diff", runs[0], runs[1], "--out", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("changes.json"))) as? [String: Any])
        let lines = try #require(json["lines_a"] as? Int)
        #expect(lines >= 400)
        #expect(json["lines_b"] as? Int == lines)
        #expect(json["changed"] as? Int == 0)
        #expect(json["only_in_a"] as? Int == 0)
        #expect(json["only_in_b"] as? Int == 0)
        #expect(json["transitions"] as? [String: Int] == [:])
    }

    @Test func linesInOnlyOneRunAreListedWithTheOtherSideEmptyAndRepeatsCountAsOccurrences() throws {
        let once = try finishedRun(["Fixtures/audit-batch.csv", "--as-of", "2026-01-01"])
        let twice = try finishedRun(["Fixtures/audit-batch.csv", "Fixtures/audit-batch.csv", "--as-of", "2026-01-01"])
        let out = temporaryFolder().appendingPathComponent("changes")
        let result = try runClaimscrub(["diff", once.path, twice.path, "--out", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try String(contentsOf: out.appendingPathComponent("changes.csv"), encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 10)
        #expect(rows[1] == "AUD-001,1,2,,Fixtures/audit-batch.csv:2,,DENY,,EXPERIMENTAL,,molina-intervertebral-stabilization,,2022-10-12")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("changes.json"))) as? [String: Any])
        #expect(json["only_in_b"] as? Int == 9)
        #expect((json["transitions"] as? [String: Int])?["(absent) -> DENY/EXPERIMENTAL"] == 2)
    }

    @Test func diffRefusesAFolderThatIsNotAFinishedRun() throws {
        let run = try finishedRun()
        let result = try runClaimscrub(["diff", run.path, temporaryFolder().path, "--out", temporaryFolder().path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("not a finished run"))
    }

    // MARK: summary.html

    /// libxml2's HTML parser (2.9 here) knows HTML 4's elements only, so it reports inline
    /// SVG's `svg`, `rect` and `text` as invalid tags; any other error fails. The XML parser
    /// must accept the page with no error at all (the markup is polyglot).
    @Test(.enabled(if: xmllint != nil, "xmllint is not installed (apt-get install libxml2-utils)"))
    func summaryAndChangesHTMLParseWithLibxml2() throws {
        let then = try finishedRun(["Fixtures/audit-batch.csv", "--as-of", "2022-06-01"])
        let now = try finishedRun()
        let changes = temporaryFolder().appendingPathComponent("changes")
        #expect(try runClaimscrub(["diff", then.path, now.path, "--out", changes.path]).status == 0)
        for page in [now.appendingPathComponent("summary.html"), changes.appendingPathComponent("changes.html")] {
            let html = try xmllintErrors(["--html", "--noout", page.path])
            let unexpected = html.split(separator: "\n").filter { $0.contains("error :") || $0.contains("warning :") }
                .filter { line in !["svg", "rect", "text"].contains { line.hasSuffix("Tag \($0) invalid") } }
            #expect(unexpected.isEmpty, "\(page.lastPathComponent): \(unexpected)")
            let xml = try xmllintErrors(["--noout", page.path])
            #expect(xml.isEmpty, "\(page.lastPathComponent) is not well-formed: \(xml)")
        }
    }

    private func xmllintErrors(_ arguments: [String]) throws -> String {
        try runClaimscrub(arguments, binary: xmllint ?? "/usr/bin/xmllint").stderr
    }

    @Test func summaryHTMLHasTheTotalsAndNoMemberDataOrDiagnosis() throws {
        let run = try finishedRun()
        let html = try String(contentsOf: run.appendingPathComponent("summary.html"), encoding: .utf8)
        #expect(html.contains("<td>service lines</td><td class=\"n\">24</td><td class=\"n\">6</td><td class=\"n\">7</td><td class=\"n\">11</td>"))
        #expect(html.contains("As of 2026-11-23"))
        #expect(html.contains("002_efac25afcfa6e5f3.txt"), "Cigna 0040's source document")
        #expect(html.contains("<td>EXPERIMENTAL</td><td>DENY</td><td>55</td><td>N623</td>"))
        #expect(!html.contains("<script"))
        // Every member id, birth date and diagnosis of the input.
        let rows = try String(contentsOf: packageRoot().appendingPathComponent("Fixtures/sample-batch.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { csvFields(String($0)) }
        var secrets = Set<String>()
        for fields in rows {
            secrets.insert(fields[5])
            secrets.insert(fields[6])
            for code in fields[10].split(separator: "|") { secrets.insert(String(code)) }
        }
        #expect(secrets.count > 20)
        for secret in secrets where !secret.isEmpty {
            #expect(!html.contains(secret), "\(secret) appears in summary.html")
        }
    }

    @Test func summaryHTMLEscapesInputValues() throws {
        let folder = temporaryFolder()
        let batch = folder.appendingPathComponent("hostile.csv")
        let header = try String(contentsOf: packageRoot().appendingPathComponent("Fixtures/audit-batch.csv"), encoding: .utf8)
            .split(separator: "\n")[0]
        try (header + "\nHX-1,1,P,\"<script>alert('x')</script>&\",commercial,SYN0000999,1950-01-01,F,22,,M80.08XA,,22513,,1,100.00,2024-07-15,,,,\n")
            .write(to: batch, atomically: true, encoding: .utf8)
        let run = try finishedRun([batch.path, "--as-of", "2026-01-01"])
        let html = try String(contentsOf: run.appendingPathComponent("summary.html"), encoding: .utf8)
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;"))
    }
}

private func manifestFingerprint(_ run: URL) throws -> String? {
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("manifest.json"))) as? [String: Any]
    return (object?["codesets"] as? [String: Any])?["fingerprint"] as? String
}
