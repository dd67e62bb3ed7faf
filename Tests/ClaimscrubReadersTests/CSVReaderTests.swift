import ClaimscrubCore
import ClaimscrubReaders
import Foundation
import Testing

private func date(_ text: String) -> CalendarDate? { CalendarDate(text) }

/// Header handling, layout variants and the values read from each column.
@Suite struct CSVReaderLayoutTests {
    @Test func readsTheCanonicalLayoutValueByValue() throws {
        let outcome = try CSVInput.readFixture("canonical.csv")
        #expect(outcome.rejects.isEmpty)
        let claims = outcome.claims
        try #require(claims.count == 2)

        let first = claims[0]
        #expect(first.id == "C1")
        #expect(first.claimType == .professional)
        #expect(first.claimTypeText == "professional")
        #expect(first.payerID == "PAYER01")
        #expect(first.lineOfBusiness == .medicare)
        #expect(first.lineOfBusinessText == "medicare")
        #expect(first.memberID == "MEM001")
        #expect(first.patientBirthDate == date("1950-03-04"))
        #expect(first.patientSex == "F")
        #expect(first.placeOfService == "11")
        #expect(first.typeOfBill == nil)
        #expect(first.diagnoses.map(\.code) == ["M80.08XA", "E11.9"])
        #expect(first.priorAuth == nil)
        #expect(first.problems.isEmpty)
        #expect(first.lines.map(\.source) == ["canonical.csv:2", "canonical.csv:3"])

        let line1 = first.lines[0]
        #expect(line1.lineNumberText == "1")
        #expect(line1.lineNumber == 1)
        #expect(line1.procedureCode == "99213")
        #expect(line1.modifiers == ["25", "59"])
        #expect(line1.units == Units.one)
        #expect(line1.unitsText == "1")
        #expect(line1.dateOfService == date("2024-05-01"))
        #expect(line1.dateOfServiceText == "2024-05-01")
        #expect(line1.dateOfServiceThrough == nil)
        #expect(line1.diagnosisPointers == [1, 2])
        #expect(line1.priorAuth == nil)
        #expect(line1.procedureDescription == nil)
        #expect(line1.revenueCode == nil)
        #expect(line1.problems.isEmpty)

        // Blank claim-level cells inherit; the date comes as YYYYMMDD; the code is upper-cased.
        let line2 = first.lines[1]
        #expect(line2.lineNumber == 2)
        #expect(line2.procedureCode == "J1885")
        #expect(line2.units == Units(millionths: 2_500_000))
        #expect(line2.unitsText == "2.5")
        #expect(line2.dateOfService == date("2024-05-01"))
        #expect(line2.dateOfServiceText == "20240501")
        #expect(line2.dateOfServiceThrough == date("2024-05-03"))
        #expect(line2.diagnosisPointers == [2])
        #expect(line2.priorAuth == "PA77")
        #expect(line2.problems.isEmpty)

        // Every later cell differs in spelling only: I = institutional, MC = medicaid,
        // payer ids ignore case, 19800101 = 1980-01-01, 131 = 0131, i10 = I10.
        let second = claims[1]
        #expect(second.id == "C2")
        #expect(second.claimType == .institutional)
        #expect(second.claimTypeText == "institutional")
        #expect(second.payerID == "payer02")
        #expect(second.lineOfBusiness == .medicaid)
        #expect(second.lineOfBusinessText == "medicaid")
        #expect(second.patientBirthDate == date("1980-01-01"))
        #expect(second.patientSex == "M")
        #expect(second.typeOfBill == "0131")
        #expect(second.diagnoses.map(\.code) == ["I10"])
        #expect(second.problems.isEmpty)
        #expect(second.lines.map(\.source) == ["canonical.csv:4", "canonical.csv:5"])
        #expect(second.lines[0].procedureCode == "")
        #expect(second.lines[0].revenueCode == "0450")
        #expect(second.lines[1].procedureCode == "22899")
        #expect(second.lines[1].procedureDescription == "Unlisted spine procedure")
        #expect(second.lines[1].revenueCode == "0360")
        #expect(second.lines.allSatisfy { $0.problems.isEmpty })
    }

