@testable import ClaimscrubCore
import Testing

/// Every service line looks its procedure code up in the registry by the code's bytes
/// (`CodeSets.registryEntry`): it must find what `registry[code]` holds, and nothing else.
@Suite struct RegistryLookupTests {
    private static func entry(_ code: String) -> RegistryCode {
        RegistryCode(
            code: code, descriptor: code, effective: DateRange(from: nil, to: nil),
            location: CodeSetLocation(file: "registry.yaml", line: 1)
        )
    }

    private static func codeSets(_ codes: [String]) -> CodeSets {
        let registry = Dictionary(uniqueKeysWithValues: codes.map { ($0, entry($0)) })
        return CodeSets(registry: registry, diagnosisLists: [:], payers: [], policies: [:])
    }

    @Test func findsEachRegistryCodeAndNoOther() {
        let codes = ["22510", "22511", "22515", "0200T", "0201T", "C7504", "C7508", "22899", "A0001"]
        let sets = Self.codeSets(codes)
        for code in codes {
            #expect(sets.registryEntry(procedureCode: code) === sets.registry[code], "\(code)")
        }
        for code in ["22512", "0200U", "C750", "C75044", "", "2251O", "C7505", "00000", "ZZZZZ"] {
            #expect(sets.registryEntry(procedureCode: code) == nil, "\(code)")
        }
    }

    @Test func anEmptyRegistryFindsNothing() {
        #expect(Self.codeSets([]).registryEntry(procedureCode: "22510") == nil)
    }

    @Test func aRegistryChangedAfterwardsIsLookedUpAsChanged() {
        var sets = Self.codeSets(["22510"])
        sets.registry["22513"] = Self.entry("22513")
        sets.registry["22510"] = nil
        #expect(sets.registryEntry(procedureCode: "22513") === sets.registry["22513"])
        #expect(sets.registryEntry(procedureCode: "22510") == nil)
    }
}

/// A claim's payer id names a payer by its id or an alias, trimmed and in any case; the
/// index behind `CodeSets.payer(named:)` follows the payer table when it changes.
@Suite struct PayerLookupTests {
    private static func payer(_ id: String, aliases: [String] = []) -> Payer {
        Payer(id: id, name: id, aliases: aliases, policyIDs: [], location: CodeSetLocation(file: "payers.yaml", line: 1))
    }

    @Test func idsAndAliasesInAnyCaseAndTrimmed() {
        let sets = CodeSets(
            registry: [:], diagnosisLists: [:], payers: [Self.payer("CIGNA", aliases: ["62308"]), Self.payer("KPWA")],
            policies: [:]
        )
        #expect(sets.payer(named: " cigna ")?.id == "CIGNA")
        #expect(sets.payer(named: "62308")?.id == "CIGNA")
        #expect(sets.payer(named: "kpwa")?.id == "KPWA")
        #expect(sets.payer(named: "ACME01") == nil)
        #expect(sets.payerPosition(named: "KPWA") == 1)
    }

    @Test func aPayerTableChangedAfterwardsIsLookedUpAsChanged() {
        var sets = CodeSets(registry: [:], diagnosisLists: [:], payers: [Self.payer("CIGNA")], policies: [:])
        sets.payers.insert(Self.payer("ACME01", aliases: ["A1"]), at: 0)
        #expect(sets.payer(named: "a1")?.id == "ACME01")
        #expect(sets.payerPosition(named: "CIGNA") == 1)
    }
}
