import ClaimscrubCore
import Testing

/// Sources (`path:position`, inputs.md) are written by hand, digit by digit.
struct SourceTextTests {
    @Test(arguments: [0, 1, 9, 10, 99, 100, 12_345, 999_999_999, Int.max, -1, -70, Int.min])
    func positionsReadAsInterpolationWould(position: Int) {
        #expect(sourceText("batches/day 1.csv", position) == "batches/day 1.csv:\(position)")
    }

    @Test func pathsOfAnyLengthAndScript() {
        #expect(sourceText("", 7) == ":7")
        #expect(sourceText("a", 12) == "a:12")
        let long = String(repeating: "ré/", count: 200) + "claims.x12"
        #expect(sourceText(long, 4_096) == long + ":4096")
    }
}