    @Test func findsColumnsInAnyOrderAndCaseWithSpacesIgnoringUnknownOnes() throws {
        let outcome = try CSVInput.readFixture("header-any-order.csv")
        #expect(outcome.rejects.isEmpty)
        try #require(outcome.claims.count == 1)
        let claim = outcome.claims[0]
        #expect(claim.id == "X1")
        #expect(claim.payerID == "P9")
        #expect(claim.diagnoses.map(\.code) == ["Z00.00"])
        #expect(claim.claimType == .professional)
        #expect(claim.lineOfBusiness == .commercial)
        #expect(claim.lines.count == 1)
        let line = claim.lines[0]
        #expect(line.source == "header-any-order.csv:2")
        #expect(line.lineNumber == 1)
        #expect(line.procedureCode == "99214")
        #expect(line.dateOfService == date("2024-01-02"))
        #expect(line.problems.isEmpty)
    }

    @Test func missingRequiredColumnIsOneFileRejectNamingIt() throws {
        let outcome = try CSVInput.readFixture("missing-column.csv")
        #expect(outcome.claims.isEmpty)
        try #require(outcome.items.count == 1)
        let reject = outcome.rejects[0]
        #expect(reject.kind == .csvFile)
        #expect(reject.source == "missing-column.csv:1")
        #expect(reject.message.contains("procedure_code"))
        #expect(!reject.message.contains("service_date"))
    }

    @Test func namesEveryMissingRequiredColumn() throws {
        let outcome = try CSVInput.read("claim_id,line_number,diagnosis_codes\nC1,1,R51\n")
        #expect(outcome.claims.isEmpty)
        try #require(outcome.items.count == 1)
        let reject = outcome.rejects[0]
        #expect(reject.kind == .csvFile)
        #expect(reject.source == "batch.csv:1")
        for column in ["payer_id", "procedure_code", "service_date"] {
            #expect(reject.message.contains(column))
        }
    }

    @Test func emptyMappingListFallsBackToTheCanonicalName() throws {
        let mapping = CSVColumnMapping(headers: [.procedureCode: []])
        let outcome = try CSVInput.read(CSVInput.file([CSVInput.row()]), mapping: mapping)
        #expect(outcome.rejects.isEmpty)
        #expect(outcome.lines.map(\.procedureCode) == ["99213"])
    }

    @Test func unreadableHeaderIsOneFileReject() throws {
        let openQuote = try CSVInput.read("\n\nclaim_id,\"line_number,payer_id\nC1,1,P1\n")
        #expect(openQuote.items.count == 1)
        #expect(openQuote.rejects.map(\.kind) == [.csvFile])
        #expect(openQuote.rejects.map(\.source) == ["batch.csv:3"])

        let tooLong = try CSVInput.read(String(repeating: "h", count: (1 << 20) + 1) + "\n" + CSVInput.row() + "\n")
        #expect(tooLong.items.count == 1)
        #expect(tooLong.rejects.map(\.kind) == [.csvFile])
        #expect(tooLong.rejects.map(\.source) == ["batch.csv:1"])
    }

    @Test func emptyFileIsOneFileReject() throws {
        let outcome = try CSVInput.read("")
        #expect(outcome.claims.isEmpty)
        #expect(outcome.rejects.map(\.kind) == [.csvFile])
        #expect(outcome.rejects.map(\.source) == ["batch.csv:1"])
    }

    @Test func headerOnlyFileHasNoItems() throws {
        let outcome = try CSVInput.read(CSVInput.header + "\n")
        #expect(outcome.items.isEmpty)
    }

    @Test func skipsByteOrderMarkWithCRLFLineEnds() throws {
        let outcome = try CSVInput.readFixture("bom-crlf.csv")
        #expect(outcome.rejects.isEmpty)
        try #require(outcome.claims.count == 1)
        let claim = outcome.claims[0]
        #expect(claim.id == "B1")
        #expect(claim.payerID == "P1")
        #expect(claim.lines.map(\.source) == ["bom-crlf.csv:2", "bom-crlf.csv:3"])
        #expect(claim.lines.map(\.procedureCode) == ["99213", "99214"])
        // No carriage return left on the last column.
        #expect(claim.lines.map(\.dateOfServiceText) == ["2024-02-01", "2024-02-01"])
        #expect(claim.lines.allSatisfy { $0.dateOfService == date("2024-02-01") && $0.problems.isEmpty })
    }

