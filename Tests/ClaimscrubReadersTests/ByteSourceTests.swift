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
}
