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

    /// The rules of `CalendarDate(utf8:)` written out byte by byte: eight digits, or four,
    /// a dash, two, a dash, two; then a valid Gregorian date.
    private func referenceDate(_ bytes: [UInt8]) -> CalendarDate? {
        let digits: [UInt8]
        switch bytes.count {
        case 8: digits = bytes
        case 10:
            guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
            digits = Array(bytes[0..<4] + bytes[5..<7] + bytes[8..<10])
        default: return nil
        }
        guard digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        let value = { (range: Range<Int>) in digits[range].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) } }
        return CalendarDate(year: value(0..<4), month: value(4..<6), day: value(6..<8))
    }

    private func parsed(_ bytes: [UInt8]) -> CalendarDate? {
        bytes.withUnsafeBufferPointer { CalendarDate(utf8: $0) }
    }

    /// Every day of years around the edges (leap rules, the epoch, the first and last year),
    /// in both forms, and the days just past each month's end.
    @Test func readsEveryDayAsTheRulesDo() {
        for year in [1, 4, 99, 100, 400, 1582, 1899, 1900, 1969, 1970, 1999, 2000, 2023, 2024, 2100, 9999] {
            for month in 0...13 {
                for day in 0...32 {
                    let y = String(repeating: "0", count: 4 - String(year).count) + String(year)
                    let m = month < 10 ? "0\(month)" : "\(month)"
                    let d = day < 10 ? "0\(day)" : "\(day)"
                    for text in [y + m + d, y + "-" + m + "-" + d] {
                        let bytes = Array(text.utf8)
                        #expect(parsed(bytes) == referenceDate(bytes), "\(text)")
                    }
                }
            }
        }
        #expect(parsed(Array("00000101".utf8)) == nil)
        #expect(parsed(Array("99991231".utf8))?.description == "9999-12-31")
    }

    /// Dates in either form with up to two bytes changed, and random bytes of every length
    /// up to 12, drawn mostly from digits and dashes with a few of every other kind (the
    /// neighbours of "0" and "9", high bytes): the same answers.
    @Test func refusesWhatTheRulesRefuse() {
        var random = SplitMix64(seed: 11)
        let alphabet = Array("0123456789".utf8) + Array("0123456789-".utf8) + [0x2F, 0x3A, 0x20, 0x00, 0x7F, 0x80, 0xB0, 0xFF, 0xC2, 0x40]
        func pick() -> UInt8 { alphabet[Int(random.next() % UInt64(alphabet.count))] }
        var mismatches: [[UInt8]] = []
        var dates = 0
        for round in 0..<200_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                let date = CalendarDate(year: 1 + Int(random.next() % 9999), month: 1 + Int(random.next() % 12), day: 1 + Int(random.next() % 28))!
                let text = date.description
                bytes = Array(text.utf8)
                if random.next() % 2 == 0 { bytes.removeAll { $0 == UInt8(ascii: "-") } }
                for _ in 0..<(random.next() % 3) { bytes[Int(random.next() % UInt64(bytes.count))] = pick() }
            } else {
                bytes = (0..<Int(random.next() % 13)).map { _ in pick() }
            }
            let expected = referenceDate(bytes)
            if parsed(bytes) != expected { mismatches.append(bytes) }
            if expected != nil { dates += 1 }
        }
        #expect(mismatches.isEmpty, "first: \(mismatches.prefix(3))")
        // Some were dates, so both answers were exercised.
        #expect(dates > 10_000)
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

    /// Every length up to the inline limit and past it, each byte different, read from
    /// inside a larger buffer: short values are copied byte by byte, longer ones as two
    /// words that overlap.
    @Test(arguments: 1...17)
    func everyLengthKeepsEveryByte(count: Int) {
        let buffer = Array("<0123456789ABCDEFGH>".utf8)
        let read = buffer.withUnsafeBufferPointer { String(readBytes: UnsafeBufferPointer(rebasing: $0[1...count])) }
        #expect(Array(read.utf8) == Array(buffer[1...count]))
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

/// Report bytes put together in room lent by the caller (a line row on the stack).
@Suite struct RowBytesTests {
    @Test func bytesThatFitAreKeptInOrder() {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 8) { room in
            var row = RowBytes(room)
            row.appendByte(0x41)
            Array("BCDEFG".utf8).withUnsafeBufferPointer { row.appendBytes($0) }
            row.appendByte(0x48)
            #expect(!row.overflowed)
            #expect(Array(row.bytes) == Array("ABCDEFGH".utf8))
        }
    }

    @Test func anAppendPastTheRoomIsFlagged() {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4) { room in
            var row = RowBytes(room)
            Array("ABC".utf8).withUnsafeBufferPointer { row.appendBytes($0) }
            Array("DE".utf8).withUnsafeBufferPointer { row.appendBytes($0) }
            #expect(row.overflowed)
            var full = RowBytes(room)
            Array("ABCD".utf8).withUnsafeBufferPointer { full.appendBytes($0) }
            #expect(!full.overflowed)
            full.appendByte(0x45)
            #expect(full.overflowed)
        }
    }

    /// Dates as report bytes: the same text as `description`, inside 1...9999 and out of it.
    @Test func datesAreAppendedAsTheyAreDescribed() {
        for days: Int32 in [-719_162, -1, 0, 19_723, 2_932_896, -719_163, 2_932_897, -800_000, 3_000_000] {
            let date = CalendarDate(daysSinceEpoch: days)
            var bytes: [UInt8] = []
            date.appendISO(to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == date.description, "\(days)")
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { room in
                var row = RowBytes(room)
                date.appendISO(to: &row)
                #expect(String(decoding: Array(row.bytes), as: UTF8.self) == date.description, "\(days)")
            }
        }
        #expect(CalendarDate(daysSinceEpoch: 0).description == "1970-01-01")
        #expect(CalendarDate(daysSinceEpoch: -719_162).description == "0001-01-01")
        #expect(CalendarDate(daysSinceEpoch: 2_932_896).description == "9999-12-31")
        #expect(CalendarDate(daysSinceEpoch: 2_932_897).description == "10000-01-01")
        #expect(CalendarDate(daysSinceEpoch: -719_163).description == "0-12-31")
    }
}
