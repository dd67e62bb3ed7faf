import Foundation
#if canImport(Glibc)
import Glibc
#endif
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

    /// What a file written in pieces of `sizes` holds, against what was written.
    private struct Written {
        var written: [UInt8]
        var file: [UInt8]
        var hash: String
        var fileHash: String?
        var openedDirect: Bool
        /// Whether the file still asked for direct writes before its last part block.
        var directAtTheEnd: Bool

        /// Compared as one Bool: a failure would otherwise print megabytes of bytes.
        var same: Bool { file == written }
        var firstDifference: Int {
            (0..<min(file.count, written.count)).first { file[$0] != written[$0] } ?? min(file.count, written.count)
        }
    }

    private func writeAndRead(
        _ sizes: [Int], directWrites: Bool = true, writes: MisbehavingWrites? = nil
    ) throws -> Written {
        let folder = scratchFolder("report-file").path
        let file = if let writes {
            try ReportFile(directory: folder, name: "accept.csv", directWrites: directWrites, writeCall: writes.write)
        } else {
            try ReportFile(directory: folder, name: "accept.csv", directWrites: directWrites)
        }
        var written: [UInt8] = []
        for size in sizes {
            let piece = pattern(size, from: written.count)
            try file.write(piece)
            written += piece
        }
        let directAtTheEnd = file.direct
        let hash = try file.finish(fsync: false)
        let path = folder + "/accept.csv"
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        return Written(
            written: written, file: bytes, hash: hash, fileHash: InputDigest().finish(path: path)?.sha256,
            openedDirect: file.openedDirect, directAtTheEnd: directAtTheEnd
        )
    }

    /// A run's reports are finished on both cores: the digests come back in the order the
    /// files were given, each that of its file's bytes, and of several failures the first
    /// in that order is the one reported (the same whichever thread ends first).
    @Test func reportsFinishedSideBySideGiveTheirDigestsInOrderAndTheFirstFailure() throws {
        let folder = scratchFolder("finish-side-by-side").path
        let names = ["accept.csv", "claims.csv", "deny.csv", "pend.csv", "rejects.csv"]
        let files = try names.map { try ReportFile(directory: folder, name: $0) }
        for (index, file) in files.enumerated() { try file.write(pattern(70_000 * index + 10, from: index)) }
        let hashes = try RunJob.finishSideBySide(files, fsync: false)
        #expect(hashes.map(\.0) == names)
        for (name, hash) in hashes {
            #expect(hash == InputDigest().finish(path: folder + "/" + name)?.sha256, "\(name)")
        }

        for _ in 0..<20 {
            let failing = try (0..<4).map { index in
                try ReportFile(directory: folder, name: "failing-\(index).csv", writeCall: { fd, bytes, count in
                    guard index >= 2 else { return Glibc.write(fd, bytes, count) }
                    errno = index == 2 ? ENOSPC : EIO
                    return -1
                })
            }
            for file in failing { try file.write(pattern(5000, from: 0)) }
            #expect {
                _ = try RunJob.finishSideBySide(failing, fsync: false)
            } throws: { error in
                let failure = error as? OutputError
                return failure?.path.hasSuffix("/failing-2.csv") == true && failure?.message.contains("No space left") == true
            }
        }
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
            #expect(result.same, "sizes \(sizes.prefix(6)): first difference at byte \(result.firstDifference)")
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

    /// Some file systems take `O_DIRECT` at open and refuse it on the first write (EINVAL);
    /// the rest of the file then goes through the page cache, every byte still there.
    @Test func aFileSystemThatRefusesDirectWritesLaterGetsOrdinaryOnes() throws {
        let writes = MisbehavingWrites(.refusesDirectWrites)
        let result = try writeAndRead([300, (3 << 20) + 17, 4095, 1], writes: writes)
        #expect(result.same, "first difference at byte \(result.firstDifference)")
        #expect(result.hash == result.fileHash)
        #expect(result.directAtTheEnd == false)
        if result.openedDirect {
            // Refused once; after that the descriptor no longer asks for direct writes.
            #expect(writes.refusals == 1)
        }
    }

    /// A direct write that comes back short leaves the file off a block boundary: the rest
    /// must go through the page cache, never as a direct write the kernel refuses.
    @Test func aShortDirectWriteSendsTheRestThroughThePageCache() throws {
        let writes = MisbehavingWrites(.writesShortOnce)
        let result = try writeAndRead([(2 << 20) + 5, 4096, 10], writes: writes)
        #expect(result.same, "first difference at byte \(result.firstDifference)")
        #expect(result.hash == result.fileHash)
        #expect(writes.refusedByTheKernel == 0)
        if result.openedDirect {
            #expect(writes.shortWrites == 1)
            #expect(result.directAtTheEnd == false)
        }
    }

    @Test func anInterruptedWriteIsRetried() throws {
        let writes = MisbehavingWrites(.interruptedOnce)
        let result = try writeAndRead([(1 << 20) + 3], writes: writes)
        #expect(result.same, "first difference at byte \(result.firstDifference)")
        #expect(result.hash == result.fileHash)
        #expect(writes.interruptions == 1)
    }

    @Test func aFullDiskIsReportedWithThePath() throws {
        let folder = scratchFolder("report-file-full").path
        let writes = MisbehavingWrites(.full)
        let file = try ReportFile(directory: folder, name: "deny.csv", writeCall: writes.write)
        #expect {
            // One buffer's worth: the first write to the disk happens here.
            try file.write(pattern(1 << 20, from: 0))
        } throws: { error in
            (error as? OutputError)?.description == "\(folder)/deny.csv: error: cannot write: No space left on device"
        }
    }

    @Test func anEmptyReportHasTheHashOfNoBytes() throws {
        let result = try writeAndRead([])
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

/// `write(2)` as a file system that misbehaves in one way would answer; every other call
/// goes to the real `write`. Counts what it did, and what the kernel itself refused.
private final class MisbehavingWrites {
    enum Way {
        /// Refuses every write while the descriptor asks for direct writes (EINVAL).
        case refusesDirectWrites
        /// The first direct write of more than two blocks writes only 1,000 bytes.
        case writesShortOnce
        /// The first write is interrupted by a signal before writing anything (EINTR).
        case interruptedOnce
        /// Every write fails: no space left (ENOSPC).
        case full
    }

    let way: Way
    private(set) var refusals = 0
    private(set) var shortWrites = 0
    private(set) var interruptions = 0
    /// Real writes that failed with EINVAL: a direct write off a block boundary.
    private(set) var refusedByTheKernel = 0

    init(_ way: Way) {
        self.way = way
    }

    func write(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        let flags = fcntl(fd, F_GETFL)
        let direct = directWriteFlag != 0 && flags & directWriteFlag != 0
        switch way {
        case .refusesDirectWrites where direct:
            refusals += 1
            errno = EINVAL
            return -1
        case .writesShortOnce where direct && shortWrites == 0 && count > 8192:
            shortWrites += 1
            // Written as the kernel might have before stopping: 1,000 bytes, which a direct
            // write cannot do, so they go through the page cache.
            _ = fcntl(fd, F_SETFL, flags & ~directWriteFlag)
            defer { _ = fcntl(fd, F_SETFL, flags) }
            return Glibc.write(fd, bytes, 1000)
        case .interruptedOnce where interruptions == 0:
            interruptions += 1
            errno = EINTR
            return -1
        case .full:
            errno = ENOSPC
            return -1
        default:
            let written = Glibc.write(fd, bytes, count)
            if written < 0 && errno == EINVAL { refusedByTheKernel += 1 }
            return written
        }
    }
}
