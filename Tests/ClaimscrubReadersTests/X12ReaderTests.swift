import ClaimscrubCore
import ClaimscrubReaders
import Foundation
import TestSupport
import Testing

/// Reads every item of an X12 file under Fixtures/x12 (or an absolute path).
private func readAll(_ name: String) throws -> [ReadItem] {
    let path = name.hasPrefix("/") ? name : x12FixturePath(name)
    let source = try ByteSource(path: path)
    var reader = X12Reader(source: source, displayPath: name)
    var items: [ReadItem] = []
    while let item = try reader.next() {
        items.append(item)
        if items.count > 100_000 { break }
    }
    return items
}

private func x12FixturePath(_ name: String) -> String {
    URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/x12/\(name)").path
}

private func claims(_ items: [ReadItem]) -> [Claim] {
    items.compactMap { if case .claim(let claim) = $0 { claim } else { nil } }
}

private func rejects(_ items: [ReadItem]) -> [Reject] {
    items.compactMap { if case .reject(let reject) = $0 { reject } else { nil } }
}

private func temporaryFile(_ bytes: [UInt8]) throws -> String {
    try scratchFile("case.edi", bytes)
}

@Suite struct X12ReaderSampleTests {
    struct Expected: Sendable, CustomStringConvertible {
        var file: String
        var claims: Int
        var lines: Int
        var description: String { file }
    }

    @Test(arguments: [
        Expected(file: "imsweb__x12_multiple_isa.txt", claims: 4, lines: 4),
        Expected(file: "imsweb__x12_valid_different_separators.txt", claims: 2, lines: 2),
        Expected(file: "stupidedi__X222A1_ambulance.edi", claims: 1, lines: 4),
        Expected(file: "stupidedi__X222A1_anesthesia.edi", claims: 1, lines: 1),
        Expected(file: "stupidedi__X222A1_commercial-health-insurance.edi", claims: 1, lines: 4),
        Expected(file: "stupidedi__X222A1_encounter.edi", claims: 1, lines: 4),
        Expected(file: "stupidedi__X222A1_home-infusion-hcpcs-2400.edi", claims: 1, lines: 6),
        Expected(file: "stupidedi__X223A2_institutional-claim.edi", claims: 1, lines: 2),
        Expected(file: "stupidedi__X223A2_two-claims-for-the-same-provider.edi", claims: 2, lines: 3),
        Expected(file: "uhin__837.edi", claims: 1, lines: 1),
    ])
    func countsMatchPyx12(_ expected: Expected) throws {
        let items = try readAll(expected.file)
        #expect(rejects(items).isEmpty)
        #expect(claims(items).count == expected.claims)
        #expect(claims(items).reduce(0) { $0 + $1.lines.count } == expected.lines)
    }

    @Test func uhinICD10AndDateRange() throws {
        let claim = try #require(claims(readAll("uhin__837.edi")).first)
        #expect(claim.id == "1606")
        #expect(claim.claimType == .professional)
        #expect(claim.payerID == "FLHIN")
        #expect(claim.lineOfBusiness == .commercial)
        #expect(claim.placeOfService == "11")
        #expect(claim.diagnoses == [Diagnosis(code: "R69", declaredCodeSet: .icd10)])
        #expect(claim.problems.isEmpty)
        #expect(claim.patientBirthDate == CalendarDate(year: 1946, month: 11, day: 11))
        #expect(claim.patientSex == "F")
        let line = try #require(claim.lines.first)
        #expect(line.source == "uhin__837.edi:23")
        #expect(line.procedureCode == "90834")
        #expect(line.lineNumber == 1)
        #expect(line.dateOfService == CalendarDate(year: 2024, month: 8, day: 15))
        #expect(line.dateOfServiceThrough == CalendarDate(year: 2024, month: 8, day: 20))
        #expect(line.diagnosisPointers == [1])
        #expect(line.problems.isEmpty)
    }

