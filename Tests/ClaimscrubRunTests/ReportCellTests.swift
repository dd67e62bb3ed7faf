import ClaimscrubCore
import Testing
@testable import ClaimscrubRun

/// Report cells: RFC 4180 quoting only where needed, after the formula guard (outputs.md).
@Suite struct ReportCellTests {
    private func cell(_ text: String) -> String {
        var out: [UInt8] = []
        appendCSVCell(text, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func plainTextIsWrittenAsIs() {
        #expect(cell("CRITERIA_MET") == "CRITERIA_MET")
        #expect(cell("") == "")
        #expect(cell("The line meets Vertebral Augmentation (version 2024-01) (section 3.1).")
            == "The line meets Vertebral Augmentation (version 2024-01) (section 3.1).")
    }

    @Test func commasQuotesAndLineBreaksAreQuoted() {
        #expect(cell("experimental, investigational or unproven") == "\"experimental, investigational or unproven\"")
        #expect(cell("say \"no\"") == "\"say \"\"no\"\"\"")
        #expect(cell("two\nlines") == "\"two\nlines\"")
        #expect(cell("carriage\rreturn") == "\"carriage\rreturn\"")
    }

    @Test func formulaStartsAreGuarded() {
        #expect(cell("=SUM(A1)") == "'=SUM(A1)")
        #expect(cell("-1,2") == "\"'-1,2\"")
    }

    /// The check reads eight bytes at a time: a special byte must be found at every offset,
    /// in every length, beside bytes that differ from it by one bit or by 0x80.
    @Test func everyOffsetOfEverySpecialByteIsFound() {
        let specials: [UInt8] = [0x2C, 0x22, 0x0A, 0x0D]
        let neighbours: [UInt8] = [0x2D, 0x2B, 0x23, 0x21, 0x0B, 0x09, 0x0C, 0x0E, 0xAC, 0xA2, 0x8A, 0x8D, 0x00, 0xFF, 0x41]
        for length in 1...24 {
            for filler in neighbours {
                var plain = [UInt8](repeating: filler, count: length)
                #expect(!plain.withUnsafeBufferPointer(needsCSVQuotes), "length \(length) filler \(filler)")
                for special in specials {
                    for offset in 0..<length {
                        plain[offset] = special
                        #expect(plain.withUnsafeBufferPointer(needsCSVQuotes), "length \(length) offset \(offset) byte \(special)")
                        plain[offset] = filler
                    }
                }
            }
        }
    }

    /// Line rows write their source from its path and position: the bytes must be those
    /// of the `path:position` text written as a cell, whatever the path holds.
    @Test(arguments: ["batch.csv", "/data/in/2026-11-23.x12", "", "=cmd.csv", "-1.csv", "@x", "\tpath",
                      "a,b.csv", "say \"hi\".csv", "two\nlines.xml", "ré/claims.csv"])
    func sourceCellsMatchTheirText(path: String) {
        for position in [1, 9, 10, 12_345, 999_999_999] {
            var fromParts: [UInt8] = []
            appendCSVSourceCell(path: path, position: position, into: &fromParts)
            #expect(String(decoding: fromParts, as: UTF8.self) == cell(sourceText(path, position)), "\(path) \(position)")
        }
        var wholeText: [UInt8] = []
        appendCSVSourceCell(path: path, position: nil, into: &wholeText)
        #expect(String(decoding: wholeText, as: UTF8.self) == cell(path))
    }
}
