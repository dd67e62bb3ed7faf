import ClaimscrubCore
@testable import ClaimscrubReaders
import Foundation
import Testing

/// The scanner reads a record without quotes eight bytes at a time and any other record
/// byte by byte. Both must split every record as the byte-by-byte rules below do, wherever
/// its line end falls in a word and whatever the record around it.
@Suite struct CSVRecordScannerTests {
    /// A record as the scanner gives it: its fields' bytes and its first physical line.
    struct Scanned: Equatable, CustomStringConvertible {
        var fields: [[UInt8]]
        var line: Int
        var description: String { "line \(line): \(fields.map { String(decoding: $0, as: UTF8.self) })" }
    }

    /// RFC 4180 as the scanner reads it, one byte at a time: a quote opens a quoted field
    /// only at the field's start, `""` inside it is one quote, bytes after the closing quote
    /// join the field; a CR before the LF is dropped from a non-empty last field; blank
    /// lines are skipped. Every quote the generator writes is closed.
    static func reference(_ bytes: [UInt8]) -> [Scanned] {
        var records: [Scanned] = []
        var index = 0
        var line = 1
        while index < bytes.count {
            var fields: [[UInt8]] = []
            var newlines = 0
            var field: [UInt8] = []
            while true {
                if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                    index += 1
                    while index < bytes.count {
                        if bytes[index] == UInt8(ascii: "\"") {
                            if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") {
                                field.append(UInt8(ascii: "\""))
                                index += 2
                                continue
                            }
                            index += 1
                            break
                        }
                        if bytes[index] == 0x0A { newlines += 1 }
                        field.append(bytes[index])
                        index += 1
                    }
                }
                let runStart = index
                while index < bytes.count, bytes[index] != UInt8(ascii: ","), bytes[index] != 0x0A { index += 1 }
                var runEnd = index
                let atLineEnd = index == bytes.count || bytes[index] == 0x0A
                if atLineEnd, runEnd > runStart, bytes[runEnd - 1] == 0x0D { runEnd -= 1 }
                field += bytes[runStart..<runEnd]
                fields.append(field)
                field = []
                if atLineEnd { break }
                index += 1
            }
            let recordLine = line
            line += newlines + (index == bytes.count ? 0 : 1)
            index = min(index + 1, bytes.count)
            if fields.count == 1 && fields[0].isEmpty { continue }
            records.append(Scanned(fields: fields, line: recordLine))
        }
        return records
    }

    /// Rows mostly without quotes, of every length, with LF or CRLF ends, blank lines, CRs
    /// inside fields, empty fields, and now and then a quoted field (with commas, quotes and
    /// line breaks) at any position of the row.
    static func randomFile(using random: inout SplitMix64) -> [UInt8] {
        let plain: [UInt8] = Array("ab 7-.|".utf8) + [0x0D]
        let quoted: [UInt8] = Array("ab ,\n|".utf8) + [0x0D]
        var bytes: [UInt8] = []
        for _ in 0..<Int.random(in: 1...60, using: &random) {
            if Int.random(in: 0..<12, using: &random) == 0 {
                bytes.append(0x0A)
                continue
            }
            let fieldCount = Int.random(in: 1...24, using: &random)
            for field in 0..<fieldCount {
                if field > 0 { bytes.append(UInt8(ascii: ",")) }
                if Int.random(in: 0..<40, using: &random) == 0 {
                    bytes.append(UInt8(ascii: "\""))
                    for _ in 0..<Int.random(in: 0...12, using: &random) {
                        let byte = Int.random(in: 0..<8, using: &random) == 0 ? UInt8(ascii: "\"") : quoted.randomElement(using: &random)!
                        bytes.append(byte)
                        if byte == UInt8(ascii: "\"") { bytes.append(byte) }
                    }
                    bytes.append(UInt8(ascii: "\""))
                }
                for _ in 0..<Int.random(in: 0...15, using: &random) { bytes.append(plain.randomElement(using: &random)!) }
            }
            if Int.random(in: 0..<3, using: &random) == 0 { bytes.append(0x0D) }
            bytes.append(0x0A)
        }
        // The last row without its line end now and then.
        if Int.random(in: 0..<4, using: &random) == 0, bytes.last == 0x0A { bytes.removeLast() }
        return bytes
    }

    static func scanned(_ bytes: [UInt8]) throws -> [Scanned] {
        let path = try CSVInput.write(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var scanner = CSVRecordScanner(source: try ByteSource(path: path))
        var records: [Scanned] = []
        while let record = try scanner.next() {
            guard case .fields(let fields, let line) = record else {
                Issue.record("not a record: \(record)")
                continue
            }
            records.append(Scanned(fields: fields.map { Array($0) }, line: line))
        }
        return records
    }

    @Test func recordsSplitAsByteByByte() throws {
        var random = SplitMix64(seed: 0x5CA_2026_1124)
        for iteration in 0..<400 {
            let bytes = Self.randomFile(using: &random)
            let expected = Self.reference(bytes)
            let records = try Self.scanned(bytes)
            #expect(records == expected, "iteration \(iteration): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            if records != expected { break }
        }
    }

    /// Line ends at each of the eight places in a word, after CRs and empty fields, and the
    /// last record's end within the last eight bytes of the file.
    @Test(arguments: 0..<16)
    func lineEndsAtEveryPlaceInAWord(padding: Int) throws {
        let prefix = String(repeating: "x", count: padding)
        for row in ["\(prefix)a,b\n", "\(prefix),\r\n", "\(prefix)\r\n", "\(prefix)a,\r\r\n", "\(prefix),,\n",
                    "\(prefix)\r,b\n", "\(prefix)a,b", "\(prefix)\n\n\(prefix)c\n"] {
            let bytes = Array((row + "zz,1\n" + row).utf8)
            #expect(try Self.scanned(bytes) == Self.reference(bytes), "\(row.debugDescription)")
        }
    }

    /// Records of up to 256 fields are read eight bytes at a time, longer ones byte by byte:
    /// both sides of the limit, and far past it.
    @Test(arguments: [1, 21, 255, 256, 257, 300, 5_000])
    func recordsOfManyFieldsSplitAlike(fieldCount: Int) throws {
        let row = (0..<fieldCount).map { String($0 % 7 == 3 ? "" : "f\($0)") }.joined(separator: ",")
        let bytes = Array((row + "\n" + row + "\r\n" + row).utf8)
        let records = try Self.scanned(bytes)
        #expect(records == Self.reference(bytes))
        #expect(records.map(\.fields.count) == [fieldCount, fieldCount, fieldCount])
    }
}