    @Test func ambulanceLines() throws {
        let claim = try #require(claims(readAll("stupidedi__X222A1_ambulance.edi")).first)
        #expect(claim.lineOfBusiness == .medicare)
        #expect(claim.payerID == "123245")
        #expect(claim.placeOfService == "41")
        #expect(claim.diagnoses.map(\.code) == ["8628", "E8888", "9592", "8540"])
        #expect(claim.diagnoses.allSatisfy { $0.declaredCodeSet == .icd9 })
        #expect(claim.lines.map(\.source) == [
            "stupidedi__X222A1_ambulance.edi:35", "stupidedi__X222A1_ambulance.edi:41",
            "stupidedi__X222A1_ambulance.edi:46", "stupidedi__X222A1_ambulance.edi:50",
        ])
        #expect(claim.lines.map(\.procedureCode) == ["A0427", "A0425", "A0422", "A0382"])
        #expect(claim.lines[0].modifiers == ["RH"])
        #expect(claim.lines[1].units == Units(whole: 21))
        #expect(claim.lines[0].diagnosisPointers == [1, 2, 3, 4])
    }

    @Test func anesthesiaModifiersAndMinutes() throws {
        let claim = try #require(claims(readAll("stupidedi__X222A1_anesthesia.edi")).first)
        let line = try #require(claim.lines.first)
        #expect(line.modifiers == ["QK", "QS", "P1"])
        #expect(line.units == Units(whole: 61))
        #expect(claim.lineOfBusinessText == "medicare")
    }

    @Test func patientLoopGivesThePatientsBirthDate() throws {
        let claim = try #require(claims(readAll("stupidedi__X222A1_commercial-health-insurance.edi")).first)
        #expect(claim.patientBirthDate == CalendarDate(year: 1973, month: 5, day: 1))
        #expect(claim.patientSex == "M")
        #expect(claim.payerID == "999996666")
    }

    @Test func homeInfusionDescriptions() throws {
        let claim = try #require(claims(readAll("stupidedi__X222A1_home-infusion-hcpcs-2400.edi")).first)
        #expect(claim.lines[3].procedureCode == "J3490")
        #expect(claim.lines[3].procedureDescription == "Sod Chl 0.9%see NDC#")
        #expect(claim.lines[0].dateOfServiceThrough == CalendarDate(year: 2004, month: 2, day: 7))
        #expect(claim.lines[0].placeOfService == "12")
    }

    @Test func institutionalTypeOfBillAndCOB() throws {
        let claim = try #require(claims(readAll("stupidedi__X223A2_institutional-claim.edi")).first)
        #expect(claim.claimType == .institutional)
        #expect(claim.typeOfBill == "0141")
        // The 2320 SBR (CI) and 2330B NM1*PR (1135) are another payer's, not this claim's.
        #expect(claim.payerID == "00435")
        #expect(claim.lineOfBusiness == .medicare)
        #expect(claim.memberID == "030005074A")
        #expect(claim.diagnoses.map(\.code) == ["3669", "4019", "79431"])
        #expect(claim.lines.map(\.revenueCode) == ["0305", "0730"])
        #expect(claim.lines.map(\.procedureCode) == ["85025", "93005"])
        #expect(claim.lines[1].units == Units(whole: 3))
        #expect(claim.lines[0].dateOfService == CalendarDate(year: 1996, month: 9, day: 11))
    }

    @Test func twoInstitutionalClaims() throws {
        let all = claims(try readAll("stupidedi__X223A2_two-claims-for-the-same-provider.edi"))
        #expect(all.map(\.id) == ["756048Q", "756049Q"])
        #expect(all.map(\.typeOfBill) == ["0131", "0131"])
        #expect(all.map(\.lineOfBusiness) == [.commercial, .commercial])
    }

    @Test func differentSeparatorsAndNonCompositeHI() throws {
        let all = claims(try readAll("imsweb__x12_valid_different_separators.txt"))
        #expect(all.count == 2)
        let claim = all[0]
        #expect(claim.id == "A37YH556")
        #expect(claim.problems.contains(DataProblem(.diagnosisCodes, .invalid)))
        #expect(claim.diagnoses == [Diagnosis(code: "5559", declaredCodeSet: .icd9)])
        #expect(claim.lines[0].procedureCode == "99211")
        #expect(claim.lines[0].modifiers == ["25"])
        #expect(claim.lines[0].placeOfService == "11")
        #expect(claim.lines[0].diagnosisPointers == [1])
        #expect(all[1].lines[0].diagnosisPointers == [1, 2, 3])
        #expect(all[1].lines[0].procedureCode == "478331")
    }

    @Test func multipleInterchanges() throws {
        let all = claims(try readAll("imsweb__x12_multiple_isa.txt"))
        #expect(all.map(\.id) == ["A37YH556", "A37YH667", "A37YH5561", "A37YH6672"])
        #expect(all[2].lines[0].source == "imsweb__x12_multiple_isa.txt:62")
    }
}

