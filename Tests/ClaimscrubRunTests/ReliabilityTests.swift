import ClaimscrubCore
import ClaimscrubRun
import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Runs stopped by signals, killed at random moments, or out of disk space, and
/// conservation and PHI checks over every fixture (quality.md "Reliability", "Security").
/// Serialized: the kill tests time runs, and two cores are shared with other builds.
@Suite(.serialized) struct ReliabilityTests {
    // MARK: - Signals

    @Test(arguments: [(SIGTERM, Int32(143)), (SIGINT, Int32(130))])
    func aSignalDuringARunRemovesTheTemporaryFolderAndExits(signal: Int32, expected: Int32) throws {
        let batch = try LargeBatch.path()
        let out = temporaryFolder().appendingPathComponent("run")
        let child = try StartedRun(arguments: ["run", batch, "--as-of", "2026-11-23", "--out", out.path])
        let partial = out.path + ".partial-\(child.pid)"
        // The handler is installed before the temporary folder is made: once it exists, the run is under way.
        #expect(waitUntil(seconds: 30) { FileManager.default.fileExists(atPath: partial) }, "the run never made \(partial)")
        usleep(50_000)
        let stillRunning = child.process.isRunning
        kill(child.pid, signal)
        let status = child.wait(seconds: 60)
        #expect(stillRunning, "the run finished before the signal: make the batch larger")
        #expect(status == .exited(expected), "stderr: \(child.stderr())")
        #expect(!FileManager.default.fileExists(atPath: partial), "the temporary folder was left behind")
        #expect(!FileManager.default.fileExists(atPath: out.path), "a folder appeared at --out")
    }

