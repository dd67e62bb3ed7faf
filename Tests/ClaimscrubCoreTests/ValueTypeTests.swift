import ClaimscrubCore
import Testing

@Suite struct CalendarDateTests {
    @Test(arguments: [
        ("2024-02-29", "2024-02-29"), ("20240229", "2024-02-29"), ("1970-01-01", "1970-01-01"), ("2026-10-31", "2026-10-31"),
    ])
    func parsesBothForms(text: String, expected: String) {
        #expect(CalendarDate(text)?.description == expected)
    }

    @Test(arguments: ["2023-02-29", "2024-13-01", "2024-1-01", "2024/01/01", "", "202401011", "abcd-ef-gh"])
    func refusesWhatIsNotADate(text: String) {
        #expect(CalendarDate(text) == nil)
    }

    @Test func rangesAreHalfOpen() {
        let range = DateRange(from: CalendarDate("2024-06-15"), to: CalendarDate("2024-11-01"))
        #expect(!range.contains(CalendarDate("2024-06-14")!))
        #expect(range.contains(CalendarDate("2024-06-15")!))
        #expect(range.contains(CalendarDate("2024-10-31")!))
        #expect(!range.contains(CalendarDate("2024-11-01")!))
    }
}

@Suite struct UnitsTests {
    @Test(arguments: [("1", "1"), ("1.50", "1.5"), ("0.25", "0.25"), (".5", "0.5"), ("2.000000", "2"), ("3.0000000", "3")])
    func echoesWithoutTrailingZeros(text: String, expected: String) {
        #expect(Units(text)?.description == expected)
    }

    @Test(arguments: ["", "-1", "1.2.3", "abc", "1.0000001", "1e3"])
    func refusesWhatIsNotADecimal(text: String) {
        #expect(Units(text) == nil)
    }
}

@Suite struct CodeShapeTests {
    @Test(arguments: ["22510", "0200T", "C7504", "01941", "V5010"])
    func procedureCodes(code: String) { #expect(CodeShapes.isProcedureCode(code)) }

    @Test(arguments: ["2251", "W1234", "22510X", "0200Z", ""])
    func notProcedureCodes(code: String) { #expect(!CodeShapes.isProcedureCode(code)) }

    @Test(arguments: ["M80.08XA", "M8008XA", "U07.1", "A41", "O09.90"])
    func icd10(code: String) { #expect(CodeShapes.isICD10(code)) }

    @Test(arguments: ["733.13", "V54.1", "E880.9", "73313", "250"])
    func icd9(code: String) {
        #expect(CodeShapes.isICD9(code))
    }

    @Test(arguments: ["733.13", "73313", "250"])
    func numericICD9IsNotICD10(code: String) {
        #expect(!CodeShapes.isICD10(code))
    }
}

@Suite struct LineOfBusinessTests {
    /// inputs.md, "Claims": SBR09 claim filing indicator codes and the four words.
    static let filingIndicators: [(String, LineOfBusiness)] = [
        ("MA", .medicare), ("MB", .medicare), ("16", .medicareAdvantage), ("MC", .medicaid),
    ] + ["11", "12", "13", "14", "15", "17", "AM", "BL", "CH", "CI", "DS", "FI", "HM", "LM", "OF", "TV", "VA", "WC", "ZZ"]
        .map { ($0, LineOfBusiness.commercial) }

    @Test func everyFilingIndicatorCodeInEitherCase() {
        for (code, expected) in LineOfBusinessTests.filingIndicators {
            #expect(LineOfBusiness(code: code) == expected, "\(code)")
            #expect(LineOfBusiness(code: code.lowercased()) == expected, "\(code.lowercased())")
            #expect(LineOfBusiness(code: String(code.prefix(1)) + code.suffix(1).lowercased()) == expected, "\(code) mixed case")
        }
    }

    @Test(arguments: [
        ("commercial", LineOfBusiness.commercial), ("MEDICARE", .medicare), ("Medicare_Advantage", .medicareAdvantage),
        ("medicaid", .medicaid), ("", .commercial),
    ])
    func wordsAndBlank(_ text: String, _ expected: LineOfBusiness) {
        #expect(LineOfBusiness(code: text) == expected)
    }

    /// Two bytes that are no filing indicator, and near misses of one.
    @Test(arguments: ["XX", "10", "18", "M", "MAA", " M", "M ", "é", "ma ", "0A", "ＭＡ"])
    func otherCodesAreRefused(_ text: String) {
        #expect(LineOfBusiness(code: text) == nil)
    }
}

@Suite struct ReadBytesTests {
    /// The same String as `String(decoding:as:)`, inline (up to 15 bytes) or not, ASCII or
    /// not, invalid UTF-8 repaired alike.
    @Test(arguments: [
        [], Array("A".utf8), Array("M80.08XA".utf8), Array("123456789012345".utf8), Array("1234567890123456".utf8),
        Array("é".utf8), Array("Zürich".utf8), [0xFF], [0x41, 0xC3], [0xE2, 0x82], Array("0123456789abcd".utf8) + [0xC0],
        Array("a longer value of forty bytes or so, é".utf8) + [0xFE, 0x41],
    ] as [[UInt8]])
    func readsAsDecodingDoes(bytes: [UInt8]) {
        let read = bytes.withUnsafeBufferPointer { String(readBytes: $0) }
        let decoded = String(decoding: bytes, as: UTF8.self)
        #expect(read == decoded)
        #expect(Array(read.utf8) == Array(decoded.utf8))
    }
}

@Suite struct ReasonCodeTests {
    /// Counts and report words are kept by `editOrder`: it must be each reason's place.
    @Test func editOrderIsThePlaceInAllCases() {
        for (offset, reason) in ReasonCode.allCases.enumerated() {
            #expect(reason.editOrder == offset, "\(reason)")
        }
    }
}
