import Foundation
import ClaimscrubCore
import ClaimscrubRun
import Testing

/// The run decides a chunk's claims one after another in buffers kept from claim to claim
/// (`DecisionScratch`): nothing of one claim may reach the next one's decisions.
@Suite struct DecisionScratchTests {
    /// Every claim of the decision tables, each with its as-of date.
    static let cases: [DecisionCase] = DecisionTableTests.invalidDataRows + DecisionTableTests.dataBesideOtherEditsRows
        + DecisionTableTests.datesAndClaimTypesRows + DecisionTableTests.addOnsUnitsAndRepeatsRows
        + DecisionTableTests.lookupAndRollUpRows + DecisionTablePolicyTests.cignaRows
        + DecisionTablePolicyTests.molinaRows + DecisionTablePolicyTests.bcbsmnRows
        + DecisionTablePolicyTests.cohereRows + DecisionTablePolicyTests.kpwaRows
        + DecisionTablePolicyTests.noridianRows

    @Test func claimsDecidedInOneScratchComeOutAsDecidedAlone() throws {
        let codeSets = try shippedCodeSets.get()
        #expect(Self.cases.count > 100)
        var scratch = DecisionScratch()
        // Forward, then backward: each claim follows a longer one and a shorter one, with
        // other payers, diagnoses and reasons before it.
        for testCase in Self.cases + Self.cases.reversed() {
            let engine = DecisionEngine(codeSets: codeSets, asOf: try #require(CalendarDate(testCase.asOf)))
            let alone = engine.decide(testCase.claim)
            let shared = engine.decide(testCase.claim, scratch: &scratch)
            #expect(shared.lines == alone.lines, "\(testCase.name)")
            #expect(shared.payerID == alone.payerID, "\(testCase.name)")
            engine.recycle(shared, into: &scratch)
        }
    }

    /// NO_EDIT messages are kept per deciding thread by payer and code, in a table of 512
    /// slots: more pairs than slots, in both orders, so that messages replace each other.
    /// Every line must still name its own payer and code.
    @Test func noEditMessagesNameTheirOwnPayerAndCode() throws {
        let codeSets = try shippedCodeSets.get()
        let engine = DecisionEngine(codeSets: codeSets, asOf: try #require(CalendarDate("2026-01-01")))
        // Payers outside the code sets with a registry code, and a payer of the code sets
        // with codes outside the registry (five digits, none of them in it).
        var claims = (0..<600).map { claim(String(format: "P%04d", $0), line("22511")) }
        claims += (0..<600).map { claim("CIGNA", line(String(10_000 + $0))) }
        var scratch = DecisionScratch()
        for claim in claims + claims.reversed() + claims {
            let decided = engine.decide(claim, scratch: &scratch)
            let message = try #require(decided.lines.first).primary.message
            let code = claim.lines[0].procedureCode
            #expect(decided.lines[0].primary.reason == .noEdit, "\(claim.payerID) \(code)")
            if claim.payerID == "CIGNA" {
                #expect(message.hasPrefix("No policy of ") && message.hasSuffix(" has a rule for procedure code \(code)."), "\(message)")
            } else {
                #expect(message == "Payer \(claim.payerID) has no policy set; only the code registry edits apply to \(code).")
            }
            #expect(engine.decide(claim).lines == decided.lines)
            engine.recycle(decided, into: &scratch)
        }
    }
}
