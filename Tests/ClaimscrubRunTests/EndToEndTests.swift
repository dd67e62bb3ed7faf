import Foundation
import TestSupport
import Testing
@testable import ClaimscrubRun

/// Runs the built `claimscrub` executable as a user would.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

func claimscrubBinary() -> String {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [beside, beside.deletingLastPathComponent(), beside.deletingLastPathComponent().deletingLastPathComponent()] {
        let path = candidate.appendingPathComponent("claimscrub").path
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return packageRoot().appendingPathComponent(".build/debug/claimscrub").path
}

func runClaimscrub(_ arguments: [String], binary: String = claimscrubBinary(), in directory: URL = packageRoot()) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    process.currentDirectoryURL = directory
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(
        status: process.terminationStatus,
        stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self)
    )
}

/// Makes a named pipe at `pipe` and a writer that, once a reader opens it, writes `file`
/// into it; runs `body`, then stops the writer, which a run that never opened the pipe
/// leaves waiting for a reader.
func feedingPipe<Result>(_ pipe: String, from file: String, _ body: () throws -> Result) throws -> Result {
    #expect(mkfifo(pipe, 0o600) == 0)
    let writer = Process()
    writer.executableURL = URL(fileURLWithPath: "/bin/sh")
    writer.arguments = ["-c", "cat \"$0\" > \"$1\"", file, pipe]
    try writer.run()
    defer {
        if writer.isRunning { writer.terminate() }
        writer.waitUntilExit()
    }
    return try body()
}

/// A 50k-line generated CSV batch in `folder`: long enough in a debug build for the
/// progress line's first redraw (after 250 ms).
func progressBatch(in folder: URL) throws -> String {
    let path = folder.appendingPathComponent("batch.csv").path
    #expect(try runClaimscrub(["generate", "--lines", "50000", "--seed", "4", "--out", path]).status == 0)
    return path
}

func temporaryFolder() -> URL {
    scratchFolder("claimscrub-test")
}