    @Test func aRunKilledAtAnyMomentNeverLeavesAFinishedLookingFolder() throws {
        // A smaller batch than the signal tests': eight kills spread over whole runs must fit the suite's time.
        let batch = try LargeBatch.path(lines: 20_000)
        let folder = temporaryFolder()
        let (wholeStatus, typical) = try timedWholeRun(batch, into: folder)

        var random = SplitMix64(seed: 9)
        var finished = 0, leftovers = 0
        for attempt in 0..<8 {
            let out = folder.appendingPathComponent("run-\(attempt)")
            let delay = typical * Double(random.next() % 1000) / 1000
            let child = try StartedRun(arguments: ["run", batch, "--as-of", "2026-11-23", "--out", out.path])
            usleep(useconds_t(delay * 1_000_000))
            kill(child.pid, SIGKILL)
            let status = child.wait(seconds: 60)
            let exists = FileManager.default.fileExists(atPath: out.path)
            if status == .signalled(SIGKILL) {
                // Killed mid-run: nothing at --out that looks finished. The temporary
                // folder may stay behind: SIGKILL cannot be caught (outputs.md).
                #expect(!exists || !FileManager.default.fileExists(atPath: out.appendingPathComponent("manifest.json").path),
                        "attempt \(attempt): killed after \(delay) s, yet --out holds a manifest")
                if FileManager.default.fileExists(atPath: out.path + ".partial-\(child.pid)") { leftovers += 1 }
            } else {
                #expect(status == wholeStatus, "attempt \(attempt): \(status)")
                finished += 1
            }
            if exists { try assertFinished(runFolder: out) }
        }
        // Most kills should land inside the run, or the test proves little.
        #expect(finished < 8, "every run finished before its kill (typical run \(typical) s)")
        // Expected: SIGKILL cannot be caught, so each kill mid-run leaves its .partial-PID folder.
        print("kill loop: typical run \(typical) s, \(finished) finished, \(leftovers) .partial folders left behind")
    }

    @Test func aSIGTERMAtAnyMomentLeavesAFinishedRunOrNothing() throws {
        let batch = try LargeBatch.path(lines: 20_000)
        let folder = temporaryFolder()
        let (wholeStatus, typical) = try timedWholeRun(batch, into: folder)
        let oldManifest = try Data(contentsOf: folder.appendingPathComponent("whole/manifest.json"))

        var random = SplitMix64(seed: 143)
        var stopped = 0, finished = 0, early = 0
        for attempt in 0..<12 {
            let out = folder.appendingPathComponent("run-\(attempt)")
            // Every third run replaces a finished run (--overwrite): the old one is moved
            // aside and removed inside the step a signal waits for.
            let overwrite = attempt % 3 == 2
            if overwrite { try FileManager.default.copyItem(at: folder.appendingPathComponent("whole"), to: out) }
            // Spread over the whole run and a little past it, so that some land in the final rename.
            let delay = typical * Double(random.next() % 1200) / 1000
            let child = try StartedRun(arguments: ["run", batch, "--as-of", "2026-11-23", "--out", out.path] + (overwrite ? ["--overwrite"] : []))
            usleep(useconds_t(delay * 1_000_000))
            kill(child.pid, SIGTERM)
            let status = child.wait(seconds: 60)
            switch status {
            case .exited(143):
                stopped += 1
                if overwrite {
                    // Stopped before its rename: the old run is still in place, untouched.
                    #expect(try Data(contentsOf: out.appendingPathComponent("manifest.json")) == oldManifest, "attempt \(attempt)")
                    try assertVerifiable(runFolder: out)
                } else {
                    #expect(!FileManager.default.fileExists(atPath: out.path), "attempt \(attempt): exit 143, yet --out exists")
                }
            case wholeStatus:
                finished += 1
                try assertVerifiable(runFolder: out)
                // The new run, not the old one: its manifest records this command line.
                let manifest = try String(contentsOf: out.appendingPathComponent("manifest.json"), encoding: .utf8)
                #expect(manifest.contains(jsonString(out.path)), "attempt \(attempt): --out holds another run")
            case .signalled(SIGTERM):
                // Before the handler was installed (the executable still starting): nothing written yet.
                early += 1
                #expect(overwrite || !FileManager.default.fileExists(atPath: out.path), "attempt \(attempt)")
            default:
                Issue.record("attempt \(attempt): SIGTERM after \(delay) s gave \(status): \(child.stderr())")
            }
            let siblings = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("run-\(attempt).") }
            #expect(siblings.isEmpty, "attempt \(attempt): left \(siblings)")
        }
        #expect(stopped > 0, "no SIGTERM landed inside a run (typical run \(typical) s)")
        print("SIGTERM loop: typical run \(typical) s, \(stopped) stopped (143), \(finished) finished, \(early) before the handler")
    }

    @Test func aSignalAfterTheRenameLeavesTheFinishedRunAndItsStatus() throws {
        // The old run at --out carries 20,000 extra files, so that removing it (after the new
        // run is renamed into place) takes long enough to signal the run then.
        let out = temporaryFolder().appendingPathComponent("run")
        let first = try runClaimscrub(["run", "Fixtures/sample-batch.csv", "--as-of", "2026-11-23", "--out", out.path])
        #expect(first.status == 0)
        let bulk = out.appendingPathComponent("bulk")
        try FileManager.default.createDirectory(at: bulk, withIntermediateDirectories: false)
        for index in 0..<20_000 {
            _ = FileManager.default.createFile(atPath: bulk.appendingPathComponent("f\(index)").path, contents: nil)
        }
        let child = try StartedRun(arguments: ["run", "Fixtures/sample-batch.csv", "--as-of", "2026-11-23", "--out", out.path, "--overwrite"])
        let aside = out.path + ".old-\(child.pid)"
        let seen = waitUntil(seconds: 30) { FileManager.default.fileExists(atPath: aside) }
        kill(child.pid, SIGTERM)
        let status = child.wait(seconds: 60)
        #expect(seen, "the old run was never seen moved aside")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("manifest.json").path))
        #expect(!FileManager.default.fileExists(atPath: bulk.path), "--out still holds the old run")
        // The run was in place when the signal came: it stands, with its own status.
        #expect(status == .exited(0), "stderr: \(child.stderr())")
        try assertVerifiable(runFolder: out)
        #expect(!FileManager.default.fileExists(atPath: aside), "the old run was left beside --out")
        #expect(!FileManager.default.fileExists(atPath: out.path + ".partial-\(child.pid)"))
    }

    // MARK: - Full disk

    @Test func aFullDiskIsExit74WithNoFinishedLookingFolder() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit") else {
            Issue.record("prlimit (util-linux) is needed for the full-disk test")
            return
        }
        let batch = try LargeBatch.path()
        let out = temporaryFolder().appendingPathComponent("run")
        // The shell ignores SIGXFSZ and the ignore is inherited across exec, so the limit
        // shows as EFBIG on write, as a full disk shows as ENOSPC.
        let command = "trap '' XFSZ; exec /usr/bin/prlimit --fsize=200000 \"$0\" \"$@\""
        let child = try StartedRun(
            executable: "/bin/sh",
            arguments: ["-c", command, claimscrubBinary(), "run", batch, "--as-of", "2026-11-23", "--out", out.path]
        )
        let status = child.wait(seconds: 120)
        let stderr = child.stderr()
        #expect(status == .exited(74), "stderr: \(stderr)")
        #expect(stderr.contains("claimscrub: "), "no message on stderr")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("manifest.json").path))
        #expect(!FileManager.default.fileExists(atPath: out.path + ".partial-\(child.pid)"), "the temporary folder was left behind")
    }

    @Test func theRunIgnoresSIGXFSZItselfSoAFileSizeLimitIsExit74() throws {
        let batch = try LargeBatch.path()
        let out = temporaryFolder().appendingPathComponent("run")
        // No trap this time, and the default action restored and the signal unblocked here:
        // a child inherits this thread's mask, and test threads block signals. The run itself
        // must keep the signal from killing it.
        signal(SIGXFSZ, SIG_DFL)
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGXFSZ)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        let probe = try runClaimscrubEnvironmentProbe()
        #expect(probe.contains("SigBlk:\t0000000000000000") || !probe.contains("SigBlk"), "probe: \(probe)")
        let child = try StartedRun(
            executable: "/usr/bin/prlimit",
            arguments: ["--fsize=200000", claimscrubBinary(), "run", batch, "--as-of", "2026-11-23", "--out", out.path]
        )
        let status = child.wait(seconds: 120)
        #expect(status == .exited(74), "stderr: \(child.stderr())")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("manifest.json").path))
    }

    // MARK: - Conservation

    @Test func everyFixtureRunConservesLinesAndRejects() throws {
        let root = packageRoot().appendingPathComponent("Fixtures")
        var files: [String] = []
        for sub in ["csv", "x12", "xml", "fuzz/regressions"] {
            let folder = root.appendingPathComponent(sub)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            files += names.filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted().map { "Fixtures/\(sub)/\($0)" }
        }
        files += ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [])
            .filter { $0.hasSuffix(".csv") }.sorted().map { "Fixtures/\($0)" }
        #expect(files.count > 30)
        let folder = temporaryFolder()
        for (index, file) in files.enumerated() {
            let out = folder.appendingPathComponent("run-\(index)")
            let result = try runClaimscrub(["run", file, "--as-of", "2026-11-23", "--out", out.path])
            #expect([0, 65, 66].contains(result.status), "\(file): exit \(result.status): \(result.stderr)")
            guard FileManager.default.fileExists(atPath: out.appendingPathComponent("manifest.json").path) else {
                Issue.record("\(file): no finished run folder")
                continue
            }
            try assertConservation(runFolder: out, label: file)
        }
    }

    // MARK: - PHI

    @Test func sentinelPHINeverLeavesTheProcessInAnyFormat() throws {
        let folder = temporaryFolder()
        let csv = folder.appendingPathComponent("sentinel.csv")
        try Data(Sentinel.csvBatch.utf8).write(to: csv)
        let x12 = folder.appendingPathComponent("sentinel.edi")
        try Data(Sentinel.replace(in: fixtureText("xml/synthetic-837p.edi")).utf8).write(to: x12)
        let xml = folder.appendingPathComponent("sentinel.xml")
        try Data(Sentinel.replace(in: fixtureText("xml/synthetic-837p.edi.xml")).utf8).write(to: xml)

        for input in [csv, x12, xml] {
            let inputText = try String(contentsOf: input, encoding: .utf8)
            // The inputs really carry every sentinel, so their absence below means something.
            for secret in Sentinel.inputValues(csv: input == csv) {
                #expect(inputText.contains(secret), "\(input.lastPathComponent) lacks \(secret)")
            }
            let out = folder.appendingPathComponent("run-\(input.lastPathComponent)")
            let result = try runClaimscrub(["run", input.path, "--as-of", "2026-11-23", "--out", out.path])
            #expect([0, 65].contains(result.status), "\(input.lastPathComponent): exit \(result.status): \(result.stderr)")
            let reports = try FileManager.default.contentsOfDirectory(atPath: out.path)
            #expect(reports.contains("rejects.csv") && reports.contains("summary.json"))
            var texts = [("stdout", result.stdout), ("stderr", result.stderr)]
            for name in reports {
                texts.append((name, try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)))
            }
            let lines = try String(contentsOf: out.appendingPathComponent("accept.csv"), encoding: .utf8)
                + String(contentsOf: out.appendingPathComponent("deny.csv"), encoding: .utf8)
                + String(contentsOf: out.appendingPathComponent("pend.csv"), encoding: .utf8)
            #expect(lines.contains(input == csv ? "SENT-CLM-1" : "SYNCLAIM1"), "the claim was not decided at all")
            for (name, text) in texts {
                for secret in Sentinel.leakForms {
                    #expect(!text.contains(secret), "\(input.lastPathComponent): \(secret) appears in \(name)")
                }
            }
        }
    }
}