@Suite struct X12ReaderBreakTests {
    @Test func version4010IsRejected() throws {
        let items = try readAll("synthetic__4010_version.edi")
        #expect(claims(items).isEmpty)
        let reject = try #require(rejects(items).first)
        #expect(rejects(items).count == 1)
        #expect(reject.kind == .x12Transaction)
        #expect(reject.message.contains("version not supported"))
        #expect(reject.source == "synthetic__4010_version.edi:3")
    }

    @Test func shortISAThenGoodInterchange() throws {
        let items = try readAll("synthetic__short_isa_then_good.edi")
        #expect(rejects(items).map(\.source) == ["synthetic__short_isa_then_good.edi:1"])
        #expect(rejects(items).first?.kind == .x12Envelope)
        #expect(claims(items).map(\.id) == ["1606"])
    }

    @Test func missingTrailersThenNextInterchange() throws {
        let items = try readAll("synthetic__missing_se_then_isa.edi")
        // The claim in progress at the break is lost into the reject; the next interchange reads.
        #expect(rejects(items).count == 1)
        #expect(rejects(items).first?.source == "synthetic__missing_se_then_isa.edi:26")
        #expect(rejects(items).first?.message.contains("SE, GE, IEA missing") == true)
        #expect(claims(items).count == 1)
        #expect(claims(items).first?.lines.first?.source == "synthetic__missing_se_then_isa.edi:48")
    }

    @Test func claimWithoutLines() throws {
        let items = try readAll("synthetic__claim_without_lines.edi")
        guard items.count == 2, case .reject(let reject) = items[0], case .claim(let claim) = items[1] else {
            Issue.record("expected a reject then a claim, got \(items.count) items")
            return
        }
        #expect(reject.kind == .claim)
        #expect(reject.source == "synthetic__claim_without_lines.edi:21")
        #expect(claim.id == "1607")
    }

    @Test func endOfInputInsideATransaction() throws {
        let items = try readAll("synthetic__eof_mid_transaction.edi")
        #expect(claims(items).isEmpty)
        #expect(rejects(items).map(\.source) == ["synthetic__eof_mid_transaction.edi:25"])
    }

    @Test func oversizedSegmentIsRejected() throws {
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: x12FixturePath("uhin__837.edi"))))
        // Put a 1.1 MiB NTE inside the claim, before its line.
        let marker = Array("LX*1~".utf8)
        let at = try #require(bytes.indices.first { bytes[$0...].starts(with: marker) })
        bytes.insert(contentsOf: Array("NTE*ADD*".utf8) + Array(repeating: UInt8(ascii: "A"), count: 1_150_000) + [UInt8(ascii: "~")], at: at)
        bytes += Array(try Data(contentsOf: URL(fileURLWithPath: x12FixturePath("uhin__837.edi"))))
        let path = try temporaryFile(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let items = try readAll(path)
        #expect(rejects(items).map(\.source) == ["\(path):23"])
        #expect(rejects(items).first?.message.contains("1 MiB") == true)
        #expect(claims(items).count == 1)
    }

    @Test func randomBytesGiveOneReject() throws {
        var generator = SplitMix64(seed: 42)
        let bytes = (0..<20_000).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let path = try temporaryFile(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let items = try readAll(path)
        #expect(items.count == 1)
        #expect(rejects(items).first?.kind == .x12Envelope)
    }

    @Test func byteOrderMarkAndBlanksBeforeISA() throws {
        let sample = Array(try Data(contentsOf: URL(fileURLWithPath: x12FixturePath("uhin__837.edi"))))
        let path = try temporaryFile([0xEF, 0xBB, 0xBF, 0x0D, 0x0A, 0x20] + sample)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let items = try readAll(path)
        #expect(rejects(items).isEmpty)
        #expect(claims(items).count == 1)
    }

    @Test func mutatedSamplesNeverCrash() throws {
        let names = [
            "imsweb__x12_multiple_isa.txt", "imsweb__x12_valid_different_separators.txt",
            "stupidedi__X222A1_ambulance.edi", "stupidedi__X223A2_institutional-claim.edi",
            "stupidedi__X223A2_two-claims-for-the-same-provider.edi", "uhin__837.edi",
        ]
        let samples = try names.map { Array(try Data(contentsOf: URL(fileURLWithPath: x12FixturePath($0)))) }
        var generator = SplitMix64(seed: 837)
        let interesting: [UInt8] = Array("*:~^_\n ISAGSTSEIEALXCLMHI".utf8) + [0, 0xFF]
        for _ in 0..<300 {
            var bytes = samples[Int(generator.next() % UInt64(samples.count))]
            for _ in 0..<(1 + generator.next() % 8) where !bytes.isEmpty {
                let at = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 4 {
                case 0: bytes[at] = interesting[Int(generator.next() % UInt64(interesting.count))]
                case 1: bytes.remove(at: at)
                case 2: bytes.insert(UInt8(truncatingIfNeeded: generator.next()), at: at)
                default: bytes.removeSubrange(at..<min(bytes.count, at + Int(generator.next() % 200)))
                }
            }
            let path = try temporaryFile(bytes)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let items = try readAll(path)
            #expect(items.count < 100)
        }
    }
}