    @Test func crlfAndLFGiveTheSameClaims() throws {
        let rows = [
            CSVInput.row([.claimID: "C1", .lineNumber: "1", .procedureDescription: "a, \"b\"\nc"]),
            CSVInput.row([.claimID: "C1", .lineNumber: "2"]),
            CSVInput.row([.claimID: "C2", .lineNumber: "1"]),
        ]
        let lf = try CSVInput.read(CSVInput.file(rows))
        let crlf = try CSVInput.read(CSVInput.file(rows).replacingOccurrences(of: "\n", with: "\r\n"))
        for outcome in [lf, crlf] {
            #expect(outcome.rejects.isEmpty)
            #expect(outcome.claims.map(\.id) == ["C1", "C2"])
            #expect(outcome.lines.map(\.source) == ["batch.csv:2", "batch.csv:4", "batch.csv:5"])
            #expect(outcome.lines.map(\.dateOfServiceText) == ["2024-05-01", "2024-05-01", "2024-05-01"])
            #expect(outcome.lines.map(\.revenueCode) == [nil, nil, nil])
        }
        // A line end inside quotes is kept as sent.
        #expect(lf.lines[0].procedureDescription == "a, \"b\"\nc")
        #expect(crlf.lines[0].procedureDescription == "a, \"b\"\r\nc")
    }

    @Test func lastRowWithoutLineEndIsRead() throws {
        let outcome = try CSVInput.read(CSVInput.header + "\n" + CSVInput.row([.claimID: "END"]))
        #expect(outcome.rejects.isEmpty)
        #expect(outcome.claims.map(\.id) == ["END"])
        #expect(outcome.lines.map(\.dateOfService) == [date("2024-05-01")])
    }

    @Test func blankLinesAreSkippedButCountedInSources() throws {
        let text = CSVInput.header + "\n\n" + CSVInput.row([.claimID: "C1"]) + "\n\r\n\n" + CSVInput.row([.claimID: "C2"]) + "\n\n"
        let outcome = try CSVInput.read(text)
        #expect(outcome.rejects.isEmpty)
        #expect(outcome.claims.map(\.id) == ["C1", "C2"])
        #expect(outcome.lines.map(\.source) == ["batch.csv:3", "batch.csv:6"])
    }

    @Test func quotedFieldsHoldCommasEscapedQuotesAndNewlines() throws {
        let outcome = try CSVInput.readFixture("quoted.csv")
        #expect(outcome.rejects.isEmpty)
        #expect(outcome.claims.map(\.id) == ["Q1", "Q2"])
        let lines = outcome.lines
        // Q1 line 2 spans physical lines 3-5, so the next row starts on line 6.
        #expect(lines.map(\.source) == ["quoted.csv:2", "quoted.csv:3", "quoted.csv:6", "quoted.csv:7"])
        #expect(lines.map(\.procedureDescription) == [
            "Fusion, lumbar, \"extended\" approach", "first line\nsecond line\nthird line", nil, nil,
        ])
        #expect(lines.map(\.lineNumber) == [1, 2, 3, 1])
        #expect(lines.map(\.procedureCode) == ["22899", "22899", "99213", "99213"])
        #expect(lines.allSatisfy { $0.problems.isEmpty })
        // Every cell of the last row was quoted.
        #expect(outcome.claims[1].payerID == "P1")
        #expect(outcome.claims[1].diagnoses.map(\.code) == ["R51"])
        #expect(lines[3].dateOfService == date("2024-02-02"))
    }

    @Test func mappedExportWithDiagnosisColumns() throws {
        let mapping = CSVColumnMapping(headers: [.diagnosisCodes: ["dx1", "dx2", "dx3"], .claimID: ["ClaimNo"]])
        let outcome = try CSVInput.readFixture("dx-columns.csv", mapping: mapping)
        #expect(outcome.rejects.isEmpty)
        try #require(outcome.claims.count == 1)
        let claim = outcome.claims[0]
        #expect(claim.id == "E1")
        // dx2 is blank and skipped; dx4 onwards are not mapped.
        #expect(claim.diagnoses.map(\.code) == ["J45.909", "E11.9"])
        #expect(claim.lines.map(\.source) == ["dx-columns.csv:2"])
        #expect(claim.lines[0].problems.isEmpty)

        let all = CSVColumnMapping(headers: [
            .diagnosisCodes: (1...12).map { "DX\($0)" }, .claimID: ["claimno"],
        ])
        let everything = try CSVInput.readFixture("dx-columns.csv", mapping: all)
        #expect(everything.claims.map { $0.diagnoses.map(\.code) } == [["J45.909", "E11.9", "I10", "Z79.4"]])
    }

    /// A claim's later rows are compared with its first in every column a mapped field is
    /// read from: spaces around a value are no difference, a row that ends before a column
    /// leaves it blank, and a value moved to another column or dropped is a conflict.
    @Test func laterRowsOfAMappedClaimAreComparedColumnByColumn() throws {
        let mapping = CSVColumnMapping(headers: [.diagnosisCodes: ["dx1", "dx2"], .claimID: ["ClaimNo"]])
        let text = """
            ClaimNo,line_number,payer_id,procedure_code,service_date,dx1,dx2
            E1,1,P1,99213,2024-03-01,J45.909,E11.9
            E1,2,P1,99213,2024-03-01, J45.909 ,\tE11.9
            E1,3,P1,99213,2024-03-01
            E1,4,P1,99213,2024-03-01,,J45.909
            E1,5,P1,99213,2024-03-01,J45.909
            E1,6,P1,99213,2024-03-01,J45.909,E11.9,,,
            E1,7,P1,99213,2024-03-01,J45.909,E11.9,x

            """
        let outcome = try CSVInput.read(text, mapping: mapping)
        #expect(outcome.rejects.isEmpty)
        try #require(outcome.claims.count == 1)
        #expect(outcome.claims[0].diagnoses.map(\.code) == ["J45.909", "E11.9"])
        let conflict = DataProblem(.diagnosisCodes, .conflictsWithClaim)
        #expect(outcome.lines.map(\.problems) == [
            [], [], [], [conflict], [conflict], [], [DataProblem(.record, .extraFields)],
        ])
    }

    @Test func mappingMissingItsHeaderNamesTheHeaderLooked() throws {
        let mapping = CSVColumnMapping(headers: [.claimID: ["ClaimNo"]])
        let outcome = try CSVInput.read(CSVInput.file([CSVInput.row()]), mapping: mapping)
        #expect(outcome.claims.isEmpty)
        try #require(outcome.rejects.count == 1)
        #expect(outcome.rejects[0].kind == .csvFile)
        #expect(outcome.rejects[0].source == "batch.csv:1")
        #expect(outcome.rejects[0].message.contains("ClaimNo"))
    }
}

