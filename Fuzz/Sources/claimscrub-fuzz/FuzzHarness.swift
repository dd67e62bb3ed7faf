import ClaimscrubCore
import ClaimscrubReaders
import ClaimscrubRun
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// What one libFuzzer input is fed to: a reader (through a scratch file, as readers
/// take paths) or the code-set loader (in memory, beside the shipped code sets).
enum FuzzHarness {
    enum Target: String, CaseIterable {
        case csv, xml, x12, codesets
    }

    /// From CLAIMSCRUB_FUZZ_TARGET, read once: whichever main runs (ours or libFuzzer's,
    /// see main.swift), libFuzzer's argv stays its own.
    static let target: Target = {
        let name = getenv("CLAIMSCRUB_FUZZ_TARGET").map { String(cString: $0) } ?? ""
        guard let target = Target(rawValue: name) else {
            let names = Target.allCases.map(\.rawValue).joined(separator: ", ")
            fputs("claimscrub-fuzz: set CLAIMSCRUB_FUZZ_TARGET to one of \(names)\n", stderr)
            exit(64)
        }
        return target
    }()
    static let scratchPath: String = {
        let folder = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
        return "\(folder)/claimscrub-fuzz-\(getpid()).\(target.rawValue)"
    }()
    /// CLAIMSCRUB_FUZZ_PLANT=1: the input goes to the planted crash alone (inputs starting
    /// with "PLANT" crash), to prove that libFuzzer runs with coverage feedback
    /// (`scripts/fuzz --prove`). Alone, because a reader's thousands of edges would bury
    /// the five that lead to it; normal fuzzing never takes this path.
    static let plant = getenv("CLAIMSCRUB_FUZZ_PLANT").map { String(cString: $0) == "1" } ?? false

    static let codeSetPaths = ["registry.yaml", "diagnosis-lists.yaml", "payers.yaml", "policies/fuzz.yaml"]

    static func run(_ bytes: UnsafeBufferPointer<UInt8>) {
        if plant {
            plantedCrash(bytes)
            return
        }
        switch target {
        case .codesets:
            loadCodeSets(bytes)
        case .csv, .xml, .x12:
            guard writeScratch(bytes) else { fatalError("cannot write \(scratchPath)") }
            readAll(size: bytes.count)
        }
    }

    /// How deep into "PLANT" the last input got; written between the byte checks so that
    /// the optimiser cannot merge them into one five-byte compare (LLVM's MergeICmps does
    /// that to a plain chain of equality tests), which would leave one edge to find, not five.
    nonisolated(unsafe) static var plantDepth = 0

    /// One branch per byte: each byte that matches opens a new edge, so coverage alone leads
    /// the fuzzer to the crash (no dictionary), as it would to a real bug behind a few checks.
    @inline(never)
    private static func plantedCrash(_ bytes: UnsafeBufferPointer<UInt8>) {
        plantDepth = 0
        guard bytes.count >= 5, bytes[0] == UInt8(ascii: "P") else { return }
        reached(1)
        guard bytes[1] == UInt8(ascii: "L") else { return }
        reached(2)
        guard bytes[2] == UInt8(ascii: "A") else { return }
        reached(3)
        guard bytes[3] == UInt8(ascii: "N") else { return }
        reached(4)
        guard bytes[4] == UInt8(ascii: "T") else { return }
        reached(5)
        fatalError("planted crash (CLAIMSCRUB_FUZZ_PLANT=1)")
    }

    @inline(never)
    private static func reached(_ depth: Int) {
        plantDepth = depth
    }

    /// Reads the scratch file to its end; a reader that yields more items than the input
    /// has bytes is taken to be looping.
    private static func readAll(size: Int) {
        do {
            var reader: any ClaimReader
            switch target {
            case .csv: reader = CSVClaimReader(source: try ByteSource(path: scratchPath), displayPath: "fuzz")
            case .x12: reader = X12Reader(source: try ByteSource(path: scratchPath), displayPath: "fuzz")
            case .xml, .codesets: reader = try XMLClaimReader(path: scratchPath, displayPath: "fuzz")
            }
            var items = 0
            while try reader.next() != nil {
                items += 1
                if items > size + 16 { fatalError("the reader does not terminate: \(items) items from \(size) bytes") }
            }
        } catch {
            // An I/O error is the reader's documented way to stop; not a finding.
        }
    }

    /// The input replaces one of the shipped files, chosen by its first byte.
    private static func loadCodeSets(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let first = bytes.first else { return }
        let path = codeSetPaths[Int(first) % codeSetPaths.count]
        var files = BuiltInCodeSets.allFiles.filter { $0.path != path }
        files.append(CodeSetFile(path: path, text: String(decoding: bytes.dropFirst(), as: UTF8.self)))
        _ = try? CodeSetLoader.load(files)
    }

    private static func writeScratch(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let fd = open(scratchPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let wrote = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if wrote < 0 && errno == EINTR { continue }
            if wrote <= 0 { return false }
            offset += wrote
        }
        return true
    }
}

/// libFuzzer's per-input entry. Called by LLVMFuzzerRunDriver from our main, or by
/// libFuzzer's own main when the linker picks that one (debug builds of a SwiftPM
/// executable rename the Swift entry point, so the archive's main is pulled in).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzHarness.run(UnsafeBufferPointer(start: data, count: data == nil ? 0 : size))
    return 0
}

/// Called once by libFuzzer before fuzzing: fails early on a missing target.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<Int32>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> Int32 {
    fputs("claimscrub-fuzz: target \(FuzzHarness.target.rawValue), scratch \(FuzzHarness.scratchPath)\n", stderr)
    return 0
}
