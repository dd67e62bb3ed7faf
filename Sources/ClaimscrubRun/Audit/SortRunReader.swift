#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Reads the records of one sorted run back, through a 256 KiB buffer (a merge holds one
/// reader per run, so the buffer is what bounds its memory).
///
/// A class because it owns a file descriptor; used by one thread only.
final class SortRunReader {
    let path: String
    private var fd: Int32
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var atEnd = false

    init(path: String, bufferSize: Int = 256 << 10) throws(AuditError) {
        self.path = path
        buffer = [UInt8](repeating: 0, count: bufferSize)
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw AuditError(status: 74, "\(path): error: cannot open: \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    func next() throws(AuditError) -> SortRecord? {
        guard try available(4) else { return nil }
        let length = buffer.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: start, as: UInt32.self).littleEndian) }
        guard try available(4 + length) else {
            throw AuditError(status: 74, "\(path): error: the sort file ends inside a record")
        }
        let record = SortRecord(body: Array(buffer[(start + 4)..<(start + 4 + length)]))
        start += 4 + length
        return record
    }

    /// Whether `count` bytes are buffered from `start` (false only at the end of the file).
    private func available(_ count: Int) throws(AuditError) -> Bool {
        while end - start < count {
            if atEnd {
                guard start == end else { throw AuditError(status: 74, "\(path): error: the sort file ends inside a record") }
                return false
            }
            if start > 0 {
                buffer.withUnsafeMutableBytes { raw in _ = memmove(raw.baseAddress!, raw.baseAddress! + start, end - start) }
                end -= start
                start = 0
            }
            // A record longer than the buffer (a huge claim id) grows it for that record.
            if count > buffer.count { buffer += [UInt8](repeating: 0, count: count - buffer.count) }
            var got = 0
            repeat {
                got = buffer.withUnsafeMutableBytes { raw in Glibc.read(fd, raw.baseAddress! + end, raw.count - end) }
            } while got < 0 && errno == EINTR
            if got < 0 { throw AuditError(status: 74, "\(path): error: cannot read: \(String(cString: strerror(errno)))") }
            if got == 0 { atEnd = true }
            end += got
        }
        return true
    }
}
