import ClaimscrubCore
import Testing

/// Pointers are kept in place up to four values from 1 to 65,535 and in an array beyond:
/// whichever way they are kept, a line's pointers must read back as given.
@Suite struct DiagnosisPointersTests {
    @Test(arguments: [
        [], [1], [1, 2], [4, 1, 2], [1, 2, 3, 4], [1, 2, 3, 4, 5], [12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1],
        [65_535], [65_536], [1, 65_536, 2], [65_535, 65_535, 65_535, 65_535], [0], [-1, 3], [Int.max, 1],
    ])
    func readBackInOrder(_ values: [Int]) {
        var appended = DiagnosisPointers()
        for value in values { appended.append(value) }
        #expect(Array(appended) == values)
        #expect(appended.count == values.count)
        #expect(Array(DiagnosisPointers(values)) == values)
        #expect(appended.description == values.description)
    }

    @Test func equalOnlyForTheSamePointersInTheSameOrder() {
        let four: DiagnosisPointers = [1, 2, 3, 4]
        #expect(four == [1, 2, 3, 4])
        #expect(four != [1, 2, 3, 4, 5])
        #expect(four != [1, 2, 3])
        #expect(four != [1, 2, 4, 3])
        #expect(DiagnosisPointers([70_000]) == [70_000])
        // 70,000 in a 16-bit place would read back as 4,464.
        #expect(DiagnosisPointers([70_000]) != [4_464])
        #expect(DiagnosisPointers() == [])
        #expect(DiagnosisPointers() != [1])
    }
}
