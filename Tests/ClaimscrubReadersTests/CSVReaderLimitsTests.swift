import ClaimscrubCore
@testable import ClaimscrubReaders
import Foundation
import Testing

/// Row mechanics at the limits: oversized rows, broken quoting, long claims, odd bytes, volume.
@Suite struct CSVReaderLimitsTests {
    private static let shortHeader = "claim_id,line_number,payer_id,diagnosis_codes,procedure_code,service_date,procedure_description"

    private func shortRow(_ id: String, _ line: Int, description: String = "") -> String {
        "\(id),\(line),P1,R51,99213,2024-02-01,\(description)"
    }

    @Test(arguments: [(1 << 20) + 1, (1 << 20) + 300 * 1024, 3 << 20])
    func rowOverOneMebibyteIsRejectedAndReadingResumesOnTheNextLine(_ size: Int) throws {
        let text = [
            Self.shortHeader,
            shortRow("A", 1),
            shortRow("A", 2, description: String(repeating: "x", count: size)),
            shortRow("A", 3),
            shortRow("B", 1),
        ].map { $0 + "\n" }.joined()
        let outcome = try CSVInput.read(text)
        try #require(outcome.rejects.count == 1)
        #expect(outcome.rejects[0].kind == .csvRow)
        #expect(outcome.rejects[0].source == "batch.csv:3")
        #expect(outcome.rejects[0].message.contains("1 MiB"))
        #expect(outcome.claims.map(\.id) == ["A", "B"])
        #expect(outcome.lines.map(\.source) == ["batch.csv:2", "batch.csv:4", "batch.csv:5"])
        #expect(outcome.lines.map(\.lineNumber) == [1, 3, 1])
    }

    @Test func rowJustUnderOneMebibyteIsRead() throws {
        let prefix = "A,2,P1,R51,99213,2024-02-01,"
        let description = String(repeating: "y", count: (1 << 20) - prefix.utf8.count)
        let text = [Self.shortHeader, shortRow("A", 1), prefix + description, shortRow("A", 3)]
            .map { $0 + "\r\n" }.joined()
        let outcome = try CSVInput.read(text)
        #expect(outcome.rejects.isEmpty)
        #expect(outcome.lines.map(\.source) == ["batch.csv:2", "batch.csv:3", "batch.csv:4"])
        #expect(outcome.lines.map { $0.procedureDescription?.utf8.count } == [nil, description.utf8.count, nil])
    }

    @Test func longQuotedFieldResumesInsideItAtTheLineAfterTheRowStart() throws {
        // The quoted field spans lines 3-4 and is over 1 MiB: resumption is at line 4, whose
        // text (the field's tail) has no claim id and so is a reject of its own.
        let text = [
            Self.shortHeader,
            shortRow("A", 1),
            shortRow("A", 2, description: "\"" + String(repeating: "z", count: (1 << 20) + 10)),
            ",tail\"",
            shortRow("B", 1),
        ].map { $0 + "\n" }.joined()
        let outcome = try CSVInput.read(text)
        #expect(outcome.rejects.map(\.source) == ["batch.csv:3", "batch.csv:4"])
        #expect(outcome.rejects.map(\.kind) == [.csvRow, .csvRow])
        #expect(outcome.claims.map(\.id) == ["A", "B"])
        #expect(outcome.lines.map(\.source) == ["batch.csv:2", "batch.csv:5"])
    }

