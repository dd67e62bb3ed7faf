import ClaimscrubCore
@testable import ClaimscrubRun
import Foundation
import Testing

@Suite struct GeneratorTests {
    /// The committed pair under Fixtures/generated/ was made from this seed and line count.
    static let fixtureSeed: UInt64 = 837
    static let fixtureLines = 60

    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/generated")

    private func batch(_ format: BatchFormat, lines: Int, seed: UInt64) throws -> Data {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("claimscrub-gen-\(UUID().uuidString).\(format.rawValue)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try BatchGenerator.writeBatch(lines: lines, seed: seed, format: format, to: path)
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    private func claims(lines: Int, seed: UInt64) -> [GeneratedClaim] {
        var generator = BatchGenerator(seed: seed)
        var result: [GeneratedClaim] = []
        var remaining = lines
        while remaining > 0 {
            let claim = generator.nextClaim(maxLines: remaining)
            remaining -= claim.lines.count
            result.append(claim)
        }
        return result
    }

    @Test(arguments: BatchFormat.allCases)
    func sameSeedGivesSameBytes(format: BatchFormat) throws {
        let first = try batch(format, lines: 300, seed: 42)
        let second = try batch(format, lines: 300, seed: 42)
        let other = try batch(format, lines: 300, seed: 43)
        #expect(first == second)
        #expect(first != other)
    }

    @Test(arguments: [1, 2, 7, 1000])
    func csvHasExactlyTheRequestedLines(lines: Int) throws {
        let text = String(decoding: try batch(.csv, lines: lines, seed: 7), as: UTF8.self)
        let rows = text.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(rows.first.map(String.init) == CSVBatchWriter.header)
        #expect(rows.count == lines + 1)
        #expect(CSVBatchWriter.header.split(separator: ",").count == 21)
    }

    @Test(arguments: [1, 5, 999])
    func x12HasExactlyTheRequestedLines(lines: Int) throws {
        let text = String(decoding: try batch(.x12, lines: lines, seed: 9), as: UTF8.self)
        let segments = text.split(separator: "\n")
        #expect(segments.filter { $0.hasPrefix("LX*") }.count == lines)
        #expect(segments.first?.hasPrefix("ISA*00*") == true)
        #expect(segments.last?.hasPrefix("IEA*") == true)
        let xml = String(decoding: try batch(.xml, lines: lines, seed: 9), as: UTF8.self)
        #expect(xml.components(separatedBy: "<loop id='2400'>").count - 1 == lines)
    }

    @Test func zeroLinesWritesAHeaderOnly() throws {
        let text = String(decoding: try batch(.csv, lines: 0, seed: 1), as: UTF8.self)
        #expect(text == CSVBatchWriter.header + "\n")
    }

    @Test func claimsHaveOneToSixLinesAndDatesInTheWindow() {
        let all = claims(lines: 5000, seed: 2024)
        #expect(all.reduce(0) { $0 + $1.lines.count } == 5000)
        for claim in all {
            #expect((1...6).contains(claim.lines.count))
            #expect(claim.lines.map(\.lineNumber) == Array(1...claim.lines.count))
            for line in claim.lines {
                #expect(line.serviceDate >= BatchGenerator.firstServiceDate)
                #expect((line.serviceDateTo ?? line.serviceDate) <= BatchGenerator.lastServiceDate)
                #expect(line.units >= 1)
                if claim.kind == .professional {
                    #expect((1...4).contains(line.diagnosisPointers.count))
                    #expect(line.diagnosisPointers.allSatisfy { (1...claim.diagnoses.count).contains($0) })
                    #expect(line.revenueCode == nil)
                } else {
                    #expect(line.diagnosisPointers.isEmpty)
                    #expect(line.priorAuth == nil)
                    #expect(line.revenueCode?.utf8.count == 4)
                }
            }
            #expect(claim.diagnoses.allSatisfy { $0.contains(".") || $0.utf8.count == 3 })
            #expect((claim.kind == .professional) == (claim.placeOfService != nil))
            #expect((claim.kind == .institutional) == (claim.typeOfBill != nil))
        }
    }

    @Test func twoThousandLinesCoverEveryPayerCodeAndBoundary() {
        let all = claims(lines: 2000, seed: 1)
        let payers = Set(all.map(\.payerID))
        #expect(payers == ["CIGNA", "MOLINA", "BCBSMN", "COHERE", "KPWA", "NORIDIAN", "ACME01"])
        #expect(Set(all.map(\.lineOfBusiness)) == ["commercial", "medicare", "medicare_advantage", "medicaid"])
        #expect(Set(all.map(\.kind)) == [.professional, .institutional])
        #expect(Set(all.compactMap(\.placeOfService)) == ["11", "22", "24"])
        #expect(Set(all.compactMap(\.typeOfBill)) == ["0131", "0831"])

        let lines = all.flatMap(\.lines)
        let codes = Set(lines.map(\.procedureCode))
        let expected: Set<String> = [
            "22510", "22511", "22512", "22513", "22514", "22515", "0200T", "0201T", "22899",
            "C7504", "C7505", "C7506", "C7507", "C7508", "C1062", "01941", "01942",
            "22520", "22521", "22522", "22523", "22524", "22525", "72291", "99213", "20610", "",
        ]
        #expect(expected.subtracting(codes).isEmpty, "missing \(expected.subtracting(codes).sorted())")

        let diagnoses = Set(all.flatMap(\.diagnoses))
        let expectedDiagnoses: Set<String> = [
            "M80.08XA", "M80.88XS", "M48.56XA", "M84.58XA", "C79.51", "C90.00", "D18.09",
            "S32.10XA", "M46.20", "O09.90", "M54.10", "D68.9", "J45.909",
        ]
        #expect(expectedDiagnoses.subtracting(diagnoses).isEmpty)

        let descriptions = Set(lines.compactMap(\.procedureDescription).map { $0.lowercased() })
        for keyword in ["sacroplasty", "dynesys", "interspinous", "cervical kyphoplasty", "aprevo", "io-expandable"] {
            #expect(descriptions.contains { $0.contains(keyword) }, "no description with \(keyword)")
        }
        #expect(lines.contains { $0.procedureCode == "22899" && $0.procedureDescription == nil })
        #expect(lines.contains { $0.procedureCode == "22515" && $0.units > 1 })
        #expect(lines.contains { $0.priorAuth != nil })
        #expect(all.contains { $0.priorAuth != nil })
        #expect(lines.contains { $0.serviceDateTo != nil })
        #expect(all.contains { claim in
            let primaries = claim.lines.filter { ["22510", "22511"].contains($0.procedureCode) }
            return primaries.count > 1
        } || all.contains { claim in
            claim.lines.filter { ["22513", "22514"].contains($0.procedureCode) }.count > 1
        })

        let dates = lines.map(\.serviceDate)
        for boundary in ["2024-11-01", "2022-10-12", "2025-11-25", "2021-01-10", "2023-09-29"] {
            guard let day = CalendarDate(boundary) else { continue }
            #expect(dates.contains { $0 < day && $0.daysSinceEpoch >= day.daysSinceEpoch - 3 }, "none just before \(boundary)")
            #expect(dates.contains { $0 >= day && $0.daysSinceEpoch <= day.daysSinceEpoch + 3 }, "none from \(boundary)")
        }
    }