// MARK: - Helpers

/// The signal lines of /proc/self/status of a child started as the runs are.
private func runClaimscrubEnvironmentProbe() throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", "grep -E '^Sig(Blk|Ign)' /proc/self/status"]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

/// What `claimscrub run` left at `--out`: the manifest and every report it lists.
func assertFinished(runFolder: URL) throws {
    let manifestURL = runFolder.appendingPathComponent("manifest.json")
    #expect(FileManager.default.fileExists(atPath: manifestURL.path), "\(runFolder.path) exists without a manifest")
    guard let data = try? Data(contentsOf: manifestURL),
          let manifest = try JSONSerialization.jsonObject(with: data) as? [String: Any],
          let reports = manifest["reports"] as? [[String: Any]] else {
        Issue.record("\(runFolder.path): manifest.json is not readable JSON with reports")
        return
    }
    #expect(!reports.isEmpty)
    for report in reports {
        let name = report["file"] as? String ?? "?"
        #expect(FileManager.default.fileExists(atPath: runFolder.appendingPathComponent(name).path), "\(name) is listed but missing")
    }
}

/// A finished run folder whose every listed report has the SHA-256 the manifest gives
/// (checked with coreutils' sha256sum, apart from the code under test), and nothing else
/// but timing.json and the manifest.
func assertVerifiable(runFolder: URL) throws {
    let data = try Data(contentsOf: runFolder.appendingPathComponent("manifest.json"))
    let manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let reports = try #require(manifest["reports"] as? [[String: String]])
    #expect(!reports.isEmpty)
    let names = reports.compactMap { $0["file"] }
    let checked = try runClaimscrub(names, binary: "/usr/bin/sha256sum", in: runFolder)
    #expect(checked.status == 0, "\(runFolder.path): a listed report is missing")
    let actual = Dictionary(checked.stdout.split(separator: "\n").map { line in
        (String(line.split(separator: " ", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespaces), String(line.prefix(64)))
    }, uniquingKeysWith: { first, _ in first })
    for report in reports {
        let name = report["file"] ?? "?"
        #expect(actual[name] == report["sha256"], "\(runFolder.lastPathComponent)/\(name): the SHA-256 differs from the manifest's")
    }
    let present = Set(try FileManager.default.contentsOfDirectory(atPath: runFolder.path))
    #expect(present == Set(names + ["manifest.json", "timing.json"]), "\(runFolder.path) holds \(present.sorted())")
}

/// summary.json's lines equal the rows of accept/deny/pend.csv, and its rejects the rows of rejects.csv.
func assertConservation(runFolder: URL, label: String = "") throws {
    let summaryData = try Data(contentsOf: runFolder.appendingPathComponent("summary.json"))
    let summary = try #require(try JSONSerialization.jsonObject(with: summaryData) as? [String: Any])
    let lines = try #require(summary["lines"] as? Int, "\(label): summary.json has no lines")
    let rejects = try #require(summary["rejects"] as? Int, "\(label): summary.json has no rejects")
    var lineRows = 0
    for name in ["accept.csv", "deny.csv", "pend.csv"] {
        lineRows += try csvDataRows(runFolder.appendingPathComponent(name))
    }
    let rejectRows = try csvDataRows(runFolder.appendingPathComponent("rejects.csv"))
    #expect(lines == lineRows, "\(label): summary says \(lines) lines, the reports hold \(lineRows) rows")
    #expect(rejects == rejectRows, "\(label): summary says \(rejects) rejects, rejects.csv holds \(rejectRows) rows")
    if let byDecision = summary["lines_by_decision"] as? [String: Int] {
        #expect(byDecision.values.reduce(0, +) == lines, "\(label): lines_by_decision does not add up to lines")
    }
}

/// Records after the header, RFC 4180: a line end inside quotes does not end a record.
func csvDataRows(_ url: URL) throws -> Int {
    let bytes = try Data(contentsOf: url)
    var records = 0, quoted = false, pending = false
    for byte in bytes {
        if byte == UInt8(ascii: "\"") { quoted.toggle() }
        if byte == UInt8(ascii: "\n") && !quoted {
            records += 1
            pending = false
        } else {
            pending = true
        }
    }
    if pending { records += 1 }
    return max(0, records - 1)
}

private func fixtureText(_ relative: String) throws -> String {
    try String(contentsOf: packageRoot().appendingPathComponent("Fixtures").appendingPathComponent(relative), encoding: .utf8)
}

private func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(2_000)
    }
    return condition()
}