    @Test func quotedFieldOpenAtTheEndIsRejectedAndLaterRowsAreRead() throws {
        let outcome = try CSVInput.readFixture("open-quote-at-eof.csv")
        try #require(outcome.rejects.count == 1)
        #expect(outcome.rejects[0].kind == .csvRow)
        #expect(outcome.rejects[0].source == "open-quote-at-eof.csv:3")
        #expect(outcome.rejects[0].message.contains("quoted"))
        #expect(outcome.claims.map(\.id) == ["A1", "A2", "A3"])
        #expect(outcome.lines.map(\.source) == [
            "open-quote-at-eof.csv:2", "open-quote-at-eof.csv:4", "open-quote-at-eof.csv:5",
        ])
        #expect(outcome.lines.map(\.procedureCode) == ["99213", "99214", "99215"])
    }

    @Test func openQuoteOnTheLastLineWithoutLineEnd() throws {
        let outcome = try CSVInput.read(Self.shortHeader + "\n" + shortRow("A", 1) + "\n" + shortRow("A", 2, description: "\"open"))
        #expect(outcome.rejects.map(\.source) == ["batch.csv:3"])
        #expect(outcome.lines.map(\.source) == ["batch.csv:2"])
    }

    @Test func rowsPastThe999thOfOneClaimAreRejects() throws {
        var rows = [Self.shortHeader]
        for line in 1...1001 { rows.append(shortRow("BIG", line)) }
        rows.append(shortRow("NEXT", 1))
        let outcome = try CSVInput.read(rows.map { $0 + "\n" }.joined())
        #expect(outcome.claims.map(\.id) == ["BIG", "NEXT"])
        try #require(outcome.claims.count == 2)
        #expect(outcome.claims[0].lines.count == 999)
        #expect(outcome.claims[0].lines.last?.source == "batch.csv:1000")
        #expect(outcome.claims[0].lines.last?.lineNumber == 999)
        #expect(outcome.claims[1].lines.map(\.source) == ["batch.csv:1003"])
        #expect(outcome.rejects.map(\.source) == ["batch.csv:1001", "batch.csv:1002"])
        #expect(outcome.rejects.map(\.kind) == [.claim, .claim])
        #expect(outcome.rejects.allSatisfy { $0.message.contains("999") })
    }

    @Test func bytesThatAreNotUTF8BecomeReplacementCharacters() throws {
        var bytes = Array((Self.shortHeader + "\n").utf8)
        bytes += Array("C\u{E9},1,P1,R51,99213,2024-02-01,caf".utf8) + [0xC3] + Array("!".utf8) + [0xFF, 0xFE, 0x0A]
        bytes += Array("C2,1,P\u{E9}1,R51,99213,2024-02-01,".utf8) + [0xE2, 0x82] + [0x0A]
        let outcome = try CSVInput.read(bytes: bytes)
        #expect(outcome.rejects.isEmpty)
        #expect(outcome.claims.map(\.id) == ["C\u{E9}", "C2"])
        #expect(outcome.claims.map(\.payerID) == ["P1", "P\u{E9}1"])
        #expect(outcome.lines.map(\.procedureDescription) == ["caf\u{FFFD}!\u{FFFD}\u{FFFD}", "\u{FFFD}"])
        #expect(outcome.lines.map(\.source) == ["batch.csv:2", "batch.csv:3"])
    }

    /// The diagnosis list is split from the cell's bytes: items are trimmed, blank ones
    /// skipped, upper-cased, and a broken character beside a `|` becomes U+FFFD in its item.
    @Test func diagnosisListItemsFromTheCellsBytes() throws {
        var bytes = Array((Self.shortHeader + "\n").utf8)
        bytes += Array("D1,1,P1,\" m80.08xa |\t| e11.9\t|".utf8) + [0xE2, 0x82] + Array("|r51".utf8) + [0xFF]
        bytes += Array("|  \",99213,2024-02-01,\n".utf8)
        bytes += Array("D2,1,P1,  ,99213,2024-02-01,\n".utf8)
        bytes += Array("D3,1,P1,|,99213,2024-02-01,\n".utf8)
        let outcome = try CSVInput.read(bytes: bytes)
        #expect(outcome.rejects.isEmpty)
        #expect(outcome.claims.map { $0.diagnoses.map(\.code) } == [
            ["M80.08XA", "E11.9", "\u{FFFD}", "R51\u{FFFD}"], [], [],
        ])
    }

    @Test func invalidUTF8InTheHeaderDoesNotCrash() throws {
        let bytes: [UInt8] = [0xFF, 0x2C] + Array((Self.shortHeader + "\nx," + shortRow("A", 1) + "\n").utf8)
        let outcome = try CSVInput.read(bytes: bytes)
        #expect(outcome.rejects.isEmpty)
        #expect(outcome.lines.map(\.source) == ["batch.csv:2"])
        // The undecodable first column is just an unknown one.
        #expect(outcome.claims.map(\.id) == ["A"])
        #expect(outcome.lines.map(\.procedureCode) == ["99213"])
    }

    @Test func nulBytesAreKeptAsCharacters() throws {
        var bytes = Array((Self.shortHeader + "\n").utf8)
        bytes += Array("N1,1,P1,R51,99213,2024-02-01,a".utf8) + [0x00] + Array("b\n".utf8)
        bytes += Array("N1,2,P1,R51,99213,2024-02-01,\"".utf8) + [0x00] + Array("\"\n".utf8)
        let outcome = try CSVInput.read(bytes: bytes)
        #expect(outcome.claims.map(\.id) == ["N1"])
        #expect(outcome.lines.map(\.procedureDescription) == ["a\u{0}b", "\u{0}"])
        #expect(outcome.lines.map(\.source) == ["batch.csv:2", "batch.csv:3"])
        #expect(outcome.rejects.isEmpty)
    }

    @Test func thousandsOfColumns() throws {
        let unknown = (0..<5000).map { "u\($0)" }
        let header = (unknown + CSVInput.columns.map(\.rawValue)).joined(separator: ",")
        let filler = (0..<5000).map { "v\($0)" }.joined(separator: ",")
        let rows = [
            filler + "," + CSVInput.row([.claimID: "W1", .lineNumber: "1"]),
            filler + "," + CSVInput.row([.claimID: "W1", .lineNumber: "2"]) + "," + filler,
            filler + "," + CSVInput.row([.claimID: "W1", .lineNumber: "3"]) + String(repeating: ",", count: 5000),
        ]
        let outcome = try CSVInput.read(([header] + rows).map { $0 + "\n" }.joined())
        #expect(outcome.rejects.isEmpty)
        #expect(outcome.claims.map(\.id) == ["W1"])
        #expect(outcome.lines.map(\.lineNumber) == [1, 2, 3])
        #expect(outcome.lines.map(\.procedureCode) == ["99213", "99213", "99213"])
        #expect(outcome.lines.map(\.problems) == [[], [DataProblem(.record, .extraFields)], []])
        #expect(outcome.lines.map(\.source) == ["batch.csv:2", "batch.csv:3", "batch.csv:4"])
    }

    /// Quoted and plain rows of every length in turn, many across the scanner's 256 KiB
    /// reads: each row's cells come out as written, whatever row was scanned before it.
    @Test func quotedAndPlainRowsAcrossReadsKeepTheirOwnCells() throws {
        var rows: [String] = []
        var expected: [String] = []
        for row in 0..<6_000 {
            let filler = String(repeating: "abcdefghij", count: row % 37)
            let description: String
            switch row % 4 {
            case 0: description = "plain \(row) \(filler)end"
            case 1: description = "quoted, \(row) \"\(filler)\""
            case 2: description = "lines \(row)\nsecond \(filler)end"
            default: description = ""
            }
            expected.append(description)
            rows.append(shortRow("C\(row)", 1, description: CSVInput.quoted(description)))
        }
        let outcome = try CSVInput.read(([Self.shortHeader] + rows).map { $0 + "\n" }.joined())
        #expect(outcome.rejects.isEmpty)
        #expect(outcome.claims.map(\.id) == (0..<6_000).map { "C\($0)" })
        let descriptions = outcome.lines.map { $0.procedureDescription ?? "" }
        #expect(descriptions.count == expected.count)
        let firstDifference = zip(descriptions, expected).enumerated().first { $0.element.0 != $0.element.1 }
        #expect(firstDifference == nil, "row \(firstDifference?.offset ?? -1): \(String(describing: firstDifference?.element))")
        #expect(outcome.lines.map(\.procedureCode).allSatisfy { $0 == "99213" })
    }

    @Test func twoHundredThousandRowsStream() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString).csv").path
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        var chunk = Self.shortHeader + "\n"
        let rowCount = 200_000
        for row in 0..<rowCount {
            chunk += "CLM\(row / 4),\(row % 4 + 1),P1,R51|E11.9,99213,2024-02-01,\"row \(row), quoted\"\n"
            if chunk.utf8.count > 1 << 20 {
                handle.write(Data(chunk.utf8))
                chunk = ""
            }
        }
        handle.write(Data(chunk.utf8))
        try handle.close()

        var reader = CSVClaimReader(source: try ByteSource(path: path), displayPath: "big.csv", mapping: CSVColumnMapping())
        var claims = 0
        var lines = 0
        var rejects = 0
        var lastSource = ""
        while let item = try reader.next() {
            switch item {
            case .claim(let claim):
                claims += 1
                lines += claim.lines.count
                lastSource = claim.lines.last?.source ?? ""
            case .reject:
                rejects += 1
            }
        }
        #expect(claims == rowCount / 4)
        #expect(lines == rowCount)
        #expect(rejects == 0)
        #expect(lastSource == "big.csv:\(rowCount + 1)")
    }
}