/// Dates, units, pointers and modifiers on one line.
@Suite struct CSVReaderLineValueTests {
    private func line(_ values: [ClaimField: String]) throws -> ServiceLine {
        let outcome = try CSVInput.read(CSVInput.file([CSVInput.row(values)]))
        #expect(outcome.rejects.isEmpty)
        let lines = outcome.lines
        try #require(lines.count == 1)
        #expect(lines[0].source == "batch.csv:2")
        return lines[0]
    }

    @Test(arguments: [
        ("2024-02-29", "2024-02-29"), ("20240229", "2024-02-29"), ("1999-12-31", "1999-12-31"), ("19991231", "1999-12-31"),
    ])
    func readsBothDateForms(_ text: String, _ expected: String) throws {
        let line = try line([.serviceDate: text, .serviceDateTo: text])
        #expect(line.dateOfService == date(expected))
        #expect(line.dateOfService?.description == expected)
        #expect(line.dateOfServiceThrough == date(expected))
        #expect(line.dateOfServiceText == text)
        #expect(line.problems.isEmpty)
    }

    @Test(arguments: ["2023-02-29", "2024/01/01", "01/02/2024", "2024-1-1", "202401011", "tomorrow"])
    func invalidServiceDateIsAProblem(_ text: String) throws {
        let line = try line([.serviceDate: text])
        #expect(line.dateOfService == nil)
        #expect(line.dateOfServiceText == text)
        #expect(line.problems == [DataProblem(.serviceDate, .invalid)])
    }

    @Test func invalidThroughDateIsAProblem() throws {
        let line = try line([.serviceDateTo: "2024-13-01"])
        #expect(line.dateOfServiceThrough == nil)
        #expect(line.problems == [DataProblem(.serviceDateTo, .invalid)])
    }

    @Test(arguments: [
        ("", 1_000_000, "1"), ("1", 1_000_000, "1"), ("3", 3_000_000, "3"), ("2.5", 2_500_000, "2.5"),
        ("0.25", 250_000, "0.25"), (".5", 500_000, ".5"), (" 4 ", 4_000_000, "4"),
    ])
    func readsUnits(_ text: String, _ millionths: Int64, _ echo: String) throws {
        let line = try line([.units: text])
        #expect(line.units == Units(millionths: millionths))
        #expect(line.unitsText == echo)
        #expect(line.problems.isEmpty)
    }

