import ClaimscrubCore
@testable import ClaimscrubReaders
import Foundation
import TestSupport
import Testing

/// X12 claims are recorded on the reading thread and built on a deciding thread
/// (`X12ClaimRecorder`, `X12RecordedClaims`); a claim too large to record is built on the
/// reading thread. These tests read the same files with every claim recorded, with every
/// claim built on the spot (a recording limit of 0), and with the two mixed, and require
/// the same items in the same order.
struct X12ClaimRecordingTests {
    private static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    private static let envelope = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *241104*1921*^*00501*000000001*0*T*:~\n"
        + "GS*HC*S*R*20241104*1853*1*X*005010X222A1~\n"

    /// Every item of `path` as text (claims and rejects with all their fields), read
    /// through the deciding threads' path (`nextDeferred`, then `build`).
    private func items(_ path: String, recordingLimit: Int = X12ClaimRecorder.defaultRecordingLimit) throws -> [String] {
        var reader = X12Reader(source: try ByteSource(path: path), displayPath: "case.edi", recordingLimit: recordingLimit)
        var items: [String] = []
        while let deferred = try reader.nextDeferred() {
            deferred.build { items.append(String(describing: $0)) }
        }
        return items
    }

    /// A claim of `lines` service lines for subscriber `number`.
    private func claim(_ number: Int, lines: Int) -> String {
        "HL*\(number + 1)*1*22*0~\nSBR*P*18*******CI~\nNM1*IL*1*X*Y****MI*M\(number)~\nDMG*D8*1950010\(number % 9 + 1)*F~\n"
            + "NM1*PR*2*P*****PI*ACME0\(number % 3)~\n" + claimSegments(number, lines: lines)
    }

    /// The segments of claim `number` (from its `CLM`), of `lines` service lines.
    private func claimSegments(_ number: Int, lines: Int) -> String {
        var text = "CLM*C\(number)*100***11:B:1*Y*A*Y*Y~\nHI*ABK:M8008XA*ABF:M81\(number % 10)~\n"
            + "REF*G1*CLAIM\(number)~\nNM1*82*1*DOC~\n"
        for line in 1...max(1, lines) where lines > 0 {
            text += "LX*\(line)~\nSV1*HC:2251\(line % 4 + 2):KX*100*UN*\(line)***1:2~\nDTP*472*D8*2024010\(line % 9 + 1)~\n"
                + "REF*G1*PA\(number)-\(line)~\nNM1*DN*1*REFERRING~\nREF*G1*NOT-THE-LINES~\n"
        }
        return text
    }

    private func batch(_ claims: [String]) -> String {
        Self.envelope + "ST*837*1*005010X222A1~\nHL*1**20*1~\n" + claims.joined() + "SE*1*1~\nGE*1*1~\nIEA*1*000000001~\n"
    }

    @Test func everyX12FixtureGivesTheSameItemsEitherWay() throws {
        var compared = 0
        for folder in ["x12", "generated", "fuzz/x12"] {
            let url = Self.fixtures.appendingPathComponent(folder)
            for name in try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
            where name.hasSuffix(".edi") || name.hasSuffix(".x12") {
                let path = url.appendingPathComponent(name).path
                let recorded = try items(path)
                #expect(recorded == (try items(path, recordingLimit: 0)), "\(folder)/\(name)")
                #expect(!recorded.isEmpty, "\(folder)/\(name)")
                compared += 1
            }
        }
        #expect(compared >= 14)
    }

    /// Claims of one to seven lines, two to a subscriber: a group of 64 lines is complete
    /// at the second claim's `CLM`, and is handed over while that claim is being recorded;
    /// a limit of 1,000 bytes builds the longer claims on the spot between recorded ones.
    @Test func claimsAcrossGroupsAndLimitsReadAlike() throws {
        let claims = (1...150).map { claim(2 * $0, lines: $0 % 7 + 1) + claimSegments(2 * $0 + 1, lines: $0 % 5 + 1) }
        let path = try scratchFile("batch.edi", Array(batch(claims).utf8))
        let recorded = try items(path)
        #expect(recorded.count == 300)
        #expect(recorded.allSatisfy { $0.hasPrefix("claim(") })
        #expect(recorded == (try items(path, recordingLimit: 0)))
        #expect(recorded == (try items(path, recordingLimit: 1_000)))
    }

    /// A break while a claim is recorded drops the claim and its recording: the claims
    /// after it read as they do without it, whether or not a group was handed over while
    /// the broken claim was being recorded.
    @Test func aBrokenOffClaimLeavesNothingInTheNextClaims() throws {
        for brokenAt in [3, 40, 150] {
            var claims = (1...200).map { claim($0, lines: $0 % 5 + 1) }
            claims[brokenAt] = claim(brokenAt + 1, lines: 3) + "#%!*junk~\n"
            let broken = try scratchFile("broken.edi", Array(batch(Array(claims[...brokenAt]) + ["SE*1*1~\nST*837*2*005010X222A1~\nHL*1**20*1~\n"] + claims[(brokenAt + 1)...]).utf8))
            let whole = try scratchFile("whole.edi", Array(batch(Array(claims[(brokenAt + 1)...])).utf8))
            let read = try items(broken)
            #expect(read == (try items(broken, recordingLimit: 0)), "broken at \(brokenAt)")
            // One reject for the break, the claims before the broken one, and after it the
            // same claims as a file that holds only those (their sources' ordinals aside).
            #expect(read.count == 200, "broken at \(brokenAt)")
            #expect(read.filter { $0.hasPrefix("reject(") }.count == 1)
            let after = read.suffix(199 - brokenAt).map(withoutPositions)
            let alone = try items(whole).map(withoutPositions)
            #expect(after.count == alone.count && after == alone, "broken at \(brokenAt)")
        }
    }

    private func withoutPositions(_ item: String) -> String {
        item.replacingOccurrences(of: #"sourcePosition: Optional\(\d+\)"#, with: "", options: .regularExpression)
    }

    /// A claim of 1,002 lines outgrows a 4 KiB recording part-way: the lines read before
    /// are replayed into the claim built on the spot, and its rejects still come first.
    @Test func aClaimOutgrowingItsRecordingKeepsItsItemsInOrder() throws {
        let path = try scratchFile("long.edi", Array(batch([claim(1, lines: 2), claim(2, lines: 1_002), claim(3, lines: 1)]).utf8))
        let recorded = try items(path)
        #expect(recorded == (try items(path, recordingLimit: 4_096)))
        #expect(recorded == (try items(path, recordingLimit: 0)))
        try #require(recorded.map { $0.hasPrefix("claim(") ? "claim" : "reject" }
                     == ["claim", "reject", "reject", "reject", "claim", "claim"])
        #expect(recorded[4].contains("lineNumber: Optional(999)"))
        #expect(!recorded[4].contains("lineNumber: Optional(1000)"))
    }
}
