@testable import ClaimscrubCore
import Testing

/// The engine finds a rule's diagnosis lists by name once per run and matches a line's
/// diagnosis keys against their prefixes byte by byte (`DiagnosisMatcher`): it must match
/// what comparing the lists' prefixes as text (`hasPrefix`) does, and nothing else.
@Suite struct DiagnosisMatcherTests {
    private static let lists: [String: DiagnosisList] = [
        "osteoporotic_fracture": list("osteoporotic_fracture", ["M8008XA", "M800", "M48"]),
        "neoplasm": list("neoplasm", ["C795", "C900"]),
        "infection": list("infection", ["M462", "A1801"]),
        "empty": list("empty", []),
    ]

    private static func list(_ name: String, _ prefixes: [String]) -> DiagnosisList {
        DiagnosisList(name: name, prefixes: prefixes, location: CodeSetLocation(file: "diagnosis-lists.yaml", line: 1))
    }

    private static let keys = [
        "M8008XA", "M8008XD", "M800", "M80", "M8", "", "M4850XA", "M48", "C7951", "C795", "C79", "C9000", "M4626",
        "A18011", "A1801", "A180", "Z000", "m8008xa", "M8008XA1234567890123",
    ]

    @Test func matchesWhatThePrefixesMatchAsText() {
        for names in [["osteoporotic_fracture"], ["neoplasm"], ["neoplasm", "infection"], ["empty"], ["empty", "neoplasm"], []] {
            let matcher = DiagnosisMatcher(names: names, lists: Self.lists)
            for key in Self.keys {
                let expected = names.contains { Self.lists[$0]!.prefixes.contains { key.hasPrefix($0) } }
                #expect(matcher.matches(key) == expected, "\(key) against \(names)")
            }
        }
    }

    @Test func aListTheCodeSetsDoNotDefineMatchesNothing() {
        let matcher = DiagnosisMatcher(names: ["no_such_list"], lists: Self.lists)
        for key in Self.keys { #expect(!matcher.matches(key), "\(key)") }
        #expect(DiagnosisMatcher(names: ["no_such_list", "neoplasm"], lists: Self.lists).matches("C7951"))
    }

    /// Messages name the list that matched, or the lists of an experimental rule together.
    @Test func namesItsListsAsMessagesDo() {
        #expect(DiagnosisMatcher(names: ["neoplasm"], lists: Self.lists).name == "neoplasm")
        #expect(DiagnosisMatcher(names: ["neoplasm", "infection"], lists: Self.lists).name == "neoplasm, infection")
    }

    /// Each list of a criteria rule is its own matcher, in the rule's order: the first that
    /// matches is the one a message names.
    @Test func criteriaListsKeepTheRulesOrder() {
        let criteria = Criteria(
            contraindicated: ["infection", "neoplasm"], review: ["neoplasm"],
            supporting: [["osteoporotic_fracture"], ["neoplasm", "infection"]], fallbackReview: ["infection"],
            levelsLimit: 2, levelsLimitWaivedBy: ["neoplasm", "infection"]
        )
        let lists = CriteriaLists(criteria, lists: Self.lists)
        #expect(lists.contraindicated.map(\.name) == ["infection", "neoplasm"])
        #expect(lists.review.map(\.name) == ["neoplasm"])
        #expect(lists.supporting.map { $0.map(\.name) } == [["osteoporotic_fracture"], ["neoplasm", "infection"]])
        #expect(lists.fallbackReview.map(\.name) == ["infection"])
        #expect(lists.levelsLimitWaivedBy.matches("C9000") && lists.levelsLimitWaivedBy.matches("M4626"))
        #expect(!lists.levelsLimitWaivedBy.matches("M8008XA"))
    }
}