    @Test func csvRowsCarryCanonicalValues() throws {
        let text = String(decoding: try batch(.csv, lines: 400, seed: 5), as: UTF8.self)
        #expect(text.contains(",professional,"))
        #expect(text.contains(",institutional,"))
        #expect(text.contains("\"posterior fixation, interspinous\"") || !text.contains("posterior fixation"))
        #expect(!text.contains(",CI,") && !text.contains(",MB,"))
    }

    @Test func xmlMatchesTheCommittedPyX12Rendering() throws {
        let x12 = try batch(.x12, lines: Self.fixtureLines, seed: Self.fixtureSeed)
        let xml = try batch(.xml, lines: Self.fixtureLines, seed: Self.fixtureSeed)
        let committedX12 = try Data(contentsOf: Self.fixtures.appendingPathComponent("seed837-60.edi"))
        let pyx12XML = try Data(contentsOf: Self.fixtures.appendingPathComponent("seed837-60.edi.xml"))
        #expect(x12 == committedX12)
        #expect(xml == pyx12XML)
    }

    /// Writes a batch for scripts/check-generated-xml when CLAIMSCRUB_GENERATE_DIR is set.
    @Test func writeBatchForScripts() throws {
        guard let directory = ProcessInfo.processInfo.environment["CLAIMSCRUB_GENERATE_DIR"] else { return }
        let lines = Int(ProcessInfo.processInfo.environment["CLAIMSCRUB_GENERATE_LINES"] ?? "") ?? Self.fixtureLines
        let seed = UInt64(ProcessInfo.processInfo.environment["CLAIMSCRUB_GENERATE_SEED"] ?? "") ?? Self.fixtureSeed
        for format in BatchFormat.allCases {
            try BatchGenerator.writeBatch(lines: lines, seed: seed, format: format, to: "\(directory)/batch.\(format.rawValue)")
        }
    }

    @Test func unwritablePathThrowsWithThePath() {
        let path = "/proc/version/cannot/batch.csv"
        #expect {
            try BatchGenerator.writeBatch(lines: 3, seed: 1, format: .csv, to: path)
        } throws: { error in
            (error as? BatchWriteError)?.path == path
        }
    }
}