@Suite struct EndToEndTests {
    @Test func sampleBatchMatchesTheGoldenReports() throws {
        let out = temporaryFolder().appendingPathComponent("run")
        let result = try runClaimscrub(["run", "Fixtures/sample-batch.csv", "--as-of", "2026-11-23", "--out", out.path])
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("Scrubbed 19 claims, 24 service lines (6 accepted, 11 denied, 7 pended) from 1 input file as of 2026-11-23; 0 rejects"))
        let golden = packageRoot().appendingPathComponent("Fixtures/golden/sample-batch")
        for name in ["accept.csv", "deny.csv", "pend.csv", "claims.csv", "rejects.csv", "summary.json"] {
            let expected = try String(contentsOf: golden.appendingPathComponent(name), encoding: .utf8)
            let actual = try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)
            #expect(actual == expected, "\(name) differs from Fixtures/golden/sample-batch/\(name)")
        }
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("manifest.json").path))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("timing.json").path))
        #expect(!FileManager.default.fileExists(atPath: out.path + ".partial-\(getpid())"))
    }

    /// A bare one-character `--out` once trapped inside Foundation's path handling.
    @Test(arguments: ["o", "ab", "runs/x", "runs//y/"])
    func relativeOutFoldersAreCreatedBesideTheWorkingDirectory(name: String) throws {
        let folder = temporaryFolder()
        let input = packageRoot().appendingPathComponent("Fixtures/sample-batch.csv").path
        let result = try runClaimscrub(["run", input, "--as-of", "2026-11-23", "--out", name], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let manifest = folder.appendingPathComponent(name).appendingPathComponent("manifest.json")
        #expect(FileManager.default.fileExists(atPath: manifest.path))
    }

    @Test func badDataPendsARowWithoutAClaimIsRejectedAndTheRunExits65() throws {
        let out = temporaryFolder().appendingPathComponent("run")
        let result = try runClaimscrub(["run", "Fixtures/bad-rows.csv", "--as-of", "2026-11-23", "--out", out.path])
        #expect(result.status == 65)
        #expect(result.stderr.contains("Scrubbed 1 claims, 1 service lines (0 accepted, 0 denied, 1 pended) from 1 input file as of 2026-11-23; 1 reject;"))
        let pend = try String(contentsOf: out.appendingPathComponent("pend.csv"), encoding: .utf8)
        #expect(pend.contains("CLM-020,1,Fixtures/bad-rows.csv:2,CIGNA,commercial,professional,2024-07-32,22513,,abc,PEND,INVALID_DATA,16,M76,,,,Invalid data: units is not valid; service_date is not valid; diagnosis_pointers points past the claim's diagnoses.\n"))
        let rejects = try String(contentsOf: out.appendingPathComponent("rejects.csv"), encoding: .utf8)
        #expect(rejects == "source,kind,message,detail\nFixtures/bad-rows.csv:3,csv_row,\"The row has no claim_id, so it cannot be attributed to a claim.\",\n")
        let summary = try String(contentsOf: out.appendingPathComponent("summary.json"), encoding: .utf8)
        #expect(summary.contains("\"lines\": 1,\n  \"rejects\": 1,"))
    }

    /// Exit 65 counts a line's INVALID_DATA when a denial is its primary reason too: the
    /// reason then stands second in the `reasons` cell.
    @Test func invalidDataBehindADenialStillExits65() throws {
        let folder = temporaryFolder()
        let header = try String(contentsOf: packageRoot().appendingPathComponent("Fixtures/sample-batch.csv"), encoding: .utf8)
            .split(separator: "\n")[0]
        let batch = folder.appendingPathComponent("batch.csv")
        // 72292 ended in 2014 (a denial); XYZ is no modifier (invalid data).
        try (header + "\nCLM-900,1,P,ACME01,commercial,SYN0000001,1948-03-02,F,22,,M54.50,,72292,XYZ,1,319,2022-10-12,,,,\n")
            .write(to: batch, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("run")
        let result = try runClaimscrub(["run", batch.path, "--as-of", "2026-11-23", "--out", out.path])
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains("(0 accepted, 1 denied, 0 pended) from 1 input file as of 2026-11-23; 0 rejects;"))
        let deny = try String(contentsOf: out.appendingPathComponent("deny.csv"), encoding: .utf8)
        #expect(deny.contains(",72292,XYZ,1,DENY,CODE_NOT_EFFECTIVE|INVALID_DATA,181,N56,"))
    }

    @Test func theProgressLineGoesToStderrOnlyWhenAsked() throws {
        let folder = temporaryFolder()
        let batch = folder.appendingPathComponent("batch.csv").path
        #expect(try runClaimscrub(["generate", "--lines", "30000", "--seed", "4", "--out", batch]).status == 0)
        let drawn = try runClaimscrub(["run", batch, "--progress", "always", "--as-of", "2026-11-23", "--out", folder.appendingPathComponent("a").path])
        #expect(drawn.stdout.isEmpty)
        #expect(drawn.stderr.contains("\r["))
        #expect(drawn.stderr.contains(" of "))
        #expect(drawn.stderr.contains("claims/s  ETA "))
        // stderr is a pipe here, so `auto` (the default) draws nothing; --quiet silences `always`.
        let auto = try runClaimscrub(["run", batch, "--as-of", "2026-11-23", "--out", folder.appendingPathComponent("b").path])
        #expect(!auto.stderr.contains("\r"))
        let quiet = try runClaimscrub(["run", batch, "--progress", "always", "--quiet", "--as-of", "2026-11-23", "--out", folder.appendingPathComponent("c").path])
        #expect(quiet.stderr.isEmpty)
    }

    @Test func memberIDsAndDiagnosesStayOutOfStderrAndReports() throws {
        let out = temporaryFolder().appendingPathComponent("run")
        let result = try runClaimscrub(["run", "Fixtures/sample-batch.csv", "--as-of", "2026-11-23", "--out", out.path])
        let reports = try FileManager.default.contentsOfDirectory(atPath: out.path)
            .map { try String(contentsOf: out.appendingPathComponent($0), encoding: .utf8) }
            .joined()
        for secret in ["SYN0000001", "SYN0000014", "1948-03-02", "M80.08XA", "O09.90", "C90.00"] {
            #expect(!result.stderr.contains(secret))
            #expect(!reports.contains(secret), "\(secret) appears in a report")
        }
    }

    @Test func aFinishedRunIsNotReplacedWithoutOverwrite() throws {
        let out = temporaryFolder().appendingPathComponent("run")
        let first = try runClaimscrub(["run", "Fixtures/sample-batch.csv", "--as-of", "2026-11-23", "--out", out.path])
        #expect(first.status == 0)
        let second = try runClaimscrub(["run", "Fixtures/sample-batch.csv", "--as-of", "2026-11-23", "--out", out.path])
        #expect(second.status == 73)
        #expect(second.stderr.contains("holds a finished run"))
        let third = try runClaimscrub(["run", "Fixtures/sample-batch.csv", "--as-of", "2026-11-23", "--out", out.path, "--overwrite"])
        #expect(third.status == 0)
    }

    @Test func anOutputPathUnderARegularFileIsExit74() throws {
        let folder = temporaryFolder()
        let file = folder.appendingPathComponent("plain-file")
        try Data("x".utf8).write(to: file)
        let result = try runClaimscrub(["run", "Fixtures/sample-batch.csv", "--out", file.appendingPathComponent("run").path])
        #expect(result.status == 74)
        #expect(result.stderr.contains("cannot create the output folder"))
        #expect(!FileManager.default.fileExists(atPath: file.appendingPathComponent("run/manifest.json").path))
    }

    @Test func aMissingInputIsExit66AndTheOthersStillRun() throws {
        let out = temporaryFolder().appendingPathComponent("run")
        let result = try runClaimscrub(["run", "no-such-file.csv", "Fixtures/sample-batch.csv", "--as-of", "2026-11-23", "--out", out.path])
        #expect(result.status == 66)
        let rejects = try String(contentsOf: out.appendingPathComponent("rejects.csv"), encoding: .utf8)
        #expect(rejects.contains("no-such-file.csv,input_file,"))
        let claims = try String(contentsOf: out.appendingPathComponent("claims.csv"), encoding: .utf8)
        #expect(claims.contains("CLM-019,Fixtures/sample-batch.csv:24,CIGNA"))
    }

    /// Every format: each reader hands its claims over in its own way (CSV rows, XML and X12
    /// recorded segments, built into claims on the deciding threads), and the chunks of a
    /// batch are decided in any order.
    @Test(arguments: [("csv", "30000"), ("xml", "8000"), ("x12", "12000")])
    func reportsAreTheSameBytesWhateverTheJobs(format: String, lines: String) throws {
        let folder = temporaryFolder()
        let batch = folder.appendingPathComponent("batch.\(format)").path
        #expect(try runClaimscrub(["generate", "--lines", lines, "--seed", "11", "--format", format, "--out", batch]).status == 0)
        var digests: [[String]] = []
        for jobs in ["1", "2", "8"] {
            let out = folder.appendingPathComponent("run-\(jobs)")
            let result = try runClaimscrub(["run", batch, "--jobs", jobs, "--as-of", "2026-11-23", "--out", out.path])
            #expect(result.status == 0 || result.status == 65)
            digests.append(try ["accept.csv", "deny.csv", "pend.csv", "claims.csv", "rejects.csv", "summary.json"].map {
                try String(contentsOf: out.appendingPathComponent($0), encoding: .utf8)
            })
        }
        #expect(digests[0] == digests[1])
        #expect(digests[0] == digests[2])
    }

    @Test func theSameBatchGivesTheSameRowsInEveryFormat() throws {
        let folder = temporaryFolder()
        var reports: [[String]] = []
        for format in ["csv", "x12", "xml"] {
            let batch = folder.appendingPathComponent("batch.\(format)").path
            #expect(try runClaimscrub(["generate", "--lines", "3000", "--seed", "5", "--format", format, "--out", batch]).status == 0)
            let out = folder.appendingPathComponent("run-\(format)")
            _ = try runClaimscrub(["run", batch, "--as-of", "2026-11-23", "--out", out.path])
            reports.append(try ["accept.csv", "deny.csv", "pend.csv", "claims.csv"].flatMap { name in
                try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)
                    .split(separator: "\n").map { withoutSource($0, column: name == "claims.csv" ? 1 : 2) }
            })
        }
        #expect(reports[0].count > 3000)
        #expect(reports[0] == reports[1], "CSV and X12 differ")
        #expect(reports[0] == reports[2], "CSV and XML differ")
    }

    /// timing.json's peak memory is the run's own, even when a large process spawns it
    /// (Process uses posix_spawn, a vfork: Linux's `ru_maxrss` carries the parent's
    /// high-water mark across exec, and the run reported that instead).
    @Test func timingReportsTheRunsOwnPeakWhenALargeProcessStartsIt() throws {
        let size = 320 << 20
        let ballast = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        defer { ballast.deallocate() }
        ballast.initialize(repeating: 1, count: size)
        let out = temporaryFolder().appendingPathComponent("run")
        let result = try runClaimscrub(["run", "Fixtures/sample-batch.csv", "--as-of", "2026-11-23", "--out", out.path])
        #expect(result.status == 0)
        #expect(ballast[size - 1] == 1)
        let timing = try Data(contentsOf: out.appendingPathComponent("timing.json"))
        let fields = try #require(try JSONSerialization.jsonObject(with: timing) as? [String: Any])
        let peak = try #require(fields["peak_memory_bytes"] as? Int)
        #expect(peak > 4 << 20, "peak \(peak) bytes: not a measurement")
        #expect(peak < 160 << 20, "peak \(peak >> 20) MiB: the parent's, not the run's")
    }

    /// The public X12 samples and pyx12's own XML renderings of them (Fixtures/xml/README.md)
    /// are the same claims: the two readers must map them to the same rows and rejects.
    @Test func everyPyx12RenderingGivesTheSameRowsAsItsX12Source() throws {
        let root = packageRoot().appendingPathComponent("Fixtures")
        let renderings = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("xml").path)
            .filter { $0.hasSuffix(".edi.xml") || $0.hasSuffix(".txt.xml") }.sorted()
        #expect(renderings.count >= 12)
        let folder = temporaryFolder()
        for rendering in renderings {
            let name = String(rendering.dropLast(".xml".count))
            let inX12Folder = root.appendingPathComponent("x12/\(name)")
            let source = FileManager.default.fileExists(atPath: inX12Folder.path)
                ? inX12Folder : root.appendingPathComponent("xml/\(name)")
            var rows: [[String]] = []
            for (input, format) in [(root.appendingPathComponent("xml/\(rendering)"), "xml"), (source, "x12")] {
                let out = folder.appendingPathComponent("\(name)-\(format)")
                let result = try runClaimscrub([
                    "run", input.path, "--format", format, "--as-of", "2026-11-23", "--out", out.path, "--no-html",
                ])
                #expect(result.status == 0 || result.status == 65, "\(rendering) as \(format): \(result.stderr)")
                rows.append(try ["accept.csv", "deny.csv", "pend.csv", "claims.csv", "rejects.csv"].flatMap { file in
                    let lines = try String(contentsOf: out.appendingPathComponent(file), encoding: .utf8).split(separator: "\n")
                    // Rejects are counted (their sources and messages name the format); rows are compared.
                    if file == "rejects.csv" { return ["\(lines.count) reject rows"] }
                    return lines.map { withoutSource($0, column: file == "claims.csv" ? 1 : 2) }
                })
            }
            #expect(rows[0].count > 5, "\(rendering)")
            #expect(rows[0] == rows[1], "\(rendering) and its X12 source differ")
        }
    }

    @Test(arguments: ["csv", "x12", "xml"])
    func gzippedInputsGiveTheSameRowsAsPlainOnes(format: String) throws {
        let folder = temporaryFolder()
        let plain = folder.appendingPathComponent("batch.\(format)").path
        #expect(try runClaimscrub(["generate", "--lines", "500", "--seed", "8", "--format", format, "--out", plain]).status == 0)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-k", plain]
        try gzip.run()
        gzip.waitUntilExit()
        #expect(gzip.terminationStatus == 0)
        var rows: [[String]] = []
        for input in [plain, plain + ".gz"] {
            let out = folder.appendingPathComponent(input.hasSuffix(".gz") ? "run-gz" : "run-plain")
            let result = try runClaimscrub(["run", input, "--as-of", "2026-11-23", "--out", out.path])
            #expect(result.status == 0 || result.status == 65)
            rows.append(try ["accept.csv", "deny.csv", "pend.csv"].flatMap { name in
                try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)
                    .split(separator: "\n").map { withoutSource($0, column: 2) }
            })
        }
        #expect(rows[0].count == 503)
        #expect(rows[0] == rows[1])
    }

    @Test func explainJSONNamesThePolicyVersionSectionAndEveryReason() throws {
        let result = try runClaimscrub([
            "explain", "--payer", "COHERE", "--code", "22513", "--dos", "2024-05-20", "--dx", "M80.08XA", "--dx", "O09.90",
            "--as-of", "2026-11-23", "--json",
        ])
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(object?["decision"] as? String == "DENY")
        let consulted = object?["consulted"] as? [String: Any]
        #expect(consulted?["policy_id"] as? String == "cohere-kyphoplasty-vertebroplasty")
        #expect(consulted?["policy_version"] as? String == "1.0")
        let reasons = (object?["reasons"] as? [[String: Any]])?.compactMap { $0["reason"] as? String }
        #expect(reasons == ["CONTRAINDICATED", "PRIOR_AUTH_MISSING"])
        #expect((object?["reasons"] as? [[String: Any]])?.first?["carc"] as? String == "50")
    }

    @Test func aSyntaxErrorAndOverlappingVersionsStopTheRunAtStart() throws {
        let folder = temporaryFolder().appendingPathComponent("codesets")
        try FileManager.default.copyItem(at: packageRoot().appendingPathComponent("codesets"), to: folder)
        let molina = folder.appendingPathComponent("policies/molina-intervertebral-stabilization.yaml")
        var text = try String(contentsOf: molina, encoding: .utf8)
        text = text.replacingOccurrences(of: "    effective_from: 2022-10-12", with: "    effective_from: 2022-01-01")
        try text.write(to: molina, atomically: true, encoding: .utf8)
        let payers = folder.appendingPathComponent("payers.yaml")
        try (try String(contentsOf: payers, encoding: .utf8) + "  - id: [unclosed\n").write(to: payers, atomically: true, encoding: .utf8)
        let result = try runClaimscrub(["run", "Fixtures/sample-batch.csv", "--codesets", folder.path, "--out", temporaryFolder().appendingPathComponent("r").path])
        #expect(result.status == 78)
        #expect(result.stderr.contains("policies/molina-intervertebral-stabilization.yaml:"))
        #expect(result.stderr.contains("error: version 2022-10-12 of policy molina-intervertebral-stabilization overlaps version 2019-09-18"))
        #expect(result.stderr.contains("payers.yaml:"))
        #expect(result.stderr.contains("error: YAML syntax:"))
        #expect(result.stderr.contains("the code sets are invalid"))
    }

    @Test func codesetsShowListsPayersPoliciesVersionsListsAndCodes() throws {
        let result = try runClaimscrub(["codesets", "show"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("  KPWA  Kaiser Permanente Washington: kpwa-vertebroplasty-kyphoplasty"))
        #expect(result.stdout.contains("    version 2024-06-15: effective 2024-06-15 to 2024-11-01 (exclusive), published 2024-06-15, 5 rules"))
        #expect(result.stdout.contains("    version until-2025-01-27: effective (open) to 2025-01-27 (exclusive), published not stated, 1 rules"))
        #expect(result.stdout.contains("  lcd_group2_fracture: M8458XA, M8458XS"))
        #expect(result.stdout.contains("  22520  (open) to 2015-01-01"))
    }

    @Test func aColumnMappingFileReadsAnotherFlatLayout() throws {
        let folder = temporaryFolder()
        let batch = folder.appendingPathComponent("export.csv")
        try Data("""
        ClaimNo,Line,Payer,Code,DOS,dx1,dx2,dx3
        E-1,1,COHERE,22513,2024-05-20,,M80.08XA,O09.90
        E-1,2,COHERE,22515,2024-05-20,,,
        """.utf8).write(to: batch)
        let mapping = folder.appendingPathComponent("columns.yaml")
        try Data("""
        claim_id: ClaimNo
        line_number: Line
        payer_id: Payer
        procedure_code: Code
        service_date: DOS
        diagnosis_codes: [dx1, dx2, dx3]
        """.utf8).write(to: mapping)
        let out = folder.appendingPathComponent("run")
        let result = try runClaimscrub(["run", batch.path, "--csv-columns", mapping.path, "--as-of", "2026-11-23", "--out", out.path])
        #expect(result.status == 0)
        let deny = try String(contentsOf: out.appendingPathComponent("deny.csv"), encoding: .utf8)
        // dx2 and dx3 are joined in order: O09.90 (pregnancy) is an absolute contraindication.
        #expect(deny.contains("E-1,1,\(batch.path):2,COHERE,commercial,professional,2024-05-20,22513,,1,DENY,CONTRAINDICATED|PRIOR_AUTH_MISSING,50,"))
        let unknown = try runClaimscrub(["run", batch.path, "--csv-columns", mapping.path + ".missing", "--out", folder.appendingPathComponent("r2").path])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("--csv-columns: cannot read"))
    }

    @Test func jsonLinesRowsCarryNumbersForLineNumbersAndUnits() throws {
        let out = temporaryFolder().appendingPathComponent("run")
        let result = try runClaimscrub(["run", "Fixtures/sample-batch.csv", "--report-format", "jsonl", "--as-of", "2026-11-23", "--out", out.path])
        #expect(result.status == 0)
        let accept = try String(contentsOf: out.appendingPathComponent("accept.jsonl"), encoding: .utf8)
        let first = accept.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.hasPrefix("{\"claim_id\":\"CLM-001\",\"line_number\":1,\"source\":\"Fixtures/sample-batch.csv:2\","))
        #expect(first.contains("\"units\":1,\"decision\":\"ACCEPT\""))
        let claims = try String(contentsOf: out.appendingPathComponent("claims.jsonl"), encoding: .utf8)
        #expect(claims.contains("\"lines\":2,\"accepted\":2,\"denied\":0,\"pended\":0,\"decision\":\"ACCEPT\"}"))
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("accept.csv").path))
    }

    @Test func theBuiltInCodeSetsTravelWithACopiedExecutable() throws {
        let folder = temporaryFolder()
        let copy = folder.appendingPathComponent("claimscrub")
        try FileManager.default.copyItem(atPath: claimscrubBinary(), toPath: copy.path)
        let result = try runClaimscrub(["codesets", "lint"], binary: copy.path, in: folder)
        #expect(result.status == 0)
        #expect(result.stdout.contains("ok: 25 codes, 18 diagnosis lists, 6 payers, 6 policies, 0 warnings (built-in)"))
        let explain = try runClaimscrub(["explain", "--payer", "CIGNA", "--code", "0200T", "--dos", "2024-07-01", "--as-of", "2026-11-23"], binary: copy.path, in: folder)
        #expect(explain.status == 0)
        #expect(explain.stdout.contains("Decision: DENY"))
        #expect(explain.stdout.contains("EXPERIMENTAL CARC 55 RARC N623"))
        #expect(explain.stdout.contains("Policy: cigna-0040 (Cigna 0040), version 2024-06-15"))
    }

    @Test func lintReportsEveryBrokenRuleWithFileAndLine() throws {
        let folder = temporaryFolder().appendingPathComponent("codesets")
        try FileManager.default.copyItem(at: packageRoot().appendingPathComponent("codesets"), to: folder)
        let policy = folder.appendingPathComponent("policies/cigna-0040.yaml")
        var text = try String(contentsOf: policy, encoding: .utf8)
        text = text.replacingOccurrences(of: "supporting: [osteoporotic_vcf, collapsed_vertebra,", with: "supporting: [no_such_list, collapsed_vertebra,")
        text = text.replacingOccurrences(of: "effective_to: 2024-11-01", with: "effective_to: 2024-01-01")
        try text.write(to: policy, atomically: true, encoding: .utf8)
        let result = try runClaimscrub(["codesets", "lint", folder.path])
        #expect(result.status == 78)
        #expect(result.stderr.contains("policies/cigna-0040.yaml:13: error: inverted range: effective_to 2024-01-01 is not after effective_from 2024-06-15"))
        #expect(result.stderr.contains("policies/cigna-0040.yaml:17: error: rule names unknown diagnosis list no_such_list"))
        let run = try runClaimscrub(["run", "Fixtures/sample-batch.csv", "--codesets", folder.path, "--out", temporaryFolder().appendingPathComponent("r").path])
        #expect(run.status == 78)
    }
}

/// A report row without its `source` column, which names the input format's file and position.
func withoutSource(_ row: Substring, column: Int) -> String {
    var fields = csvFields(String(row))
    if fields.count > column { fields.remove(at: column) }
    return fields.joined(separator: "\u{1F}")
}

func csvFields(_ row: String) -> [String] {
    var fields: [String] = []
    var current = ""
    var quoted = false
    var previousQuote = false
    for character in row {
        if quoted {
            if character == "\"" { quoted = false; previousQuote = true } else { current.append(character) }
        } else if character == "\"" {
            if previousQuote { current.append("\"") }
            quoted = true
        } else if character == "," {
            fields.append(current)
            current = ""
            previousQuote = false
        } else {
            current.append(character)
            previousQuote = false
        }
    }
    fields.append(current)
    return fields
}

@Suite struct ParentFolderTests {
    @Test(arguments: [
        ("o", ""), ("runs/x", "runs"), ("runs//y/", "runs"), ("/x", "/"), ("/a/b/", "/a"), ("./o", "."), ("a/b/c", "a/b"),
    ])
    func parentOfAnOutputFolder(path: String, parent: String) {
        #expect(parentFolder(of: path) == parent)
    }
}
