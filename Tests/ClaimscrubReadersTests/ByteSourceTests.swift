import ClaimscrubReaders
import Foundation
import Testing
import TestSupport

/// What a `ByteSource` hands out after a look ahead, and what its observer sees.
@Suite struct ByteSourceTests {
    /// Collects what it is shown, in order.
    private final class Collected: ByteObserver {
        var bytes: [UInt8] = []
        func observe(_ chunk: UnsafeRawBufferPointer) { bytes.append(contentsOf: chunk) }
    }

    /// Everything `source` hands out, `count` bytes at a time at most.
    private func readAll(_ source: ByteSource, count: Int) throws -> [UInt8] {
        var all: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: count)
        while true {
            let got = try buffer.withUnsafeMutableBytes { raw throws(InputError) in
                try source.read(into: raw.baseAddress!, count: raw.count)
            }
            if got == 0 { return all }
            all += buffer[0..<got]
        }
    }

    @Test(arguments: [100, 4096, 10_000], [1, 1000, 65_536])
    func theBytesPeekedAtAreReadAgainAndObservedOnce(size: Int, readSize: Int) throws {
        let content = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        let path = try scratchFile("input.bin", content)
        let observer = Collected()
        let source = try ByteSource(path: path, observer: observer)
        #expect(try source.peek(upTo: 4096) == Array(content.prefix(4096)))
        #expect(try readAll(source, count: readSize) == content)
        #expect(observer.bytes == content)
    }

    /// A compressed file's reader sees other bytes than the file's: its observer sees none,
    /// and the run hashes the file itself.
    @Test func aCompressedFileIsReadDecompressedAndNotObserved() throws {
        let content = Array(String(repeating: "claim_id,line_number\nA,1\n", count: 500).utf8)
        let path = try scratchFile("input.csv", content)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = [path]
        try gzip.run()
        gzip.waitUntilExit()
        #expect(gzip.terminationStatus == 0)
        let observer = Collected()
        let source = try ByteSource(path: path + ".gz", observer: observer)
        #expect(try source.peek(upTo: 4096) == Array(content.prefix(4096)))
        #expect(try readAll(source, count: 1000) == content)
        #expect(observer.bytes.isEmpty)
    }

    /// The run hashes an input from the bytes its reader reads, except where reading leaves
    /// no time to spare (XML): that observer is let go once the format is known, having
    /// seen only the bytes looked at to tell it (none when the format is given), and the
    /// run hashes the rest apart.
    @Test(arguments: [nil, InputFormat.csv, InputFormat.xml])
    func anXMLReadersObserverIsLetGoOnceItsFormatIsKnown(given: InputFormat?) throws {
        let csv = Array((
            "claim_id,line_number,payer_id,diagnosis_codes,procedure_code,service_date\n"
                + (1...2000).map { "C\($0),1,ACME01,M80.08XA,22513,2026-01-05\n" }.joined()
        ).utf8)
        let xml = Array(("<?xml version=\"1.0\"?>\n<x12><!-- " + String(repeating: "padding ", count: 2000) + "--></x12>\n").utf8)
        let content = given == .xml ? xml : csv
        let path = try scratchFile(given == .xml ? "batch.xml" : "batch.csv", content)
        for onlyWithTimeToSpare in [true, false] {
            let observer = Collected()
            var reader = try InputOpener.open(
                path: path, displayPath: "batch", format: given, csvMapping: CSVColumnMapping(),
                observer: observer, observingOnlyWithTimeToSpare: onlyWithTimeToSpare
            )
            while try reader.next() != nil {}
            let expected = !onlyWithTimeToSpare || given != .xml ? content : []
            #expect(observer.bytes == expected, "\(String(describing: given)), only with time to spare: \(onlyWithTimeToSpare)")
        }
        // Detected rather than given: the observer has seen the 4 KiB looked at.
        let detected = Collected()
        let xmlPath = try scratchFile("detected.xml", xml)
        var reader = try InputOpener.open(
            path: xmlPath, displayPath: "detected", format: nil, csvMapping: CSVColumnMapping(),
            observer: detected, observingOnlyWithTimeToSpare: true
        )
        while try reader.next() != nil {}
        #expect(detected.bytes == Array(xml.prefix(4096)))
    }
}