    @Test(arguments: ["0", "-1", "abc", "1.2.3", "1,5", "0.0000001", "1e3"])
    func invalidUnitsIsAProblem(_ text: String) throws {
        let line = try line([.units: text])
        #expect(line.units == nil)
        #expect(line.unitsText == text)
        #expect(line.problems == [DataProblem(.units, .invalid)])
    }

    @Test func pointersAbsentMeanAll() throws {
        #expect(try line([:]).diagnosisPointers == nil)
    }

    @Test(arguments: [
        ("1", [1]), ("1|3", [1, 3]), (" 2 | 4 ", [2, 4]), ("4|1|2", [4, 1, 2]), ("1||3", [1, 3]), ("\t2\t|3", [2, 3]),
        ("000000004", [4]), ("|", []), ("1|2|3|4|5", [1, 2, 3, 4, 5]), ("70000|1", [70_000, 1]),
    ])
    func readsDiagnosisPointers(_ text: String, _ expected: [Int]) throws {
        let line = try line([.diagnosisCodes: "A00|B00|C00|D00", .diagnosisPointers: text])
        #expect(line.diagnosisPointers == DiagnosisPointers(expected))
        #expect(line.problems.isEmpty)
    }

    @Test(arguments: ["0", "A", "1|x", "-1", "1.5", "1|0", "1234567890", "2 3", "１"])
    func invalidPointersAreAProblem(_ text: String) throws {
        let line = try line([.diagnosisPointers: text])
        #expect(line.diagnosisPointers == nil)
        #expect(line.problems == [DataProblem(.diagnosisPointers, .invalid)])
    }

    @Test(arguments: [("", []), ("25", ["25"]), ("lt|rt", ["LT", "RT"]), ("25|59|76|77", ["25", "59", "76", "77"])])
    func readsModifiers(_ text: String, _ expected: [String]) throws {
        let line = try line([.modifiers: text])
        #expect(line.modifiers == expected)
        #expect(line.problems.isEmpty)
    }

    @Test(arguments: ["25|59|76|77|79", "2", "255", "25|5"])
    func invalidModifiersAreAProblem(_ text: String) throws {
        let line = try line([.modifiers: text])
        #expect(line.problems == [DataProblem(.modifiers, .invalid)])
    }

    @Test func invalidLineNumberAndChargeAreProblems() throws {
        let line = try line([.lineNumber: "one", .charge: "12,50"])
        #expect(line.lineNumber == nil)
        #expect(line.lineNumberText == "one")
        #expect(line.problems == [DataProblem(.lineNumber, .invalid), DataProblem(.charge, .invalid)])
    }

    @Test func blankLineNumberIsMissing() throws {
        let line = try line([.lineNumber: ""])
        #expect(line.lineNumber == nil)
        #expect(line.problems == [DataProblem(.lineNumber, .missing)])
    }

    @Test func priorAuthBelongsToItsRowOnly() throws {
        let outcome = try CSVInput.read(CSVInput.file([
            CSVInput.row([.lineNumber: "1", .priorAuth: "AUTH1"]),
            CSVInput.row([.lineNumber: "2"]),
        ]))
        try #require(outcome.claims.count == 1)
        #expect(outcome.claims[0].priorAuth == nil)
        #expect(outcome.lines.map(\.priorAuth) == ["AUTH1", nil])
    }
}

/// Claim grouping and claim-level values (decisions.md, "Resolved details").
@Suite struct CSVReaderClaimTests {
    /// A claim keeps at most 999 diagnoses, as in X12 and XML; one more makes its
    /// diagnoses invalid data.
    @Test func diagnosesPastThe999thAreNotKept() throws {
        let tooMany = DataProblem(.diagnosisCodes, .described("holds more than 999 codes"))
        for count in [999, 1_000] {
            let codes = (1...count).map { "M8\($0 % 10)0" }.joined(separator: "|")
            let outcome = try CSVInput.read(CSVInput.file([CSVInput.row([.diagnosisCodes: codes])]))
            let claim = try #require(outcome.claims.first)
            #expect(claim.diagnoses.count == 999, "\(count)")
            #expect(claim.diagnoses.first?.code == "M810" && claim.diagnoses.last?.code == "M890")
            #expect(claim.problems == (count > 999 ? [tooMany] : []), "\(count)")
        }
    }