/// Random damage to a valid file never crashes or hangs the reader, and every row the
/// scanner finds comes out once: as a service line or as a reject at its start line.
@Suite struct CSVReaderMutationTests {

    private static let base = CSVInput.file([
        CSVInput.row([.claimID: "C1", .lineNumber: "1", .claimType: "P", .modifiers: "25|59", .units: "2"]),
        CSVInput.row([.claimID: "C1", .lineNumber: "2", .procedureDescription: "a, \"quoted\"\nnote"]),
        CSVInput.row([.claimID: "C2", .lineNumber: "1", .claimType: "I", .typeOfBill: "131", .procedureCode: "",
                      .revenueCode: "0450"]),
        CSVInput.row([.claimID: "C2", .lineNumber: "2", .serviceDate: "20240502", .diagnosisPointers: "1"]),
        CSVInput.row([.claimID: "C3", .lineNumber: "1", .lineOfBusiness: "MC"]),
    ]).replacingOccurrences(of: "C3", with: "\u{FEFF}C3")

    private static let interesting: [UInt8] = [
        UInt8(ascii: "\""), UInt8(ascii: ","), 0x0A, 0x0D, 0x00, 0xFF, 0xEF, 0xBB, 0xBF, UInt8(ascii: "|"),
        UInt8(ascii: " "), UInt8(ascii: "a"), UInt8(ascii: "1"),
    ]

