import ClaimscrubCore
import ClaimscrubReaders
import Foundation
import TestSupport
import Testing

private let fixtures = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/xml")

private func readAll(_ name: String) throws -> (claims: [Claim], rejects: [Reject]) {
    try readAll(path: fixtures.appendingPathComponent(name).path, display: name)
}

private func readAll(path: String, display: String) throws -> (claims: [Claim], rejects: [Reject]) {
    var reader = try XMLClaimReader(path: path, displayPath: display)
    var claims: [Claim] = []
    var rejects: [Reject] = []
    while let item = try reader.next() {
        switch item {
        case .claim(let claim): claims.append(claim)
        case .reject(let reject): rejects.append(reject)
        }
    }
    return (claims, rejects)
}

private func temporaryFile(_ text: String, name: String = "case.xml") throws -> String {
    try scratchFile(name, text.utf8)
}

struct XMLClaimReaderTests {
    struct SampleCase: Sendable, CustomStringConvertible {
        var file: String
        var claims: Int
        var lines: Int
        var description: String { file }
    }

    @Test(arguments: [
        SampleCase(file: "stupidedi__X222A1_ambulance.edi.xml", claims: 1, lines: 4),
        SampleCase(file: "stupidedi__X222A1_anesthesia.edi.xml", claims: 1, lines: 1),
        SampleCase(file: "stupidedi__X222A1_commercial-health-insurance.edi.xml", claims: 1, lines: 4),
        SampleCase(file: "stupidedi__X222A1_encounter.edi.xml", claims: 1, lines: 4),
        SampleCase(file: "stupidedi__X222A1_home-infusion-hcpcs-2400.edi.xml", claims: 1, lines: 6),
        SampleCase(file: "stupidedi__X223A2_institutional-claim.edi.xml", claims: 1, lines: 2),
        SampleCase(file: "stupidedi__X223A2_two-claims-for-the-same-provider.edi.xml", claims: 2, lines: 3),
        SampleCase(file: "uhin__837.edi.xml", claims: 1, lines: 1),
        SampleCase(file: "imsweb__x12_valid_different_separators.txt.xml", claims: 2, lines: 2),
        SampleCase(file: "imsweb__x12_multiple_isa.txt.xml", claims: 4, lines: 4),
    ])
    func copiedSamplesRead(_ sample: SampleCase) throws {
        let result = try readAll(sample.file)
        #expect(result.rejects.isEmpty)
        #expect(result.claims.count == sample.claims)
        #expect(result.claims.reduce(0) { $0 + $1.lines.count } == sample.lines)
    }

    @Test func uhinMatchesTheRawX12() throws {
        let claim = try #require(try readAll("uhin__837.edi.xml").claims.first)
        #expect(claim.id == "1606")
        #expect(claim.claimType == .professional)
        #expect(claim.payerID == "FLHIN")
        #expect(claim.lineOfBusiness == .commercial)
        #expect(claim.lineOfBusinessText == "CI")
        #expect(claim.memberID == "601239742")
        #expect(claim.patientBirthDate == CalendarDate(year: 1946, month: 11, day: 11))
        #expect(claim.patientSex == "F")
        #expect(claim.placeOfService == "11")
        #expect(claim.diagnoses == [Diagnosis(code: "R69", declaredCodeSet: .icd10)])
        #expect(claim.problems.isEmpty)
        let line = try #require(claim.lines.first)
        #expect(line.source == "uhin__837.edi.xml:174")
        #expect(line.lineNumber == 1)
        #expect(line.procedureCode == "90834")
        #expect(line.units == .one)
        #expect(line.diagnosisPointers == [1])
        #expect(line.dateOfService == CalendarDate(year: 2024, month: 8, day: 15))
        #expect(line.dateOfServiceThrough == CalendarDate(year: 2024, month: 8, day: 20))
        #expect(line.problems.isEmpty)
    }

