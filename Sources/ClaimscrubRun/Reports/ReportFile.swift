import Crypto
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// A failed write: the run stops with exit 74.
public struct OutputError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): error: \(message)" }
}

/// One report file: buffered writes, hashed as written so the manifest needs no re-read.
///
/// Written past the page cache (`O_DIRECT`) where the file system allows it. A run writes
/// about 300 bytes of report per service line, and on a virtual machine the kernel's copy
/// of them into page-cache pages it must take fresh was up to an eighth of a 1M-line run's
/// CPU; written straight from this buffer, the same bytes cost about a thirtieth of that.
/// The file's bytes are the same either way; a file system that refuses direct writes
/// gets ordinary ones.
///
/// A class because it owns a file descriptor and its buffer; only the pipeline's writing
/// thread uses it.
final class ReportFile {
    let name: String
    let path: String
    private var fd: Int32
    /// Aligned to `ReportFile.block`, as direct writes need; `capacity` is a whole number of blocks.
    private let buffer: UnsafeMutableRawBufferPointer
    private var count = 0
    private var hasher = SHA256()
    /// Whether the descriptor is still open with `O_DIRECT`.
    private(set) var direct: Bool
    /// Whether it was opened with `O_DIRECT`: false where the file system refused it.
    let openedDirect: Bool
    /// `write(2)`, or a stand-in that fails the way some file systems do: this machine's
    /// never refuse a direct write after the open or write short, and the fallbacks for
    /// both must be tested.
    private let writeCall: WriteCall

    typealias WriteCall = (_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int

    /// Direct writes must start, end and sit in memory on the device's logical block
    /// boundaries; 4,096 is a multiple of both sizes disks have (512 and 4,096).
    private static let block = 4096
    private static let capacity = 1 << 20

    /// `directWrites: false` goes through the page cache from the start, as on a file
    /// system that refuses direct writes.
    init(
        directory: String, name: String, directWrites: Bool = true,
        writeCall: @escaping WriteCall = { Glibc.write($0, $1, $2) }
    ) throws(OutputError) {
        self.name = name
        self.writeCall = writeCall
        path = directory + "/" + name
        let target = path
        let flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC
        let directFlag = directWrites ? directWriteFlag : 0
        var opened = SignalCleanup.shared.whileWriting { open(target, flags | directFlag, 0o644) }
        direct = directFlag != 0
        if opened < 0 && errno == EINVAL && direct {
            // Some file systems (FUSE ones, older tmpfs) refuse O_DIRECT at open.
            opened = SignalCleanup.shared.whileWriting { open(target, flags, 0o644) }
            direct = false
        }
        guard opened >= 0 else {
            throw OutputError(path: path, message: "cannot create: \(String(cString: strerror(errno)))")
        }
        fd = opened
        openedDirect = direct
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.capacity, alignment: Self.block)
    }

    deinit {
        if fd >= 0 { close(fd) }
        buffer.deallocate()
    }

    func write(_ bytes: [UInt8]) throws(OutputError) {
        var offset = 0
        while offset < bytes.count {
            let taken = min(Self.capacity - count, bytes.count - offset)
            bytes.withUnsafeBytes { source in
                (buffer.baseAddress! + count).copyMemory(from: source.baseAddress! + offset, byteCount: taken)
            }
            count += taken
            offset += taken
            if count == Self.capacity {
                // A full buffer is whole blocks: written directly where the file takes that.
                try put(0..<count)
                count = 0
            }
        }
    }

    func write(_ text: String) throws(OutputError) {
        try write(Array(text.utf8))
    }

    /// Hashes and writes these bytes of the buffer.
    private func put(_ range: Range<Int>) throws(OutputError) {
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[range])
        hasher.update(bufferPointer: bytes)
        // Under SignalCleanup's lock: a signal removes the run folder only between writes.
        try SignalCleanup.shared.whileWriting { () throws(OutputError) in
            var offset = 0
            while offset < bytes.count {
                let written = writeCall(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    if errno == EINVAL && direct {
                        // Some file systems accept O_DIRECT at open and refuse it on write.
                        stopDirectWrites()
                        continue
                    }
                    throw OutputError(path: path, message: "cannot write: \(String(cString: strerror(errno)))")
                }
                offset += written
                // A short write leaves the file off a block boundary; the rest goes buffered.
                if offset < bytes.count && direct { stopDirectWrites() }
            }
        }
    }

    private func stopDirectWrites() {
        guard direct else { return }
        direct = false
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~directWriteFlag) }
    }

    /// Flushes, optionally fsyncs, closes; returns the file's SHA-256 in hex.
    func finish(fsync sync: Bool) throws(OutputError) -> String {
        // The whole blocks as before; the last part block through the page cache, since a
        // direct write cannot end inside one.
        let blocks = count - count % Self.block
        if blocks > 0 { try put(0..<blocks) }
        if blocks < count {
            stopDirectWrites()
            try put(blocks..<count)
        }
        count = 0
        if sync && fsync(fd) != 0 {
            throw OutputError(path: path, message: "cannot sync: \(String(cString: strerror(errno)))")
        }
        if close(fd) != 0 {
            fd = -1
            throw OutputError(path: path, message: "cannot close: \(String(cString: strerror(errno)))")
        }
        fd = -1
        return hasher.finalize().map { byteHex($0) }.joined()
    }
}

/// Linux's `O_DIRECT`, which Swift's Glibc module does not import; its value differs by
/// architecture. Zero elsewhere: reports are then written through the page cache.
let directWriteFlag: Int32 = {
    #if os(Linux) && arch(x86_64)
    return 0o40000
    #elseif os(Linux) && (arch(arm64) || arch(arm))
    return 0o200000
    #else
    return 0
    #endif
}()
