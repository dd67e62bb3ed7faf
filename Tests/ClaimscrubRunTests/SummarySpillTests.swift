import ClaimscrubCore
@testable import ClaimscrubRun
import Foundation
import Testing

/// summary.json's payer and code maps spill to sorted files past a number of distinct keys
/// (quality.md "Bounded memory also under hostile shapes"); the result must not show it.
@Suite struct SummarySpillTests {
    /// Seeded batches of (payer, code, decision): skewed counts so that the 1,000-entry cap
    /// cuts through ties, plus keys that are empty, quoted, non-ASCII (two spellings of é),
    /// control characters, and long.
    static func batches(seed: UInt64, count: Int, linesPerBatch: Int) -> [[(String, String, Decision)]] {
        var random = SplitMix64(seed: seed)
        let odd = ["", "\"q\"", "\u{E9}", "e\u{301}", "(other)", "tab\there", "line\nend", String(repeating: "L", count: 300)]
        return (0..<count).map { _ in
            (0..<linesPerBatch).map { _ in
                let payer: String
                switch random.below(10) {
                case 0: payer = odd[random.below(odd.count)]
                case 1...4: payer = "HOT\(random.below(40))"
                default: payer = "P\(random.below(2_500))"
                }
                let code = random.below(3) == 0 ? "9921\(random.below(10))" : "C\(random.below(1_800))"
                let decision = [Decision.accept, .deny, .pend][random.below(3)]
                return (payer, code, decision)
            }
        }
    }

    static func counts(_ batch: [(String, String, Decision)]) -> RunCounts {
        var counts = RunCounts()
        for (payer, code, decision) in batch {
            counts.lines += 1
            counts.lineDecisions.add(decision)
            counts.linesByPayer.add(payer, decision)
            counts.linesByProcedureCode.add(code, decision)
        }
        return counts
    }

    static func summary(_ counts: inout RunCounts) throws -> (json: String, leaders: SummaryLeaders) {
        var bytes: [UInt8] = []
        let leaders = try counts.writeSummary(asOf: CalendarDate(year: 2026, month: 11, day: 23)!, inputs: 1, bytes: 0) { chunk in
            bytes += chunk
        }
        return (String(decoding: bytes, as: UTF8.self), leaders)
    }

    @Test(arguments: [(UInt64(1), 2, 1), (UInt64(2), 7, 150), (UInt64(3), 50, 4096)])
    func spilledAndUnspilledSummariesAreIdentical(seed: UInt64, keyLimit: Int, keyBytes: Int) throws {
        let batches = Self.batches(seed: seed, count: 40, linesPerBatch: 500)
        let folder = temporaryFolder().appendingPathComponent(".summary-spill").path
        var memory = RunCounts()
        var spilled = RunCounts(spillFolder: folder, limits: .init(keys: keyLimit, keyBytes: keyBytes))
        for batch in batches {
            try memory.merge(Self.counts(batch))
            try spilled.merge(Self.counts(batch))
        }
        #expect(!memory.linesByPayer.hasSpilled)
        #expect(spilled.linesByPayer.hasSpilled && spilled.linesByProcedureCode.hasSpilled, "nothing spilled: the test proves nothing")
        let unspilledFiles = try FileManager.default.contentsOfDirectory(atPath: folder)
        // Runs were merged level by level: far fewer files than spills.
        #expect(unspilledFiles.count < 2 * 8 * 5, "\(unspilledFiles.count) spill files")

        let fromMemory = try Self.summary(&memory)
        let fromDisk = try Self.summary(&spilled)
        #expect(fromDisk.json == fromMemory.json)
        #expect(fromMemory.json.contains("\"(other)\": "), "the 1,000-entry cap was not reached")
        #expect(!FileManager.default.fileExists(atPath: folder), "the spill folder was left behind")
        for (a, b) in [(fromMemory.leaders.payers, fromDisk.leaders.payers), (fromMemory.leaders.procedureCodes, fromDisk.leaders.procedureCodes)] {
            #expect(SummaryHTML.bars(a).map(\.label) == SummaryHTML.bars(b).map(\.label))
            #expect(SummaryHTML.bars(a).map(\.values) == SummaryHTML.bars(b).map(\.values))
        }
    }

    /// The capped map and the bars against a plain dictionary sorted the way outputs.md says.
    @Test func theCappedMapsMatchAPlainSort() throws {
        let batches = Self.batches(seed: 4, count: 30, linesPerBatch: 500)
        var spilled = RunCounts(spillFolder: temporaryFolder().appendingPathComponent("spill").path, limits: .init(keys: 10, keyBytes: 1 << 20))
        var plain: [[UInt8]: (accept: Int, pend: Int, deny: Int)] = [:]
        for batch in batches {
            try spilled.merge(Self.counts(batch))
            for (payer, _, decision) in batch {
                var tally = plain[Array(payer.utf8)] ?? (0, 0, 0)
                switch decision {
                case .accept: tally.accept += 1
                case .pend: tally.pend += 1
                case .deny: tally.deny += 1
                }
                plain[Array(payer.utf8)] = tally
            }
        }
        let ranked = plain.map { (key: $0.key, tally: $0.value, lines: $0.value.accept + $0.value.pend + $0.value.deny) }
            .sorted { $0.lines != $1.lines ? $0.lines > $1.lines : $0.key.lexicographicallyPrecedes($1.key) }
        #expect(ranked.count > 1000 && ranked[999].lines == ranked[1000].lines, "the cap does not cut through a tie")
        let kept = ranked.prefix(1000).sorted { $0.key.lexicographicallyPrecedes($1.key) }
        let other = ranked.dropFirst(1000).reduce(0) { $0 + $1.lines }
        let expected = "\"lines_by_payer\": {\n    "
            + (kept.map { "\(jsonString(String(decoding: $0.key, as: UTF8.self))): \($0.lines)" } + ["\"(other)\": \(other)"])
                .joined(separator: ",\n    ")
            + "\n  },\n"

        let (json, leaders) = try Self.summary(&spilled)
        // Compared as bytes: String's contains would match canonically equivalent spellings.
        let bytes = Data(json.utf8)
        #expect(bytes.range(of: Data(expected.utf8)) != nil)
        // Both spellings of é are kept apart: keys are the reports' bytes.
        #expect(bytes.range(of: Data("\n    \"\u{E9}\": ".utf8)) != nil && bytes.range(of: Data("\n    \"e\u{301}\": ".utf8)) != nil)
        let bars = SummaryHTML.bars(leaders.payers)
        #expect(bars.map(\.label) == ranked.prefix(SummaryHTML.barLimit).map { $0.key.isEmpty ? "(blank)" : String(decoding: $0.key, as: UTF8.self) } + ["(other)"])
        let rest = ranked.dropFirst(SummaryHTML.barLimit)
        #expect(bars.last?.values == [rest.reduce(0) { $0 + $1.tally.accept }, rest.reduce(0) { $0 + $1.tally.pend }, rest.reduce(0) { $0 + $1.tally.deny }])
    }
}