    @Test func institutionalSampleTakesTheSubscriberPayerNotTheCOBOne() throws {
        let claim = try #require(try readAll("stupidedi__X223A2_institutional-claim.edi.xml").claims.first)
        #expect(claim.id == "756048Q")
        #expect(claim.claimType == .institutional)
        #expect(claim.payerID == "00435")
        #expect(claim.lineOfBusiness == .medicare)
        #expect(claim.memberID == "030005074A")
        #expect(claim.typeOfBill == "0141")
        #expect(claim.diagnoses.map(\.code) == ["3669", "4019", "79431"])
        #expect(claim.diagnoses.allSatisfy { $0.declaredCodeSet == .icd9 })
        #expect(claim.lines.map(\.revenueCode) == ["0305", "0730"])
        #expect(claim.lines.map(\.procedureCode) == ["85025", "93005"])
        #expect(claim.lines.map(\.unitsText) == ["1", "3"])
        #expect(claim.lines.allSatisfy { $0.dateOfService == CalendarDate(year: 1996, month: 9, day: 11) })
    }

    @Test func hiElementsThatAreNotCompositesMakeTheDiagnosesInvalid() throws {
        let claims = try readAll("imsweb__x12_valid_different_separators.txt.xml").claims
        #expect(claims.map(\.id) == ["A37YH556", "A37YH667"])
        #expect(claims[0].problems.contains(DataProblem(.diagnosisCodes, .invalid)))
        #expect(claims[0].diagnoses == [Diagnosis(code: "5559", declaredCodeSet: .icd9)])
        #expect(claims[1].lines.first?.diagnosisPointers == [1, 2, 3])
        #expect(claims[1].lines.first?.modifiers == ["25"])
        #expect(claims[1].lines.first?.placeOfService == "11")
    }

