import Foundation
import Testing
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Bounded memory under hostile shapes (quality.md "Reliability"): each batch runs the
/// built executable in a subprocess under `prlimit --as`, and its peak resident memory is
/// the kernel's `ru_maxrss` for that process (the test process is never measured).
///
/// Figures from this machine's debug build: a run without a limit reserves about 350 MiB
/// of address space (glibc keeps 64 MiB per thread arena, threads get 8 MiB stacks); under
/// a limit below 1 GiB it keeps one arena and runs from 192 MiB (below that it refuses to
/// start, exit 70), so 512 MiB leaves room for the shapes below. Resident peaks: 32-45 MiB for normal batches, at
/// most 65 MiB for the shapes below; before the summary tallies spilled and read batches
/// were bounded by bytes, the same shapes took 100-330 MiB.
@Suite(.serialized) struct MemoryBoundTests {
    static let addressSpace = 512 << 20
    static let residentBound = 96 << 20

    @Test func hundredsOfThousandsOfDistinctPayersAndCodes() throws {
        // 100,000 claims of two lines: a quarter of the claims share 1,200 payers, the rest
        // have their own; each claim's first line shares 700 codes, its second has its own.
        // Keys are 200 bytes long, so that holding them all would show.
        let claims = 100_000
        func padded(_ key: String) -> String { key + String(repeating: "x", count: 200 - key.utf8.count) }
        func payer(_ claim: Int) -> String { padded(claim % 4 == 0 ? "SHARED-\(claim / 4 % 1200)-" : "PAYER-\(claim)-") }
        func code(_ claim: Int, _ line: Int) -> String { line == 0 ? "HOT\(claim % 700)" : padded("Z\(claim)-") }
        let input = try HostileFile.csv(name: "distinct.csv") { row in
            for claim in 0..<claims {
                for line in 0..<2 {
                    row(["CL\(claim)", "\(line + 1)", payer(claim), code(claim, line), ""])
                }
            }
        }
        defer { Self.remove(input) }
        let (run, out) = try Self.run(input)
        #expect([0, 65].contains(run.status.exitCode ?? -1), "\(run.status): \(run.stderr)")
        #expect(run.peakResidentBytes < Self.residentBound, "peak \(run.peakResidentBytes >> 20) MiB")

        // summary.json is exact: the 1,000 largest by lines (ties by key bytes), the rest in (other).
        var payers: [String: Int] = [:], codes: [String: Int] = [:]
        for claim in 0..<claims {
            payers[payer(claim), default: 0] += 2
            // Reports and summary upper-case procedure codes (outputs.md).
            for line in 0..<2 { codes[code(claim, line).uppercased(), default: 0] += 1 }
        }
        let summary = try Self.summary(out)
        #expect(summary["lines"] as? Int == 2 * claims)
        for (name, counts) in [("lines_by_payer", payers), ("lines_by_procedure_code", codes)] {
            let expected = Self.capped(counts)
            let actual = summary[name] as? [String: Int] ?? [:]
            let wrong = expected.filter { actual[$0.key] != $0.value }.map(\.key).sorted()
            #expect(actual.count == expected.count && wrong.isEmpty,
                    "\(name): \(actual.count) entries, \(expected.count) expected; \(wrong.count) differ, first \(wrong.first?.prefix(20) ?? "")")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).allSatisfy { !$0.hasPrefix(".") }, "spill files were left in the run folder")
        try assertFinished(runFolder: out)
    }

    @Test func rowsNearTheOneMebibyteLimit() throws {
        // 120 rows of just under 1 MiB; rows 50, 100 and 120 are over it and are rejects.
        let input = try HostileFile.csv(name: "long-rows.csv") { row in
            for index in 1...120 {
                let size = index % 50 == 0 || index == 120 ? (1 << 20) + 10 : (1 << 20) - 400
                row(["LONG\(index)", "1", "CIGNA", "22513", String(repeating: "d", count: size)])
            }
        }
        defer { Self.remove(input) }
        let (run, out) = try Self.run(input)
        #expect(run.status == .exited(65), "\(run.status): \(run.stderr)")
        #expect(run.peakResidentBytes < Self.residentBound, "peak \(run.peakResidentBytes >> 20) MiB")
        // Header on line 1: row N is on line N + 1.
        #expect(try Self.rejectSources(out) == ["51", "101", "121"].map { "\(input.path):\($0)" })
        #expect(try Self.summary(out)["lines"] as? Int == 117)
    }

    /// 300 rows of 100,000 columns peak at 56-59 MiB. A reading thread holding these
    /// batches (some 30 MiB each) until its next hand-over, to free them itself, took the
    /// run to 78 MiB: batches of more than 1 MiB of input are left to the deciding threads.
    static let wideRowsBound = 70 << 20

    @Test func aHundredThousandColumns() throws {
        let extra = 100_000
        let input = try HostileFile.csv(name: "wide.csv", extraColumns: extra) { row in
            for index in 1...300 {
                row(["WIDE\(index)", "1", "CIGNA", "22513", "" + String(repeating: ",", count: extra)])
            }
        }
        defer { Self.remove(input) }
        let (run, out) = try Self.run(input)
        #expect(run.status == .exited(0), "\(run.status): \(run.stderr)")
        #expect(run.peakResidentBytes < Self.wideRowsBound, "peak \(run.peakResidentBytes >> 20) MiB")
        #expect(try Self.summary(out)["lines"] as? Int == 300)
    }

    @Test func oneClaimOfFiveThousandLines() throws {
        let input = try HostileFile.csv(name: "long-claim.csv") { row in
            for line in 1...5000 { row(["HUGE", "\(line)", "CIGNA", "22513", ""]) }
        }
        defer { Self.remove(input) }
        let (run, out) = try Self.run(input)
        #expect(run.status == .exited(65), "\(run.status): \(run.stderr)")
        #expect(run.peakResidentBytes < Self.residentBound, "peak \(run.peakResidentBytes >> 20) MiB")
        #expect(try Self.summary(out)["lines"] as? Int == 999)
        let rejects = try Self.rejectSources(out)
        #expect(rejects.count == 4001)
        #expect(rejects.first == "\(input.path):1001" && rejects.last == "\(input.path):5001")
    }

    /// One X12 claim of 3.6 million diagnoses (300,000 HI segments): it keeps 999 of them,
    /// and its line is invalid data. Kept whole, they took 190 MiB, and deciding the line
    /// ten minutes (release build).
    @Test func oneClaimOfMillionsOfDiagnoses() throws {
        let input = try HostileFile.x12(name: "diagnoses.x12") { segment in
            segment("CLM*D1*2***11:B:1*Y*A*Y*Y")
            let codes = String(repeating: "*ABF:M810", count: 12)
            for _ in 0..<300_000 { segment("HI" + codes) }
            segment("LX*1")
            segment("SV1*HC:22513*2*UN*1***1")
            segment("DTP*472*D8*20240715")
        }
        defer { Self.remove(input) }
        let (run, out) = try Self.run(input)
        #expect(run.status == .exited(65), "\(run.status): \(run.stderr)")
        #expect(run.peakResidentBytes < Self.residentBound, "peak \(run.peakResidentBytes >> 20) MiB")
        #expect(try Self.summary(out)["lines"] as? Int == 1)
        let pended = try String(contentsOf: out.appendingPathComponent("pend.csv"), encoding: .utf8)
        #expect(pended.contains(",PEND,INVALID_DATA,16,M76,,,,Invalid data: diagnosis_codes holds more than 999 codes."), "\(pended)")
    }

    @Test func xmlNestedTwoHundredThousandDeep() throws {
        let depth = 200_000
        let url = temporaryFolder().appendingPathComponent("deep.xml")
        var text = "<?xml version='1.0'?>\n<x12simple>\n"
        text += (0..<depth).map { "<loop id='L\($0)'>\n" }.joined()
        text += String(repeating: "</loop>\n", count: depth) + "</x12simple>\n"
        try Data(text.utf8).write(to: url)
        defer { Self.remove(url) }
        let (run, out) = try Self.run(url)
        #expect(run.status == .exited(65), "\(run.status): \(run.stderr)")
        #expect(run.peakResidentBytes < Self.residentBound, "peak \(run.peakResidentBytes >> 20) MiB")
        #expect(try Self.rejectSources(out) == ["\(url.path):66"])
    }

    /// Below the address space a run needs, it stops at once with its reason, before any
    /// output exists; before, such a run hung or crashed part-way. At 130 MiB the code sets,
    /// loaded on a thread of their own, once failed with "Memory error" (the thread's own
    /// malloc arena) and the run blamed them, with exit 78.
    @Test(arguments: [130, 150])
    func tooLittleAddressSpaceIsRefusedBeforeTheRun(mebibytes: Int) throws {
        let input = try HostileFile.csv(name: "small.csv") { row in
            for claim in 1...20 { row(["C\(claim)", "1", "CIGNA", "22513", ""]) }
        }
        defer { Self.remove(input) }
        let out = input.deletingLastPathComponent().appendingPathComponent("run")
        let run = try MeasuredRun(
            arguments: ["run", input.path, "--as-of", "2026-11-23", "--out", out.path], out: out,
            addressSpace: mebibytes << 20, seconds: 60
        )
        #expect(run.status == .exited(70), "\(run.status): \(run.stderr)")
        #expect(run.stderr.contains("the address-space limit (ulimit -v, prlimit --as) is \(mebibytes) MiB; a run needs at least 192 MiB"), "\(run.stderr)")
        #expect(!run.stderr.contains("code sets"), "\(run.stderr)")
        let folder = try FileManager.default.contentsOfDirectory(atPath: input.deletingLastPathComponent().path)
        #expect(folder == ["small.csv"], "left behind: \(folder)")
    }

    /// At the least address space a run accepts, a batch of many chunks (every thread
    /// started) finishes: one malloc arena then, not a retry of the arenas it cannot reserve.
    @Test func theLeastAddressSpaceAcceptedIsEnough() throws {
        let input = try HostileFile.csv(name: "tight.csv") { row in
            for claim in 1...20_000 { row(["T\(claim)", "1", claim % 2 == 0 ? "CIGNA" : "AETNA", "22513", ""]) }
        }
        defer { Self.remove(input) }
        let out = input.deletingLastPathComponent().appendingPathComponent("run")
        let run = try MeasuredRun(
            arguments: ["run", input.path, "--as-of", "2026-11-23", "--out", out.path, "--jobs", "8"], out: out,
            addressSpace: 192 << 20, seconds: 120
        )
        #expect(run.status == .exited(0) || run.status == .exited(65), "\(run.status): \(run.stderr)")
        #expect(try Self.summary(out)["lines"] as? Int == 20_000)
    }

    // MARK: - Helpers

    static func run(_ input: URL) throws -> (MeasuredRun, URL) {
        let out = input.deletingLastPathComponent().appendingPathComponent("run")
        let run = try MeasuredRun(
            arguments: ["run", input.path, "--as-of", "2026-11-23", "--out", out.path], out: out, addressSpace: addressSpace, seconds: 300
        )
        print("\(input.lastPathComponent): \(run.status), peak resident \(run.peakResidentBytes >> 20) MiB under --as=\(addressSpace >> 20) MiB")
        // A peak below a bare start-up's would mean the figure is not the run's.
        #expect(run.peakResidentBytes > 8 << 20, "peak \(run.peakResidentBytes) bytes: not a measurement")
        return (run, out)
    }

    /// The batches are large (up to 120 MB, and the reports as much again): not left in /tmp.
    static func remove(_ input: URL) {
        try? FileManager.default.removeItem(at: input.deletingLastPathComponent())
    }

    static func summary(_ out: URL) throws -> [String: Any] {
        let data = try Data(contentsOf: out.appendingPathComponent("summary.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The rejects' `source` cells, in order (their positions are plain `path:line`).
    static func rejectSources(_ out: URL) throws -> [String] {
        let text = try String(contentsOf: out.appendingPathComponent("rejects.csv"), encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { String($0.prefix { $0 != "," }) }
    }

    /// outputs.md's cap, computed the plain way: 1,000 entries, the rest in "(other)".
    static func capped(_ counts: [String: Int]) -> [String: Int] {
        let ranked = counts.sorted { $0.value != $1.value ? $0.value > $1.value : Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
        guard ranked.count > 1000 else { return counts }
        var kept = Dictionary(uniqueKeysWithValues: ranked.prefix(1000).map { ($0.key, $0.value) })
        kept["(other)"] = ranked.dropFirst(1000).reduce(0) { $0 + $1.value }
        return kept
    }
}

/// Generated CSV batches, written in pieces.
enum HostileFile {
    static let header = "claim_id,line_number,claim_type,payer_id,line_of_business,member_id,patient_birth_date,patient_sex,place_of_service,type_of_bill,diagnosis_codes,diagnosis_pointers,procedure_code,modifiers,units,charge,service_date,service_date_to,prior_auth,procedure_description,revenue_code"

    /// `rows` calls its argument with [claim id, line number, payer, procedure code,
    /// description]; a description of only commas fills `extraColumns` columns.
    static func csv(name: String, extraColumns: Int = 0, _ rows: (_ row: ([String]) -> Void) -> Void) throws -> URL {
        let url = temporaryFolder().appendingPathComponent(name)
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var buffer: [UInt8] = []
        buffer.append(contentsOf: header.utf8)
        for column in 0..<extraColumns { buffer.append(contentsOf: ",x\(column)".utf8) }
        buffer.append(0x0A)
        rows { fields in
            buffer.append(contentsOf: "\(fields[0]),\(fields[1]),P,\(fields[2]),commercial,SYN0000001,1948-03-02,F,22,,M80.08XA,,\(fields[3]),,1,6200.00,2024-07-15,,,".utf8)
            if fields[4].first == "," {
                buffer.append(contentsOf: ",".utf8)
                buffer.append(contentsOf: fields[4].utf8)
            } else {
                buffer.append(contentsOf: fields[4].utf8)
                buffer.append(contentsOf: ",".utf8)
            }
            buffer.append(0x0A)
            if buffer.count >= 1 << 20 {
                handle.write(Data(buffer))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        handle.write(Data(buffer))
        return url
    }
}

extension HostileFile {
    /// One 837P transaction whose subscriber loop is followed by the segments `body` gives
    /// (without terminators).
    static func x12(name: String, _ body: (_ segment: (String) -> Void) -> Void) throws -> URL {
        let url = temporaryFolder().appendingPathComponent(name)
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var buffer: [UInt8] = []
        func segment(_ text: String) {
            buffer.append(contentsOf: text.utf8)
            buffer.append(contentsOf: "~\n".utf8)
            if buffer.count >= 1 << 20 {
                handle.write(Data(buffer))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        segment("ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *241104*1921*^*00501*000000001*0*T*:")
        segment("GS*HC*S*R*20241104*1853*1*X*005010X222A1")
        segment("ST*837*1*005010X222A1")
        for text in ["HL*1**20*1", "HL*2*1*22*0", "SBR*P*18*******CI", "NM1*IL*1*X*Y****MI*SYN0000001",
                     "DMG*D8*19480302*F", "NM1*PR*2*P*****PI*CIGNA"] {
            segment(text)
        }
        body(segment)
        segment("SE*1*1")
        segment("GE*1*1")
        segment("IEA*1*000000001")
        handle.write(Data(buffer))
        return url
    }
}

/// One run of the built executable under `prlimit --as=BYTES`, killed after `seconds` (a
/// run starved of address space can hang in libdispatch's retry loop rather than fail).
///
/// The peak is the run's own high-water mark (`VmHWM`), which it writes to timing.json.
/// It is started by a shell that forks it, as it was when the run wrote `ru_maxrss`, which
/// Linux carries across exec from a parent that spawns with vfork (measured: 414 MiB
/// instead of 44; `EndToEndTests` checks that the run now reports its own peak).
struct MeasuredRun {
    var status: ChildStatus
    var peakResidentBytes: Int
    var stderr: String

    init(arguments: [String], out: URL, addressSpace: Int, seconds: Double) throws {
        let stderrPath = temporaryFolder().appendingPathComponent("stderr.txt").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // Test threads block signals and a child inherits the mask: start it clean, in its
        // own process group so that a timeout kills the shell and the run together.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for number in [SIGINT, SIGTERM, SIGXFSZ, SIGPIPE] { sigaddset(&defaults, number) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        // A command after the run keeps the shell from exec'ing it in place.
        let argv = ["/bin/sh", "-c", "\"$@\"; exit $?", "sh", "/usr/bin/prlimit", "--as=\(addressSpace)", claimscrubBinary()] + arguments
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, &attributes, cArguments, environ)
        guard spawned == 0 else { throw SpawnFailed(code: spawned) }

        var raw: Int32 = 0
        let deadline = Date().addingTimeInterval(seconds)
        var timedOut = false
        while true {
            let reaped = waitpid(pid, &raw, timedOut ? 0 : WNOHANG)
            if reaped == pid { break }
            if reaped < 0 && errno != EINTR { throw SpawnFailed(code: errno) }
            if !timedOut && Date() > deadline {
                kill(-pid, SIGKILL)
                timedOut = true
            }
            if !timedOut { usleep(20_000) }
        }
        // The shell passes the run's exit status on.
        status = timedOut ? .stillRunning : raw & 0x7F == 0 ? .exited((raw >> 8) & 0xFF) : .signalled(raw & 0x7F)
        let timing = try? Data(contentsOf: out.appendingPathComponent("timing.json"))
        let fields = timing.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        peakResidentBytes = fields?["peak_memory_bytes"] as? Int ?? 0
        stderr = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
    }

    struct SpawnFailed: Error { var code: Int32 }
}

extension ChildStatus {
    var exitCode: Int32? {
        if case .exited(let code) = self { return code }
        return nil
    }
}
