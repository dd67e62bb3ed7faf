import CZlib
public import Synchronization
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Sees the bytes of an uncompressed input once each, in order, as its reader reads them:
/// the run hashes its inputs this way, so that each is read once (a pipe cannot be read
/// a second time).
public protocol ByteObserver: AnyObject {
    func observe(_ bytes: UnsafeRawBufferPointer)
}

/// Reads a file in chunks, gunzipping it when its name ends in `.gz`.
///
/// A class because it owns a file descriptor or zlib handle that must be closed
/// exactly once; it is used by one reader on one thread. It only reads forward, so an
/// observer sees each byte once and in order.
public final class ByteSource {
    public let path: String
    private var fd: Int32 = -1
    private var gz: gzFile?
    /// Shown the file's bytes as they are read; never attached to a compressed file, whose
    /// bytes on disk are not the ones read.
    private let observer: (any ByteObserver)?
    /// The bytes `peek` read, handed out again by the first reads: a pipe cannot be opened a
    /// second time to read them again.
    private var replay: [UInt8] = []
    private var replayed = 0
    private var hasRead = false
    /// Bytes read by every source of the process (a `.gz` file's decompressed bytes): the
    /// run cuts its batches by these.
    public static let totalBytesRead = Atomic<Int64>(0)
    /// The same bytes as the inputs hold them on disk (a `.gz` file's compressed bytes),
    /// for the progress line, whose total is the files' sizes: counted in decompressed
    /// bytes, a `.gz` run showed 100% with most of its file still to read.
    public static let storedBytesRead = Atomic<Int64>(0)
    /// How far into a `.gz` file zlib has consumed, as last counted.
    private var storedOffset: Int64 = 0

    /// Opens `path` for reading; `.gz` names are decompressed.
    public init(path: String, observer: (any ByteObserver)? = nil) throws(InputError) {
        self.path = path
        self.observer = path.hasSuffix(".gz") ? nil : observer
        if path.hasSuffix(".gz") {
            guard let handle = gzopen(path, "rb") else {
                throw InputError(path: path, message: "cannot open: \(String(cString: strerror(errno)))")
            }
            gzbuffer(handle, 256 * 1024)
            gz = handle
        } else {
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw InputError(path: path, message: "cannot open: \(String(cString: strerror(errno)))")
            }
            var info = stat()
            if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                close(fd)
                fd = -1
                throw InputError(path: path, message: "cannot open: is a directory")
            }
        }
    }

    deinit {
        if let gz { gzclose(gz) }
        if fd >= 0 { close(fd) }
    }

    /// Up to `count` bytes from the start, which the next reads return again: the format is
    /// detected from them. Only before anything else is read.
    public func peek(upTo count: Int) throws(InputError) -> [UInt8] {
        precondition(!hasRead, "peek after reading")
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let offset = filled
            var failure: InputError?
            let got = bytes.withUnsafeMutableBytes { raw -> Int in
                do throws(InputError) {
                    return try readFile(into: raw.baseAddress! + offset, count: count - offset)
                } catch {
                    failure = error
                    return 0
                }
            }
            if let failure { throw failure }
            if got == 0 { break }
            filled += got
        }
        bytes.removeSubrange(filled...)
        replay = bytes
        return bytes
    }

    /// Fills `buffer` with up to `count` bytes; returns how many (0 at the end).
    public func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(InputError) -> Int {
        if replayed < replay.count {
            let n = min(count, replay.count - replayed)
            replay.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress! + replayed, byteCount: n) }
            replayed += n
            return n
        }
        return try readFile(into: buffer, count: count)
    }

    private func readFile(into buffer: UnsafeMutableRawPointer, count: Int) throws(InputError) -> Int {
        hasRead = true
        if let gz {
            let n = gzread(gz, buffer, UInt32(min(count, Int(Int32.max))))
            if n < 0 {
                var code: Int32 = 0
                let text = gzerror(gz, &code).map { String(cString: $0) } ?? "decompression failed"
                throw InputError(path: path, message: "cannot read: \(text)")
            }
            ByteSource.totalBytesRead.add(Int64(n), ordering: .relaxed)
            let stored = Int64(gzoffset(gz))
            if stored > storedOffset {
                ByteSource.storedBytesRead.add(stored - storedOffset, ordering: .relaxed)
                storedOffset = stored
            }
            return Int(n)
        }
        while true {
            let n = Glibc.read(fd, buffer, count)
            if n < 0 {
                if errno == EINTR { continue }
                throw InputError(path: path, message: "cannot read: \(String(cString: strerror(errno)))")
            }
            ByteSource.totalBytesRead.add(Int64(n), ordering: .relaxed)
            ByteSource.storedBytesRead.add(Int64(n), ordering: .relaxed)
            if let observer, n > 0 { observer.observe(UnsafeRawBufferPointer(start: buffer, count: n)) }
            return n
        }
    }
}