    @Test func pyx12ProfessionalFixture() throws {
        let result = try readAll("synthetic-837p.edi.xml")
        #expect(result.rejects.isEmpty)
        let claim = try #require(result.claims.first)
        #expect(claim.id == "SYNCLAIM1")
        #expect(claim.payerID == "PAYER01")
        #expect(claim.lineOfBusiness == .medicare)
        #expect(claim.memberID == "SYNMEMBER01")
        // A 2000C patient loop: the patient's DMG, not the subscriber's.
        #expect(claim.patientBirthDate == CalendarDate(year: 1980, month: 2, day: 2))
        #expect(claim.patientSex == "M")
        #expect(claim.placeOfService == "22")
        #expect(claim.priorAuth == "AUTH123")
        #expect(claim.diagnoses == [
            Diagnosis(code: "M4856XA", declaredCodeSet: .icd10), Diagnosis(code: "M8008XA", declaredCodeSet: .icd10),
        ])
        #expect(claim.lines.count == 2)
        let first = claim.lines[0]
        #expect(first.procedureCode == "22513")
        #expect(first.modifiers == ["LT"])
        #expect(first.diagnosisPointers == [1, 2])
        #expect(first.dateOfService == CalendarDate(year: 2024, month: 1, day: 2))
        let second = claim.lines[1]
        #expect(second.procedureCode == "22899")
        #expect(second.procedureDescription == "UNLISTED SPINE PROCEDURE")
        #expect(second.units == Units(whole: 2))
        #expect(second.placeOfService == "11")
        #expect(second.priorAuth == "LINEAUTH9")
        #expect(second.dateOfServiceThrough == CalendarDate(year: 2024, month: 1, day: 3))
        #expect(second.problems.isEmpty)
    }

    @Test func pyx12InstitutionalFixture() throws {
        let result = try readAll("synthetic-837i.edi.xml")
        #expect(result.rejects.isEmpty)
        let claim = try #require(result.claims.first)
        #expect(claim.claimType == .institutional)
        #expect(claim.lineOfBusiness == .medicareAdvantage)
        #expect(claim.typeOfBill == "0131")
        #expect(claim.diagnoses.map(\.code) == ["S32010A", "M8008XA"])
        #expect(claim.lines[0].procedureCode == "22513")
        // A revenue-code-only line, dated by the claim's DTP*434 statement dates.
        #expect(claim.lines[1].procedureCode == "")
        #expect(claim.lines[1].revenueCode == "0250")
        #expect(claim.lines[1].units == Units(whole: 3))
        #expect(claim.lines[1].dateOfService == CalendarDate(year: 2024, month: 1, day: 10))
        #expect(claim.lines[1].problems.isEmpty)
    }

    @Test func doctypeWithExternalEntityIsRefused() throws {
        let result = try readAll("hostile-xxe.xml")
        #expect(result.claims.isEmpty)
        #expect(result.rejects.count == 1)
        #expect(result.rejects.first?.kind == .xml)
        #expect(result.rejects.first?.source == "hostile-xxe.xml:3")
        #expect(result.rejects.first?.message == "document type declarations are not accepted")
        #expect(result.rejects.first?.detail.contains("root:") == false)
    }

    @Test func billionLaughsIsRefusedBeforeAnyExpansion() throws {
        let result = try readAll("hostile-billion-laughs.xml")
        #expect(result.claims.isEmpty)
        #expect(result.rejects.map(\.message) == ["document type declarations are not accepted"])
        #expect(result.rejects.first?.detail.contains("lol") == false)
    }

    @Test func truncatedDocumentKeepsCompletedClaims() throws {
        let result = try readAll("hostile-truncated.xml")
        #expect(result.claims.map(\.id).count == 2)
        #expect(result.rejects.count == 1)
        let reject = try #require(result.rejects.first)
        #expect(reject.kind == .xml)
        #expect(reject.source.hasPrefix("hostile-truncated.xml:"))
        #expect(reject.message.contains("well-formed"))
        #expect(!reject.detail.isEmpty)
    }

    @Test func nestingDeeperThan64IsRejected() throws {
        let result = try readAll("hostile-deep-nesting.xml")
        #expect(result.rejects.map(\.message) == ["XML nested deeper than 64 elements"])
        #expect(result.rejects.first?.source == "hostile-deep-nesting.xml:66")
    }

    @Test func textOver1MiBIsRejected() throws {
        let big = String(repeating: "A", count: (1 << 20) + 10)
        let path = try temporaryFile("<?xml version='1.0'?>\n<x12simple>\n<loop id='2300'><seg id='CLM'><ele id='CLM01'>\(big)</ele></seg></loop></x12simple>\n")
        let result = try readAll(path: path, display: "big.xml")
        #expect(result.claims.isEmpty)
        #expect(result.rejects.map(\.message) == ["XML text over 1 MiB"])
        #expect(result.rejects.first?.source == "big.xml:3")
    }

    @Test func whitespaceCommentsDoubleQuotesAndEntitiesAreTolerated() throws {
        let text = """
        <?xml version="1.0" encoding="utf-8"?>
        <!-- a comment before the root -->
        <x12simple>
          <loop id="ST_LOOP"><seg id="ST"><ele id="ST03">005010X222A1</ele></seg>
          <loop id="2000B"> <seg id="SBR"><ele id="SBR09">MC</ele></seg>
            <loop id="2010BB"><seg id="NM1"><ele id="NM109">P&amp;Q&#38;R</ele><ele id="NM101">PR</ele></seg></loop>
            <loop   id = '2300' >
              <!-- comment inside -->
              <seg id='CLM'><ele id='CLM01'> C&#49; </ele><comp id='CLM'><subele id='CLM05-01'>11</subele></comp></seg>
              <seg id='HI'><comp id='HI'><subele id='HI01-02'>J20.9</subele><subele id='HI01-01'>ABK</subele></comp></seg>
              <loop id='2400'>
                <seg id='LX'><ele id='LX01'>1</ele></seg>
                <seg id='SV1'><comp id='SV1'><subele id='SV101-01'>ZZ</subele><subele id='SV101-02'>99213</subele></comp></seg>
              </loop>
            </loop>
          </loop></loop>
        </x12simple>
        """
        let result = try readAll(path: try temporaryFile(text), display: "t.xml")
        #expect(result.rejects.isEmpty)
        let claim = try #require(result.claims.first)
        #expect(claim.id == "C1")
        #expect(claim.payerID == "P&Q&R")
        #expect(claim.lineOfBusiness == .medicaid)
        #expect(claim.diagnoses == [Diagnosis(code: "J20.9", declaredCodeSet: .icd10)])
        #expect(claim.lines.first?.source == "t.xml:11")
        #expect(claim.lines.first?.problems.contains(DataProblem(.procedureCode, .unsupportedQualifier)) == true)
        #expect(claim.lines.first?.problems.contains(DataProblem(.serviceDate, .missing)) == true)
    }

    @Test func aFieldsTextInSeveralNodesIsOneValueAndASegmentKeeps256Values() throws {
        // CLM01 in a text node, a CDATA section and a character reference; the payer id
        // past 15 bytes and not ASCII; an HI of 99 composites of three values each, whose
        // values past the 256th are dropped: 85 whole composites, then one left with only
        // its qualifier, which makes the diagnoses invalid.
        let composites = (1...99).map { index in
            let id = String(format: "HI%02d", index)
            return "<comp id='HI'><subele id='\(id)-01'>ABF</subele><subele id='\(id)-02'>M\(80000 + index)</subele><subele id='\(id)-03'>D8</subele></comp>"
        }.joined()
        let text = """
        <?xml version='1.0' encoding='utf-8'?>
        <x12simple>
          <loop id='ST_LOOP'><seg id='ST'><ele id='ST03'>005010X222A1</ele></seg>
          <loop id='2000B'><seg id='SBR'><ele id='SBR09'>CI</ele></seg>
            <loop id='2010BB'><seg id='NM1'><ele id='NM101'>PR</ele><ele id='NM109'> Payér number sixteen plus </ele></seg></loop>
            <loop id='2300'>
              <seg id='CLM'><ele id='CLM01'> C<![CDATA[&2]]>&#88; </ele></seg>
              <seg id='HI'>\(composites)</seg>
              <loop id='2400'><seg id='LX'><ele id='LX01'>1</ele></seg></loop>
            </loop>
          </loop></loop>
        </x12simple>
        """
        let result = try readAll(path: try temporaryFile(text), display: "n.xml")
        #expect(result.rejects.isEmpty)
        let claim = try #require(result.claims.first)
        #expect(claim.id == "C&2X")
        #expect(claim.payerID == "Payér number sixteen plus")
        #expect(claim.diagnoses.count == 85)
        #expect(claim.diagnoses.last == Diagnosis(code: "M80085", declaredCodeSet: .icd10))
        #expect(claim.problems.contains(DataProblem(.diagnosisCodes, .invalid)))
    }

    @Test func undeclaredEntityIsARejectNotAValue() throws {
        let text = "<?xml version='1.0'?>\n<x12simple>\n<loop id='2300'><seg id='CLM'><ele id='CLM01'>&secret;</ele></seg></loop></x12simple>\n"
        let result = try readAll(path: try temporaryFile(text), display: "e.xml")
        #expect(result.claims.isEmpty)
        #expect(result.rejects.first?.kind == .xml)
        #expect(result.rejects.first?.source == "e.xml:3")
    }

    @Test func unsupportedVersionRejectsTheTransactionSet() throws {
        let text = "<?xml version='1.0'?>\n<x12simple><loop id='ST_LOOP'>\n<seg id='ST'><ele id='ST03'>004010X098A1</ele></seg><loop id='2300'><seg id='CLM'><ele id='CLM01'>X</ele></seg><loop id='2400'/></loop></loop></x12simple>\n"
        let result = try readAll(path: try temporaryFile(text), display: "v.xml")
        #expect(result.claims.isEmpty)
        #expect(result.rejects.map(\.kind) == [.x12Transaction])
        #expect(result.rejects.first?.source == "v.xml:3")
    }

    @Test func claimWithoutLinesIsARejectAndGzipIsRead() throws {
        let text = "<?xml version='1.0'?>\n<x12simple><loop id='ST_LOOP'><seg id='ST'><ele id='ST03'>005010X222A1</ele></seg>\n<loop id='2300'><seg id='CLM'><ele id='CLM01'>X</ele></seg></loop></loop></x12simple>\n"
        let path = try temporaryFile(text)
        let result = try readAll(path: path, display: "n.xml")
        #expect(result.rejects.map(\.kind) == [.claim])
        #expect(result.rejects.first?.source == "n.xml:3")
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-k", path]
        try gzip.run()
        gzip.waitUntilExit()
        let zipped = try readAll(path: path + ".gz", display: "n.xml.gz")
        #expect(zipped.rejects.map(\.kind) == [.claim])
    }

    @Test func utf16BillionLaughsIsRefusedToo() throws {
        let source = try String(contentsOf: fixtures.appendingPathComponent("hostile-billion-laughs.xml"), encoding: .utf8)
            .replacingOccurrences(of: "<?xml version=\"1.0\"?>", with: "<?xml version=\"1.0\" encoding=\"UTF-16\"?>")
        let path = try temporaryFile("", name: "bl16.xml")
        try #require(source.data(using: .utf16)).write(to: URL(fileURLWithPath: path))
        let result = try readAll(path: path, display: "bl16.xml")
        #expect(result.claims.isEmpty)
        #expect(result.rejects.map(\.message) == ["document type declarations are not accepted"])
    }

    @Test func doctypeTextInsideAPrologCommentIsNotADTD() throws {
        let text = "<?xml version='1.0'?>\n<!-- <!DOCTYPE x> - -->\n<x12simple/>\n"
        let result = try readAll(path: try temporaryFile(text), display: "c.xml")
        #expect(result.claims.isEmpty)
        #expect(result.rejects.isEmpty)
    }

    @Test func patientLoopDemographicsAndAmpersandPayerFromSamples() throws {
        let commercial = try #require(try readAll("stupidedi__X222A1_commercial-health-insurance.edi.xml").claims.first)
        #expect(commercial.id == "26463774")
        #expect(commercial.payerID == "999996666")
        #expect(commercial.patientBirthDate == CalendarDate(year: 1973, month: 5, day: 1))
        #expect(commercial.patientSex == "M")
        #expect(commercial.diagnoses == [
            Diagnosis(code: "0340", declaredCodeSet: .icd9), Diagnosis(code: "V7389", declaredCodeSet: .icd9),
        ])
        let infusion = try #require(try readAll("stupidedi__X222A1_home-infusion-hcpcs-2400.edi.xml").claims.first)
        #expect(infusion.payerID == "PLANID12345")
        #expect(infusion.placeOfService == "12")
        #expect(infusion.lines.map(\.procedureCode) == ["S9500", "J0696", "J7051", "J3490", "J3490", "J3490"])
        #expect(infusion.lines.map(\.unitsText) == ["7", "56", "28", "7", "14", "7"])
        #expect(infusion.lines[3].procedureDescription == "Sod Chl 0.9%see NDC#")
        #expect(infusion.lines[5].procedureDescription == "Hep Lock see NDC#")
        #expect(infusion.lines.allSatisfy { $0.dateOfServiceThrough == CalendarDate(year: 2004, month: 2, day: 7) })
    }

    @Test func missingFileThrows() {
        #expect(throws: InputError.self) {
            _ = try XMLClaimReader(path: "/nonexistent/claims.xml", displayPath: "claims.xml")
        }
    }
}
