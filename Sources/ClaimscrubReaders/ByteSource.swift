import CZlib
public import Synchronization
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Reads a file in chunks, gunzipping it when its name ends in `.gz`.
///
/// A class because it owns a file descriptor or zlib handle that must be closed
/// exactly once; it is used by one reader on one thread.
public final class ByteSource {
    public let path: String
    private var fd: Int32 = -1
    private var gz: gzFile?
    public private(set) var bytesRead: Int64 = 0
    /// Bytes read by every source of the process, for the progress line.
    public static let totalBytesRead = Atomic<Int64>(0)

    /// Opens `path` for reading; `.gz` names are decompressed.
    public init(path: String) throws(InputError) {
        self.path = path
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

    /// Fills `buffer` with up to `count` bytes; returns how many (0 at the end).
    public func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(InputError) -> Int {
        if let gz {
            let n = gzread(gz, buffer, UInt32(min(count, Int(Int32.max))))
            if n < 0 {
                var code: Int32 = 0
                let text = gzerror(gz, &code).map { String(cString: $0) } ?? "decompression failed"
                throw InputError(path: path, message: "cannot read: \(text)")
            }
            bytesRead += Int64(n)
            ByteSource.totalBytesRead.add(Int64(n), ordering: .relaxed)
            return Int(n)
        }
        while true {
            let n = Glibc.read(fd, buffer, count)
            if n < 0 {
                if errno == EINTR { continue }
                throw InputError(path: path, message: "cannot read: \(String(cString: strerror(errno)))")
            }
            bytesRead += Int64(n)
            ByteSource.totalBytesRead.add(Int64(n), ordering: .relaxed)
            return n
        }
    }

    /// Moves back to a byte offset of the (decompressed) stream, for readers that
    /// resume after a bad row (inputs.md: "reading resumes at the physical line after").
    public func seek(to offset: Int64) throws(InputError) {
        if let gz {
            if gzseek(gz, Int(offset), SEEK_SET) < 0 {
                throw InputError(path: path, message: "cannot seek in compressed input")
            }
        } else if lseek(fd, off_t(offset), SEEK_SET) < 0 {
            throw InputError(path: path, message: "cannot seek: \(String(cString: strerror(errno)))")
        }
    }

    /// Size on disk, for progress and the manifest; nil for pipes.
    public var fileSize: Int64? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(info.st_size)
    }
}
