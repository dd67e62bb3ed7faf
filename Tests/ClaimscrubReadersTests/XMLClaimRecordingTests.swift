import ClaimscrubCore
@testable import ClaimscrubReaders
import Foundation
import TestSupport
import Testing

/// XML claims are recorded on the reading thread and mapped on a deciding thread
/// (`XMLClaimRecording`). These tests read the same files both ways and require the same
/// items, in the same order, including where a claim has to be mapped on the spot.
struct XMLClaimRecordingTests {
    private static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    private static let institutional: String = {
        let url = fixtures.appendingPathComponent("xml/synthetic-837i.edi.xml")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }()

    /// Every item as text: claims and rejects with all their fields.
    private func items(_ path: String, recording: Bool) throws -> [String] {
        var reader = try XMLClaimReader(path: path, displayPath: "case.xml", recordsClaims: recording)
        var items: [String] = []
        while let item = try reader.next() { items.append(String(describing: item)) }
        return items
    }

    private func write(_ text: String) throws -> String {
        try scratchFile("recording.xml", text.utf8)
    }

    /// The institutional fixture's claim loop, and the text before and after it.
    private func claimParts() throws -> (before: String, claim: String, after: String) {
        let text = Self.institutional
        let start = try #require(text.range(of: "              <loop id='2300'>"))
        let end = try #require(text.range(of: "              </loop>\n            </loop>\n          </loop>\n        </loop>\n        <seg id='SE'>"))
        let claimEnd = text.index(end.lowerBound, offsetBy: "              </loop>\n".count)
        return (String(text[..<start.lowerBound]), String(text[start.lowerBound..<claimEnd]), String(text[claimEnd...]))
    }

    @Test func everyXMLFixtureGivesTheSameItemsEitherWay() throws {
        let folders = ["xml", "generated"]
        var compared = 0
        for folder in folders {
            let url = Self.fixtures.appendingPathComponent(folder)
            for name in try FileManager.default.contentsOfDirectory(atPath: url.path).sorted() where name.hasSuffix(".xml") {
                let path = url.appendingPathComponent(name).path
                #expect(try items(path, recording: true) == items(path, recording: false), "\(folder)/\(name)")
                compared += 1
            }
        }
        #expect(compared >= 14)
    }

    @Test func aSubscriberLoopInsideAClaimIsMappedOnTheSpot() throws {
        let parts = try claimParts()
        // A 2010BA inside the claim changes the member id for the claim after it.
        let nested = """
                        <loop id='2010BA'>
                          <seg id='NM1'>
                            <ele id='NM101'>IL</ele>
                            <ele id='NM109'>CHANGEDMEMBER</ele>
                          </seg>
                        </loop>

        """
        let firstClaim = parts.claim.replacingOccurrences(of: "                <loop id='2400'>", with: nested + "                <loop id='2400'>", options: [], range: parts.claim.range(of: "                <loop id='2400'>"))
        let path = try write(parts.before + firstClaim + parts.claim + parts.after)
        let recorded = try items(path, recording: true)
        #expect(recorded == (try items(path, recording: false)))
        #expect(recorded.count == 2)
        #expect(recorded[1].contains("CHANGEDMEMBER"))
    }

    @Test func anSTInsideAClaimAndANestedClaimAreMappedOnTheSpot() throws {
        let parts = try claimParts()
        let withST = parts.claim.replacingOccurrences(of: "<seg id='CLM'>", with: "<seg id='ST'><ele id='ST01'>837</ele><ele id='ST03'>005010X222A1</ele></seg><seg id='CLM'>")
        let nested = parts.claim.replacingOccurrences(of: "                  <seg id='LX'>", with: parts.claim + "                  <seg id='LX'>")
        for claim in [withST, nested] {
            let path = try write(parts.before + claim + parts.after)
            #expect(try items(path, recording: true) == items(path, recording: false))
        }
    }

    /// A claim keeps at most 999 diagnoses (as in CSV and X12), recorded or mapped on the spot.
    @Test func diagnosesPastThe999thAreNotKept() throws {
        let parts = try claimParts()
        let other = "                <seg id='HI'>\n                  <comp id='HI'>\n                    <subele id='HI01-01'>ABF</subele>\n                    <subele id='HI01-02'>M8008XA</subele>\n                  </comp>\n                </seg>\n"
        try #require(parts.claim.contains(other))
        // The fixture's claim has a principal and one other diagnosis.
        for count in [999, 1_000] {
            let claim = parts.claim.replacingOccurrences(of: other, with: String(repeating: other, count: count - 1))
            let path = try write(parts.before + claim + parts.after)
            let recorded = try items(path, recording: true)
            #expect(recorded == (try items(path, recording: false)))
            let mapped = try #require(try readClaims(path).first)
            #expect(mapped.diagnoses.count == 999, "\(count)")
            #expect(mapped.problems.contains(DataProblem(.diagnosisCodes, .described("holds more than 999 codes"))) == (count > 999))
        }
    }

    private func readClaims(_ path: String) throws -> [Claim] {
        var reader = try XMLClaimReader(path: path, displayPath: "case.xml")
        var claims: [Claim] = []
        while let item = try reader.next() { if case .claim(let claim) = item { claims.append(claim) } }
        return claims
    }

    @Test func aClaimOfThousandsOfLinesKeepsItsRejectsAndItsBound() throws {
        let parts = try claimParts()
        let lineStart = try #require(parts.claim.range(of: "                <loop id='2400'>"))
        let lineEnd = try #require(parts.claim.range(of: "                </loop>\n", range: lineStart.upperBound..<parts.claim.endIndex))
        let line = String(parts.claim[lineStart.lowerBound..<lineEnd.upperBound])
        // 1,200 lines stay recorded (past 999 they are rejects); 4,500 pass the recording's bound.
        for count in [1_200, 4_500] {
            let claim = parts.claim.replacingOccurrences(of: line, with: String(repeating: line, count: count), options: [], range: lineStart.lowerBound..<lineEnd.upperBound)
            let path = try write(parts.before + claim + parts.after)
            let recorded = try items(path, recording: true)
            #expect(recorded == (try items(path, recording: false)))
            // `count` copies of the first line, then the fixture's second line.
            #expect(recorded.filter { $0.contains("more than 999 service lines") }.count == count + 1 - 999)
        }
    }
}