/// Sentinel PHI values, put where member ids, names, birth dates and diagnoses go.
private enum Sentinel {
    static let member = "ZZSENTINEL7731"
    static let otherMember = "ZZSENTINEL7732"
    static let surname = "ZZSURNAMEQ"
    static let given = "ZZGIVENQ"
    static let birth = "19011231"
    static let birth2 = "19011230"
    static let diagnosis = "Q99.8"
    static let diagnosis2 = "Q89.7"
    /// A diagnosis that is not a valid code: an error message must not echo it.
    static let badDiagnosis = "ZQSENT9"

    /// Every form in which a sentinel could leak: as written, and as normalised (dots, dashes).
    static let leakForms = [
        member, otherMember, surname, given, birth, birth2, "1901-12-31", "1901-12-30",
        diagnosis, "Q998", diagnosis2, "Q897", badDiagnosis,
    ]

    static func inputValues(csv: Bool) -> [String] {
        csv ? [member, "1901-12-31", diagnosis, diagnosis2, badDiagnosis]
            : [member, otherMember, surname, given, birth, birth2, "Q998", "Q897"]
    }

    static func replace(in text: String) -> String {
        text.replacingOccurrences(of: "SYNMEMBER01", with: member)
            .replacingOccurrences(of: "SYNOTHER01", with: otherMember)
            .replacingOccurrences(of: "TESTER", with: surname)
            .replacingOccurrences(of: "CHILD", with: given)
            .replacingOccurrences(of: "19500101", with: birth)
            .replacingOccurrences(of: "19800202", with: birth2)
            .replacingOccurrences(of: "M4856XA", with: "Q998")
            .replacingOccurrences(of: "M8008XA", with: "Q897")
    }

