import ClaimscrubCore
import ClaimscrubReaders
import Foundation
import Testing

/// Replays the committed fuzz corpus (seeds and regressions) through all three readers,
/// and runs a seeded mutation pass over the seeds: no input may crash a reader or keep
/// it reading forever (quality.md "Reliability"). `scripts/fuzz` runs libFuzzer itself.
@Suite struct FuzzCorpusTests {
    static let corpus: [URL] = {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/fuzz")
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        return walker.compactMap { $0 as? URL }
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
            .filter { $0.lastPathComponent != "README.md" }
            .sorted { $0.path < $1.path }
    }()

    @Test func theCorpusHasSeedsForEveryReader() {
        for target in ["csv", "xml", "x12", "codesets"] {
            #expect(Self.corpus.contains { $0.path.contains("/fuzz/\(target)/") }, "no seeds in Fixtures/fuzz/\(target)")
        }
    }

    @Test(arguments: InputFormat.allCases)
    func everyCorpusFileIsReadToItsEnd(format: InputFormat) throws {
        for file in Self.corpus {
            let bytes = try Data(contentsOf: file)
            try readToTheEnd(path: file.path, size: bytes.count, format: format, label: file.lastPathComponent)
        }
    }

    @Test(arguments: InputFormat.allCases)
    func seededMutationsOfTheSeedsAreReadToTheirEnd(format: InputFormat) throws {
        let seeds = try Self.corpus.filter { !$0.path.contains("/codesets/") }.map { [UInt8](try Data(contentsOf: $0)) }
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("claimscrub-mutation-\(UUID().uuidString).\(format.rawValue)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var random = Mutator(seed: 0x5EED_0000 + UInt64(InputFormat.allCases.firstIndex(of: format) ?? 0))
        for iteration in 0..<200 {
            let seed = seeds[Int(random.next() % UInt64(seeds.count))]
            let mutated = random.mutate(seed)
            try Data(mutated).write(to: scratch)
            try readToTheEnd(path: scratch.path, size: mutated.count, format: format, label: "mutation \(iteration)")
        }
    }

    /// Reads until the end or an I/O error; more items than bytes would mean a loop.
    private func readToTheEnd(path: String, size: Int, format: InputFormat, label: String) throws {
        var reader: any ClaimReader
        do {
            switch format {
            case .csv: reader = CSVClaimReader(source: try ByteSource(path: path), displayPath: "fuzz")
            case .x12: reader = X12Reader(source: try ByteSource(path: path), displayPath: "fuzz")
            case .xml: reader = try XMLClaimReader(path: path, displayPath: "fuzz")
            }
        } catch {
            Issue.record("\(label): \(format) reader could not open it: \(error)")
            return
        }
        var items = 0
        do {
            while let item = try reader.next() {
                items += 1
                if case .reject(let reject) = item {
                    #expect(!reject.message.isEmpty, "\(label): a \(format) reject without a message")
                }
                if items > size + 16 {
                    Issue.record("\(label): the \(format) reader does not terminate (\(items) items from \(size) bytes)")
                    return
                }
            }
        } catch {
            // Stopping with an I/O error is allowed; crashing or looping is not.
        }
    }
}

/// Seeded byte mutations in the spirit of libFuzzer's: flips, inserts of
/// interesting bytes, deletions, duplications, truncation and splices of delimiters.
private struct Mutator {
    private var random: SplitMix64
    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { random.next() }

    private mutating func below(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(next() % UInt64(bound)) }

    static let interesting: [[UInt8]] = [
        [0], [0xFF], [0xC3], [0xED, 0xA0, 0x80], Array("\"".utf8), Array(",".utf8), Array("\n".utf8), Array("\r\n".utf8),
        Array("~".utf8), Array("*".utf8), Array(":".utf8), Array("^".utf8), Array("ISA".utf8), Array("SE*".utf8),
        Array("<".utf8), Array(">".utf8), Array("</seg>".utf8), Array("<!DOCTYPE x [<!ENTITY a \"b\">]>".utf8),
        Array("&a;".utf8), Array("<loop id='2300'>".utf8), Array("99999999999999999999".utf8), Array("-1".utf8),
    ]

    mutating func mutate(_ seed: [UInt8]) -> [UInt8] {
        var bytes = seed
        for _ in 0..<(1 + below(8)) {
            switch below(6) {
            case 0 where !bytes.isEmpty:
                bytes[below(bytes.count)] ^= UInt8(1 << below(8))
            case 1:
                bytes.insert(contentsOf: Self.interesting[below(Self.interesting.count)], at: below(bytes.count + 1))
            case 2 where !bytes.isEmpty:
                let start = below(bytes.count)
                bytes.removeSubrange(start..<min(bytes.count, start + 1 + below(64)))
            case 3 where !bytes.isEmpty:
                let start = below(bytes.count)
                let piece = bytes[start..<min(bytes.count, start + 1 + below(256))]
                bytes.insert(contentsOf: piece, at: below(bytes.count + 1))
            case 4 where !bytes.isEmpty:
                bytes.removeSubrange(below(bytes.count)...)
            default:
                bytes.insert(contentsOf: [UInt8](repeating: UInt8(truncatingIfNeeded: next()), count: 1 + below(4096)), at: below(bytes.count + 1))
            }
        }
        return bytes
    }
}
