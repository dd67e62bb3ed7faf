import Foundation
import Testing
import TestSupport
@testable import ClaimscrubRun

/// Report files are written past the page cache in whole 4,096-byte blocks from a 1 MiB
/// buffer, with the last part block written normally. Whatever the sizes of the writes,
/// the file must hold exactly the bytes given, and the manifest's hash must be theirs.
@Suite struct ReportFileTests {
    /// Bytes that differ from block to block, so a block written twice or skipped shows.
    private func pattern(_ count: Int, from start: Int) -> [UInt8] {
        (start..<start + count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 12) }
    }

    private func firstDifference(_ one: [UInt8], _ other: [UInt8]) -> Int {
        (0..<min(one.count, other.count)).first { one[$0] != other[$0] } ?? min(one.count, other.count)
    }

    private func writeAndRead(_ sizes: [Int], directWrites: Bool) throws -> (written: [UInt8], file: [UInt8], hash: String, fileHash: String?) {
        let folder = scratchFolder("report-file").path
        let file = try ReportFile(directory: folder, name: "accept.csv", directWrites: directWrites)
        var written: [UInt8] = []
        for size in sizes {
            let piece = pattern(size, from: written.count)
            try file.write(piece)
            written += piece
        }
        let hash = try file.finish(fsync: false)
        let path = folder + "/accept.csv"
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        return (written, bytes, hash, InputDigest().finish(path: path)?.sha256)
    }

    /// Writes smaller than a block, ending on a block boundary, crossing the buffer's end,
    /// and several times the buffer in one call.
    @Test(arguments: [true, false])
    func everyWriteSizeComesOutAsWritten(directWrites: Bool) throws {
        let cases: [[Int]] = [
            [],
            [0],
            [1],
            [4095],
            [4096],
            [4097],
            [4096, 4096, 1],
            [(1 << 20) - 1, 1],
            [1 << 20],
            [(1 << 20) + 1],
            [300, (3 << 20) + 17, 4095, 1, 77],
            Array(repeating: 301, count: 10_000),
        ]
        for sizes in cases {
            let result = try writeAndRead(sizes, directWrites: directWrites)
            #expect(result.file.count == result.written.count, "sizes \(sizes.prefix(6))")
            // Compared as one Bool: a failure would otherwise print megabytes of bytes.
            let same = result.file == result.written
            #expect(same, "sizes \(sizes.prefix(6)): first difference at byte \(firstDifference(result.file, result.written))")
            #expect(result.hash == result.fileHash, "sizes \(sizes.prefix(6))")
        }
    }

    /// The direct case above writes directly wherever the file system takes `O_DIRECT`
    /// (not silently through the page cache), and is written normally where it does not.
    @Test func directWritesAreUsedWhereTheFileSystemTakesThem() throws {
        let folder = scratchFolder("report-file-direct").path
        let probe = open(folder + "/probe", O_WRONLY | O_CREAT | O_CLOEXEC | directWriteFlag, 0o644)
        let fileSystemTakesThem = probe >= 0 && directWriteFlag != 0
        if probe >= 0 { close(probe) }
        let file = try ReportFile(directory: folder, name: "claims.csv")
        #expect(file.openedDirect == fileSystemTakesThem)
        #expect(try ReportFile(directory: folder, name: "pend.csv", directWrites: false).openedDirect == false)
        try file.write(pattern(10_000, from: 0))
        _ = try file.finish(fsync: false)
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "/claims.csv"))) == pattern(10_000, from: 0))
    }

    @Test func anEmptyReportHasTheHashOfNoBytes() throws {
        let result = try writeAndRead([], directWrites: true)
        #expect(result.file.isEmpty)
        #expect(result.hash == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func aMissingFolderIsReportedWithThePath() throws {
        let folder = scratchFolder("report-file-missing").path + "/not-there"
        #expect {
            _ = try ReportFile(directory: folder, name: "deny.csv")
        } throws: { error in
            (error as? OutputError)?.description == "\(folder)/deny.csv: error: cannot create: No such file or directory"
        }
    }
}