    static let csvBatch = """
    claim_id,line_number,claim_type,payer_id,line_of_business,member_id,patient_birth_date,patient_sex,place_of_service,type_of_bill,diagnosis_codes,diagnosis_pointers,procedure_code,modifiers,units,charge,service_date,service_date_to,prior_auth,procedure_description,revenue_code
    SENT-CLM-1,1,P,CIGNA,commercial,\(member),1901-12-31,F,22,,\(diagnosis)|\(diagnosis2),,22513,,1,6200.00,2024-07-15,,,,
    SENT-CLM-1,2,P,CIGNA,commercial,\(member),1901-12-31,F,22,,\(diagnosis)|\(diagnosis2),9,22515,,x,3100.00,2024-07-15,,,,
    SENT-CLM-2,1,P,CIGNA,commercial,\(member),1901-12-31,F,22,,\(badDiagnosis),,22513,,1,6200.00,2024-07-15,,,,
    ,1,P,CIGNA,commercial,\(member),1901-12-31,F,22,,\(diagnosis),,22513,,1,6200.00,2024-07-15,,,,
    SENT-CLM-3,1,P,CIGNA,commercial,\(member),1901-12-31,F,22,,"\(diagnosis)

    """
}

/// The large CSV batch the kill tests run, generated once per test process.
private enum LargeBatch {
    private static let made = Mutex<[Int: String]>([:])

