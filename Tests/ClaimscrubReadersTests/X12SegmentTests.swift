@testable import ClaimscrubReaders
import Testing

/// Segments as the claim builder reads them: ids by tag, elements and components in place.
@Suite struct X12SegmentTests {
    private let delimiters = X12Delimiters(element: UInt8(ascii: "*"), component: UInt8(ascii: ":"), segment: UInt8(ascii: "~"))

    private func segment(_ text: String) -> X12Segment {
        X12Segment(ordinal: 1, bytes: Array(text.utf8), delimiters: delimiters)
    }

    private func texts(_ components: X12Components) -> [String] {
        components.map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func readableIDsGetTheirTagAndOthersNone() {
        #expect(segment("CLM*A1*100").tag == X12ID.clm)
        #expect(segment("HL*1**22").tag == X12ID.hl)
        #expect(segment("SV1*HC:22513").tag == X12ID.sv1)
        #expect(segment("NM1").tag == X12ID.nm1)
        for unreadable in ["clm*A1", "1AB*X", "ABCD*X", "A*X", "*X", "", "C-M*X"] {
            #expect(segment(unreadable).tag == X12ID.none, "\(unreadable)")
            #expect(!segment(unreadable).hasReadableID, "\(unreadable)")
        }
        #expect(segment("ZZ9*X").hasReadableID)
        #expect(segment("ZZ9*X").id == "ZZ9")
    }

    @Test func componentsAreFoundWhereAsked() {
        let service = segment("SV1*HC:22513:AB::CD*100**2*22**1:2:3:4")
        #expect(texts(service.components(1)) == ["HC", "22513", "AB", "", "CD"])
        #expect(texts(service.components(7)) == ["1", "2", "3", "4"])
        #expect(texts(service.components(3)) == [""])
        #expect(texts(service.components(9)) == [""])
        #expect(texts(segment("HI*ABK:").components(1)) == ["ABK", ""])
        #expect(texts(segment("HI*::").components(1)) == ["", "", ""])
        #expect(service.componentText(1, 2) == "22513")
        #expect(service.componentText(1, 6) == "")
    }

    /// `body` over the bytes of `text`, as a segment's element.
    private func withBytes<R>(_ text: String, _ body: (X12Bytes) -> R) -> R {
        Array(text.utf8).withUnsafeBufferPointer { body($0[...]) }
    }

    @Test func numbersAndQualifiersAreReadFromBytes() {
        func number(_ text: String) -> Int? { withBytes(text) { x12PositiveNumber($0, maximumDigits: 4) } }
        #expect(number("1") == 1)
        #expect(number(" 12 ") == 12)
        #expect(number("9999") == 9999)
        #expect(number("12345") == nil)
        #expect(number("0") == nil)
        #expect(number("0000") == nil)
        #expect(number("1a") == nil)
        #expect(number("-1") == nil)
        #expect(number("") == nil)
        #expect(number("   ") == nil)
        #expect(withBytes("472") { x12Equals($0, "472") })
        #expect(!withBytes("4720") { x12Equals($0, "472") })
        #expect(!withBytes("47") { x12Equals($0, "472") })
        #expect(!withBytes("473") { x12Equals($0, "472") })
        #expect(withBytes("HC") { x12EqualsIgnoringCase($0, "HC") })
        #expect(withBytes(" hc ") { x12EqualsIgnoringCase($0, "HC") })
        #expect(withBytes("Hc") { x12EqualsIgnoringCase($0, "HC") })
        #expect(!withBytes("HCX") { x12EqualsIgnoringCase($0, "HC") })
        #expect(!withBytes("ER") { x12EqualsIgnoringCase($0, "HC") })
        #expect(!withBytes("") { x12EqualsIgnoringCase($0, "HC") })
        #expect(withBytes(" x ") { hasText($0) })
        #expect(!withBytes(" \t\r\n") { hasText($0) })
    }
}
