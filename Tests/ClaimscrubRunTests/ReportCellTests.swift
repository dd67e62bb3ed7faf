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

    /// A line row is put together in 1 KiB on the stack and written another way when it
    /// does not fit there: either way its bytes must be those of the row written cell by
    /// cell, for rows shorter and longer than the room and around its edge.
    @Test func lineRowsOfEveryLengthMatchTheRowWrittenCellByCell() {
        let encoder = RowEncoder(format: .csv)
        let citation = PolicyCitation(policyID: "VA-1", policyName: "Vertebral Augmentation", version: "2024-01", section: "3.1", source: "va.md")
        for length in [0, 10, 700, 850, 900, 1000, 1020, 1100, 5000] {
            // An unreadable date of service is echoed as read: any length, quoted when it holds a comma.
            let dateText = String(repeating: "9", count: length / 2) + (length > 0 ? "," : "") + String(repeating: "x", count: length / 2)
            let line = ServiceLine(
                source: "batch.csv", sourcePosition: 7, lineNumberText: "1", lineNumber: 1, procedureCode: "22513",
                modifiers: ["KX", "59"], units: Units("2"), unitsText: "2", dateOfService: nil, dateOfServiceText: dateText
            )
            let claim = Claim(id: "C1", payerID: "ACME01", diagnoses: [], lines: [line])
            let decision = ClaimDecision(lines: [LineDecision(
                decision: .deny,
                primary: FiredReason(reason: .invalidData, remark: "MA130", citation: citation, message: "Invalid data: say \"no\"."),
                others: [FiredReason(reason: .experimental, message: "also")], consulted: citation
            )], payerID: "ACME01")
            let echo = ClaimEcho(claim, decision: decision)
            var cells = ClaimCells()
            encoder.claimCells(claim: claim, echo: echo, into: &cells)
            var row: [UInt8] = [0x41]
            decision.lines.withUnsafeBufferPointer { decisions in
                encoder.lineRow(claim: claim, echo: echo, cells: cells, line: 0, decisions: decisions, into: &row)
            }
            var expected: [UInt8] = [0x41]
            encoder.row(ReportColumns.line, [
                .text("C1"), .text("1"), .text("batch.csv:7"), .text("ACME01"), .text("commercial"), .text("professional"),
                .text(dateText), .text("22513"), .text("KX|59"), .text("2"), .text("DENY"), .text("INVALID_DATA|EXPERIMENTAL"),
                .text(ReasonCode.invalidData.claimAdjustmentReason), .text("MA130"), .text("VA-1"), .text("2024-01"), .text("3.1"),
                .text("Invalid data: say \"no\"."),
            ], into: &expected)
            #expect(String(decoding: row, as: UTF8.self) == String(decoding: expected, as: UTF8.self), "date text of \(length) bytes")
        }
    }

    /// A claim's rows reuse the `path:` and the date of service its first line wrote, so a
    /// later line with another path or date, a path that needs quotes or a formula guard,
    /// and a negative or missing position must each still be written as the line holds them.
    @Test func lineRowsOfAClaimWriteEachLinesOwnSourceAndDate() {
        let encoder = RowEncoder(format: .csv)
        let may1 = CalendarDate("2025-05-01"), may2 = CalendarDate("2025-05-02")
        for firstPath in ["batch.csv", "in,box/batch.csv", "=batch.csv", "say \"x\".csv", ""] {
            // (path, position, date) of each line; the first line's are what the claim's rows reuse.
            let layout: [(String, Int?, CalendarDate?)] = [
                (firstPath, 2, may1), (firstPath, 3, may2), ("other.csv", 4, may1), (firstPath, nil, nil),
                (firstPath, -1, may1), (firstPath, 12345678901, may1),
            ]
            let lines = layout.enumerated().map { offset, line in
                ServiceLine(
                    source: line.0, sourcePosition: line.1, lineNumberText: String(offset + 1), lineNumber: offset + 1,
                    procedureCode: "22513", dateOfService: line.2, dateOfServiceText: line.2?.description ?? "someday"
                )
            }
            let claim = Claim(id: "C1", payerID: "ACME01", diagnoses: [], lines: lines)
            let decision = ClaimDecision(
                lines: lines.map { _ in
                    LineDecision(decision: .accept, primary: FiredReason(reason: .noEdit, message: "ok"), consulted: nil)
                }, payerID: nil
            )
            let echo = ClaimEcho(claim, decision: decision)
            var cells = ClaimCells()
            encoder.claimCells(claim: claim, echo: echo, into: &cells)
            for index in lines.indices {
                var row: [UInt8] = []
                decision.lines.withUnsafeBufferPointer { decisions in
                    encoder.lineRow(claim: claim, echo: echo, cells: cells, line: index, decisions: decisions, into: &row)
                }
                var expected: [UInt8] = []
                encoder.row(ReportColumns.line, [
                    .text("C1"), .text(String(index + 1)), .text(lines[index].source), .text("ACME01"), .text("commercial"),
                    .text("professional"), .text(lines[index].dateOfService?.description ?? "someday"), .text("22513"),
                    .text(""), .text("1"), .text("ACCEPT"), .text("NO_EDIT"), .text(ReasonCode.noEdit.claimAdjustmentReason),
                    .text(ReasonCode.noEdit.defaultRemark), .text(""), .text(""), .text(""), .text("ok"),
                ], into: &expected)
                #expect(
                    String(decoding: row, as: UTF8.self) == String(decoding: expected, as: UTF8.self),
                    "line \(index + 1) of a claim whose first path is \(firstPath)"
                )
            }
        }
    }
}