    static func path(lines: Int = 300_000) throws -> String {
        try made.withLock { made in
            if let file = made[lines] { return file }
            let file = temporaryFolder().appendingPathComponent("batch-\(lines).csv").path
            let result = try runClaimscrub(["generate", "--lines", String(lines), "--format", "csv", "--seed", "9", "--out", file])
            guard result.status == 0 else {
                throw GenerateFailed(message: result.stderr)
            }
            made[lines] = file
            return file
        }
    }

    struct GenerateFailed: Error { var message: String }
}

/// How a child process ended.
enum ChildStatus: Equatable, CustomStringConvertible {
    case exited(Int32)
    case signalled(Int32)
    case stillRunning

    var description: String {
        switch self {
        case .exited(let code): "exit \(code)"
        case .signalled(let number): "signal \(number)"
        case .stillRunning: "still running"
        }
    }
}

/// A child started with its output in files, so a full pipe never blocks it.
private final class StartedRun {
    let process = Process()
    private let stderrURL: URL

    init(executable: String = claimscrubBinary(), arguments: [String]) throws {
        stderrURL = temporaryFolder().appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = packageRoot()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    func wait(seconds: Double) -> ChildStatus {
        guard waitUntil(seconds: seconds, { !process.isRunning }) else {
            kill(pid, SIGKILL)
            process.waitUntilExit()
            return .stillRunning
        }
        process.waitUntilExit()
        switch process.terminationReason {
        case .exit: return .exited(process.terminationStatus)
        case .uncaughtSignal: return .signalled(process.terminationStatus)
        @unknown default: return .exited(process.terminationStatus)
        }
    }

    func stderr() -> String {
        (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
    }
}


/// Runs `batch` to the end into `folder/whole` and says how it ended and how long it
/// took, so that signals can be spread over a whole run.
func timedWholeRun(_ batch: String, into folder: URL) throws -> (status: ChildStatus, seconds: Double) {
    let timed = Date()
    let whole = try StartedRun(arguments: ["run", batch, "--as-of", "2026-11-23", "--out", folder.appendingPathComponent("whole").path])
    let status = whole.wait(seconds: 120)
    // The generated batch carries deliberate INVALID_DATA lines: 65 is a finished run.
    #expect(status == .exited(65) || status == .exited(0))
    return (status, Date().timeIntervalSince(timed))
}
