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
}
