@testable import ClaimscrubReaders
import Testing

/// The stream's table of loop and segment ids gives each id's own text, and the same
/// answers as the mapping's rules, whatever the ids' lengths and however they collide.
struct XMLNamesTests {
    private static let ids = [
        "", "ST", "GS", "SBR", "NM1", "DMG", "CLM", "HI", "REF", "DTP", "LX", "SV1", "SV2", "HL", "PER",
        "ST_LOOP", "2000B", "2000C", "2010BA", "2010BB", "2010CA", "2300", "2400", "ISA_LOOP",
        "ISA_LOOP2", "A_LONGER_LOOP_ID", "NM1X", "2010BAA",
    ]

    private func name(_ names: inout XMLNames, _ id: String) -> XMLNames.Name {
        id.withCString { names.name($0) }
    }

    @Test func everyIdReadsBackAsItsOwnText() {
        var names = XMLNames()
        // Twice over, so the second pass reads the ids the first one kept.
        for _ in 0..<2 {
            for id in Self.ids {
                let name = name(&names, id)
                #expect(name.text == id)
                #expect((name.key == nil) == (id.utf8.count > 8), "\(id)")
            }
        }
    }

    @Test func pairsAreClassifiedAsTheMappingRulesSay() {
        var names = XMLNames()
        for _ in 0..<2 {
            for segment in Self.ids {
                for loop in Self.ids {
                    let answer = names.classify(segment: name(&names, segment), loop: name(&names, loop))
                    #expect(answer.changesContext == XMLClaimMapping.changesContext(segment: segment, loop: loop), "\(segment) in \(loop)")
                    #expect(answer.readsInClaim == XMLClaimMapping.readsInClaim(segment: segment, loop: loop), "\(segment) in \(loop)")
                }
            }
        }
    }
}