@Suite struct X12ReaderFieldTests {
    private static let envelope = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *241104*1921*^*00501*000000001*0*T*:~"
        + "GS*HC*S*R*20241104*1853*1*X*005010X222A1~"

    private func read(_ body: [String]) throws -> [ReadItem] {
        let text = X12ReaderFieldTests.envelope + body.map { $0 + "~" }.joined() + "GE*1*1~IEA*1*000000001~"
        let path = try temporaryFile(Array(text.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try readAll(path)
    }

    private let subscriber = ["HL*1**20*1", "HL*2*1*22*0", "SBR*P*18*******ZX", "NM1*IL*1*X*Y****MI*M1",
                              "DMG*D8*19461331*Q", "NM1*PR*2*P*****PI*CIGNA"]

    @Test func invalidValuesBecomeProblems() throws {
        let items = try read(["ST*837*1*005010X222A1"] + subscriber + [
            "CLM*C1*2***11:B:1*Y*A*Y*Y", "HI*ABK:m80.08xa*ABF:M4856", "REF*G1*PA1",
            "LX*X", "SV1*ZZ:22513:kx*2*UN*abc***1:b", "DTP*472*D8*20241340",
            "LX*2", "SV1*HC:22514*2*UN**24**2", "REF*G1*PA2",
            "SE*1*1",
        ])
        let claim = try #require(claims(items).first)
        #expect(claim.problems.contains(DataProblem(.lineOfBusiness, .invalid)))
        #expect(claim.lineOfBusinessText == "ZX")
        #expect(claim.problems.contains(DataProblem(.patientBirthDate, .invalid)))
        #expect(claim.problems.contains(DataProblem(.patientSex, .invalid)))
        #expect(claim.diagnoses.map(\.code) == ["M80.08XA", "M4856"])
        #expect(claim.priorAuth == "PA1")
        let first = claim.lines[0]
        #expect(first.lineNumber == nil)
        #expect(first.procedureCode == "22513")
        #expect(first.modifiers == ["KX"])
        #expect(first.units == nil)
        #expect(first.dateOfService == nil)
        #expect(first.dateOfServiceText == "20241340")
        for problem in [DataProblem(.lineNumber, .invalid), DataProblem(.procedureCode, .unsupportedQualifier),
                        DataProblem(.units, .invalid), DataProblem(.diagnosisPointers, .invalid),
                        DataProblem(.serviceDate, .invalid)] {
            #expect(first.problems.contains(problem))
        }
        let second = claim.lines[1]
        #expect(second.units == .one)
        #expect(second.placeOfService == "24")
        #expect(second.priorAuth == "PA2")
        #expect(second.problems == [DataProblem(.serviceDate, .missing)])
    }

    /// HI qualifiers and DTP dates are read from the segment's bytes: qualifiers in any case
    /// (and U+212A KELVIN SIGN as K, as Swift's string equality reads it), `D8` and `RD8`
    /// only in the exact shapes.
    @Test func diagnosisQualifiersAndDatesReadFromBytes() throws {
        let items = try read(["ST*837*1*005010X222A1"] + subscriber + [
            "CLM*C1*2***11:B:1*Y*A*Y*Y", "HI* abk :M8008XA*bk:7331*BF:73300*BJ:R69*AB\u{212A}:M810*ABX:Z99",
            "LX*1", "SV1*HC:22513*2*UN*1***1", "DTP*472*RD8* 20241001-20241003 ",
            "LX*2", "SV1*HC:22513*2*UN*1***1", "DTP*472*RD8*20241001-2024100-3",
            "LX*3", "SV1*HC:22513*2*UN*1***1", "DTP*472*RD8*20241001",
            "LX*4", "SV1*HC:22513*2*UN*1***1", "DTP*472*d8*20241001",
            "LX*5", "SV1*HC:22513*2*UN*1***1", "DTP*472*D8*2024-10-01",
            "SE*1*1",
        ])
        let claim = try #require(claims(items).first)
        #expect(claim.diagnoses.map(\.code) == ["M8008XA", "7331", "73300", "M810"])
        #expect(claim.diagnoses.map(\.declaredCodeSet) == [.icd10, .icd9, .icd9, .icd10])
        #expect(!claim.problems.contains { $0.field == .diagnosisCodes })
        let lines = claim.lines
        #expect(lines[0].dateOfService?.description == "2024-10-01")
        #expect(lines[0].dateOfServiceThrough?.description == "2024-10-03")
        #expect(lines[0].dateOfServiceText == "20241001-20241003")
        #expect(lines[0].problems.isEmpty)
        for index in 1...4 {
            #expect(lines[index].dateOfService == nil, "line \(index + 1)")
            #expect(lines[index].problems == [DataProblem(.serviceDate, .invalid)], "line \(index + 1)")
        }
        #expect(lines[1].dateOfServiceText == "20241001-2024100-3")
    }

    /// inputs.md: a line without `DTP*472` takes the claim's `DTP*434` statement dates on an
    /// institutional claim only, as the XML reader reads them; on a professional claim
    /// (where the guide has no DTP*434) its date is missing.
    @Test func statementDatesDateInstitutionalLinesOnly() throws {
        func firstLine(version: String, service: String) throws -> ServiceLine {
            let items = try read(["ST*837*1*\(version)"] + subscriber + [
                "CLM*C1*2***11:A:1*Y*A*Y*Y", "DTP*434*RD8*20240801-20240805", "HI*ABK:M8008XA",
                "LX*1", service, "SE*1*1",
            ])
            return try #require(claims(items).first?.lines.first)
        }
        let institutional = try firstLine(version: "005010X223A2", service: "SV2*0450*HC:22513*2*UN*1")
        #expect(institutional.dateOfService?.description == "2024-08-01")
        #expect(institutional.dateOfServiceThrough?.description == "2024-08-05")
        #expect(institutional.dateOfServiceText == "20240801-20240805")
        #expect(institutional.problems.isEmpty)
        let professional = try firstLine(version: "005010X222A1", service: "SV1*HC:22513*2*UN*1***1")
        #expect(professional.dateOfService == nil)
        #expect(professional.dateOfServiceText == "")
        #expect(professional.problems == [DataProblem(.serviceDate, .missing)])
    }

    /// inputs.md: a claim has at most 999 lines; the lines past them are rejects and their
    /// segments change nothing (a skipped line's date must not land on line 999).
    @Test func linesPastThe999thAreRejects() throws {
        var body = ["ST*837*1*005010X222A1"] + subscriber + ["CLM*C1*2***11:B:1*Y*A*Y*Y", "HI*ABK:M8008XA"]
        for number in 1...1_002 {
            let date = number <= 999 ? "20241001" : "20250101"
            body += ["LX*\(number)", "SV1*HC:22513*2*UN*1***1", "DTP*472*D8*\(date)", "REF*G1*PA\(number)"]
        }
        let items = try read(body + ["SE*1*1"])
        let claim = try #require(claims(items).first)
        #expect(claim.lines.count == 999)
        #expect(claim.lines[998].lineNumber == 999)
        #expect(claim.lines[998].dateOfServiceText == "20241001")
        #expect(claim.lines[998].priorAuth == "PA999")
        let past = rejects(items)
        #expect(past.count == 3)
        #expect(past.allSatisfy { $0.kind == .claim && $0.message == "claim has more than 999 service lines; this line is not read" })
        // The rejects come before the claim, as the XML reader's do.
        #expect(items.firstIndex { if case .reject = $0 { return true }; return false }! < items.firstIndex { if case .claim = $0 { return true }; return false }!)
    }

    /// A claim keeps at most 999 diagnoses, however many HI segments it has (a hostile
    /// claim stays bounded); one more makes its diagnoses invalid data.
    @Test func diagnosesPastThe999thAreNotKept() throws {
        let tooMany = DataProblem(.diagnosisCodes, .described("holds more than 999 codes"))
        for count in [999, 1_000] {
            // Twelve codes to an HI segment, as an 837P carries them.
            var segments: [String] = []
            for first in stride(from: 0, to: count, by: 12) {
                segments.append("HI" + (first..<min(first + 12, count)).map { "*ABF:M8\($0 % 10)0" }.joined())
            }
            let items = try read(["ST*837*1*005010X222A1"] + subscriber + ["CLM*C1*2***11:B:1*Y*A*Y*Y"] + segments
                                 + ["LX*1", "SV1*HC:22513*2*UN*1***1", "DTP*472*D8*20241001", "SE*1*1"])
            let claim = try #require(claims(items).first)
            #expect(claim.diagnoses.count == 999, "\(count)")
            #expect(claim.diagnoses.last?.code == "M880")
            #expect(claim.problems.contains(tooMany) == (count > 999), "\(count)")
        }
    }

    @Test func unreadableSegmentRejectsTheTransactionAndTheNextOneReads() throws {
        let claim = ["CLM*C1*2***11:B:1*Y*A*Y*Y", "HI*ABK:M8008XA", "LX*1", "SV1*HC:22513*2*UN*1***1", "DTP*472*D8*20241001"]
        let items = try read(["ST*837*1*005010X222A1"] + subscriber + claim + ["#%!*junk"] + claim + ["SE*1*1",
                              "ST*837*2*005010X222A1"] + subscriber + claim + ["SE*1*2"])
        #expect(rejects(items).count == 1)
        #expect(rejects(items).first?.source.hasSuffix(":15") == true)
        // The claim in progress and the rest of its transaction set go into the reject.
        #expect(claims(items).count == 1)
        #expect(claims(items).last?.lines.first?.source.hasSuffix(":31") == true)
    }

    /// The scanner keeps room for 64 element starts and grows it for a longer segment, then
    /// gives a very long one's room back: claims around such segments read the same.
    @Test func segmentsOfManyElementsReadAroundThemAlike() throws {
        let claim = ["CLM*C1*2***11:B:1*Y*A*Y*Y", "HI*ABK:M8008XA*ABF:M810", "LX*1",
                     "SV1*HC:22513:KX*2*UN*1***1:2", "DTP*472*D8*20241001"]
        for width in [63, 64, 65, 5_000, 20_000] {
            let wide = "NTE*ADD" + String(repeating: "*x", count: width)
            let items = try read(["ST*837*1*005010X222A1"] + subscriber + [wide] + claim + [wide] + claim
                                 + ["SE*1*1"])
            #expect(rejects(items).isEmpty, "width \(width)")
            let decoded = claims(items)
            #expect(decoded.count == 2, "width \(width)")
            for claim in decoded {
                #expect(claim.diagnoses.map(\.code) == ["M8008XA", "M810"])
                #expect(claim.lines.first?.procedureCode == "22513")
                #expect(claim.lines.first?.modifiers == ["KX"])
                #expect(claim.lines.first?.diagnosisPointers == [1, 2])
                #expect(claim.lines.first?.dateOfService?.description == "2024-10-01")
            }
        }
    }

    /// A claim with no service line is a reject at its CLM, and the next claim reads.
    @Test func claimWithoutLinesIsARejectAtItsClaimSegment() throws {
        let items = try read(["ST*837*1*005010X222A1"] + subscriber + [
            "CLM*EMPTY*2***11:B:1*Y*A*Y*Y", "HI*ABK:M8008XA",
            "CLM*C2*2***11:B:1*Y*A*Y*Y", "HI*ABK:M8008XA", "LX*1", "SV1*HC:22513*2*UN*1***1", "DTP*472*D8*20241001",
            "SE*1*1",
        ])
        let reject = try #require(rejects(items).first)
        #expect(rejects(items).count == 1)
        #expect(reject.kind == .claim && reject.message == "claim has no service lines")
        #expect(reject.source.hasSuffix(":10"), "\(reject.source)")
        #expect(claims(items).map(\.id) == ["C2"])
    }

    @Test func unsupportedVersionSkipsOnlyItsTransactionSet() throws {
        let claim = ["CLM*C1*2***11:B:1*Y*A*Y*Y", "HI*ABK:M8008XA", "LX*1", "SV1*HC:22513*2*UN*1***1", "DTP*472*D8*20241001"]
        let items = try read(["ST*837*1*004010X098A1"] + subscriber + claim + ["SE*1*1",
                              "ST*837*2*005010X222A1"] + subscriber + claim + ["SE*1*2"])
        #expect(rejects(items).map(\.kind) == [.x12Transaction])
        #expect(claims(items).count == 1)
    }
}

/// X12 claims are handed over in groups (`DeferredRead.x12Claims`); a read that fails part-way
/// must still hand over every claim completed before it, then report the failure.
@Suite struct X12ReaderFailureTests {
    /// Claims C1...Cn of one line each, in one transaction set: about 160 bytes a claim.
    private func batch(claims count: Int) -> String {
        var text = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *241104*1921*^*00501*000000001*0*T*:~\n"
            + "GS*HC*S*R*20241104*1853*1*X*005010X222A1~\nST*837*1*005010X222A1~\nHL*1**20*1~\n"
        for number in 1...count {
            text += "HL*\(number + 1)*1*22*0~\nSBR*P*18*******CI~\nNM1*IL*1*X*Y****MI*M\(number)~\n"
                + "NM1*PR*2*P*****PI*ACME01~\nCLM*C\(number)*100***11:B:1*Y*A*Y*Y~\nHI*ABK:M8008XA~\n"
                + "LX*1~\nSV1*HC:22513*100*UN*1***1~\nDTP*472*D8*20240105~\n"
        }
        return text + "SE*1*1~\nGE*1*1~\nIEA*1*000000001~\n"
    }

    /// The claim ids read from `path` before it ends or fails, and the failure.
    private func claimIDs(_ path: String) -> (ids: [String], failure: InputError?) {
        var ids: [String] = []
        do throws(InputError) {
            var reader = X12Reader(source: try ByteSource(path: path), displayPath: "batch.edi")
            while let item = try reader.next() {
                if case .claim(let claim) = item { ids.append(claim.id) }
            }
        } catch {
            return (ids, error)
        }
        return (ids, nil)
    }

    @Test func claimsCompletedBeforeAReadErrorAreHandedOverThenTheError() throws {
        let plain = try scratchFile("batch.edi", Array(batch(claims: 6_000).utf8))
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-k", "-1", plain]
        try gzip.run()
        gzip.waitUntilExit()
        #expect(gzip.terminationStatus == 0)
        // Damaged two thirds in: zlib fails there, after several of the reader's 256 KiB reads.
        var zipped = try [UInt8](Data(contentsOf: URL(fileURLWithPath: plain + ".gz")))
        let damage = zipped.count * 2 / 3
        for index in damage..<damage + 64 { zipped[index] = ~zipped[index] }
        let damaged = try scratchFile("batch.edi.gz", zipped)

        // The bytes that come out before the failure, read as the reader reads them.
        let source = try ByteSource(path: damaged)
        var delivered: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        while true {
            let count = try? chunk.withUnsafeMutableBytes { raw throws(InputError) in
                try source.read(into: raw.baseAddress!, count: raw.count)
            }
            guard let count, count > 0 else { break }
            delivered += chunk[..<count]
        }
        let readable = claimIDs(try scratchFile("prefix.edi", delivered)).ids

        let result = claimIDs(damaged)
        let failure = try #require(result.failure)
        #expect(failure.message.hasPrefix("cannot read: "))
        // Well past one group of claims: a group lost on the failure would show.
        #expect(readable.count > 1_000)
        // Read whole, the bytes complete the claim in progress when they happen to end
        // inside the segment that follows it.
        #expect(result.ids == readable || result.ids == readable.dropLast(), "\(result.ids.count) against \(readable.count)")
        #expect(result.ids == (1...result.ids.count).map { "C\($0)" })
    }
}