    @Test func groupsConsecutiveRowsAndStartsANewClaimWhenAnIDReturns() throws {
        let outcome = try CSVInput.read(CSVInput.file([
            CSVInput.row([.claimID: "A", .lineNumber: "1"]),
            CSVInput.row([.claimID: "A", .lineNumber: "2"]),
            CSVInput.row([.claimID: "B", .lineNumber: "1"]),
            CSVInput.row([.claimID: "A", .lineNumber: "1", .payerID: "OTHER"]),
            CSVInput.row([.claimID: " A ", .lineNumber: "2", .payerID: "other"]),
        ]))
        #expect(outcome.rejects.isEmpty)
        #expect(outcome.claims.map(\.id) == ["A", "B", "A"])
        #expect(outcome.claims.map { $0.lines.map(\.source) } == [
            ["batch.csv:2", "batch.csv:3"], ["batch.csv:4"], ["batch.csv:5", "batch.csv:6"],
        ])
        // The second A is a claim of its own: its values come from its own first row.
        #expect(outcome.claims[2].payerID == "OTHER")
        #expect(outcome.lines.allSatisfy { $0.problems.isEmpty })
    }

    @Test func blankLaterCellsInheritAndEquivalentSpellingsDoNotConflict() throws {
        let first: [ClaimField: String] = [
            .claimType: "P", .payerID: "Payer01", .lineOfBusiness: "MA", .memberID: "M1",
            .patientBirthDate: "19700102", .patientSex: "f", .placeOfService: "11",
            .diagnosisCodes: "m80.08xa|E11.9",
        ]
        let same: [ClaimField: String] = [
            .claimType: "professional", .payerID: "PAYER01", .lineOfBusiness: "medicare", .memberID: "M1",
            .patientBirthDate: "1970-01-02", .patientSex: "F", .placeOfService: "11",
            .diagnosisCodes: "M8008XA | e119",
        ]
        let outcome = try CSVInput.read(CSVInput.file([
            CSVInput.row(first.merging([.lineNumber: "1"]) { $1 }),
            CSVInput.row(same.merging([.lineNumber: "2"]) { $1 }),
            // Every claim-level cell blank: all inherited.
            CSVInput.row(Dictionary(uniqueKeysWithValues: first.keys.map { ($0, "") }).merging([.lineNumber: "3"]) { $1 }),
        ]))
        #expect(outcome.rejects.isEmpty)
        try #require(outcome.claims.count == 1)
        let claim = outcome.claims[0]
        #expect(claim.claimType == .professional)
        #expect(claim.payerID == "Payer01")
        #expect(claim.lineOfBusiness == .medicare)
        #expect(claim.lineOfBusinessText == "medicare")
        #expect(claim.patientBirthDate == date("1970-01-02"))
        #expect(claim.patientSex == "F")
        #expect(claim.diagnoses.map(\.code) == ["M80.08XA", "E11.9"])
        #expect(claim.lines.map(\.source) == ["batch.csv:2", "batch.csv:3", "batch.csv:4"])
        #expect(claim.lines.map(\.problems) == [[], [], []])
    }

    @Test func institutionalTypeOfBillThreeDigitsEqualsFour() throws {
        let outcome = try CSVInput.read(CSVInput.file([
            CSVInput.row([.lineNumber: "1", .claimType: "I", .typeOfBill: "131", .procedureCode: "", .revenueCode: "0450"]),
            CSVInput.row([.lineNumber: "2", .claimType: "Institutional", .typeOfBill: "0131"]),
            CSVInput.row([.lineNumber: "3", .claimType: "i", .typeOfBill: "0111"]),
        ]))
        try #require(outcome.claims.count == 1)
        #expect(outcome.claims[0].typeOfBill == "0131")
        #expect(outcome.claims[0].claimType == .institutional)
        #expect(outcome.lines.map(\.problems) == [[], [], [DataProblem(.typeOfBill, .conflictsWithClaim)]])
    }

    @Test func blankFirstRowDefaultsMayBeSpelledOutLater() throws {
        let outcome = try CSVInput.read(CSVInput.file([
            CSVInput.row([.lineNumber: "1"]),
            CSVInput.row([.lineNumber: "2", .claimType: "P", .lineOfBusiness: "commercial"]),
            CSVInput.row([.lineNumber: "3", .claimType: "professional", .lineOfBusiness: "ZZ"]),
            CSVInput.row([.lineNumber: "4", .claimType: "I", .lineOfBusiness: "MB"]),
        ]))
        try #require(outcome.claims.count == 1)
        #expect(outcome.claims[0].claimType == .professional)
        #expect(outcome.claims[0].lineOfBusiness == .commercial)
        #expect(outcome.lines.map(\.problems) == [
            [], [], [],
            [DataProblem(.claimType, .conflictsWithClaim), DataProblem(.lineOfBusiness, .conflictsWithClaim)],
        ])
    }

    @Test(arguments: [
        (ClaimField.claimType, "P", "I"),
        (.payerID, "PAYER01", "PAYER02"),
        (.lineOfBusiness, "medicare", "medicaid"),
        (.lineOfBusiness, "16", "MA"),
        (.memberID, "M1", "m1"),
        (.patientBirthDate, "1970-01-02", "19700103"),
        (.patientSex, "F", "M"),
        (.placeOfService, "11", "22"),
        (.typeOfBill, "131", "0132"),
        (.diagnosisCodes, "R51|E11.9", "E11.9|R51"),
        (.diagnosisCodes, "R51", "R51|E11.9"),
    ])
    func differingLaterCellIsAConflictOnThatRowOnly(_ field: ClaimField, _ first: String, _ later: String) throws {
        let outcome = try CSVInput.read(CSVInput.file([
            CSVInput.row([.lineNumber: "1", field: first]),
            CSVInput.row([.lineNumber: "2", field: later]),
            CSVInput.row([.lineNumber: "3", field: ""]),
            CSVInput.row([.lineNumber: "4", field: first]),
        ]))
        #expect(outcome.rejects.isEmpty)
        try #require(outcome.claims.count == 1)
        let claim = outcome.claims[0]
        #expect(claim.problems.isEmpty)
        #expect(claim.lines.map(\.problems) == [[], [DataProblem(field, .conflictsWithClaim)], [], []])
        #expect(claim.lines.map(\.source) == ["batch.csv:2", "batch.csv:3", "batch.csv:4", "batch.csv:5"])
    }

    /// A later row whose claim-level columns hold the same bytes as the first row's, split
    /// at another comma (a quoted cell holding one), holds other values: conflicts.
    @Test func theSameBytesSplitElsewhereAreOtherValues() throws {
        let outcome = try CSVInput.read(CSVInput.file([
            CSVInput.row([.lineNumber: "1", .payerID: "P,1", .lineOfBusiness: "medicare"]),
            CSVInput.row([.lineNumber: "2", .payerID: "P", .lineOfBusiness: "1,medicare"]),
            CSVInput.row([.lineNumber: "3", .payerID: "P,1", .lineOfBusiness: "medicare"]),
        ]))
        try #require(outcome.claims.count == 1)
        #expect(outcome.claims[0].payerID == "P,1")
        #expect(outcome.lines.map(\.problems) == [
            [], [DataProblem(.payerID, .conflictsWithClaim), DataProblem(.lineOfBusiness, .conflictsWithClaim)], [],
        ])
    }

    /// With a line's own columns among the claim's (a header in another order), a later row
    /// differing there only, or in spaces around a claim-level cell, repeats its claim.
    @Test func lineColumnsAmongTheClaimColumnsAreNotTheClaims() throws {
        let header = "claim_id,payer_id,line_number,procedure_code,member_id,diagnosis_codes,service_date,patient_sex"
        let outcome = try CSVInput.read([
            header,
            "C1,PAYER01,1,99213,M1,R51,2024-05-01,F",
            "C1,PAYER01,2,22513,M1,R51,2024-05-02,F",
            "C1, PAYER01 ,3,99213,M1,R51,2024-05-01,F",
            "C1,PAYER01,4,99213,M2,R51,2024-05-01,F",
        ].map { $0 + "\n" }.joined())
        try #require(outcome.claims.count == 1)
        #expect(outcome.lines.map(\.problems) == [[], [], [], [DataProblem(.memberID, .conflictsWithClaim)]])
        #expect(outcome.claims[0].lines.map(\.procedureCode) == ["99213", "22513", "99213", "99213"])
    }

    @Test func laterValueWhereTheFirstRowHadNoneConflicts() throws {
        let outcome = try CSVInput.read(CSVInput.file([
            CSVInput.row([.lineNumber: "1"]),
            CSVInput.row([.lineNumber: "2", .memberID: "M9", .placeOfService: "11"]),
        ]))
        try #require(outcome.claims.count == 1)
        #expect(outcome.claims[0].memberID == nil)
        #expect(outcome.lines.map(\.problems) == [
            [], [DataProblem(.memberID, .conflictsWithClaim), DataProblem(.placeOfService, .conflictsWithClaim)],
        ])
    }

    @Test func invalidFirstRowClaimValuesAreClaimProblems() throws {
        let outcome = try CSVInput.read(CSVInput.file([
            CSVInput.row([.lineNumber: "1", .claimType: "X", .lineOfBusiness: "gold", .patientBirthDate: "1970-02-30",
                          .patientSex: "Q"]),
            CSVInput.row([.lineNumber: "2", .claimType: "x", .lineOfBusiness: "GOLD", .patientBirthDate: "1970-02-30"]),
        ]))
        #expect(outcome.rejects.isEmpty)
        try #require(outcome.claims.count == 1)
        let claim = outcome.claims[0]
        #expect(claim.claimType == nil)
        #expect(claim.claimTypeText == "X")
        #expect(claim.lineOfBusiness == nil)
        #expect(claim.lineOfBusinessText == "gold")
        #expect(claim.patientBirthDate == nil)
        #expect(claim.problems == [
            DataProblem(.claimType, .invalid), DataProblem(.lineOfBusiness, .invalid),
            DataProblem(.patientBirthDate, .invalid), DataProblem(.patientSex, .invalid),
        ])
        // The same invalid text again is no conflict; the lines themselves are fine.
        #expect(claim.lines.map(\.problems) == [[], []])
    }

    @Test(arguments: [
        ("MA", LineOfBusiness.medicare), ("mb", .medicare), ("16", .medicareAdvantage), ("MC", .medicaid),
        ("CI", .commercial), ("12", .commercial), ("", .commercial), ("Medicare_Advantage", .medicareAdvantage),
    ])
    func lineOfBusinessTakesSBR09Codes(_ text: String, _ expected: LineOfBusiness) throws {
        let outcome = try CSVInput.read(CSVInput.file([CSVInput.row([.lineOfBusiness: text])]))
        try #require(outcome.claims.count == 1)
        #expect(outcome.claims[0].lineOfBusiness == expected)
        #expect(outcome.claims[0].lineOfBusinessText == expected.rawValue)
        #expect(outcome.claims[0].problems.isEmpty)
    }

    @Test func rowWithoutClaimIDIsARowReject() throws {
        let outcome = try CSVInput.read(CSVInput.file([
            CSVInput.row([.claimID: "C1"]),
            CSVInput.row([.claimID: "  "]),
            CSVInput.row([.claimID: "C2"]),
        ]))
        #expect(outcome.claims.map(\.id) == ["C1", "C2"])
        #expect(outcome.lines.map(\.source) == ["batch.csv:2", "batch.csv:4"])
        try #require(outcome.rejects.count == 1)
        #expect(outcome.rejects[0].kind == .csvRow)
        #expect(outcome.rejects[0].source == "batch.csv:3")
        #expect(outcome.rejects[0].message.contains("claim_id"))
    }

    @Test func fieldsPastTheHeader() throws {
        let outcome = try CSVInput.readFixture("extra-fields.csv")
        #expect(outcome.claims.map(\.id) == ["F1"])
        #expect(outcome.lines.map(\.source) == ["extra-fields.csv:2", "extra-fields.csv:3", "extra-fields.csv:4"])
        // Empty or blank fields past the header are ignored; a non-empty one is a record problem.
        #expect(outcome.lines.map(\.problems) == [[], [], [DataProblem(.record, .extraFields)]])
        // Without a claim id the row is a reject whatever else it holds.
        #expect(outcome.rejects.map(\.source) == ["extra-fields.csv:5"])
        #expect(outcome.rejects.map(\.kind) == [.csvRow])
    }

    @Test func shortRowReadsMissingColumnsAsBlank() throws {
        let outcome = try CSVInput.read(CSVInput.header + "\nC1,1\n")
        #expect(outcome.rejects.isEmpty)
        try #require(outcome.claims.count == 1)
        #expect(outcome.claims[0].payerID == "")
        #expect(outcome.claims[0].diagnoses.isEmpty)
        #expect(outcome.lines.map(\.procedureCode) == [""])
        #expect(outcome.lines.map(\.dateOfService) == [nil])
        #expect(outcome.lines.map(\.source) == ["batch.csv:2"])
    }
}
