@testable import ClaimscrubReaders
import Testing

/// Segments as the claim builder reads them: ids by tag, elements and components in place.
@Suite struct X12SegmentTests {
    private let delimiters = X12Delimiters(element: UInt8(ascii: "*"), component: UInt8(ascii: ":"), segment: UInt8(ascii: "~"))

    /// `body` over the segment `text`, borrowed from buffers that live as long as the call
    /// (as the scanner's do until its next segment).
    private func withSegment<R>(_ text: String, _ body: (X12Segment) -> R) -> R {
        let bytes = Array(text.utf8)
        let starts = X12StartsBuffer()
        return withExtendedLifetime(starts) {
            bytes.withUnsafeBufferPointer { bytes in
                body(starts.segment(bytes.baseAddress!, count: bytes.count, ordinal: 1, delimiters: delimiters))
            }
        }
    }

    private func tag(_ text: String) -> UInt32 { withSegment(text) { $0.tag } }

    /// The texts of element `index`'s components.
    private func components(_ text: String, _ index: Int) -> [String] {
        withSegment(text) { segment in segment.components(index).map { String(decoding: $0, as: UTF8.self) } }
    }

    @Test func readableIDsGetTheirTagAndOthersNone() {
        #expect(tag("CLM*A1*100") == X12ID.clm)
        #expect(tag("HL*1**22") == X12ID.hl)
        #expect(tag("SV1*HC:22513") == X12ID.sv1)
        #expect(tag("NM1") == X12ID.nm1)
        for unreadable in ["clm*A1", "1AB*X", "ABCD*X", "A*X", "*X", "", "C-M*X"] {
            #expect(tag(unreadable) == X12ID.none, "\(unreadable)")
            #expect(!withSegment(unreadable) { $0.hasReadableID }, "\(unreadable)")
        }
        #expect(withSegment("ZZ9*X") { $0.hasReadableID })
        #expect(withSegment("ZZ9*X") { $0.id } == "ZZ9")
    }

    @Test func componentsAreFoundWhereAsked() {
        let service = "SV1*HC:22513:AB::CD*100**2*22**1:2:3:4"
        #expect(components(service, 1) == ["HC", "22513", "AB", "", "CD"])
        #expect(components(service, 7) == ["1", "2", "3", "4"])
        #expect(components(service, 3) == [""])
        #expect(components(service, 9) == [""])
        #expect(components("HI*ABK:", 1) == ["ABK", ""])
        #expect(components("HI*::", 1) == ["", "", ""])
        // Past the eighth component, and an empty one at the end.
        #expect(components("SV1*A:B:C:D:E:F:G:H:I:J:", 1) == ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", ""])
        #expect(components("SV1*::::::::x", 1) == ["", "", "", "", "", "", "", "", "x"])
        #expect(withSegment("SV1*1:2:3:4:5:6:7:8:9:10") { segment in
            let parts = segment.components(1)
            return (parts.count, String(decoding: parts[9], as: UTF8.self), String(decoding: parts[7], as: UTF8.self))
        } == (10, "10", "8"))
        #expect(withSegment(service) { $0.componentText(1, 2) } == "22513")
        #expect(withSegment(service) { $0.componentText(1, 6) } == "")
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
        #expect(withBytes(" 472 ") { x12Equals($0, "472") })
        #expect(!withBytes("hc") { x12Equals($0, "HC") })
        #expect(withBytes("HC") { x12Equals($0, "HC", ignoringCase: true) })
        #expect(withBytes(" hc ") { x12Equals($0, "HC", ignoringCase: true) })
        #expect(withBytes("Hc") { x12Equals($0, "HC", ignoringCase: true) })
        #expect(!withBytes("HCX") { x12Equals($0, "HC", ignoringCase: true) })
        #expect(!withBytes("ER") { x12Equals($0, "HC", ignoringCase: true) })
        #expect(!withBytes("") { x12Equals($0, "HC", ignoringCase: true) })
        #expect(withBytes(" x ") { hasText($0) })
        #expect(!withBytes(" \t\r\n") { hasText($0) })
    }
}