    private static func mutate(_ input: [UInt8], using random: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
            let byte = interesting.randomElement(using: &random) ?? 0
            switch Int.random(in: 0..<7, using: &random) {
            case 6:
                // Damage the start of a row: its claim id or its quoting.
                let rowStarts = bytes.indices.filter { bytes[$0] == 0x0A }.map { $0 + 1 }
                if let at = rowStarts.randomElement(using: &random) {
                    bytes.insert([UInt8(ascii: ","), UInt8(ascii: "\"")].randomElement(using: &random) ?? 0, at: at)
                }
            case 0: bytes.insert(byte, at: position)
            case 1: if !bytes.isEmpty { bytes[position] = byte }
            case 2: if !bytes.isEmpty { bytes.remove(at: position) }
            case 3:
                let length = Int.random(in: 1...40, using: &random)
                let slice = bytes[position..<min(bytes.count, position + length)]
                bytes.insert(contentsOf: Array(slice), at: Int.random(in: 0...bytes.count, using: &random))
            case 4: bytes.removeLast(min(bytes.count, Int.random(in: 0...30, using: &random)))
            default: bytes.insert(contentsOf: [UInt8](repeating: byte, count: Int.random(in: 2...9, using: &random)), at: position)
            }
        }
        return bytes
    }

    /// The start line of every record the scanner finds, the header's first.
    private static func scannedRecordLines(path: String) throws -> [Int] {
        var scanner = CSVRecordScanner(source: try ByteSource(path: path))
        try scanner.skipByteOrderMark()
        var lines: [Int] = []
        while let record = try scanner.next() {
            switch record {
            case .fields(_, let line), .tooLong(let line), .openQuote(let line): lines.append(line)
            }
            if lines.count > 100_000 { break }
        }
        return lines
    }

    @Test func mutatedFilesAreReadCompletely() throws {
        var random = SplitMix64(seed: 20_240_501)
        let original = Array(Self.base.utf8)
        var totals = (lines: 0, rowRejects: 0, fileRejects: 0)
        for iteration in 0..<300 {
            let bytes = Self.mutate(original, using: &random)
            let path = try CSVInput.write(bytes)
            defer { try? FileManager.default.removeItem(atPath: path) }

            var reader = CSVClaimReader(source: try ByteSource(path: path), displayPath: "m.csv", mapping: CSVColumnMapping())
            var items: [ReadItem] = []
            while let item = try reader.next() {
                items.append(item)
                if items.count > 10_000 { break }
            }
            try #require(items.count <= 10_000, "iteration \(iteration) did not end")

            let records = try Self.scannedRecordLines(path: path)
            var positions: [Int] = []
            var fileRejects = 0
            for item in items {
                switch item {
                case .claim(let claim):
                    #expect(!claim.lines.isEmpty, "iteration \(iteration)")
                    positions += claim.lines.map { Self.line(of: $0.source) }
                case .reject(let reject):
                    if reject.kind == .csvFile { fileRejects += 1 }
                    positions.append(Self.line(of: reject.source))
                }
            }
            let lineCount = items.reduce(0) { if case .claim(let claim) = $1 { $0 + claim.lines.count } else { $0 } }
            totals.lines += lineCount
            totals.rowRejects += positions.count - lineCount - fileRejects
            totals.fileRejects += fileRejects
            if fileRejects > 0 {
                // A bad header stops the file: one reject and nothing else.
                #expect(items.count == 1, "iteration \(iteration)")
                #expect(fileRejects == 1, "iteration \(iteration)")
            } else {
                #expect(positions.sorted() == Array(records.dropFirst()), "iteration \(iteration)")
            }
        }
        // The damage reaches every path: lines read, rows rejected, headers broken.
        #expect(totals.lines > 300)
        #expect(totals.rowRejects > 30)
        #expect(totals.fileRejects > 0)
        print("CSV mutation totals: \(totals)")
    }

    private static func line(of source: String) -> Int {
        Int(source.split(separator: ":").last ?? "") ?? -1
    }
}
